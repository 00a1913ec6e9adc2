"""Feed refresh and course-change notices without the chat: outcomes counted, one notice
per subscriber and change, quiet hours respected unless the course is imminent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import load_settings
from bot.context import Services
from bot.courses.importer import ImportSummary
from bot.courses.records import CourseRecord, validate
from bot.domain.requirements import shipped_rulebook
from bot.store import clinicians, subscriptions
from bot.store import courses as course_store
from bot.store.courses import CourseChange
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.feeds import notify_course_changes, refresh_tick, result_label
from tests.courses.conftest import FeedServer, Reply

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 02:00 in New York: quiet hours
START = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def record(source_id: str, starts_at: datetime) -> CourseRecord:
    checked = validate(
        {
            "source_id": source_id, "title": f"Course <{source_id}>", "credits": Decimal(2),
            "category": "ama_pra_1", "format": "live_online", "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2), "timezone": "America/New_York",
        },
        source="test",
    )  # fmt: skip
    assert checked.record is not None, checked.errors
    return checked.record


async def people_and_course(
    sessionmaker: async_sessionmaker[AsyncSession], starts_at: datetime
) -> tuple[int, list[Clinician]]:
    async with transaction(sessionmaker) as session:
        await course_store.upsert_courses(session, [record("c1", starts_at)], now=NOW)
        course = (await course_store.search_courses(session, online=True, starts_after=NOW)).hits
        course_id = course[0].course.id
        people = []
        for telegram_id in (1, 2, 3):
            person, _ = await clinicians.get_or_create(
                session, clinicians.TelegramIdentity(telegram_id, telegram_id, "X"),
                default_timezone="America/New_York", now=NOW,
            )  # fmt: skip
            await subscriptions.subscribe(session, person, course_id, NOW)
            people.append(person)
        people[2].active = False  # blocked the bot: told nothing
    return course_id, people


async def notices(sessionmaker: async_sessionmaker[AsyncSession]) -> list[ReminderOutbox]:
    async with transaction(sessionmaker) as session:
        rows = await session.scalars(
            select(ReminderOutbox)
            .where(ReminderOutbox.kind == "notice")
            .order_by(ReminderOutbox.clinician_id)
        )
        return list(rows)


@pytest.mark.postgres
async def test_one_notice_per_subscriber_and_change_after_quiet_hours(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    course_id, people = await people_and_course(sessionmaker, START)
    moved = CourseChange(course_id, "rescheduled", "c1", START, START + timedelta(days=2))
    for _ in range(2):  # the same change seen twice (two refreshes, two processes)
        async with transaction(sessionmaker) as session:
            await notify_course_changes(session, [moved], NOW, shipped_rulebook())
    rows = await notices(sessionmaker)
    assert [r.clinician_id for r in rows] == [people[0].id, people[1].id]
    key = f"{people[0].id}:notice:{course_id}:coursechg:{course_id}:rescheduled:20261212T1400"
    assert rows[0].dedupe_key == key
    assert rows[0].due_at == datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 08:00 New York
    assert rows[0].payload == {
        "text": "🔁 <b>Course &lt;c1&gt;</b> has moved: it now starts Sat Dec 12, 9:00 AM EST."
    }


async def test_an_imminent_change_is_sent_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    soon = NOW + timedelta(hours=3)
    course_id, _ = await people_and_course(sessionmaker, soon)
    cancelled = CourseChange(course_id, "cancelled", "c1", soon, soon)
    async with transaction(sessionmaker) as session:
        assert await notify_course_changes(session, [cancelled], NOW, shipped_rulebook()) == 2
    rows = await notices(sessionmaker)
    assert {r.due_at for r in rows} == {NOW}
    assert "has been cancelled by the provider" in rows[0].payload["text"]  # type: ignore[index]


async def test_refresh_tick_counts_outcomes_and_keeps_last_good_data(
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
    feed_server: FeedServer,
) -> None:
    csv = b"id,title,credits,start,format\nf1,Ethics,1,2027-01-05 12:00,webinar\n"
    state = {"reply": Reply(200, csv, {"Content-Type": "text/csv"})}
    url = feed_server.route("/f.csv", lambda _headers: state["reply"])
    settings = load_settings(
        telegram_bot_token="1:x", database_url="sqlite+aiosqlite://", course_feeds=url
    )
    services = Services(settings=settings, clock=ManualClock(NOW), engine=engine)
    services.sessionmaker = sessionmaker
    async with httpx.AsyncClient() as client:
        services.http = client
        await refresh_tick(services)
        state["reply"] = Reply(404, b"gone")
        await refresh_tick(services)
    sample = services.metrics.registry.get_sample_value
    assert sample("cme_feed_refresh_total", {"result": "ok"}) == 1
    assert sample("cme_feed_refresh_total", {"result": "error"}) == 1
    async with transaction(sessionmaker) as session:
        assert await course_store.count_courses(session, status="active") == 1


def test_result_labels() -> None:
    assert result_label(ImportSummary("x", fatal="down")) == "error"
    assert result_label(ImportSummary("x", not_modified=True)) == "not_modified"
    assert result_label(ImportSummary("x")) == "ok"
