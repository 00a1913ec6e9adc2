"""QA round on reminder delivery, end to end: a step caught up after downtime is sent
once and worded for the day it arrives, reminders due together reach the clinician as one
message, and the 🎉 of a completed licence comes with the save, before the next reply."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest, seed_licence
from tests.e2e.test_reminders import texas_clinician
from tests.e2e.test_timezone_and_reminders_fixes import add_course, remind_me

pytestmark = pytest.mark.postgres
NEW_YORK = ZoneInfo("America/New_York")


async def outbox_rows(bot: BotUnderTest, kind: str) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(ReminderOutbox).where(ReminderOutbox.kind == kind).order_by(ReminderOutbox.id)
        )
        return list(rows.scalars())


async def steps(bot: BotUnderTest, kind: str = "renewal") -> dict[str, ReminderOutbox]:
    """The rows of a kind by the last part of their key ("d7", "h1"); one licence or course."""
    return {row.dedupe_key.rsplit(":", 1)[-1]: row for row in await outbox_rows(bot, kind)}


async def at(bot: BotUnderTest, user: SandboxUser, moment: datetime) -> list[str]:
    """Move the clock, run the periodic work; the messages that came, as sent (HTML)."""
    bot.clock.set(moment)
    await tick_now(bot.app)
    return [m.raw_text or "" for m in await user.replies_until_quiet(quiet=0.3)]


# ------------------------------------------------------------- caught up after downtime
async def test_a_step_caught_up_after_downtime_is_sent_once_for_the_day_it_comes(
    bot: BotUnderTest,
) -> None:
    """QA: down across the 7-day step, back the day before the deadline: the caught-up
    7-day step said "due tomorrow", then the 1-day step said it again hours later."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    planned = await steps(bot)
    (d14,) = await at(bot, ana, planned["d14"].due_at + timedelta(minutes=1))
    assert "renews in <b>14 days</b>" in d14
    # Down from then on; back at 03:00 on Jun 29 (the deadline is Jun 30), in quiet hours.
    assert await at(bot, ana, datetime(2027, 6, 29, 3, 0, tzinfo=NEW_YORK)) == []
    (caught_up,) = await at(bot, ana, datetime(2027, 6, 29, 8, 1, tzinfo=NEW_YORK))
    assert "is due <b>tomorrow</b> (Jun 30, 2027)" in caught_up
    assert planned["d1"].due_at > bot.clock.now()  # the 1-day step was still to come…
    assert await at(bot, ana, planned["d1"].due_at + timedelta(minutes=1)) == []  # …not now
    done = await steps(bot)
    assert (done["d7"].status, done["d1"].status) == ("sent", "superseded")
    assert [done[s].status for s in ("d180", "d90", "d60", "d30")] == ["superseded"] * 4
    # The note the day after the deadline still comes.
    ended = (await steps(bot, "cycle_end"))["ended"].due_at
    (note,) = await at(bot, ana, ended + timedelta(minutes=1))
    assert "the cycle due Jun 30, 2027 ended 38 credits short" in note


async def test_a_caught_up_step_that_fails_to_send_supersedes_nothing(bot: BotUnderTest) -> None:
    """Never lost: the 1-day step is superseded once the caught-up step has been sent, not
    before; while the Bot API fails, both wait."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    planned = await steps(bot)
    await at(bot, ana, planned["d14"].due_at + timedelta(minutes=1))
    bot.sandbox.faults.error_rate = 1.0  # every send fails (502)
    assert await at(bot, ana, datetime(2027, 6, 29, 8, 1, tzinfo=NEW_YORK)) == []
    waiting = await steps(bot)
    assert (waiting["d7"].status, waiting["d1"].status) == ("pending", "pending")
    assert waiting["d7"].last_error and waiting["d7"].due_at > bot.clock.now()  # a retry
    bot.sandbox.faults.error_rate = 0.0
    (caught_up,) = await at(bot, ana, datetime(2027, 6, 29, 8, 5, tzinfo=NEW_YORK))
    assert "is due <b>tomorrow</b>" in caught_up
    done = await steps(bot)
    assert (done["d7"].status, done["d1"].status) == ("sent", "superseded")


async def test_a_step_caught_up_days_before_the_next_leaves_the_next_to_come(
    bot: BotUnderTest,
) -> None:
    """Back two days before the deadline: "renews in 2 days" now, and the 1-day step still
    comes the next day ("due tomorrow"): a new thing to say, a day later."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    planned = await steps(bot)
    await at(bot, ana, planned["d14"].due_at + timedelta(minutes=1))
    (caught_up,) = await at(bot, ana, datetime(2027, 6, 28, 15, 0, tzinfo=NEW_YORK))
    assert "renews in <b>2 days</b> (Jun 30, 2027)" in caught_up
    (last,) = await at(bot, ana, planned["d1"].due_at + timedelta(minutes=1))
    assert "is due <b>tomorrow</b>" in last
    done = await steps(bot)
    assert (done["d7"].status, done["d1"].status) == ("sent", "sent")


async def test_a_course_reminder_caught_up_near_the_start_is_not_repeated(
    bot: BotUnderTest,
) -> None:
    """The day-before reminder caught up 80 minutes before the start says "in 80 minutes";
    the hour-before one, 20 minutes later, would say it again: it is not sent."""
    ana = bot.user()
    start = datetime(2026, 12, 10, 14, 0, tzinfo=NEW_YORK)
    await remind_me(ana, await add_course(bot, start))
    await ana.callback_answer()
    ana.mark_all_read()
    (caught_up,) = await at(bot, ana, start - timedelta(minutes=80))
    assert "starts in 80 minutes" in caught_up
    assert await at(bot, ana, start - timedelta(minutes=59)) == []
    done = await steps(bot, "course")
    assert (done["d1"].status, done["h1"].status) == ("sent", "superseded")


async def test_course_reminders_all_overdue_make_one_message(bot: BotUnderTest) -> None:
    """Down across both the day-before and the hour-before reminders: one, "in 30 minutes"."""
    ana = bot.user()
    start = datetime(2026, 12, 10, 14, 0, tzinfo=NEW_YORK)
    await remind_me(ana, await add_course(bot, start))
    await ana.callback_answer()
    ana.mark_all_read()
    (caught_up,) = await at(bot, ana, start - timedelta(minutes=30))
    assert "starts in 30 minutes" in caught_up
    done = await steps(bot, "course")
    assert (done["d1"].status, done["h1"].status) == ("superseded", "sent")


async def test_the_completion_note_comes_with_the_save_before_the_next_reply(
    bot: BotUnderTest,
) -> None:
    """QA: the 🎉 was queued for the dispatcher and arrived after the next log's draft."""
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
    assert "Saved" in (await ana.next_edit()).text
    assert "complete ✓" in (await ana.next_reply()).text
    # The next message straight away, no dispatcher tick in between.
    await ana.send('/log 1 "Journal club" on Nov 3')
    congratulation, draft = await ana.next_reply(), await ana.next_reply()
    assert congratulation.text.startswith("🎉 Texas Medical Board is complete for this cycle")
    assert "Journal club" in draft.text
    # Recorded as said: no dispatcher tick says it again.
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []
    assert [row.status for row in await outbox_rows(bot, "complete")] == ["sent"]


async def log_a_credit(ana: SandboxUser, line: str) -> None:
    """Log and save an entry (which re-plans the clinician's reminders)."""
    await ana.send(line)
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    await ana.next_reply()


async def test_a_note_held_for_the_morning_survives_a_re_plan_at_night(bot: BotUnderTest) -> None:
    """Back at 03:00 the night after the day-after-deadline note was due: it waits for the
    end of quiet hours. A credit logged at 05:00 re-planned, and the re-plan cancelled it
    (its moment was past, so no plan wanted it): it never came."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    assert await at(bot, ana, datetime(2027, 7, 2, 3, 0, tzinfo=NEW_YORK)) == []
    bot.clock.set(datetime(2027, 7, 2, 5, 0, tzinfo=NEW_YORK))
    await log_a_credit(ana, '/log 1 cat 1 "Journal club" on Jul 1')
    (note,) = await at(bot, ana, datetime(2027, 7, 2, 8, 1, tzinfo=NEW_YORK))
    assert "the cycle due Jun 30, 2027 ended 37 credits short" in note


async def test_a_reminder_waiting_to_be_retried_survives_a_re_plan(bot: BotUnderTest) -> None:
    """The Bot API failed at the 30-day step's moment; a credit logged before the retry
    re-planned, and the re-plan cancelled the step waiting for it."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d30 = (await steps(bot))["d30"].due_at
    bot.sandbox.faults.error_rate = 1.0
    assert await at(bot, ana, d30 + timedelta(minutes=1)) == []
    bot.sandbox.faults.error_rate = 0.0
    await log_a_credit(ana, '/log 1 cat 1 "Journal club" on May 30')
    (reminder,) = await at(bot, ana, d30 + timedelta(minutes=5))
    assert "renews in <b>30 days</b>" in reminder and "Still needed: <b>37</b>" in reminder


# ------------------------------------------------------------- due together, one message
async def test_two_licences_due_the_same_minute_make_one_message(bot: BotUnderTest) -> None:
    """QA: two licences renewing the same day sent two messages in the same minute. One
    message says both; the buttons that read alike carry the number of their part."""
    ana = await texas_clinician(bot)
    await seed_licence(bot, "us-dea-mate", "DEA registration", date(2027, 6, 30), renewals_done=1)
    await tick_now(bot.app)
    d30 = (await steps(bot))["d30"].due_at  # both licences' 30-day steps are due then
    bot.clock.set(d30 + timedelta(minutes=1))
    await tick_now(bot.app)
    (message,) = await ana.replies_until_quiet(quiet=0.3)
    texas, dea = (message.raw_text or "").split("\n\n")
    assert texas.startswith("1️⃣ ⏰ <b>Texas Medical Board</b> renews in <b>30 days</b>"), texas
    assert dea.startswith("2️⃣ ⏰ <b>DEA registration</b> renews in <b>30 days</b>"), dea
    assert message.buttons == [
        ["1️⃣ Snooze 1 day", "1️⃣ Snooze 1 week"],
        ["Courses that fit", "1️⃣ Stop these reminders"],  # the same button for both: once
        ["2️⃣ Snooze 1 day", "2️⃣ Snooze 1 week"],
        ["2️⃣ Stop these reminders"],
    ]
    rows = [row for row in await outbox_rows(bot, "renewal") if row.status == "sent"]
    assert {row.telegram_message_id for row in rows} == {message.message_id}
    assert len(rows) == 2

    await ana.press("2️⃣ Stop these reminders")  # acts on its own licence
    assert "DEA registration" in (await ana.next_reply()).text
    await ana.press("1️⃣ Snooze 1 day", message_id=message.message_id)
    await ana.next_reply()
    (again,) = await at(bot, ana, bot.clock.now() + timedelta(days=1))
    assert again.startswith("⏰ <b>Texas Medical Board</b> renews in <b>29 days</b>"), again


async def test_a_deadline_and_a_course_due_together_make_one_message(bot: BotUnderTest) -> None:
    """Back after downtime with a renewal step and a chosen course's reminder both due: one
    message, the course's buttons beside the licence's."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d30 = (await steps(bot))["d30"].due_at
    course = await add_course(bot, datetime(2027, 5, 31, 18, 0, tzinfo=NEW_YORK))
    await remind_me(ana, course)
    await ana.callback_answer()
    ana.mark_all_read()
    bot.clock.set(d30 + timedelta(minutes=5))  # the course's day-before reminder is overdue
    await tick_now(bot.app)
    (message,) = await ana.replies_until_quiet(quiet=0.3)
    reminder, renewal = (message.raw_text or "").split("\n\n", 1)  # in the order they fell due
    assert reminder.startswith("📅 Reminder: <b>Early Sepsis Rounds</b> starts today"), reminder
    assert renewal.startswith("⏰ <b>Texas Medical Board</b> renews in <b>30 days</b>"), renewal
    assert message.buttons == [
        ["Details"],
        ["Snooze 1 day", "Snooze 1 week"],
        ["Courses that fit", "Stop these reminders"],
    ]
    sent = [r for r in [*await outbox_rows(bot, "renewal"), *await outbox_rows(bot, "course")]
            if r.status == "sent"]  # fmt: skip
    assert sorted(r.dedupe_key.rsplit(":", 1)[-1] for r in sent) == ["d1", "d30"]
    assert {r.telegram_message_id for r in sent} == {message.message_id}
    await ana.press("Details", message_id=message.message_id)
    assert "Early Sepsis Rounds" in (await ana.next_reply()).text
