"""A course feed served over real HTTP, refreshed by the scheduler: subscribers hear once
that their course moved or was cancelled, and their course reminders follow the new date."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.store.db import transaction
from bot.store.models import ReminderOutbox
from scheduler.jobs import tick_now
from tests.courses.conftest import FeedServer, Reply
from tests.e2e.conftest import BotUnderTest

pytestmark = pytest.mark.postgres

HEADER = "id,title,credits,category,topics,format,start,end,timezone,venue,city,state,lat,lon\n"
ETHICS = "f1,Feed Ethics Day,3,ama_pra_1,ethics,in_person,{start},{end},America/New_York,"
ETHICS += "Hall A,Boston,MA,42.3601,-71.0589\n"
SEPSIS = "f2,Feed Sepsis Update,2,ama_pra_1,sepsis,in_person,2026-12-14 09:00,2026-12-14 11:00,"
SEPSIS += "America/New_York,Hall B,Boston,MA,42.3601,-71.0589\n"
FIRST = HEADER + ETHICS.format(start="2026-12-10 09:00", end="2026-12-10 12:00") + SEPSIS
MOVED = HEADER + ETHICS.format(start="2026-12-12 10:00", end="2026-12-12 13:00")  # f2 dropped


@pytest.fixture
def feed(feed_server: FeedServer) -> dict[str, Any]:
    state: dict[str, Any] = {"body": FIRST, "etag": '"v1"', "hits": 0}

    def answer(headers: dict[str, str]) -> Reply:
        state["hits"] += 1
        if headers.get("if-none-match") == state["etag"]:
            return Reply(304, headers={"ETag": state["etag"]})
        body = state["body"].encode()
        return Reply(200, body, {"Content-Type": "text/csv", "ETag": state["etag"]})

    state["url"] = feed_server.route("/courses.csv", answer)
    return state


@pytest.fixture
def settings_overrides(feed: dict[str, Any]) -> dict[str, Any]:
    return {"course_feeds": feed["url"]}


async def pending_course_keys(bot: BotUnderTest) -> list[str]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.scalars(
            select(ReminderOutbox.dedupe_key)
            .where(ReminderOutbox.kind == "course", ReminderOutbox.status == "pending")
            .order_by(ReminderOutbox.dedupe_key)
        )
        return list(rows)


def refreshes(bot: BotUnderTest, result: str) -> float:
    value = bot.services.metrics.registry.get_sample_value(
        "cme_feed_refresh_total", {"result": result}
    )
    return value or 0.0


async def test_a_moved_and_a_dropped_course_are_announced_once(
    bot: BotUnderTest, feed: dict[str, Any]
) -> None:
    await tick_now(bot.app)  # the scheduler's tick fetches the feed
    assert refreshes(bot, "ok") == 1
    ana = bot.user(1001, "Ana")
    await ana.send("courses near Boston")
    results = await ana.next_reply(10)
    assert results.buttons[:2] == [["1. Feed Ethics Day"], ["2. Feed Sepsis Update"]]
    for label in ("1. Feed Ethics Day", "2. Feed Sepsis Update"):
        await ana.press(label, message_id=results.message_id)
        details = await ana.next_reply()
        await ana.press("🔔 Remind me", message_id=details.message_id)
        await ana.next_edit()
    keys = await pending_course_keys(bot)  # a day and an hour before, and a follow-up
    assert len(keys) == 6 and sum("20261210T1400" in k for k in keys) == 3

    await tick_now(bot.app)  # unchanged feed: a 304, nothing to say
    assert refreshes(bot, "not_modified") == 1
    assert await ana.replies_until_quiet(0.3) == []

    feed.update(body=MOVED, etag='"v2"')
    await tick_now(bot.app)
    (message,) = await ana.replies_until_quiet(0.5)  # due together: one message
    told = sorted((message.text or "").split("\n\n"))
    assert told == [
        "❌ Feed Sepsis Update (Mon Dec 14, 9:00 AM EST) has been cancelled by the provider.",
        "🔁 Feed Ethics Day has moved: it now starts Sat Dec 12, 10:00 AM EST.",
    ]
    keys = await pending_course_keys(bot)
    assert len(keys) == 3 and all("20261212T1500" in k for k in keys)  # re-planned
    await ana.send("/mycourses")
    listed = await ana.next_reply()
    cancelled = next(line.split(".")[0] for line in listed.text.splitlines() if "Sepsis" in line)
    await ana.press(f"ℹ️ {cancelled}", message_id=listed.message_id)
    details = await ana.replies_until_quiet(0.3)  # QA: a Register link and a calendar file
    assert len(details) == 1 and "Register" not in (details[0].text or "")
    assert details[0].buttons == [["🔕 Stop reminding me"]], "no calendar for a cancelled one"

    feed.update(etag='"v3"')  # same courses, new validator: fetched again, nothing changed
    await tick_now(bot.app)
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(0.3) == []
    assert refreshes(bot, "ok") == 3 and feed["hits"] == 5
    async with transaction(bot.services.sessionmaker) as session:
        notices = list(
            await session.scalars(
                select(ReminderOutbox.status).where(ReminderOutbox.kind == "notice")
            )
        )
    assert notices == ["sent", "sent"]
