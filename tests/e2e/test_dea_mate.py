"""A DEA registration (QA, a nurse practitioner): the MATE Act's one-time 8-hour training,
through the real bot. Done once it stays done, in every later cycle, whenever it was
completed; not logged, it is never "Complete"; the transcript and the note after the
registration's deadline say nothing false about it."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from bot.sandbox.user import SandboxUser
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest, reply_with, seed_licence
from tests.e2e.test_credits_flow import confirm

pytestmark = pytest.mark.postgres
NEW_YORK = ZoneInfo("America/New_York")
EXPIRES = date(2027, 8, 15)
MATE = "Treatment and management of patients with opioid or other substance use disorders"
LOG_MATE = (
    '/log 8 hours "MATE Act training" opioid prescribing, substance use disorder, '
    "DEA MATE Act training on {day}"
)


async def dea(bot: BotUnderTest, renewals_done: int) -> SandboxUser:
    """Ana holds a DEA registration expiring Aug 15, 2027, renewed ``renewals_done`` times."""
    await seed_licence(bot, "us-dea-mate", "DEA registration", EXPIRES, renewals_done=renewals_done)
    return bot.user(1001, "Ana")


async def status(ana: SandboxUser) -> str:
    await ana.send("/status")
    return (await ana.next_reply()).text or ""


async def test_a_training_due_at_a_past_renewal_and_not_logged_is_not_complete(
    bot: BotUnderTest,
) -> None:
    """QA: renewed once (in 2024, the renewal the Act asks it at), nothing logged: "✅
    Complete … Not required this cycle: … was due on 2024-08-15"."""
    ana = await dea(bot, renewals_done=1)
    text = await status(ana)
    assert "Complete" not in text and "Not required this cycle" not in text, text
    assert f"{MATE}: 0 of 8 h — 8 to go" in text, text
    assert "was due at your renewal on Aug 15, 2024" in text, text
    assert "No training is logged for it: if you did it, /log it with its date" in text, text
    assert "Pace needed" not in text, "due long ago: no weekly pace"


@pytest.mark.parametrize("renewals_done", [0, 1])
async def test_a_training_logged_once_counts_and_stays_done_in_later_cycles(
    bot: BotUnderTest, renewals_done: int
) -> None:
    """QA: renewed once, the 8-hour certificate logged changed nothing and "Counts toward"
    left DEA out; renewed never, it showed done until the cycle rolled over, then "was due
    on 2024-08-15" (before the registration existed) and the training vanished."""
    ana = await dea(bot, renewals_done)
    await ana.send(LOG_MATE.format(day="Oct 1"))
    assert "Counts toward: DEA registration (complete ✓)" in await confirm(
        ana, completes="DEA registration"
    )
    text = await status(ana)
    assert "✅ Complete for this cycle" in text, text
    assert f"{MATE}: 8 of 8 h ✓" in text and "done Oct 1, 2026" in text, text

    bot.clock.set(datetime(2027, 9, 1, 10, 0, tzinfo=NEW_YORK))  # the next cycle
    text = await status(ana)
    assert "nothing more is needed by Aug 15, 2030" in text, text
    assert f"{MATE}: 8 of 8 h ✓" in text and "done Oct 1, 2026" in text, text
    assert "Not required this cycle" not in text, text
    if renewals_done == 0:  # registered after Aug 15, 2024: it was due then, not at that date
        assert "was due when you first registered" in text and "2024" not in text, text
    else:
        assert "was due at your renewal on Aug 15, 2024" in text, text


async def test_a_training_done_before_this_cycle_counts(bot: BotUnderTest) -> None:
    """One-time means whenever it was done: a 2023 training counts in the 2024-2027 cycle."""
    ana = await dea(bot, renewals_done=1)
    await ana.send(LOG_MATE.format(day="May 2 2023"))
    assert "Counts toward: DEA registration (complete ✓)" in await confirm(
        ana, completes="DEA registration"
    )
    text = await status(ana)
    assert "✅ Complete for this cycle" in text and "done May 2, 2023" in text, text


async def test_the_transcript_has_no_total_a_registration_does_not_ask(
    bot: BotUnderTest,
) -> None:
    """QA: "Total credits 35.5 | 0 | 0 | met" above one 8-hour activity, and "renewal 1"
    for a registration never renewed."""
    ana = await dea(bot, renewals_done=0)
    await ana.send(LOG_MATE.format(day="Oct 1"))
    await confirm(ana, completes="DEA registration")
    await ana.send('/log 27.5 cat 1 "Cardiology update" on Oct 2')
    await confirm(ana)
    await ana.send("/transcript")
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None
    text = PdfReader(io.BytesIO(pdf.document_file.data)).pages[0].extract_text()
    assert "Total credits" not in text and "35.5" not in text, text
    assert "Activities counted in this cycle (1)" in text, text
    assert "renewal 1" not in text and "0 renewals before this cycle" in text, text
    assert "Requirements met for this cycle." in text, text


async def test_the_note_after_the_deadline_says_the_training_is_done(
    bot: BotUnderTest,
) -> None:
    """QA: "The next cycle runs Aug 16, 2027 – Aug 15, 2030: 0 credits. What you log from
    now counts toward it." for a registration whose one-time training was done."""
    ana = await dea(bot, renewals_done=0)
    await ana.send(LOG_MATE.format(day="Oct 1"))
    await confirm(ana, completes="DEA registration")
    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 8, 16, 18, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    note = await reply_with(ana, "is behind you")
    assert "0 credits" not in note and "What you log from now" not in note, note
    assert "Nothing more to log for it: its one-time training" in note, note
    assert "It renews next on Aug 15, 2030" in note, note
