"""A hospital pharmacist's and a New York physician's QA round (13), end to end: live and
home-study hours, ACPE UANs, certificates read better, New York infection control, log
phrasings, and CEUs at the amount editor."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
from bot.sandbox.user import SandboxUser
from bot.store import clinicians, licences
from bot.store.db import transaction
from bot.store.models import CreditEntry
from tests.e2e.conftest import (
    START,
    BotUnderTest,
    reply_with,
    seed_licence,
    set_up_with_requirement,
    start_as,
)
from tests.e2e.test_courses_chat import ask, import_directly, texts_of
from tests.reports.certificates import certificate_pdf

UAN = "0204-0000-26-045-H05-P"

ACPE_HOME_STUDY = (
    ("STATEMENT OF CONTINUING PHARMACY EDUCATION CREDIT", -20),
    ("This is to certify that", 12),
    ("Maria Lopez, PharmD", -18),
    ("has successfully completed the knowledge-based home-study activity", 12),
    ("“Controlled Substance Diversion: What Every Pharmacist Should Know”", -14),
    ("UAN: 0204-0000-26-045-H03-P", 11),
    ("Date completed: November 12, 2026", 11),
    ("Contact hours: 2.0 (0.2 CEUs)", 11),
    ("Provided by the Texas Pharmacy Association", 11),
    ("The Texas Pharmacy Association is accredited by the Accreditation Council for Pharmacy", 8),
    ("Education as a provider of continuing pharmacy education.", 8),
)
IN_CEUS = (
    ("CERTIFICATE OF COMPLETION", -24),
    ("This certifies that", 12),
    ("Maria Lopez, PharmD", -18),
    ("has completed", 12),
    ("Sterile Compounding: USP 797 Update for Hospital Pharmacists", -15),
    ("Completed on: 10/22/2026", 12),
    ("Awarded 1.5 CEUs", 12),
    ("Provider: Florida Society of Health-System Pharmacists", 11),
)
NO_AMOUNT = (
    ("CERTIFICATE OF COMPLETION", -24),
    ("This certifies that", 12),
    ("Maria Lopez, PharmD", -18),
    ("has completed", 12),
    ("Sterile Compounding: USP 797 Update for Hospital Pharmacists", -15),
    ("Completed on: 10/22/2026", 12),
    ("Provider: Florida Society of Health-System Pharmacists", 11),
)
NEW_YORK_INFECTION_CONTROL = (
    ("CERTIFICATE OF COMPLETION", -24),
    ("This is to certify that", 12),
    ("Daniel Cohen, MD", -18),
    ("has successfully completed the", 12),
    ("New York State Department of Health approved course", 13),
    ("Infection Control and Barrier Precautions for Physicians", -15),
    ("on October 20, 2026", 12),
    ("and is awarded 4.0 AMA PRA Category 1 Credits", 12),
    ("Medical Society of the State of New York — NYSDOH Approved Provider", 11),
)
COMPLIANCE_MODULE = (
    ("CERTIFICATE OF COMPLETION", -24),
    ("This is to certify that", 12),
    ("Daniel Cohen, MD", -18),
    ("has successfully completed", 12),
    ("Annual Clinical Compliance Module 2026", -15),
    ("on October 20, 2026", 12),
    ("and is awarded 2.0 AMA PRA Category 1 Credits", 12),
    ("Provided by Albany Medical Center", 11),
)


async def pharmacist(bot: BotUnderTest, sentence: str, label: str = "Florida RPh") -> SandboxUser:
    """Ana, a pharmacist with one described requirement, written as the set-up writes it."""
    spec = parse_custom_requirement(sentence, "pharmacist")
    assert isinstance(spec, CustomRequirementSpec), spec
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        owner.profession = "pharmacist"
        await licences.add(
            session, owner, label=label, now=START, custom_rule=spec.to_dict(),
            renewal_date=spec.deadline,
        )  # fmt: skip
    return bot.user(1001, "Ana")


async def entries(bot: BotUnderTest) -> list[CreditEntry]:
    async with transaction(bot.services.sessionmaker) as session:
        return list((await session.execute(select(CreditEntry).order_by(CreditEntry.id))).scalars())


async def save(ana: SandboxUser) -> str:
    """Save the draft shown; the "counts toward" reply."""
    await ana.press("✅ Save")
    await ana.next_edit()
    return (await ana.next_reply()).text


async def status_text(ana: SandboxUser) -> str:
    await ana.send("/status")
    replies = [await ana.next_reply(), *await ana.replies_until_quiet()]
    return "\n".join(message.text or "" for message in replies)


# ------------------------------------------------------------------ 1. live hours
@pytest.mark.postgres
async def test_live_hours_are_a_minimum_the_status_counts(bot: BotUnderTest) -> None:
    """QA: "10 of them live" → "I don't know the topic 'live'"; "live" and "webinar" were
    dropped from log lines without a word and no entry ever had an activity type."""
    ana = bot.user(1001, "Ana")
    await set_up_with_requirement(
        ana, "Florida RPh: I need 30 contact hours by 9/30/2027 every 2 years, 10 of them "
        "live, 2 medication errors",
    )  # fmt: skip
    await ana.press("Skip")  # the time zone kept
    await reply_with(ana, "All set")
    text = await status_text(ana)
    assert "• Live activities: 0 of 10 — 10 to go" in text, text

    await ana.send("/log 2 medication errors webinar (live) Nov 3")
    draft = (await ana.next_reply()).text
    assert "• Format: Live webinar" in draft, draft
    await save(ana)
    await ana.send("1.5 hours home study opioids Nov 4")
    draft = (await ana.next_reply()).text
    assert "• Format: Enduring material (on-demand)" in draft, draft
    await ana.press("🎓 Format")  # it was the live repeat, in fact
    assert "How did you take part?" in (await ana.next_reply()).text
    await ana.press("Live activity")
    changed = (await ana.next_edit()).text
    assert "• Format: Live activity" in changed, changed
    await save(ana)
    assert [(e.amount, e.activity_type) for e in await entries(bot)] == [
        (Decimal(2), "internet_live"), (Decimal("1.5"), "live"),
    ]  # fmt: skip
    text = await status_text(ana)
    assert "• Live activities: 3.5 of 10 — 6.5 to go" in text, text

    await ana.send("/export")
    exported = json.loads((await reply_with_document(ana)).document_file.data)
    assert [e["activity_type"] for e in exported["credit_entries"]] == ["internet_live", "live"]
    await ana.send("/transcript")
    _pdf, csv_file = await ana.next_reply(), await ana.next_reply()
    rows = list(csv.DictReader(io.StringIO(csv_file.document_file.data.decode("utf-8-sig"))))
    assert [r["activity_type"] for r in rows if r["title"] != "TOTAL"] == [
        "Live webinar", "Live activity",
    ]  # fmt: skip


async def reply_with_document(ana: SandboxUser):  # type: ignore[no-untyped-def]
    while True:
        message = await ana.next_reply()
        if message.document_file is not None:
            return message


async def test_hours_a_week_sentence_with_live_hours(bot: BotUnderTest) -> None:
    """QA: "i need 15 hrs by 12/31/2027, 5 of them live" was refused."""
    ana = bot.user(1001, "Ana")
    await set_up_with_requirement(ana, "i need 15 hrs by 12/31/2027, 5 of them live")
    text = await status_text(ana)
    assert "• Live activities: 0 of 5 — 5 to go" in text, text


async def test_the_aafp_live_minimum_counts_live_credits_from_the_chat(bot: BotUnderTest) -> None:
    """The shipped AAFP rule's 25 live credits could never be met from the chat."""
    await seed_licence(bot, "aafp-membership", "AAFP", date(2027, 12, 31))
    ana = bot.user()
    await ana.send("3 AAFP Prescribed credits, FMX conference in person, Oct 1")
    draft = (await ana.next_reply()).text
    assert "• Format: Live activity" in draft, draft
    await save(ana)
    await ana.send("log 2 AAFP Prescribed credits on demand Oct 2")
    draft = (await ana.next_reply()).text
    assert "• Format: Enduring material (on-demand)" in draft, draft
    await save(ana)
    text = await status_text(ana)
    assert "• Live learning activities: 3 of 25 — 22 to go" in text, text


# ------------------------------------------------------------------ 2. UANs
@pytest.mark.postgres
async def test_a_uan_is_read_kept_shown_and_exported(bot: BotUnderTest) -> None:
    """QA: "UAN 0204-0000-26-045-H05-P" was "not understood", the UAN on a certificate was
    ignored, and no transcript had a UAN."""
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30, 10 of them live")
    await ana.send(
        f'/log 2 medication errors "Preventing Look-Alike Sound-Alike Errors" UAN {UAN} Nov 12'
    )
    draft = (await ana.next_reply()).text
    assert "• Title: Preventing Look-Alike Sound-Alike Errors" in draft, draft
    assert f"• UAN: {UAN}" in draft, draft
    assert "• Format: Enduring material (on-demand)" in draft, draft  # its H: home study
    assert "didn't understand" not in draft
    await save(ana)

    await ana.upload("acpe.pdf", certificate_pdf(ACPE_HOME_STUDY), "application/pdf")
    await reply_with(ana, "I read your certificate")
    draft = (await ana.next_reply()).text
    assert "• Title: Controlled Substance Diversion: What Every Pharmacist Should Know" in draft
    assert "• Topics: Controlled-substance prescribing" in draft, draft
    assert "• UAN: 0204-0000-26-045-H03-P" in draft, draft
    assert "• 2 contact hours — ACPE pharmacy CE" in draft, draft
    await save(ana)
    assert [(e.uan, e.activity_type) for e in await entries(bot)] == [
        (UAN, "enduring"), ("0204-0000-26-045-H03-P", "enduring"),
    ]  # fmt: skip

    await ana.send("/credits")
    listed = (await ana.next_reply()).text
    assert f"UAN {UAN}" in listed and "UAN 0204-0000-26-045-H03-P" in listed, listed
    await ana.send("/transcript")
    pdf_file, csv_file = await ana.next_reply(), await ana.next_reply()
    rows = list(csv.DictReader(io.StringIO(csv_file.document_file.data.decode("utf-8-sig"))))
    assert {r["uan"] for r in rows if r["title"] != "TOTAL"} == {UAN, "0204-0000-26-045-H03-P"}
    pages = pypdf.PdfReader(io.BytesIO(pdf_file.document_file.data)).pages
    pdf_text = "\n".join(page.extract_text() for page in pages)
    assert f"(on-demand) · UAN\n{UAN}" in pdf_text, pdf_text  # under its title
    await ana.send("/export")
    exported = json.loads((await reply_with_document(ana)).document_file.data)
    assert {e["uan"] for e in exported["credit_entries"]} == {UAN, "0204-0000-26-045-H03-P"}


async def test_a_cut_off_uan_is_said_and_the_entry_still_drafted(bot: BotUnderTest) -> None:
    """QA round 14: "UAN 0204-00-26" was read as a date ("not a real date"), no draft."""
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30, 10 of them live")
    await ana.send('/log 3 home study pharmacology "Anticoag update" UAN 0204-00-26 last week')
    draft = (await ana.next_reply()).text or ""
    assert "• Title: Anticoag update" in draft, draft
    assert "“UAN 0204-00-26” is not a whole UAN" in draft, draft
    assert "not a real date" not in draft and "• UAN:" not in draft, draft


async def test_live_said_beats_the_uans_letter(bot: BotUnderTest) -> None:
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30, 10 of them live")
    await ana.send(f"2 hours live webinar ethics UAN {UAN} Nov 12")
    draft = (await ana.next_reply()).text
    assert "• Format: Live webinar" in draft, draft
    # ...and the draft says the UAN's H disagrees (QA round 14: counted live, no word).
    assert "its letter says the other: L is live, H home study" in draft, draft
    await ana.send(f"2 hours home study ethics UAN {UAN} Nov 13")
    other = (await ana.next_reply()).text or ""
    assert f"• UAN: {UAN}" in other and "its letter says the other" not in other, other


# ------------------------------------------------------------------ 3. certificates
async def test_a_certificate_in_ceus_is_asked_about_like_a_log(bot: BotUnderTest) -> None:
    """QA: "1.5 CEUs" → "couldn't find the number of credits", and title and provider
    were lost."""
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30")
    await ana.upload("ceus.pdf", certificate_pdf(IN_CEUS), "application/pdf")
    await reply_with(ana, "I read your certificate")
    asked = (await ana.next_reply()).text
    assert "1.5 CEUs: 15 contact hours or 1.5 contact hours?" in asked, asked
    await ana.press("1.5 contact hours")
    draft = (await ana.next_edit()).text
    assert "• 1.5 contact hours — ACPE pharmacy CE" in draft, draft
    assert "• Title: Sterile Compounding: USP 797 Update for Hospital Pharmacists" in draft
    assert "• Provider: Florida Society of Health-System Pharmacists" in draft, draft


async def test_a_certificate_without_an_amount_keeps_what_was_read(bot: BotUnderTest) -> None:
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30")
    await ana.upload("no-amount.pdf", certificate_pdf(NO_AMOUNT), "application/pdf")
    asked = (await ana.next_reply()).text
    assert "read <b>Sterile Compounding" not in asked  # the reply is plain text here
    assert "Sterile Compounding: USP 797 Update for Hospital Pharmacists" in asked, asked
    assert "How many?" in asked, asked
    await ana.send("1.5")
    draft = (await ana.next_reply()).text
    assert "• 1.5 contact hours — ACPE pharmacy CE" in draft, draft
    assert "• Title: Sterile Compounding: USP 797 Update for Hospital Pharmacists" in draft
    assert "• Provider: Florida Society of Health-System Pharmacists" in draft, draft
    assert "• Completed: Thu Oct 22, 2026" in draft, draft
    await save(ana)
    [entry] = await entries(bot)
    assert entry.certificate_id is not None


# ------------------------------------------------------------------ 4. New York
async def test_new_york_infection_control_from_its_certificate(bot: BotUnderTest) -> None:
    """QA: the NYSDOH-approved certificate's title was "New York State Department of
    Health approved course", its topic missed, and it counted toward nothing."""
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 6, 30))
    ana = bot.user()
    await ana.upload("ny.pdf", certificate_pdf(NEW_YORK_INFECTION_CONTROL), "application/pdf")
    await reply_with(ana, "I read your certificate")
    draft = (await ana.next_reply()).text
    assert "• Title: Infection Control and Barrier Precautions for Physicians" in draft, draft
    assert "• Topics: New York infection control (NYSDOH approved)" in draft, draft
    toward = await save(ana)
    assert "New York" in toward and "doesn't count" not in toward, toward


async def test_the_new_york_button_is_offered_when_a_topic_is_set(bot: BotUnderTest) -> None:
    """QA: setting "infection control" on a certificate's draft said it counted nowhere;
    the ✔️ New York button came only in a later edit."""
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 6, 30))
    ana = bot.user()
    await ana.upload("module.pdf", certificate_pdf(COMPLIANCE_MODULE), "application/pdf")
    await reply_with(ana, "I read your certificate")
    draft = (await ana.next_reply()).text
    assert "• Topics: none" in draft, draft
    await ana.press("🧩 Topic")
    await ana.next_reply()
    await ana.send("infection control")
    draft = await ana.next_reply()
    assert "A mandate of yours counts only" in draft.text, draft.text
    await ana.press("✔️ It was New York infection control (NYSDOH approved)")
    draft_text = (await ana.next_edit()).text
    assert "New York infection control (NYSDOH approved)" in draft_text, draft_text
    toward = await save(ana)
    assert "New York" in toward and "doesn't count" not in toward, toward


# ------------------------------------------------------------------ 5. log phrasings
async def test_log_phrasings_that_failed(bot: BotUnderTest) -> None:
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30, 10 of them live")
    bot.clock.set(datetime(2026, 12, 14, 15, tzinfo=UTC))
    await ana.send("ASHP Midyear 2026 live sessions, 12.5 contact hrs, Dec 6-10 2026")
    draft = (await ana.next_reply()).text
    assert "• 12.5 contact hours — ACPE pharmacy CE" in draft, draft
    assert "• Format: Live activity" in draft and "Thu Dec 10, 2026" in draft, draft

    await ana.send(
        "did the NYS 3-hour pain management, palliative care and addiction course on 10/5/2025"
    )
    draft = (await ana.next_reply()).text
    assert "• 3 contact hours — ACPE pharmacy CE" in draft, draft
    assert "Pain management" in draft and "Palliative care" in draft, draft

    await ana.send("logg 3 hrs medicaton saftey webinar 12/1")
    draft = await ana.next_reply()
    assert "• Title: medicaton saftey webinar" in draft.text, draft.text
    labels = [label for row in draft.buttons for label in row]  # type: ignore[union-attr]
    assert "Did you mean Prevention of medical errors?" in labels, labels
    assert not any("Patient safety" in label for label in labels), labels


# ------------------------------------------------------------------ 6. CEUs when editing
async def test_the_amount_editor_takes_ceus_as_log_does(bot: BotUnderTest) -> None:
    """QA: edit → 🔢 Amount, "0.3 CEU" → "is not a number of contact hours"."""
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30")
    await ana.send("2 hours ethics Nov 3")
    await ana.next_reply()
    await ana.press("🔢 Amount")
    await ana.next_reply()
    await ana.send("0.3 CEU")
    asked = (await ana.next_reply()).text
    assert "0.3 CEUs: 3 contact hours or 0.3 contact hours?" in asked, asked
    await ana.press("3 contact hours (0.3 CEUs)")
    draft = (await ana.next_edit()).text
    assert "• 3 contact hours — ACPE pharmacy CE" in draft, draft
    await save(ana)
    assert [e.amount for e in await entries(bot)] == [Decimal(3)]


# ------------------------------------------------------------------ 8. wording
async def test_units_counts_and_the_child_abuse_line_read_plainly(bot: BotUnderTest) -> None:
    """QA: "At least 1 more contact hours needed.", "24 ACPE pharmacy CE" without its unit,
    "(once, at licensure) (once, before your first licence…)", a "1/2" certificate count."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Pharmacist")
    await ana.send("Texas RPh: I need 30 contact hours by 2027-09-30, 24 of them ACPE")
    saved = await reply_with(ana, "Saved your requirement")
    assert "including 24 contact hours of ACPE pharmacy CE" in saved, saved
    await ana.send("/cancel")
    await ana.replies_until_quiet()
    await ana.send("/log 29 contact hours ACPE pharmacy law Nov 3")
    await reply_with(ana, "Log this?")
    await save(ana)
    await ana.send("/transcript")
    pdf_file, csv_file = await reply_with_document(ana), await reply_with_document(ana)
    pages = pypdf.PdfReader(io.BytesIO(pdf_file.document_file.data)).pages
    pdf_text = "\n".join(page.extract_text() for page in pages)
    assert "1 more contact hour needed." in pdf_text, pdf_text
    assert "0 of 1" in pdf_text, pdf_text  # certificates on file, not "0/1"
    rows = list(csv.DictReader(io.StringIO(csv_file.document_file.data.decode("utf-8-sig"))))
    assert rows[-1]["title"] == "TOTAL" and rows[-1]["certificate"] == "0 of 1", rows


async def test_new_yorks_child_abuse_line_says_once_once(bot: BotUnderTest) -> None:
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 6, 30))
    ana = bot.user()
    text = await status_text(ana)
    assert "Child abuse identification and reporting (once, before your first licence" in text
    assert "at licensure" not in text, text


# ------------------------------------------------------------------ 7. courses
async def test_after_your_deadline_names_only_licences_the_course_counts_toward(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: an implicit-bias course was "after your deadline for DEA registration": the DEA
    registration counts only its MATE training, which the course is not."""
    await import_directly(bot, tmp_path)
    await seed_licence(bot, "us-oh-md", "Ohio MD", date(2027, 1, 31), renewals_done=2)
    await seed_licence(bot, "us-dea-mate", "DEA registration", date(2027, 1, 31))
    ana = bot.user(1001, "Ana")
    found = texts_of(await ask(ana, "opioid courses near Boston"))
    blocks = {block.split("\n", 1)[0]: block for block in found.split("\n\n")}
    late = next(block for head, block in blocks.items() if "Spring Review" in head)
    assert "⏳ After your deadline for Ohio MD (Jan 31, 2027)" in late, found
    assert "DEA registration" not in late, found


async def test_in_person_is_no_topic_in_a_course_search(bot: BotUnderTest, tmp_path: Path) -> None:
    """QA: "in-person courses near Albany next month" → "Known topics include: Human
    trafficking" ("person" read as "trafficked persons")."""
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    found = texts_of(await ask(ana, "in-person courses near Boston next month"))
    assert "Known topics include" not in found and "topic" not in found.lower(), found
    assert "Boston" in found, found


async def test_physicians_courses_and_credit_are_said_to_be_no_acpe(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: "courses I need" listed AMA PRA / AOA / AAFP courses to a pharmacist as fits,
    and an AOA webinar's credit counted toward a Texas RPh mandate without a note."""
    await import_directly(bot, tmp_path)
    ana = await pharmacist(bot, "30 contact hours by 2027-09-30, 1 of them human trafficking")
    found = texts_of(await ask(ana, "courses I need"))
    assert "None of these courses gives ACPE pharmacy CE" in found, found
    await ana.send("/log 1 AOA 1-A credit human trafficking webinar Nov 3")
    draft = (await ana.next_reply()).text
    assert "not ACPE pharmacy CE: it counts only if your board accepts it" in draft, draft
    await ana.send("/log 1 hour human trafficking webinar Nov 3")
    draft = (await ana.next_reply()).text
    assert "not ACPE" not in draft, draft
