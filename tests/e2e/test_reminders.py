"""Renewal reminders end to end: planned, delivered when the clock passes them, with the
right figures, once; snooze and stop work; completion is announced once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store import credits
from bot.store.db import transaction
from bot.store.models import ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import START, BotUnderTest, seed_licence

pytestmark = pytest.mark.postgres


async def texas_clinician(bot: BotUnderTest) -> SandboxUser:
    ana = bot.user(1001, "Ana")
    owner = await seed_licence(
        bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30), renewals_done=3,
        flags=["direct_patient_care"],
    )  # fmt: skip
    async with transaction(bot.services.sessionmaker) as session:
        await credits.add(
            session, owner, completed_on=date(2026, 10, 1), amount=Decimal(10),
            category="ama_pra_1", topics=["ethics"], title="Ethics", now=START,
        )  # fmt: skip
    return ana


async def pending(bot: BotUnderTest) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(ReminderOutbox)
            .where(ReminderOutbox.status == "pending")
            .order_by(ReminderOutbox.due_at)
        )
        return list(rows.scalars())


async def test_ladder_is_planned_and_the_30_day_reminder_arrives(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    rows = await pending(bot)
    assert [r.dedupe_key.rsplit(":", 1)[-1] for r in rows] == [
        "d180", "d90", "d60", "d30", "d14", "d7", "d1", "ended",
    ]  # fmt: skip
    await tick_now(bot.app)  # re-planning is idempotent
    assert len(await pending(bot)) == 8

    d30 = rows[3].due_at
    local = d30.astimezone(ana_zone())
    assert local.date() == date(2027, 5, 31) and 8 <= local.hour < 12

    bot.clock.set(d30 + timedelta(minutes=1))
    await tick_now(bot.app)
    reminder = await ana.next_reply()
    assert "renews in <b>30 days</b>" in (reminder.raw_text or "")
    assert "Still needed: 38 credits" in reminder.text
    assert "1 credit of Identification and assistance of trafficked persons" in reminder.text
    assert "credits of AMA PRA Category 1" in reminder.text  # QA: the minimum went unsaid
    assert reminder.buttons == [
        ["Snooze 1 day", "Snooze 1 week"], ["Courses that fit", "Stop these reminders"],
    ]  # fmt: skip
    # Only the newest of the overdue steps went out (d180..d60 were superseded).
    assert len(ana.messages) == 1

    await ana.press("Snooze 1 day")
    assert "remind you again on Tue Jun 1" in (await ana.next_reply()).text
    assert not (await ana.callback_answer()).text  # said once, not in a toast too (QA)
    bot.clock.advance(timedelta(days=1))
    await tick_now(bot.app)
    again = await ana.next_reply()
    assert "renews in <b>29 days</b>" in (again.raw_text or "")

    await ana.press("Stop these reminders", message_id=again.message_id)
    assert "are off" in (await ana.next_reply()).text
    bot.clock.advance(timedelta(days=20))
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []
    await ana.send("/reminders")
    overview = await ana.next_reply()
    assert "Muted: Texas Medical Board" in overview.text


async def test_completion_is_announced_once_and_stops_the_ladder(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    await ana.send('/log 36 cat 1 "Big conference" on Nov 1')
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    await ana.next_reply()
    await ana.send('/log 2 "Opioids and trafficking" texas opioid human trafficking on Nov 2')
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    assert "complete" in (await ana.next_reply()).text
    announcement = await ana.next_reply()  # said by the save itself, not by a tick
    assert "is complete for this cycle" in announcement.text
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []  # and not again by the dispatcher
    # No renewal reminders while nothing remains; the note the day after the deadline stays.
    assert [row.kind for row in await pending(bot)] == ["cycle_end"]
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []


async def test_quiet_hours_and_time_zone_change_move_the_reminders(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    before = (await pending(bot))[0].due_at
    await ana.send("/timezone Auckland")
    assert "Pacific/Auckland" in (await ana.next_reply()).text
    after = (await pending(bot))[0].due_at
    assert after != before
    local = after.astimezone(zone("Pacific/Auckland"))
    assert 8 <= local.hour < 12


def ana_zone():  # type: ignore[no-untyped-def]
    return zone("America/New_York")


def zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_start_is_a_tuesday() -> None:
    assert datetime(2026, 11, 24, 15, 0, tzinfo=UTC) == START


async def test_an_activity_count_is_said_as_activities_not_zero_points(
    bot: BotUnderTest,
) -> None:
    """QA round 9: ABIM's "an activity every 2 years" was reminded as "Still needed: 0
    points", judged "0 of 0 points done", and its next cycle announced as "0 points"."""
    ana = bot.user(1001, "Ana")
    await seed_licence(bot, "abim-moc-2y", "ABIM 2-year activity", date(2026, 12, 31))
    await tick_now(bot.app)
    d30 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d30"))
    bot.clock.set(d30.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    reminder = (await ana.next_reply()).text
    assert "Still needed: 1 activity" in reminder and "0 points" not in reminder, reminder
    await ana.send("am I on track?")
    verdict = (await ana.next_reply()).text
    assert "0 of 1 activity" in verdict or "1 activity to go" in verdict, verdict
    assert "0 points" not in verdict and "0 of 0" not in verdict, verdict
    bot.clock.set(datetime(2027, 1, 1, 18, 0, tzinfo=UTC))  # the day after, 13:00 in New York
    await tick_now(bot.app)
    closed = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    # Nothing logged in that cycle: not "complete ✅", which it was not known to be.
    assert "can't tell whether it was complete" in closed and "✅" not in closed, closed
    assert "The next cycle runs Jan 1, 2027 – Dec 31, 2028: 1 activity." in closed, closed


async def test_resuming_says_what_fell_due_while_paused(bot: BotUnderTest) -> None:
    """QA round 9: reminders due during a pause vanished without a word on resume."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d14 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d14"))
    await ana.send("pause reminders")
    panel = await ana.next_reply()
    assert "paused" in panel.text, panel.text
    bot.clock.set(d14.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []
    await ana.press("▶️ Resume", message_id=panel.message_id)
    said = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "5 reminders fell due while they were paused" in said, said  # d180 … d14
    assert "Texas Medical Board: not yet — 38 credits to go by Jun 30, 2027" in said, said
    await ana.send("pause reminders")
    await ana.next_reply()
    await ana.send("resume reminders")
    again = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "fell due" not in again, again  # counted once


async def test_the_reminders_list_shows_when_each_will_really_come(bot: BotUnderTest) -> None:
    """QA round 9: a reminder due inside new quiet hours was listed at its planned 08:00
    (sent at 12:00), and a snoozed one about a licence since completed stayed listed."""
    from bot.store import outbox

    ana = bot.user(1001, "Ana")
    await ana.send("I need 10 credits by 2027-06-30")
    await ana.replies_until_quiet(0.5)
    await ana.send("quiet hours 10pm to 12pm pls, i work nights")
    await ana.replies_until_quiet(0.5)
    async with transaction(bot.services.sessionmaker) as session:
        row = (await session.execute(select(ReminderOutbox).limit(1))).scalar_one()
        morning = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 in New York, in quiet
        await outbox.insert_new(
            session, [outbox.Planned(row.clinician_id, "renewal", row.target_id, "x:snooze:1",
                                     morning)], START,
        )  # fmt: skip
    await ana.send("/reminders")
    listing = (await ana.next_reply()).text
    assert "Wed Nov 25, 12:00" in listing and "Wed Nov 25, 08:00" not in listing, listing
    await ana.send("/log 10 ethics yesterday")
    proposal = await ana.next_reply()
    await ana.press("✅ Save", message_id=proposal.message_id)
    await ana.replies_until_quiet(0.5)
    await ana.send("/reminders")
    listing = (await ana.next_reply()).text
    assert "Wed Nov 25" not in listing, listing  # complete now: nothing will be sent
