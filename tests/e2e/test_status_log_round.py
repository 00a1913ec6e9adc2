"""Status, transcript and log lines end to end, for findings of a QA round: "Still needed"
with Florida's total met and several topics open, previous cycles from before the bot
was used, titles made of leftover words, "what's due frist?", and split log parts."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store import clinicians, credits
from bot.store.db import transaction
from bot.store.models import CreditEntry
from tests.e2e.conftest import START, BotUnderTest, reply_with, seed_licence
from tests.e2e.test_np_log_lines import nurse_practitioner


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


# ------------------------------------------------------------------ 2. transcript
async def transcript(ana: SandboxUser, request: str) -> tuple[str, str, str]:
    """The PDF's caption and text, and the CSV, of a /transcript request."""
    from pypdf import PdfReader

    await ana.send(request)
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None, pdf.text
    csv_file = await ana.next_reply(10)
    assert csv_file.document_file is not None, csv_file.text
    pages = PdfReader(io.BytesIO(pdf.document_file.data)).pages
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    return pdf.caption or "", text, csv_file.document_file.data.decode("utf-8-sig")


@pytest.mark.postgres
async def test_a_cycle_from_before_the_bot_is_not_shown_as_nothing_done(
    bot: BotUnderTest,
) -> None:
    """QA: first used on Nov 24, 2026, "/transcript previous" showed Florida's cycle of
    2023–2025 at 0 of 40 credits. Nothing is logged in it: it is said not to be tracked.
    An activity logged later with a date in that cycle makes it a cycle like any other."""
    await seed_licence(bot, "us-fl-md", "Florida", date(2027, 1, 31), renewals_done=2)
    ana = bot.user()
    caption, pdf, csv = await transcript(ana, "/transcript previous")
    assert "Not tracked here" in caption and "Florida (Feb 1, 2023 – Jan 31, 2025)" in caption
    assert "Nov 24, 2026" in caption, caption
    assert "Not tracked here: nothing was logged in the bot for this cycle" in pdf, pdf
    assert "That is not 0 credits earned" in pdf and "more credits needed" not in pdf, pdf
    rows = [line.split(",") for line in csv.splitlines()[1:]]
    assert [row[-1] for row in rows] == ["not tracked"], csv  # no TOTAL of 0
    assert rows[0][:3] == ["Florida", "2023-02-01", "2025-01-31"], rows
    # The cycles including a day, asked for by the day: the same.
    caption, _, csv = await transcript(ana, "/transcript 2024-05-01")
    assert "Not tracked here" in caption and "TOTAL" not in csv, csv

    await log(ana, '/log 2 medical errors "Errors in the clinic" on 2024-05-01')
    caption, pdf, csv = await transcript(ana, "/transcript previous")
    assert "Not tracked" not in caption and "Not tracked" not in pdf, caption
    assert "Errors in the clinic" in csv and "Errors in the clinic" in pdf, csv
    total = next(line.split(",") for line in csv.splitlines() if "TOTAL" in line)
    assert total[8] == "2", total
    assert "38 more credits needed" in pdf, pdf  # what the bot knows of that cycle


# ------------------------------------------------------------------ 3. titles
async def stored_titles(bot: BotUnderTest) -> list[str]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(select(CreditEntry.title).order_by(CreditEntry.id))
        return list(rows.scalars())


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("/log 8 hours of MATE act training for DEA 8 yesterday",
         "DEA MATE Act training (substance use disorders)"),
        ("/log 2 ethics x 2 yesterday", "Medical ethics"),
        ("/log 4 hours opioid 4hr yesterday", "Opioid prescribing"),
        ("I did 2 credits ethics p. 4 yesterday", "Medical ethics"),
        ("/log 2 credits Board review part 2 yesterday", "Board review part 2"),  # kept
        ("/log 1 hour ACLS recert yesterday", "ACLS recert"),
    ],
)  # fmt: skip
async def test_a_title_is_made_of_words_that_name_something(
    bot: BotUnderTest, line: str, title: str
) -> None:
    """QA: leftover words made titles like "DEA 8": junk now gives the topic's name."""
    ana = bot.user()
    await ana.send(line)
    proposal = await ana.next_reply()
    assert title in proposal.text, proposal.text
    await ana.press("✅ Save")
    await ana.next_edit()
    await ana.next_reply()
    assert await stored_titles(bot) == [title]


# ------------------------------------------------------------------ 4. "due frist"
async def test_what_is_due_first_with_a_typo_gets_the_deadlines(bot: BotUnderTest) -> None:
    """QA: "What's due first?" gave the deadline list, "what's due frist?" every full
    status. A slip in the word after "due" is read as meant; other words are not."""
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30),
                       renewals_done=3, flags=["direct_patient_care"])  # fmt: skip
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2027, 1, 31),
                       renewals_done=2)  # fmt: skip
    ana = bot.user()
    for question in ("what's due frist?", "whats due fisrt", "which licence is due soonets"):
        await ana.send(question)
        lines = (await ana.next_reply()).text.splitlines()
        assert lines[0].startswith("• Florida Board of Medicine: Due Jan 31, 2027"), lines
        assert lines[1].startswith("• Texas Medical Board: Due Jun 30, 2027"), lines
    for question in ("what's due soon?", "what's due for Florida?"):  # not a slip of those
        text = await status_text(ana, question)
        assert "Source:" in text and "• Florida Board of Medicine: Due" not in text, text


# ------------------------------------------------------------------ 5. split parts
CONFERENCE = (
    "Attended the Texas NP conference Oct 14-16, 2026, 18 contact hours including 6 pharmacology"
)


async def stored_parts(bot: BotUnderTest) -> list[tuple[Decimal, str, date, int | None]]:
    """(amount, title, day, group_id as an offset from the first id) of every entry."""
    async with transaction(bot.services.sessionmaker) as session:
        rows = list((await session.execute(select(CreditEntry).order_by(CreditEntry.id))).scalars())
    first = rows[0].id if rows else 0
    return [
        (row.amount, row.title, row.completed_on,
         None if row.group_id is None else row.group_id - first)
        for row in rows
    ]  # fmt: skip


@pytest.mark.postgres
async def test_split_parts_are_linked_edited_and_undone_together(bot: BotUnderTest) -> None:
    """QA: the parts of "18 contact hours including 6 pharmacology" were found by title,
    day and save time, so once one part was renamed /undo took back the other alone and
    left 12 hours logged. They are linked now, and an edit of one moves the other."""
    ana = await nurse_practitioner(bot)
    await ana.send(CONFERENCE)
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    await reply_with(ana, "Counts toward")
    day = date(2026, 10, 16)
    assert await stored_parts(bot) == [
        (Decimal(12), "Texas NP conference", day, 0),
        (Decimal(6), "Texas NP conference", day, 0),
    ]
    await ana.send("/credits")  # newest first: 1 is the 6 hours, 2 the 12
    await ana.next_reply()
    await ana.press("✏️ 2")
    await ana.next_reply()
    await ana.press("✏️ Title")
    await ana.next_reply()
    await ana.send("TX NP Conference 2026")
    assert "Change this entry to:" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    updated = (await ana.next_edit()).text
    assert updated.startswith("Updated: 12 contact hours, TX NP Conference 2026"), updated
    assert "The rest of this activity, logged with it (6 contact hours of Pharmacology), " \
        "has the same date, title and credit type now." in updated, updated
    assert await stored_parts(bot) == [
        (Decimal(12), "TX NP Conference 2026", day, 0),
        (Decimal(6), "TX NP Conference 2026", day, 0),
    ]
    await ana.replies_until_quiet()
    await ana.send("/undo")
    assert "(12 contact hours + 6 contact hours, Oct 16, 2026)" in (await ana.next_reply()).text
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    assert await stored_parts(bot) == []


async def test_split_parts_saved_before_the_link_still_go_together(bot: BotUnderTest) -> None:
    """Parts saved before group_id existed (NULL) are found as before: same title, day
    and save time, ids next to each other. Another activity logged later stays."""
    ana = await nurse_practitioner(bot)
    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        for amount, named in ((Decimal(12), []), (Decimal(6), ["pharmacology"])):
            await credits.add(
                session, owner, completed_on=date(2026, 10, 16), amount=amount,
                category="ancc", title="Texas NP conference", topics=named, now=START,
            )  # fmt: skip
    assert [part[3] for part in await stored_parts(bot)] == [None, None]
    await ana.send("/undo")
    assert "(12 contact hours + 6 contact hours, Oct 16, 2026)" in (await ana.next_reply()).text
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    assert await stored_parts(bot) == []
