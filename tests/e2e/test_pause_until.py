"""Reminders paused until a day, end to end (sandbox: "pause reminders until Jan" was not
understood): none comes before the day, the next one after it comes by itself, a deadline
inside the pause is pointed out, and phrases that name no usable day change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Clinician
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_reminders import pending, texas_clinician

pytestmark = pytest.mark.postgres
NEW_YORK = ZoneInfo("America/New_York")


async def said(ana: SandboxUser, text: str) -> str:
    await ana.send(text)
    replies = [await ana.next_reply(), *await ana.replies_until_quiet()]
    return "\n".join(m.text or "" for m in replies)


async def paused_until(bot: BotUnderTest) -> date | None:
    async with transaction(bot.services.sessionmaker) as session:
        return await session.scalar(select(Clinician.reminders_paused_until))


async def test_none_before_the_day_and_the_next_one_after_it_by_itself(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)  # due Jun 30, 2027: d180 Jan 1 … d30 May 31
    await tick_now(bot.app)
    steps = {r.dedupe_key.rsplit(":", 1)[-1]: r.due_at for r in await pending(bot)}
    reply = await said(ana, "pause reminders until May 15")
    assert "Paused until May 15, 2027" in reply and "is due" not in reply, reply
    assert "Reminders are paused until May 15, 2027" in reply  # the panel says it too
    assert [r.dedupe_key.rsplit(":", 1)[-1] for r in await pending(bot)] == [
        "back", "d30", "d14", "d7", "d1", "ended",
    ]  # fmt: skip
    for step in ("d180", "d90", "d60"):  # the days pass: nothing comes
        bot.clock.set(steps[step] + timedelta(minutes=1))
        await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []
    # The day the pause ends: the steps it held back are not sent late, where Texas stands
    # is (QA round 13: the 90-day reminder fell in the pause and nothing made up for it).
    back = next(r for r in await pending(bot) if r.dedupe_key.endswith(":back"))
    assert back.due_at.astimezone(NEW_YORK).date() == date(2027, 5, 15)
    bot.clock.set(back.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    note = (await ana.next_reply()).text or ""
    assert note.startswith("▶️ Reminders are back on (paused until May 15, 2027)"), note
    assert "Texas Medical Board" in note, note
    bot.clock.set(steps["d30"] + timedelta(minutes=1))
    await tick_now(bot.app)
    reminder = await ana.next_reply()
    assert "renews in <b>30 days</b>" in (reminder.raw_text or ""), reminder.text
    panel = await said(ana, "/reminders")
    assert "paused" not in panel and "⏸ Pause all" in str(ana.messages[-1].buttons), panel


async def test_a_deadline_inside_the_pause_is_pointed_out(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    reply = await said(ana, "no reminders through July")
    assert "Paused until Aug 1, 2027" in reply, reply
    assert "Texas Medical Board is due Jun 30, 2027, before the pause ends" in reply, reply


async def test_a_reminder_already_due_is_not_sent_once_paused(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    d180 = next(r for r in await pending(bot) if r.dedupe_key.endswith(":d180"))
    bot.clock.set(d180.due_at + timedelta(minutes=1))  # due, not yet sent
    assert "Paused until" in await said(ana, "don't remind me for 2 weeks")
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == []


async def test_resuming_early_brings_them_back(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    await said(ana, "mute reminders until May 15")
    assert len(await pending(bot)) == 6  # five steps after the day, and the note on it
    panel = await said(ana, "resume reminders")
    assert "paused" not in panel, panel
    keys = [r.dedupe_key for r in await pending(bot)]
    assert len(keys) == 8 and await paused_until(bot) is None, keys  # no note: no pause
    assert not [key for key in keys if key.endswith(":back")]


async def test_a_pause_moved_to_another_day_has_its_note_on_that_day(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    await said(ana, "pause reminders until May 15")
    await said(ana, "pause reminders until May 20")
    backs = [r.dedupe_key for r in await pending(bot) if r.dedupe_key.endswith(":back")]
    assert backs == [f"{backs[0].split(':')[0]}:back_from_pause:-:2027-05-20:back"], backs


async def test_no_note_when_nothing_fell_in_the_pause(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)  # d180 is Jan 1, 2027
    await tick_now(bot.app)
    await said(ana, "pause reminders until Dec 20")  # no step before Dec 20
    assert not [r for r in await pending(bot) if r.dedupe_key.endswith(":back")]


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("pause reminders until the holidays", "I couldn't tell until when from “the holidays”"),
        ("pause reminders until today", "is not after today, so there is nothing to pause"),
        ("pause reminders for 2 years", "That is more than a year away"),
        ("pause reminders until Feb 30", "“Feb 30” is not a real date"),
    ],
)
async def test_a_day_that_cannot_be_used_changes_nothing(
    bot: BotUnderTest, typed: str, answer: str
) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    assert answer in await said(ana, typed)
    assert await paused_until(bot) is None and len(await pending(bot)) == 8


async def test_held_off_until_a_day_in_numbers(bot: BotUnderTest) -> None:
    """QA round 12: "hold off on reminders until 3/1" was not understood."""
    ana = await texas_clinician(bot)
    assert "Paused until Mar 1, 2027" in await said(ana, "hold off on reminders until 3/1")
    assert await paused_until(bot) == date(2027, 3, 1)


async def test_a_misspelt_until_and_month_still_pause(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    assert "Paused until Feb 3, 2027" in await said(ana, "pause reminders untill Febuary 3")


async def test_the_panel_lists_the_note_on_the_day_the_pause_ends(bot: BotUnderTest) -> None:
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    panel = await said(ana, "pause reminders until May 15")
    assert "back from the pause: where you stand" in panel, panel


async def backs(bot: BotUnderTest) -> list[str]:
    return [r.dedupe_key for r in await pending(bot) if r.dedupe_key.endswith(":back")]


async def test_the_note_survives_the_same_day_given_again(bot: BotUnderTest) -> None:
    """Review: typed twice, or paused, resumed and paused again until the same day, the
    note was cancelled and the re-plan could not bring it back."""
    ana = await texas_clinician(bot)
    await tick_now(bot.app)
    await said(ana, "pause reminders until May 15")
    await said(ana, "pause reminders until May 15")
    assert len(await backs(bot)) == 1
    await said(ana, "resume reminders")
    assert await backs(bot) == []
    await said(ana, "pause reminders until May 15")
    assert len(await backs(bot)) == 1


async def test_no_note_when_a_ladder_step_comes_that_day(bot: BotUnderTest) -> None:
    """Review: the note and the 30-day step, due the same minute, said Texas twice."""
    ana = await texas_clinician(bot)  # d30 is May 31, 2027
    await tick_now(bot.app)
    await said(ana, "pause reminders until May 31")
    assert await backs(bot) == []
    assert next(r.dedupe_key.rsplit(":", 1)[-1] for r in await pending(bot)) == "d30"
