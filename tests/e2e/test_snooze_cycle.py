"""A snooze belongs to the deadline its reminder was about (QA round 11: pressed the day
after a deadline it promised a reminder of the next cycle, "renews in 728 days"; one left
pending fired after the cycle moved on): not offered when no later day is left, not sent
once that cycle has ended, and an old button says so instead of snoozing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_reminders import pending, texas_clinician

pytestmark = pytest.mark.postgres


async def test_the_day_before_offers_a_day_and_the_due_day_none(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)  # due Jun 30, 2027
    await tick_now(bot.app)
    d1 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d1"))
    bot.clock.set(d1.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    reminder = await ana.next_reply()
    assert "renews tomorrow" in reminder.text or "tomorrow" in reminder.text, reminder.text
    assert reminder.buttons[0] == ["Snooze 1 day"], reminder.buttons
    await ana.press("Snooze 1 day")
    assert "remind you again on Wed Jun 30" in (await ana.next_reply()).text
    bot.clock.advance(timedelta(days=1))
    await tick_now(bot.app)
    due_today = await ana.next_reply()
    assert "due today" in due_today.text, due_today.text
    assert all("Snooze" not in button for row in due_today.buttons for button in row), (
        due_today.buttons
    )


async def test_a_snooze_left_from_an_ended_cycle_is_not_sent(bot: BotUnderTest) -> None:
    """Snoozed, then complete (the ladder goes, the snooze stays: the clinician's own), then
    the bot down past the deadline: it fired about the next cycle (QA round 11)."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d7 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d7"))
    bot.clock.set(d7.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    await ana.next_reply()
    await ana.press("Snooze 1 day")
    await ana.next_reply()
    for line in ('/log 36 cat 1 "Big conference" on Jun 1',
                 '/log 2 "Opioids and trafficking" texas opioid human trafficking on Jun 2'):
        await ana.send(line)
        await ana.next_reply()
        await ana.press("✅ Save")
        await ana.replies_until_quiet(0.5)
    bot.clock.set(d7.due_at + timedelta(days=45))  # down past the deadline and make-up
    await tick_now(bot.app)
    sent = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "renews in" not in sent and "Still needed: 50" not in sent, sent


async def test_an_old_snooze_button_pressed_after_the_deadline_snoozes_nothing(
    bot: BotUnderTest,
) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d7 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d7"))
    bot.clock.set(d7.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    reminder = await ana.next_reply()
    bot.clock.set(d7.due_at + timedelta(days=45))  # the next cycle, make-up window over
    before = len(await pending(bot))
    await ana.press("Snooze 1 day", message_id=reminder.message_id)
    said = (await ana.next_reply()).text
    assert "about a deadline that has passed" in said, said
    assert len(await pending(bot)) == before
