"""Reading uploaded certificates: realistic layouts, bad files, and no exception ever."""

from __future__ import annotations

import io
import os
import time
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pdfencrypt import StandardEncryption

from bot.reports import certificate
from bot.reports.certificate import (
    CertificateProblem,
    CertificateReading,
    read_certificate,
)
from tests.reports.certificates import (
    ABIM,
    ACCME,
    NURSING,
    TWO_LINE_TITLE,
    certificate_pdf,
    heavy_pdf,
    jpeg_bytes,
    png_bytes,
    scanned_pdf,
)

TODAY = date(2026, 11, 23)


def _read(data: bytes, name: str = "certificate.pdf") -> CertificateReading:
    reading = read_certificate(data, name, TODAY)
    assert isinstance(reading, CertificateReading), reading
    return reading


def test_accme_ama_pra_certificate() -> None:
    reading = _read(certificate_pdf(ACCME), "accme.pdf")
    assert reading.file_name == "accme.pdf" and reading.pages == 1
    assert reading.title and reading.title.value == (
        "Opioid Prescribing: Evaluating Risk and Safe Tapering"
    )
    assert reading.provider and reading.provider.value == (
        "University of Texas Southwestern Medical Center"
    )
    assert reading.completed_on and reading.completed_on.value == date(2026, 11, 3)
    # the amount awarded, not the activity's "maximum of 3.0"
    assert reading.amount and reading.amount.value == Decimal("2.5")
    assert reading.category and reading.category.value == "ama_pra_1"
    assert reading.topics == ("opioid_prescribing",)
    assert [c.amount for c in reading.claims] == [Decimal("2.5"), Decimal("3.0")]
    assert not reading.needs_manual and reading.missing == () and reading.warnings == ()


def test_nursing_contact_hours_certificate() -> None:
    reading = _read(certificate_pdf(NURSING))
    assert reading.title and reading.title.value == (
        "Sepsis: Early Recognition and Management in the Emergency Department"
    )
    assert reading.provider and reading.provider.value == (
        "Northwestern Memorial Hospital Nursing Education"
    )
    assert reading.completed_on and reading.completed_on.value == date(2026, 9, 14)
    assert reading.amount and reading.amount.value == Decimal("1.5")
    assert reading.category and reading.category.value == "ancc"
    assert reading.topics == ("sepsis",)


def test_abim_moc_certificate() -> None:
    reading = _read(certificate_pdf(ABIM))
    assert reading.title and reading.title.value == "MKSAP 19: Hematology and Oncology"
    assert reading.provider and reading.provider.value == "American College of Physicians"
    assert reading.completed_on and reading.completed_on.value == date(2026, 10, 28)
    assert reading.completed_on.confidence >= 0.9  # "Completed on:" label
    assert reading.amount and reading.amount.value == Decimal(10)
    assert reading.category and reading.category.value == "moc"
    assert {c.category for c in reading.claims} == {"moc", "ama_pra_1"}


def test_two_line_title_aoa_certificate() -> None:
    reading = _read(certificate_pdf(TWO_LINE_TITLE))
    assert reading.title and reading.title.value == (
        "Safe Opioid Prescribing and Pain Management: A Case-Based Update for Primary Care"
    )
    assert reading.provider and reading.provider.value == (
        "Texas Medical Association and Baylor College of Medicine"
    )
    assert reading.completed_on and reading.completed_on.value == date(2026, 11, 5)  # range end
    assert reading.amount and reading.amount.value == Decimal("6.0")
    assert reading.category and reading.category.value == "aoa_1a"
    assert reading.topics == ("opioid_prescribing", "pain_management")


def test_scanned_image_only_pdf_needs_manual_entry() -> None:
    reading = _read(scanned_pdf())
    assert reading.needs_manual
    assert reading.title is None and reading.amount is None and reading.completed_on is None
    assert set(reading.missing) == {"title", "provider", "completed_on", "amount", "category"}
    assert "no_text" in reading.warnings


def test_owner_password_only_pdf_is_read() -> None:
    """Providers often "protect" certificates with an owner password only: it opens."""
    data = certificate_pdf(ACCME, StandardEncryption("", "owner-secret", canModify=0))
    reading = _read(data)
    assert reading.amount and reading.amount.value == Decimal("2.5")


def test_many_pages_only_first_three_read() -> None:
    one = certificate_pdf(ACCME)
    writer = PdfWriter()
    for _ in range(5):
        writer.add_page(PdfReader(io.BytesIO(one)).pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    reading = _read(buffer.getvalue())
    assert reading.pages == 5 and "pages_skipped" in reading.warnings
    assert reading.amount and reading.amount.value == Decimal("2.5")


@pytest.mark.parametrize(
    ("data", "code", "detail"),
    [
        (os.urandom(4096).replace(b"%PDF-", b"xxxxx"), "not_pdf", "unknown"),
        (b"", "not_pdf", "empty"),
        (b"   \n", "not_pdf", "empty"),
        (png_bytes(), "not_pdf", "image/png"),
        (jpeg_bytes(), "not_pdf", "image/jpeg"),
        (b"PK\x03\x04word document", "not_pdf", "application/zip"),
        (certificate_pdf(ACCME)[:1500], "unreadable", "truncated"),
        (certificate_pdf(ACCME, StandardEncryption("user", "owner")), "unreadable", "encrypted"),
        (b"%PDF-1.7\n" + b"garbage " * 300 + b"\n%%EOF\n", "unreadable", "corrupt"),
        (b"%PDF-1.4\ntrailer<</Root 1 0 R>>\n%%EOF", "unreadable", "corrupt"),
    ],
    ids=[
        "random",
        "empty",
        "blank",
        "png",
        "jpeg",
        "docx",
        "truncated",
        "encrypted",
        "junk",
        "no-objects",
    ],
)
def test_bad_inputs(data: bytes, code: str, detail: str) -> None:
    problem = read_certificate(data, "upload.pdf", TODAY)
    assert problem == CertificateProblem(code, detail)  # type: ignore[arg-type]


def test_fifty_megabytes_refused_without_parsing() -> None:
    blob = b"%PDF-1.7\n" + bytes(50 * 1024 * 1024)
    started = time.perf_counter()
    problem = read_certificate(blob, "huge.pdf", TODAY)
    assert isinstance(problem, CertificateProblem) and problem.code == "too_large"
    assert time.perf_counter() - started < 0.5  # a parse would take seconds


def test_time_budget_stops_extraction() -> None:
    reading = read_certificate(certificate_pdf(ACCME), "x.pdf", TODAY, time_budget=-1)
    assert isinstance(reading, CertificateReading)
    assert "time_cap" in reading.warnings and reading.needs_manual
    heavy = heavy_pdf(5000)  # ~0.5 s of extraction: the 0.1 s budget stops it mid-page
    reading = read_certificate(heavy, "x.pdf", TODAY, time_budget=0.1)
    assert isinstance(reading, CertificateReading) and "time_cap" in reading.warnings


@pytest.mark.parametrize("in_form", [False, True], ids=["page", "form-xobject"])
def test_crafted_heavy_page_is_refused_quickly(in_form: bool) -> None:
    data = heavy_pdf(12_000, in_form)  # ~80 kB on disk, >1 MB of drawing operators
    assert len(data) < 200_000
    started = time.perf_counter()
    reading = read_certificate(data, "x.pdf", TODAY)
    assert time.perf_counter() - started < 0.5  # about 3 s of pypdf work without the cap
    assert isinstance(reading, CertificateReading)
    assert "too_complex" in reading.warnings and reading.needs_manual


def test_a_parser_bug_becomes_manual_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str, today: date) -> CertificateReading:
        raise RuntimeError("bug")

    monkeypatch.setattr(certificate, "parse_certificate_text", broken)
    reading = read_certificate(certificate_pdf(ACCME), "x.pdf", TODAY)
    assert isinstance(reading, CertificateReading)
    assert reading.needs_manual and "parse_error" in reading.warnings


_BASES = (certificate_pdf(ACCME), certificate_pdf(ABIM), scanned_pdf())


@st.composite
def _mutated_pdf(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_BASES)))
    for _ in range(draw(st.integers(1, 12))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data) - 1))
        del data[start : start + draw(st.integers(1, 400))]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=2048).map(lambda b: b"%PDF-1.7\n" + b + b"\n%%EOF\n"),
        _mutated_pdf(),
    )
)
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    result = read_certificate(data, "fuzz.pdf", TODAY)
    assert isinstance(result, CertificateReading | CertificateProblem)
    if isinstance(result, CertificateReading) and result.completed_on is not None:
        assert date(1980, 1, 1) <= result.completed_on.value <= TODAY
