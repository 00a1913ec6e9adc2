"""QA round on reminder delivery, end to end: a step caught up after downtime is sent
once and worded for the day it arrives, reminders due together reach the clinician as one
message, and the 🎉 of a completed licence comes with the save, before the next reply."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.db import transaction
from bot.store.models import ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_reminders import texas_clinician


async def outbox_rows(bot: BotUnderTest, kind: str) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(ReminderOutbox).where(ReminderOutbox.kind == kind).order_by(ReminderOutbox.id)
        )
        return list(rows.scalars())


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
