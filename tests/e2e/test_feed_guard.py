"""A course feed that suddenly drops most of its upcoming courses (a truncated or
half-generated response) is refused as the CLI refuses such a file: nothing is cancelled,
no subscriber is told, and /stats says why and how to accept the drop."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.store import clinicians, subscriptions
from bot.store.db import transaction
from bot.store.models import Course, ReminderOutbox
from scheduler.feeds import refresh_tick
from tests.courses.conftest import FeedServer, Reply
from tests.e2e.conftest import START, BotUnderTest

ADMIN = 9001
FIVE = ["f1", "f2", "f3", "f4", "f5"]


@pytest.fixture
def feed(feed_server: FeedServer) -> dict[str, Any]:
    """What the feed serves (``body``) and its URL."""
    state: dict[str, Any] = {"body": _catalogue(FIVE)}
    state["url"] = feed_server.route(
        "/f.csv", lambda _headers: Reply(200, state["body"], {"Content-Type": "text/csv"})
    )
    return state


@pytest.fixture
def settings_overrides(feed: dict[str, Any]) -> dict[str, Any]:
    return {"admin_ids": str(ADMIN), "course_feeds": feed["url"]}


def _catalogue(ids: list[str]) -> bytes:
    rows = [f"{i},Course {i},1,2027-01-{5 + n:02d} 12:00,webinar" for n, i in enumerate(ids)]
    return ("id,title,credits,start,format\n" + "\n".join(rows) + "\n").encode()


async def _active_titles(bot: BotUnderTest) -> list[str]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.scalars(
            select(Course.title).where(Course.status == "active").order_by(Course.title)
        )
        return list(rows)


async def _notices(bot: BotUnderTest) -> list[str]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.scalars(
            select(ReminderOutbox.dedupe_key).where(ReminderOutbox.kind == "notice")
        )
        return list(rows)


async def test_a_feed_that_drops_most_of_its_courses_changes_nothing(
    bot: BotUnderTest, feed: dict[str, Any]
) -> None:
    await refresh_tick(bot.services)
    assert await _active_titles(bot) == [f"Course {i}" for i in FIVE]
    async with transaction(bot.services.sessionmaker) as session:
        ana, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        for course_id in list(await session.scalars(select(Course.id))):
            await subscriptions.subscribe(session, ana, course_id, START)

    feed["body"] = _catalogue(["f1"])  # cut off after its first row
    await refresh_tick(bot.services)
    assert await _active_titles(bot) == [f"Course {i}" for i in FIVE]
    assert await _notices(bot) == []
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/stats")
    text = (await boss.next_reply()).text or ""
    assert "no longer lists 4 of the 5 upcoming courses it listed before (more than 20%)" in text
    assert f"cme-bot courses import {feed['url']} --allow-cancellations" in text
    sample = bot.services.metrics.registry.get_sample_value
    assert sample("cme_feed_refresh_total", {"result": "refused"}) == 1

    feed["body"] = _catalogue(FIVE[:4])  # a routine change: the provider dropped one
    await refresh_tick(bot.services)
    assert await _active_titles(bot) == [f"Course {i}" for i in FIVE[:4]]
    told = await _notices(bot)
    assert len(told) == 1 and ":cancelled:" in told[0], told
    await boss.send("/stats")
    assert "no longer lists" not in ((await boss.next_reply()).text or "")
