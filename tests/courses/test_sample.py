"""The shipped sample catalogue: deterministic, realistic, always upcoming, loaded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses.records import ONLINE_FORMATS
from bot.courses.sample import (
    CITIES,
    SAMPLE_SIZE,
    generate_templates,
    load_sample_if_empty,
    load_templates,
    sample_records,
)
from bot.store import courses as store
from bot.store.db import transaction

from .conftest import NOW


def test_shipped_file_matches_the_generator() -> None:
    assert list(load_templates()) == generate_templates()
    assert len(load_templates()) == SAMPLE_SIZE


def test_sample_is_upcoming_from_any_today_and_plausible() -> None:
    for today in (NOW.date(), NOW.date() + timedelta(days=1000)):
        records = sample_records(today)
        assert len(records) == SAMPLE_SIZE
        later = [r for r in records if r.format != "on_demand"]
        assert all(r.starts_at.date() > today for r in later)
        assert all(r.ends_at.date() > today for r in records)
    online = [r for r in records if r.format in ONLINE_FORMATS]
    venues = [r for r in records if r.format not in ONLINE_FORMATS]
    assert 0.2 < len(online) / len(records) < 0.5
    assert all(r.latitude is not None for r in venues)
    assert len({r.city for r in venues}) >= 35
    assert {r.region for r in records if r.topics == ("texas_opioid",)} <= {"TX", None}
    assert len({t for r in records for t in r.topics}) >= 30
    assert len(CITIES) >= 40


@pytest.mark.postgres
async def test_load_sample_only_into_an_empty_catalogue(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert await load_sample_if_empty(sessionmaker, NOW) == SAMPLE_SIZE
    assert await load_sample_if_empty(sessionmaker, NOW) == 0
    async with transaction(sessionmaker) as session:
        assert await store.count_courses(session, source="sample") == SAMPLE_SIZE
        found = await store.search_courses(
            session, near=(41.8781, -87.6298), radius_km=80, starts_after=NOW
        )
    assert found.total > 0 and all(h.course.city == "Chicago" for h in found.hits)
