"""Fields from certificate text: dates, amounts, categories, titles, providers, topics."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reports.certificate_dates import find_dates
from bot.reports.certificate_text import parse_certificate_text
from bot.reports.certificate_title import topics_in

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("November 3, 2026", date(2026, 11, 3)),
        ("Nov. 3, 2026", date(2026, 11, 3)),
        ("Sept 30 2026", date(2026, 9, 30)),
        ("3 Nov 2026", date(2026, 11, 3)),
        ("3rd of November, 2026", date(2026, 11, 3)),
        ("11/03/2026", date(2026, 11, 3)),
        ("11-03-2026", date(2026, 11, 3)),
        ("11/03/26", date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 3)),
        ("2026/11/03", date(2026, 11, 3)),  # QA: year first with slashes was not read
        ("2026.11.03", date(2026, 11, 3)),
        ("13/10/2026", date(2026, 10, 13)),  # cannot be month 13: day first
        ("03.11.2026", date(2026, 11, 3)),  # dotted: European day.month
        ("November 1–3, 2026", date(2026, 11, 3)),  # a range ends on its last day
    ],
)
def test_date_formats(written: str, expected: date) -> None:
    reading = parse_certificate_text(f"Certificate\nDate of completion: {written}\n", TODAY)
    assert reading.completed_on and reading.completed_on.value == expected
    assert reading.completed_on.confidence == 0.9


def test_invalid_dates_are_not_dates() -> None:
    assert find_dates("02/30/2026 and 2026-13-01 and Feb 30, 2026") == []


def test_completion_label_beats_release_and_expiry() -> None:
    text = (
        "Release date: March 1, 2026\nCompleted on: 2026-06-12\n"
        "Expiration date: March 1, 2026\nPrinted 2026-11-20\n"
    )
    reading = parse_certificate_text(text, TODAY)
    assert reading.completed_on and reading.completed_on.value == date(2026, 6, 12)


def test_the_activitys_dates_beat_the_date_it_was_issued() -> None:
    """QA: "Issued: November 30, 2026" was proposed for a course held October 1-3."""
    text = "Certificate\nDates: October 1-3, 2026\nIssued: November 30, 2026\n"
    reading = parse_certificate_text(text, TODAY)
    assert reading.completed_on and reading.completed_on.value == date(2026, 10, 3)
    issued_only = parse_certificate_text("Certificate\nIssued: November 20, 2026\n", TODAY)
    assert issued_only.completed_on and issued_only.completed_on.value == date(2026, 11, 20)


def test_unlabelled_dates_take_the_latest_past_one() -> None:
    reading = parse_certificate_text("Activity X\nJanuary 5, 2026\nMay 7, 2026\n", TODAY)
    assert reading.completed_on and reading.completed_on.value == date(2026, 5, 7)
    assert reading.completed_on.confidence == 0.5


def test_future_and_ancient_dates_are_rejected() -> None:
    future = parse_certificate_text("Course\nDate of completion: December 25, 2026\n", TODAY)
    assert future.completed_on is None and "future_date_ignored" in future.warnings
    ancient = parse_certificate_text("Course\nDate: 03/04/1975\n", TODAY)
    assert ancient.completed_on is None
    fallback = parse_certificate_text("Date: 2031-01-01\nIssued 2026-02-02\n", TODAY)
    assert fallback.completed_on and fallback.completed_on.value == date(2026, 2, 2)


@pytest.mark.parametrize(
    ("text", "amount", "category"),
    [
        ("awarded 2.5 AMA PRA Category 1 Credits™", "2.5", "ama_pra_1"),
        ("awarded 2.5 AMA PRA Category 1 Credit(s)TM", "2.5", "ama_pra_1"),
        ("claimed 1 AMA PRA Category 2 Credit", "1", "ama_pra_2"),
        ("Nursing CE\n1.0 contact hours", "1.0", "ancc"),
        ("one (1.0) ANCC contact hour", "1.0", "ancc"),
        ("ACPE UAN 0000-9999-26-001-H01-P\n2.0 contact hours (0.2 CEUs)", "2.0", "acpe"),
        ("earn 20 MOC points in the ABIM MOC program", "20", "moc"),
        ("6 AOA Category 1-A CME credits", "6", "aoa_1a"),
        ("4 AOA Category 1B credits", "4", "aoa_1b"),
        ("1.5 AAPA Category 1 CME credits", "1.5", "aapa_1"),
        ("3.25 Prescribed credits", "3.25", "aafp_prescribed"),
        ("This activity is approved for 3 hours", "3", None),
        ("Credits claimed: 4.00", "4.00", None),
        ("for 2 CME credits", "2", None),
    ],
)
def test_amounts_and_categories(text: str, amount: str, category: str | None) -> None:
    reading = parse_certificate_text(f"Certificate of completion\n{text}\n", TODAY)
    assert reading.amount and reading.amount.value == Decimal(amount)
    assert (reading.category.value if reading.category else None) == category


def test_claimed_amount_beats_the_designated_maximum() -> None:
    text = (
        "designates this live activity for a maximum of 12.0 AMA PRA Category 1 Credits.\n"
        "Credits claimed: 7.5 AMA PRA Category 1 Credits\n"
    )
    reading = parse_certificate_text(text, TODAY)
    assert reading.amount and reading.amount.value == Decimal("7.5")
    assert len(reading.claims) == 2


def test_category_without_amount_and_numbers_that_are_not_amounts() -> None:
    reading = parse_certificate_text(
        "Certificate\nThis activity is designated for AMA PRA Category 1 Credit.\n"
        "Activity 2026-11-03, module 3 hours of video, 2026 contact us\n",
        TODAY,
    )
    assert reading.category and reading.category.value == "ama_pra_1"
    assert reading.category.confidence == 0.5
    assert reading.amount is None or reading.amount.value != Decimal(1)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Course Title: Implicit Bias in Clinical Care\nDate: 2026-01-02",
            "Implicit Bias in Clinical Care",
        ),
        (
            "has completed Advances in Sepsis Care on 3 Nov 2026 and is awarded 1 credit",
            "Advances in Sepsis Care",
        ),
        ("for completing “Telehealth & You”\n", "Telehealth & You"),
        (
            "participated in the activity titled\nHIV/AIDS Update 2026\nDecember 1, 2025",
            "HIV/AIDS Update 2026",
        ),
        (
            "CERTIFICATE OF COMPLETION\nJane Doe, MD\nTHE OPIOID CRISIS IN RURAL AMERICA\n",
            "THE OPIOID CRISIS IN RURAL AMERICA",
        ),
        (
            "Certificate of Attendance\nJohn Roe, RN\n'Stroke Nursing Essentials'\n",
            "Stroke Nursing Essentials",
        ),
        (
            "has successfully completed\nDementia Care for Families:\nwhat clinicians should know\n"
            "Provided by Alzheimer Society",
            "Dementia Care for Families: what clinicians should know",
        ),
        (  # QA: titled by the file name ("cert2.pdf") before
            "CERTIFICATE OF ATTENDANCE\nOpioid Prescribing: Safe Practices for Texas Physicians\n"
            "Texas Medical Association\nActivity date: 10/22/2026\n",
            "Opioid Prescribing: Safe Practices for Texas Physicians",
        ),
        ("Certificate\nGrand Rounds: Sepsis\nSt. Elsewhere Hospital\n", "Grand Rounds: Sepsis"),
        (
            "This certifies that Dr You\ncompleted Florida Controlled Substance Prescribing\n"
            "on November 20, 2026\n",
            "Florida Controlled Substance Prescribing",
        ),
        (  # QA: "Title: on" (the date line read as "completed" + title)
            "Certificate of Completion\nEthics in Clinical Practice\nCompleted on 11/20/2026\n"
            "2 AMA PRA Category 1 Credits\n",
            "Ethics in Clinical Practice",
        ),
        (  # QA: "Dr. John Smith has earned" was the title
            "CERTIFICATE OF COMPLETION\nDr. John Smith has earned\n3.00\n"
            "AMA PRA Category 1 Credits\nfor the activity\nHeart Failure Update\n"
            "Activity date 2026/10/20\n",
            "Heart Failure Update",
        ),
    ],
)
def test_titles(text: str, title: str) -> None:
    reading = parse_certificate_text(text, TODAY)
    assert reading.title and reading.title.value == title


def test_online_certificate_variants() -> None:
    medscape = parse_certificate_text(
        "has completed the enduring material\nHypertension in 2026: New Guidelines\n"
        "and is awarded 0.25 AMA PRA Category 1 Credit(s)™\n"
        "Activity Completion Date: 10/01/2026\n"
        "Medscape, LLC is accredited by the Accreditation Council for Continuing Medical\n",
        TODAY,
    )
    assert medscape.title and medscape.title.value == "Hypertension in 2026: New Guidelines"
    assert medscape.provider and medscape.provider.value == "Medscape, LLC"
    assert medscape.amount and medscape.amount.value == Decimal("0.25")
    nursing = parse_certificate_text(
        "Awarded to\nAnna Kowalska RN\nfor successful completion of\nPediatric Triage\n"
        "Completion Date: Oct 2, 2026\nContact Hours: 2.0\n",
        TODAY,
    )
    assert nursing.title and nursing.title.value == "Pediatric Triage"
    assert nursing.amount and nursing.amount.value == Decimal("2.0")
    assert nursing.category and nursing.category.value == "ancc"
    assert nursing.completed_on and nursing.completed_on.value == date(2026, 10, 2)


def test_no_title_in_a_bare_heading() -> None:
    reading = parse_certificate_text("CERTIFICATE OF COMPLETION\nThis is to certify that\n", TODAY)
    assert reading.title is None


@pytest.mark.parametrize(
    ("text", "provider", "confidence"),
    [
        (
            "Presented by: Mayo Clinic School of Continuous Professional Development",
            "Mayo Clinic School of Continuous Professional Development",
            0.9,
        ),
        (
            "Jointly provided by\nPostgraduate Institute for Medicine\n",
            "Postgraduate Institute for Medicine",
            0.9,
        ),
        (
            "The Society of Hospital Medicine is accredited by the ACCME to provide CME.",
            "Society of Hospital Medicine",
            0.8,
        ),
        (
            "Certificate\nAmerican Academy of Family Physicians\n",
            "American Academy of Family Physicians",
            0.55,
        ),
        ("Certificate\nAccredited by: Some Accreditor Org\n", "Some Accreditor Org", 0.45),
    ],
)
def test_providers(text: str, provider: str, confidence: float) -> None:
    reading = parse_certificate_text(text, TODAY)
    assert reading.provider and reading.provider.value == provider
    assert reading.provider.confidence == confidence


@pytest.mark.parametrize(
    ("title", "topics"),
    [
        ("Opioid Prescribing: Safe Tapering", ("opioid_prescribing",)),
        ("Safe Opioid Prescribing and Pain Management", ("opioid_prescribing", "pain_management")),
        ("HIV/AIDS Update", ("hiv_aids",)),
        ("Implicit Bias and Cultural Competency", ("implicit_bias", "cultural_competency")),
        ("Care of the Terminally Ill", ("end_of_life_care",)),
        ("Cardiovascular Risk in Diabetes", ()),  # "risk" alone is not risk management
        ("Chest Pain Evaluation", ()),
        ("Hearing Aids for Older Adults", ("geriatrics",)),
        ("Buprenorphine for OUD", ("opioid_use_disorder",)),
        ("Prevention of Medical Errors", ("medical_errors",)),
        ("", ()),
    ],
)
def test_topics_from_title(title: str, topics: tuple[str, ...]) -> None:
    assert topics_in(title) == topics


@pytest.mark.parametrize(
    "text",
    ["has completed\n—\nNext Line", "titled\nA Title -\n—\nMore", "Title:\n:\n", "titled"],
)
def test_degenerate_title_lines(text: str) -> None:
    parse_certificate_text(text, TODAY)  # no exception; nonsense titles are acceptable


@pytest.mark.parametrize(
    "text",
    [
        "Aaa Bbb " * 6000,  # took 19 s with a regex for "<Name> is accredited"
        "A" * 50_000,  # took 75 s
        "Aaa, " * 10_000,
        "\n".join(["11/03/26 " * 43] * 60),  # thousands of dates
        "\n".join(["3 hours " * 48] * 60),  # thousands of amounts
    ],
    ids=["capitalised-words", "one-long-word", "commas", "dates", "amounts"],
)
def test_hostile_text_is_parsed_quickly(text: str) -> None:
    started = time.perf_counter()
    parse_certificate_text(text, TODAY)
    assert time.perf_counter() - started < 0.5  # ~40 ms worst measured


def test_no_text_needs_manual() -> None:
    reading = parse_certificate_text(" \n\x0c  \n", TODAY)
    assert reading.needs_manual and reading.title is None and reading.warnings == ("no_text",)


_CERTIFICATE_WORDS = st.sampled_from(
    [
        "has completed",
        "titled",
        "Title:",
        "Provided by",
        "Date:",
        "on",
        "and",
        "—",
        ":",
        "\n",
        "2.5",
        "AMA PRA Category 1 Credits",
        "contact hours",
        "MOC points",
        "November 3, 2026",
        "11/03/2026",
        "University",
        "is accredited by",
        "“",
        "”",
        "HIV",
        "Opioid",
        "the",
        " ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400) | st.lists(_CERTIFICATE_WORDS, max_size=60).map(" ".join))
def test_parsing_never_raises(text: str) -> None:
    reading = parse_certificate_text(text, TODAY)
    if reading.completed_on is not None:
        assert date(1980, 1, 1) <= reading.completed_on.value <= TODAY
    if reading.amount is not None:
        assert Decimal(0) < reading.amount.value <= Decimal(500)


def test_a_labelled_claimed_amount_beats_the_designated_maximum() -> None:
    """QA: "a maximum of 25 AMA PRA Category 1 Credits ... Credits claimed: 2.5" gave 25."""
    from bot.reports.certificate_credits import credit_claims

    text = (
        "designates this enduring material for a maximum of 25 AMA PRA Category 1 Credits. "
        "Physicians should claim only the credit commensurate with their participation. "
        "Credits claimed: 2.5"
    )
    best = max(credit_claims(text), key=lambda claim: claim.confidence)
    assert best.amount == Decimal("2.5")


@pytest.mark.parametrize(
    "text",
    [
        "CME Transcript\nActivity | Date | Credits\n"
        "Ethics in Medicine | 09/01/2026 | 2.0 AMA PRA Category 1 Credits\n"
        "Opioid Prescribing Update | 10/05/2026 | 3.0 AMA PRA Category 1 Credits\n",
        # QA round 6: amounts without a unit, the unit only in the total
        "Transcript\nActivity Date Credits\nSepsis Update 10/01/2026 1.0\n"
        "Stroke Update 10/15/2026 2.0\nTotal 3.0 AMA PRA Category 1 Credits\n",
    ],
)
def test_a_transcript_of_several_activities_is_recognised(text: str) -> None:
    assert "several_activities" in parse_certificate_text(text, TODAY).warnings


def test_one_activity_with_several_dates_is_not_a_transcript() -> None:
    text = (
        "Certificate of Completion\nEthics in Clinical Practice\nCompleted on 11/20/2026\n"
        "2 AMA PRA Category 1 Credits\nRelease date: 01/01/2026 Expires 12/31/2027\n"
    )
    assert "several_activities" not in parse_certificate_text(text, TODAY).warnings


# ------------------------------------------------------------------ QA round 13
@pytest.mark.parametrize(
    "text",
    [
        # words before the quoted title that are no filler: the quoted title wins
        "Certificate\nMaria Lopez, PharmD\nhas completed the ACPE-accredited activity "
        "“Look-Alike Sound-Alike Errors in the ED” on 11/12/2026\n2.0 contact hours",
        "Certificate\nfor successfully completing the live program\n"
        "\"Look-Alike Sound-Alike Errors in the ED\"\n2.0 contact hours",
        "Activity Title:\n“Look-Alike Sound-Alike Errors in the ED”\n2.0 contact hours",
    ],
)
def test_a_quoted_title_after_its_intro_is_the_title(text: str) -> None:
    reading = parse_certificate_text(text, TODAY)
    assert reading.title is not None
    assert reading.title.value == "Look-Alike Sound-Alike Errors in the ED"


def test_ceus_are_contact_hours_below_hours_printed() -> None:
    alone = parse_certificate_text("Certificate\nEthics update\nAwarded 1.5 CEUs", TODAY)
    assert alone.amount is not None and alone.amount.value == Decimal(15)
    assert [c.ceus for c in alone.claims] == ["1.5"]
    both = parse_certificate_text(
        "Certificate\nEthics update\nContact hours: 2.0 (0.2 CEUs)", TODAY
    )
    assert both.amount is not None and both.amount.value == Decimal(2)
    assert max(both.claims, key=lambda c: c.confidence).ceus == ""


def test_uan_and_format_are_read() -> None:
    reading = parse_certificate_text(
        "Statement of credit\nhas completed the live activity\nPharmacy law update\n"
        "UAN 0204-0000-26-101-L03-P\nDate: 11/12/2026\n2.0 contact hours",
        TODAY,
    )
    assert reading.uan == "0204-0000-26-101-L03-P" and reading.activity_type == "live"
    assert reading.completed_on is not None and reading.completed_on.value == date(2026, 11, 12)
