"""Search on both databases: distance, dates, topics, order, and an index-backed plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses.records import validate
from bot.courses.sample import generate_templates, materialise
from bot.domain import geo
from bot.store import courses as store
from bot.store.db import transaction

from .conftest import NOW

pytestmark = pytest.mark.postgres
BOSTON = (42.3601, -71.0589)


def _course(source_id: str, km: float, days: int, **extra: Any) -> dict[str, Any]:
    """A raw course ``km`` north-east of Boston starting ``days`` after NOW."""
    lat, lon = geo.destination(*BOSTON, 45, km)
    raw: dict[str, Any] = {
        "source_id": source_id, "title": source_id, "credits": 2, "format": "in person",
        "starts_at": NOW + timedelta(days=days), "latitude": lat, "longitude": lon,
        "timezone": "America/New_York", "price": 100,
    }  # fmt: skip
    raw.update(extra)
    return raw


CATALOGUE = [
    _course("near-late", 3, 40, topics="opioids"),
    _course("near-soon", 3, 10, topics="ethics"),
    _course("mid", 40, 5, topics="controlled substances", price=900),
    _course("edge-out", 85, 5),  # just outside 80 km
    _course("far", 300, 5),
    _course("too-late", 5, 400),
    _course("past", 5, -3),
    _course("cancelled", 2, 6, status="cancelled"),
    _course("online-live", 0, 20, format="webinar", topics="opioids", latitude=None,
            longitude=None),
    _course("online-open", 0, -30, format="on demand", ends_at=NOW + timedelta(days=60),
            latitude=None, longitude=None),
    _course("online-closed", 0, -90, format="on demand", ends_at=NOW - timedelta(days=1),
            latitude=None, longitude=None),
]  # fmt: skip


async def _seed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    records = []
    for raw in CATALOGUE:
        checked = validate(raw, source="test")
        assert checked.record is not None, (raw["source_id"], checked.errors)
        records.append(checked.record)
    async with transaction(sessionmaker) as session:
        await store.upsert_courses(session, records, now=NOW)


async def _titles(sessionmaker: async_sessionmaker[AsyncSession], **query: Any) -> list[str]:
    query.setdefault("starts_after", NOW)
    async with transaction(sessionmaker) as session:
        result = await store.search_courses(session, limit=50, **query)
    return [hit.course.title for hit in result.hits]


async def test_nearby_sorted_by_distance_then_date(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    assert await _titles(sessionmaker, near=BOSTON, radius_km=80) == [
        "near-soon", "near-late", "mid",
    ]  # fmt: skip
    assert await _titles(sessionmaker, near=BOSTON, radius_km=400) == [
        "near-soon", "near-late", "mid", "edge-out", "far",
    ]  # fmt: skip


async def test_date_topic_price_and_online_filters(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    window = {"near": BOSTON, "radius_km": 80}
    assert await _titles(sessionmaker, **window, starts_before=NOW + timedelta(days=20)) == [
        "near-soon", "mid",
    ]  # fmt: skip
    assert await _titles(sessionmaker, **window, starts_before=NOW + timedelta(days=500)) == [
        "near-soon", "near-late", "too-late", "mid",
    ]  # fmt: skip
    # A broad topic finds narrower ones (opioid prescribing is controlled-substance prescribing).
    assert await _titles(sessionmaker, **window, topics=["controlled_substance_prescribing"]) == [
        "near-late", "mid",
    ]  # fmt: skip
    assert await _titles(sessionmaker, **window, topics=["opioid_prescribing"]) == ["near-late"]
    assert await _titles(sessionmaker, **window, max_price=Decimal(500)) == [
        "near-soon", "near-late",
    ]  # fmt: skip
    # On-demand courses open now come after the dated ones (QA: a live webinar came 6th).
    assert await _titles(sessionmaker, online=True) == ["online-live", "online-open"]
    assert await _titles(sessionmaker, **window, online=True, topics=["opioid_prescribing"]) == [
        "near-late", "online-live",
    ]  # fmt: skip


async def test_hybrid_courses_are_online_too_wherever_their_venue_is(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    CATALOGUE.extend([
        _course("hybrid-near", 3, 8, format="hybrid", topics="ethics"),
        _course("hybrid-far", 900, 4, format="hybrid", topics="ethics"),
    ])  # fmt: skip
    try:
        await _seed(sessionmaker)
    finally:
        del CATALOGUE[-2:]
    assert await _titles(sessionmaker, online=True) == [
        "hybrid-far", "hybrid-near", "online-live", "online-open",  # by date, then open now
    ]  # fmt: skip
    assert await _titles(sessionmaker, online=True, topics=["ethics"]) == [
        "hybrid-far", "hybrid-near",
    ]  # fmt: skip
    near = {"near": BOSTON, "radius_km": 80, "topics": ["ethics"]}
    assert await _titles(sessionmaker, **near) == ["hybrid-near", "near-soon"]  # 3 km, by date
    assert await _titles(sessionmaker, **near, online=True) == [
        "hybrid-near", "near-soon", "hybrid-far",  # near enough: by distance; else online
    ]  # fmt: skip


async def test_pagination_and_distances(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _seed(sessionmaker)
    async with transaction(sessionmaker) as session:
        page = await store.search_courses(
            session, near=BOSTON, radius_km=400, starts_after=NOW, limit=2, offset=2
        )
    assert page.total == 5
    assert [h.course.title for h in page.hits] == ["mid", "edge-out"]
    assert page.hits[0].distance_km == pytest.approx(40, abs=0.01)


async def test_bad_search_parameters_are_refused(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        with pytest.raises(ValueError, match="radius"):
            await store.search_courses(session, near=BOSTON, radius_km=5000, starts_after=NOW)
        with pytest.raises(geo.InvalidCoordinatesError):
            await store.search_courses(session, near=(95, 0), starts_after=NOW)


async def _plan(session: AsyncSession, statement: store.Candidates) -> str:
    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
    rows = (await session.execute(text(prefix + sql))).all()
    return "\n".join(str(row[-1]) for row in rows)


async def test_search_query_plans_use_an_index(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    today = NOW.date()
    rows = []
    for template in generate_templates(3000, seed=7):
        record = validate(materialise(template, today), source="plan").record
        assert record is not None
        rows.append(store.course_row(record, NOW))
    async with transaction(sessionmaker) as session:
        await store.insert_course_rows(session, rows)
    async with transaction(sessionmaker) as session:
        await session.execute(text("ANALYZE"))
    window = {"starts_after": NOW, "starts_before": NOW + timedelta(days=30)}
    plain = store.build_query(near=BOSTON, radius_km=80, online=True, **window)
    on_topic = store.build_query(
        near=BOSTON, radius_km=80, online=True, topics=["ethics"], **window
    )
    expected = [(plain, "ix_courses_cell_start"), (on_topic, "ix_course_topics_topic_cell_start")]
    async with transaction(sessionmaker) as session:
        for query, index in expected:
            for statement in store.prefilter_statements(query):
                plan = await _plan(session, statement)
                hybrid = "'hybrid'" in str(
                    statement.compile(compile_kwargs={"literal_binds": True})
                )
                assert hybrid or index in plan, plan  # hybrid ones: by format, or by topic
                assert "SCAN courses" not in plan and "Seq Scan" not in plan, plan


async def test_a_recurring_series_is_listed_once_with_its_other_dates_counted(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A daily huddle imported from a calendar (ids ``uid#start``) filled every page."""
    huddles = [
        _course(f"huddle@x#2027010{day}T0700", 0, day, title="Daily huddle", format="webinar",
                latitude=None, longitude=None)
        for day in range(1, 6)
    ]  # fmt: skip
    other = _course("webinar-1", 0, 3, title="Sepsis webinar", format="webinar",
                    latitude=None, longitude=None)  # fmt: skip
    async with transaction(sessionmaker) as session:
        records = [validate(raw, source="cal").record for raw in [*huddles, other]]
        await store.upsert_courses(session, [r for r in records if r], now=NOW)
        result = await store.search_courses(session, online=True, starts_after=NOW, limit=10)
    assert [(h.course.title, h.more_dates) for h in result.hits] == [
        ("Daily huddle", 4), ("Sepsis webinar", 0),
    ]  # fmt: skip
    assert result.total == 2 and result.hits[0].course.source_id.endswith("01T0700")
    assert store.series_key("cal", "plain-id") is None
    assert store.series_key("cal", "#x") is None
