"""Status, transcript and log lines end to end, for findings of a QA round: "Still needed"
with Florida's total met and several topics open, previous cycles from before the bot
was used, titles made of leftover words, "what's due frist?", and split log parts."""

from __future__ import annotations

from datetime import date

import pytest

from bot.sandbox.user import SandboxUser
from tests.e2e.conftest import BotUnderTest, seed_licence


async def log(ana: SandboxUser, line: str) -> str:
    """Send a log line and save the proposal; the "counts toward" reply."""
    await ana.send(line)
    proposal = await ana.next_reply()
    assert "Log this?" in proposal.text, proposal.text
    await ana.press("✅ Save")
    await ana.next_edit()
    return (await ana.next_reply()).text


async def status_text(ana: SandboxUser, question: str = "/status") -> str:
    await ana.send(question)
    replies = [await ana.next_reply(), *await ana.replies_until_quiet()]
    return "\n".join(message.text or "" for message in replies)


# ------------------------------------------------------------------ 1. still needed
@pytest.mark.postgres
async def test_florida_topics_open_with_the_total_met_add_up(bot: BotUnderTest) -> None:
    """QA: 40 of 40 credits, medical errors, domestic violence and controlled substances
    open (2 h each, no topic shared): "Still needed: 2", the largest, read as exact."""
    await seed_licence(bot, "us-fl-md", "Florida", date(2027, 1, 31), renewals_done=2,
                       flags=["dea_registrant"])  # fmt: skip
    ana = bot.user()
    await log(ana, '/log 40 "Internal medicine board review" on Oct 1')
    text = await status_text(ana)
    assert "40 / 40 credits" in text, text
    assert "Still needed: 6 credits (the open topics below add up" in text, text
    await log(ana, '/log 2 medical errors "Preventing medical errors" on Oct 2')
    text = await status_text(ana)
    assert "Still needed: 4 credits (the open topics below add up" in text, text
    await log(ana, '/log 2 domestic violence "Domestic violence in practice" on Oct 3')
    text = await status_text(ana)  # one topic left: the plain figure
    assert "Still needed: 2 credits\n" in text, text
    assert "add up" not in text


async def test_texas_topics_one_course_serves_are_not_added(bot: BotUnderTest) -> None:
    """Texas's human-trafficking course is an ethics course: 2 h of ethics and 1 h of
    trafficking open need 2 h (a 2-hour trafficking course does both), not 3."""
    await seed_licence(bot, "us-tx-md", "Texas", date(2027, 8, 31), renewals_done=3,
                       flags=["direct_patient_care"])  # fmt: skip
    ana = bot.user()
    await log(ana, '/log 48 "Internal medicine board review" on Oct 1')
    await log(ana, '/log 4 texas opioid "Opioid prescribing in Texas" on Oct 2')
    text = await status_text(ana)
    assert "Still needed: 2 credits\n" in text, text
    assert "add up" not in text
