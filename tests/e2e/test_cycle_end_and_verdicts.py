"""QA round 2, end to end: the day after a deadline says how the cycle ended and what the
next one asks; "am I on track?" gets a yes or no; a full total with a category still
short is not a full bar; a credit dated in an earlier cycle says what it changed."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sandbox.user import SandboxUser
from bot.store import clinicians, credits, licences
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import (
    START,
    BotUnderTest,
    reply_with,
    seed_licence,
    set_up_with_requirement,
)

pytestmark = pytest.mark.postgres
NEW_YORK = ZoneInfo("America/New_York")


async def texas(
    bot: BotUnderTest, renewal: date, logged: list[tuple[date, int, str, list[str]]]
) -> SandboxUser:
    """A Texas physician (third renewal, direct patient care) with these credits."""
    owner = await seed_licence(
        bot, "us-tx-md", "Texas Medical Board", renewal, renewals_done=3,
        flags=["direct_patient_care"],
    )  # fmt: skip
    async with transaction(bot.services.sessionmaker) as session:
        for completed_on, amount, category, topics in logged:
            await credits.add(
                session, owner, completed_on=completed_on, amount=Decimal(amount),
                category=category, topics=topics, title="Course", now=START,
            )  # fmt: skip
    return bot.user(1001, "Ana")


COMPLETE = [
    (date(2026, 10, 1), 44, "ama_pra_1", []),
    (date(2026, 10, 2), 4, "ama_pra_1", ["ethics", "human_trafficking", "opioid_prescribing"]),
]


async def cycle_end_rows(bot: BotUnderTest) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(ReminderOutbox).where(ReminderOutbox.kind == "cycle_end")
        )
        return list(rows.scalars())


async def test_the_day_after_a_complete_cycle_says_it_and_names_the_next(
    bot: BotUnderTest,
) -> None:
    ana = await texas(bot, date(2026, 11, 30), COMPLETE)
    await tick_now(bot.app)
    [row] = await cycle_end_rows(bot)
    local = row.due_at.astimezone(NEW_YORK)
    assert local.date() == date(2026, 12, 1) and 8 <= local.hour < 12
    # Re-planned on the morning after, the status already shows the next cycle: kept.
    bot.clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    assert [r.status for r in await cycle_end_rows(bot)] == ["pending", "pending"]
    bot.clock.set(row.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    note = await ana.next_reply()
    assert "the cycle due Nov 30, 2026 is behind you, complete ✅" in note.text
    assert "The next cycle runs Dec 1, 2026 – Nov 30, 2028: 48 credits" in note.text
    assert "/licences" in note.text
    await tick_now(bot.app)
    assert await ana.replies_until_quiet(quiet=0.3) == [], "once"
    # QA round 9: the cycle that just ended is the one an audit asks about.
    await ana.send("/transcript previous")
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None and "previous" in (pdf.document_file.file_name or "")
    text = PdfReader(io.BytesIO(pdf.document_file.data)).pages[0].extract_text()
    assert "Cycle Dec 1, 2024 – Nov 30, 2026" in text, text
    assert "Requirements met for this cycle." in text, text
    csv_file = await ana.next_reply(10)
    assert csv_file.document_file is not None
    assert b"2024-12-01,2026-11-30" in csv_file.document_file.data
    await ana.send("/transcript")  # the current cycle: nothing logged yet
    current = await ana.next_reply(10)
    assert current.document_file is not None
    text = PdfReader(io.BytesIO(current.document_file.data)).pages[0].extract_text()
    assert "Cycle Dec 1, 2026 – Nov 30, 2028" in text, text


async def test_the_day_after_a_short_cycle_says_what_is_owed_and_until_when(
    bot: BotUnderTest,
) -> None:
    ana = await texas(bot, date(2026, 11, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await tick_now(bot.app)
    bot.clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    note = await reply_with(ana, "ended")
    assert "the cycle due Nov 30, 2026 ended 38 credits short" in note
    assert "Credits you earn by Dec 30, 2026 make it up" in note


async def test_a_muted_licence_gets_no_note_and_a_licence_added_late_no_old_news(
    bot: BotUnderTest,
) -> None:
    await texas(bot, date(2026, 11, 30), COMPLETE)
    async with transaction(bot.services.sessionmaker) as session:
        owned = await licences.list_for(session, await _owner(session))
        owned[0].reminders_muted = True
    await tick_now(bot.app)
    assert await cycle_end_rows(bot) == []
    # Added on Dec 1 with its next deadline: the cycle that ended Nov 30 is not news.
    async with transaction(bot.services.sessionmaker) as session:
        owned = await licences.list_for(session, await _owner(session))
        owned[0].reminders_muted = False
        owned[0].renewal_date = date(2028, 11, 30)
        owned[0].created_at = datetime(2026, 12, 1, 15, 0, tzinfo=NEW_YORK)
    bot.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    assert [row.dedupe_key.rsplit(":", 2)[-2] for row in await cycle_end_rows(bot)] == [
        "2028-11-30"
    ]


async def _owner(session: AsyncSession) -> Clinician:
    owner = await clinicians.find(session, 1001)
    assert owner is not None
    return owner


async def test_am_i_on_track_says_yes_or_no_with_the_figures(bot: BotUnderTest) -> None:
    ana = await texas(bot, date(2027, 6, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await ana.send("am I on track?")
    answer = (await ana.next_reply()).text
    first = answer.splitlines()[0]
    assert first.startswith("⚠️ Texas Medical Board: behind"), answer
    # Cycle Jul 1, 2025 - Jun 30, 2027: 511 of 730 days gone, 70% of 48 is 33.6.
    assert "a steady pace would have 33.6 of 48 credits by now; you have 10" in first
    assert "a week until Jun 30, 2027 gets you there" in first
    assert "10 / 48 credits" in answer, "the figures follow"

    async with transaction(bot.services.sessionmaker) as session:
        await credits.add(
            session, await _owner(session), completed_on=date(2026, 11, 2),
            amount=Decimal(30), category="ama_pra_1", topics=[], title="More", now=START,
        )  # fmt: skip
    await ana.send("am i behind")
    first = (await ana.next_reply()).text.splitlines()[0]
    assert first == (
        "✅ Texas Medical Board: yes, on track — 40 of 48 credits done with 70% of the cycle gone."
    )
    await ana.send("/status")
    assert "on track" not in (await ana.next_reply()).text, "only when asked"


async def test_a_met_total_with_a_category_short_is_not_a_full_bar(bot: BotUnderTest) -> None:
    logged = [
        (date(2026, 10, 1), 40, "ama_pra_2", []),
        (date(2026, 10, 2), 10, "ama_pra_1", ["ethics", "human_trafficking"]),
    ]
    ana = await texas(bot, date(2027, 6, 30), logged)
    await ana.send("/status")
    text = (await ana.next_reply()).text
    # 34 of the 48 count so far (14 more must be Category 1): 7 of 10 blocks.
    assert "▰▰▰▰▰▰▰▱▱▱ 50 / 48 credits: the total is met, not every requirement below" in text
    assert "Still needed: 14 credits" in text and "100%" not in text
    await ana.send("am I done?")
    first = (await ana.next_reply()).text.splitlines()[0]
    assert first == "⏳ Texas Medical Board: not yet — 14 credits to go by Jun 30, 2027."
    await ana.send("am I on track?")
    first = (await ana.next_reply()).text.splitlines()[0]
    assert "on track — 34 of 48 credits done" in first  # 48 - 14 count so far


async def test_a_credit_dated_in_an_earlier_cycle_says_what_it_changed(
    bot: BotUnderTest,
) -> None:
    ana = await texas(bot, date(2027, 6, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await ana.send("/log 5 cat 1 on March 3 2025")
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    assert "Dated before the current cycle" in said
    assert "it counts toward the cycle that ended Mon Jun 30, 2025, not this one" in said

    await ana.send("/log 1 cat 1 on Jan 5 2021")  # QA: it named the last cycle too
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    assert "it counts toward the cycle that ended Wed Jun 30, 2021, not this one" in said

    # Before the cycle of the first renewal (renewed three times by 2027: 2021, 2023,
    # 2025) the licence had no cycle: it counts nowhere, not toward "the cycle that ended
    # Jun 30, 2019" (QA round 11).
    await ana.send("/log 1 cat 1 on Jan 5 2019")
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    assert "doesn't count toward any" in said and "2019" not in said, said

    await ana.send("/log 60 cat 1 on March 4 2025")
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    # 65 in the cycle to Jun 30, 2025: 17 over its 48 carry into this one.
    assert "17 credits from the previous cycle now count toward this one" in said


async def test_a_credit_before_a_described_requirements_window_says_so(
    bot: BotUnderTest,
) -> None:
    """QA: "it counts toward the cycle that ended Fri Apr 30, 2027" (its future deadline)
    for entries of 2024 and 2018 under a requirement the clinician described."""
    ana = bot.user(1001, "Ana")
    await ana.send("I need 24 credits by 2027-04-30, 2 of them ethics")
    await reply_with(ana, "Saved your requirement")
    await reply_with(ana, "Add another licence?")
    await ana.send("/log 1 ethics 2024-06-01")
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    assert "your requirement counts credits from Thu May 1, 2025, so not this one" in said, said
    assert "ended" not in said


async def test_a_cut_worth_checking_note_can_be_read_whole(bot: BotUnderTest) -> None:
    """QA: Texas's note was cut at 320 characters with no way to read the rest."""
    ana = await texas(bot, date(2027, 6, 30), [])
    await ana.send("/status")
    status = await ana.next_reply()
    assert "Worth checking" in status.text and "…" in status.text
    assert status.buttons[0] == ["📊 Chart: Texas Medical Board", "📖 Notes: Texas Medical…"]
    await ana.press("📖 Notes: Texas Medical…")
    notes = (await ana.next_reply()).text
    assert notes.startswith("📖 Texas Medical Board: worth checking")
    assert "whether ethics is waived too is unclear, so we still ask for it." in notes
    assert "Source: https://www.law.cornell.edu/" in notes


async def test_a_short_cycle_is_reminded_through_its_make_up_window(bot: BotUnderTest) -> None:
    """QA: 38 credits missing after the deadline and no reminder until the window closed."""
    ana = await texas(bot, date(2026, 11, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await tick_now(bot.app)
    bot.clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    await reply_with(ana, "ended 38 credits short")
    async with transaction(bot.services.sessionmaker) as session:
        keys = (
            await session.scalars(
                select(ReminderOutbox.dedupe_key)
                .where(ReminderOutbox.kind == "renewal", ReminderOutbox.status == "pending")
                .order_by(ReminderOutbox.due_at)
            )
        ).all()
    assert [key.split("2026-11-30:")[1] for key in keys] == ["makeup:d14", "makeup:d7", "makeup:d1"]
    bot.clock.set(datetime(2026, 12, 23, 12, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    reminder = await ana.next_reply()
    assert "the cycle due Nov 30, 2026 is still short" in reminder.text
    assert "Credits earned by Dec 30, 2026 (7 days) make it up" in reminder.text
    assert "Still needed: 38 credits" in reminder.text
    # A week's snooze would pass the window's end; the d14 step was superseded.
    assert reminder.buttons == [["Snooze 1 day"], ["Courses that fit", "Stop these reminders"]]
    assert len(ana.messages) == 2  # the day-after note, this reminder


async def test_the_day_before_the_deadline_says_tomorrow_without_a_weekly_pace(
    bot: BotUnderTest,
) -> None:
    ana = await texas(bot, date(2026, 11, 25), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await ana.send("/status")
    text = (await ana.next_reply()).text
    assert "Due tomorrow (Nov 25, 2026)" in text and "1 days" not in text
    assert "Pace needed" not in text and "Still needed: 38 credits" in text
    await ana.send("am I on track?")
    first = (await ana.next_reply()).text.splitlines()[0]
    assert "behind" in first and "a week" not in first


async def test_on_track_with_a_typo_still_gets_the_verdict(bot: BotUnderTest) -> None:
    """Review in the sandbox: "am i on trak?" got "Sorry, I didn't understand that"."""
    ana = await texas(bot, date(2027, 6, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await ana.send("am i on trak?")
    assert (await ana.next_reply()).text.startswith("⚠️ Texas Medical Board: behind")


async def test_a_credit_is_not_said_to_count_toward_a_registration_that_asks_none(
    bot: BotUnderTest,
) -> None:
    """QA: with DEA (no total, its one-time training done) and Texas, any log said
    "Counts toward: DEA registration (complete ✓); Texas Medical Board (47 to go)"."""
    ana = await texas(bot, date(2027, 6, 30), [])
    async with transaction(bot.services.sessionmaker) as session:
        owner = await session.scalar(select(Clinician).where(Clinician.telegram_id == 1001))
        assert owner is not None
        await licences.add(
            session, owner, label="DEA registration", rule_id="us-dea-mate",
            issued_on=date(2015, 3, 1), now=START,
        )  # fmt: skip
    await ana.send("/log 1 cat 2 ethics yesterday")
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    said = (await ana.next_reply()).text
    assert "Texas Medical Board" in said and "DEA" not in said


async def test_a_step_sent_after_its_deadline_gives_way_to_the_day_after_note(
    bot: BotUnderTest,
) -> None:
    """QA: a described requirement's "due today (Sep 30)" came on Oct 1, beside "the
    deadline has passed" (one window, no make-up: its status stays on that deadline)."""
    ana = bot.user(1001, "Ana")
    await set_up_with_requirement(ana, "I need 30 credits by 2026-12-10")
    await tick_now(bot.app)
    seen = len(ana.messages)
    bot.clock.set(datetime(2026, 12, 11, 18, 0, tzinfo=NEW_YORK))  # the bot was down
    await tick_now(bot.app)
    note = await reply_with(ana, "has passed")
    assert "Dec 10, 2026" in note
    await tick_now(bot.app)
    await ana.replies_until_quiet(quiet=0.3)
    sent = [m.text or "" for m in ana.messages[seen:]]
    assert not any("due today" in text or "renews in" in text for text in sent), sent


async def test_a_previous_transcript_of_a_one_window_requirement_says_there_is_none(
    bot: BotUnderTest,
) -> None:
    ana = bot.user(1001, "Ana")
    await ana.send("I need 40 credits by 2027-06-30, 2 of them ethics")
    await reply_with(ana, "Saved your requirement")
    await ana.replies_until_quiet(0.5)
    await ana.send("/transcript previous")
    assert "None of your licences has an earlier cycle yet" in (await ana.next_reply()).text


async def test_a_described_requirement_past_its_deadline_asks_whether_it_comes_back(
    bot: BotUnderTest,
) -> None:
    """QA round 9: a requirement described without "every N years" went quiet after its
    deadline (its note dropped), and /status said "complete" a year later."""
    ana = bot.user(1001, "Ana")
    await ana.send("Georgia: I need 40 credits by 2027-06-30, 2 of them ethics")
    await reply_with(ana, "Saved your requirement")
    await ana.replies_until_quiet(0.5)
    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 7, 1, 18, 0, tzinfo=UTC))  # the day after, 14:00 in New York
    await tick_now(bot.app)
    note = await ana.next_reply()
    assert "Georgia: its deadline, Jun 30, 2027, has passed, 40 credits short" in note.text, (
        note.text  # the name without its "(due Jun 30, 2027)": the sentence says the date
    )
    assert note.buttons == [
        ["🔁 Same again, due Jun 30, 2029"], ["📅 Another date", "🗑 Remove it"]
    ], note.buttons
    await ana.send("/status")
    assert "Its deadline has passed. If it comes back" in (await ana.next_reply()).text
    await ana.press("🔁 Same again, due Jun 30, 2029", message_id=note.message_id)
    changed = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "Jun 30, 2029" in changed, changed
    await ana.send("/status")
    status = (await ana.next_reply()).text
    assert "0 / 40 credits" in status and "Jun 30, 2029" in status, status
    assert "Its deadline has passed" not in status, status
    await ana.press("🔁 Same again, due Jun 30, 2029", message_id=note.message_id)
    assert "expired" in ((await ana.callback_answer()).text or "").lower()


async def test_a_described_requirement_said_to_recur_moves_on_to_its_next_cycle(
    bot: BotUnderTest,
) -> None:
    """QA round 10: "every year" was kept, but after the deadline the requirement stayed
    overdue, and credits logged in the new year counted nowhere."""
    ana = bot.user(1001, "Ana")
    await ana.send("Hospital: I need 10 contact hours by Dec 31 2026, every year")
    await reply_with(ana, "Saved your requirement")
    await ana.replies_until_quiet(0.5)
    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 1, 1, 18, 0, tzinfo=UTC))  # the day after, 13:00 in New York
    await tick_now(bot.app)
    note = (await ana.next_reply()).text
    assert "Does it come back?" not in note, note
    assert "The next cycle runs Jan 1, 2027 – Dec 31, 2027: 10 contact hours" in note, note
    await ana.send("/log 2 contact hours sepsis today")
    proposal = await ana.next_reply()
    await ana.press("✅ Save", message_id=proposal.message_id)
    await ana.next_edit()
    counted = (await ana.next_reply()).text
    assert counted.startswith("Counts toward: Hospital"), counted
    await ana.send("/status")
    status = (await ana.next_reply()).text
    assert "2 / 10 contact hours" in status and "Dec 31, 2027" in status, status
    assert "Overdue" not in status and "Its deadline has passed" not in status, status


async def test_a_new_date_for_a_passed_one_off_starts_after_it(bot: BotUnderTest) -> None:
    """QA round 10: "Dec '28" for a window that ended Jun 30 2027 gave Jan 2027 – Dec 2028,
    overlapping it: credits of early 2027 counted in both."""
    ana = bot.user(1001, "Ana")
    await ana.send("Georgia: I need 40 credits by 2027-06-30")
    await reply_with(ana, "Saved your requirement")
    await ana.replies_until_quiet(0.5)
    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 7, 1, 18, 0, tzinfo=UTC))
    await tick_now(bot.app)
    note = await ana.next_reply()
    await ana.press("📅 Another date", message_id=note.message_id)
    await ana.next_reply()
    await ana.send("Dec '28")
    await ana.replies_until_quiet(0.5)
    await ana.send("/status")
    status = (await ana.next_reply()).text
    assert "from Jul 1, 2027 to Dec 31, 2028" in status, status


async def test_a_day_after_note_months_late_is_not_sent(bot: BotUnderTest) -> None:
    """Review (sandbox): after a long jump of the clock, a cycle 38 credits short was
    announced "complete ✅": past 90 days the status no longer weighs the ended cycle."""
    ana = await texas(bot, date(2026, 11, 30), [(date(2026, 10, 1), 10, "ama_pra_1", [])])
    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 3, 15, 18, 0, tzinfo=NEW_YORK))
    await tick_now(bot.app)
    said = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "complete ✅" not in said, said
