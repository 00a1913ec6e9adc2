"""'cancel' typed at any question, or /cancel, stops asking and keeps nothing of it.

Chat behaviour only: on SQLite (the store's semantics are tested on both databases)."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from bot import texts
from bot.store.db import transaction
from bot.store.models import Certificate, Licence
from tests.e2e.conftest import BotUnderTest, reply_with
from tests.reports.certificates import ACCME, certificate_pdf, png_bytes


async def count(bot: BotUnderTest, model: type[Licence] | type[Certificate]) -> int:
    async with transaction(bot.services.sessionmaker) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_cancel_at_a_question_is_not_read_as_its_answer(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/licences")
    await reply_with(ana, "Which licence or certification?")  # no licence yet: it asks which one
    await ana.send("Texas")
    assert "renewal deadline" in (await ana.next_reply()).text
    await ana.send("cancel")  # was: I couldn't read “cancel” as a date
    assert (await ana.next_reply()).text == texts.CANCELLED.replace("<i>", "")
    await ana.send("2027-06-30")  # no longer an answer to anything
    assert "renews" not in (await ana.next_reply()).text
    assert await count(bot, Licence) == 0

    await ana.send("/log")
    await ana.next_reply()
    await ana.send("Never mind!")
    assert "cancelled" in (await ana.next_reply()).text
    await ana.send("/cancel")
    assert "nothing to cancel" in (await ana.next_reply()).text


async def test_cancel_drops_an_uploaded_certificate_and_slash_cancel_works(
    bot: BotUnderTest,
) -> None:
    ana = bot.user()
    await ana.send_photo(png_bytes())
    assert "I saved photo.jpg" in (await ana.next_reply()).text
    assert await count(bot, Certificate) == 1
    await ana.send("/cancel")
    assert "cancelled" in (await ana.next_reply()).text
    assert await count(bot, Certificate) == 0


async def test_cancel_at_the_profession_question_stops_the_set_up(bot: BotUnderTest) -> None:
    """QA: /start, then /cancel at the profession buttons said "There's nothing to cancel"."""
    ana = bot.user()
    await ana.send("/start")
    await reply_with(ana, "What is your profession?")
    await ana.send("/cancel")
    assert "Set-up stopped" in (await ana.next_reply()).text
    await ana.send("/start")  # picks it up again
    replies = [await ana.next_reply(), await ana.next_reply()]  # hello, the question
    assert any("What is your profession?" in (r.text or "") for r in replies)


async def test_an_upload_waiting_for_its_details_is_never_dropped_unsaid(
    bot: BotUnderTest,
) -> None:
    """QA: a picture waiting for "what does it certify?" vanished when another file came
    (it stayed in /export, linked to nothing) or when /status was asked meanwhile; and the
    proposal never said which file it would keep."""
    ana = bot.user()
    await ana.send_photo(png_bytes())
    assert "I saved photo.jpg" in (await ana.next_reply()).text
    await ana.upload("scan.png", png_bytes(), "image/png")
    said = [(await ana.next_reply()).text, (await ana.next_reply()).text]
    assert "photo.jpg was not logged, so I didn't keep it" in said[0]
    assert "I saved scan.png" in said[1]
    assert await count(bot, Certificate) == 1
    await ana.send("3 credits ethics on Dec 1")
    proposal = await reply_with(ana, "Log this?")
    assert "📎 scan.png" in proposal
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        (kept,) = (await session.execute(select(Certificate.file_name))).scalars().all()
    assert kept == "scan.png"

    await ana.send_photo(png_bytes())
    assert "I saved photo.jpg" in await reply_with(ana, "I saved")
    await ana.send("/status")  # a look at the status: the photo still waits (QA round 7)
    await reply_with(ana, "no licences")
    assert await count(bot, Certificate) == 2
    await ana.send("/licences")  # a command with questions of its own: dropped, and said
    await reply_with(ana, "photo.jpg was not logged")
    assert await count(bot, Certificate) == 1

    await ana.upload("accme.pdf", certificate_pdf(ACCME), "application/pdf")
    await reply_with(ana, "Log this?")  # QA round 6: then a photo orphaned the PDF, unsaid
    await ana.send_photo(png_bytes())
    await reply_with(ana, "accme.pdf was not logged")
    await ana.send("/cancel")
    await reply_with(ana, "cancelled")
    assert await count(bot, Certificate) == 1


async def test_a_transcript_of_several_activities_is_not_one_entry(bot: BotUnderTest) -> None:
    """QA: a CME transcript of three activities became one entry: the first row's amount,
    the second row's date, titled with the file name."""
    transcript = certificate_pdf([
        ("CME Transcript - Jane Doe MD", -18), ("Activity | Date | Credits", 12),
        ("Ethics in Medicine | 09/01/2026 | 2.0 AMA PRA Category 1 Credits", 12),
        ("Opioid Prescribing Update | 10/05/2026 | 3.0 AMA PRA Category 1 Credits", 12),
        ("Sepsis Bundle Review | 11/10/2026 | 1.5 AMA PRA Category 1 Credits", 12),
        ("Total: 6.5 credits", 12),
    ])  # fmt: skip
    ana = bot.user()
    await ana.upload("transcript.pdf", transcript, "application/pdf")
    said = await reply_with(ana, "transcript.pdf")
    assert "lists several activities" in said and "/log" in said, said
    assert await count(bot, Certificate) == 0


async def test_credits_beyond_the_pages_read_are_explained(bot: BotUnderTest) -> None:
    """QA: credits on page 5 of 5 got "couldn't find the number of credits", nothing more."""
    writer = PdfWriter()
    for lines in [[("Terms and conditions of this programme", 12)]] * 4 + [ACCME]:
        writer.add_page(PdfReader(io.BytesIO(certificate_pdf(lines))).pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    ana = bot.user()
    await ana.upload("long.pdf", buffer.getvalue(), "application/pdf")
    said = await reply_with(ana, "long.pdf")
    assert "couldn't find the number of credits" in said
    assert "I read only its first 3 of 5 pages" in said, said


async def test_deleting_an_entry_deletes_its_certificate_and_says_so(bot: BotUnderTest) -> None:
    """QA: a deleted entry's certificate stayed in /export, linked to nothing, unsaid."""
    ana = bot.user()
    await ana.upload("accme.pdf", certificate_pdf(ACCME), "application/pdf")
    await reply_with(ana, "Log this?")
    await ana.press("✅ Save")
    await ana.next_edit()
    await ana.send("/credits")
    await reply_with(ana, "Your credits")
    await ana.press("🗑 1")
    assert "and its certificate 📎?" in await reply_with(ana, "Delete")
    await ana.press("Delete")
    assert "and its certificate 📎." in ((await ana.next_edit()).text or "")
    assert await count(bot, Certificate) == 0


async def test_a_certificate_giving_its_amount_as_ce_is_read(bot: BotUnderTest) -> None:
    """QA round 7: "6.0 CE" on a pharmacist's certificate: "couldn't find the number of
    credits"."""
    pdf = certificate_pdf((
        ("CERTIFICATE OF COMPLETION", -26), ("Jane Doe, PharmD", -20),
        ("has completed", 13), ("Pharmacy Law Update 2026", -16),
        ("Completed 10/02/2026", 13), ("6.0 CE", 13),
        ("Provided by the State Pharmacy Association", 12),
    ))  # fmt: skip
    ana = bot.user()
    await ana.upload("cert2.pdf", pdf, "application/pdf")
    draft = await reply_with(ana, "Log this?")
    assert "6 " in draft and "Oct 2" in draft, draft


async def test_a_draft_whose_file_a_new_upload_dropped_cannot_be_saved_with_it(
    bot: BotUnderTest,
) -> None:
    """The fuzz suite: a certificate's draft, then a photo (the PDF "was not logged"), then
    the first draft's Save: a foreign-key error on the deleted file. Now that Save has
    expired, and nothing fails."""
    ana = bot.user()
    await ana.upload("accme.pdf", certificate_pdf(ACCME), "application/pdf")
    await reply_with(ana, "Log this?")
    first = ana.sandbox.messages(ana.user_id)[-1]
    await ana.send_photo(png_bytes())
    await reply_with(ana, "accme.pdf was not logged")
    await ana.press("✅ Save", message_id=first.message_id)
    assert "expired" in ((await ana.callback_answer()).text or "")
    await ana.send("yes")
    assert await ana.next_reply()
    assert await count(bot, Certificate) == 1  # the photo, still waiting for its details
