"""Certificates in, transcripts and charts out, through the real bot."""

from __future__ import annotations

import csv
import io
import os

import pypdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import Certificate, CreditEntry
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_credits_flow import confirm, onboard
from tests.reports.certificates import ACCME, certificate_pdf, png_bytes, scanned_pdf

pytestmark = pytest.mark.postgres


async def counts(bot: BotUnderTest) -> tuple[int, int]:
    async with transaction(bot.services.sessionmaker) as session:
        entries = await session.scalar(select(func.count()).select_from(CreditEntry))
        certificates = await session.scalar(select(func.count()).select_from(Certificate))
    return int(entries or 0), int(certificates or 0)


async def test_certificate_status_transcript_and_chart(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Łukasz", last_name="Nowak")
    await onboard(ana)
    await ana.send('/log 10 ethics "Ethics in practice" on Oct 1')
    await confirm(ana)

    await ana.upload("accme-certificate.pdf", certificate_pdf(ACCME), "application/pdf")
    assert "I read your certificate" in (await ana.next_reply()).text
    proposal = await ana.next_reply()
    assert "2.5 credits" in proposal.text
    assert "Opioid Prescribing: Evaluating Risk and Safe Tapering" in proposal.text
    assert "Tue Nov 3, 2026" in proposal.text
    await ana.press("✅ Save")
    await ana.next_edit()
    toward = (await ana.next_reply()).text
    assert "Texas Medical Board (35.5 to go)" in toward
    async with transaction(bot.services.sessionmaker) as session:
        entry = (
            await session.execute(select(CreditEntry).where(CreditEntry.amount == 2.5))
        ).scalar_one()
        assert entry.certificate_id is not None and entry.source == "certificate"

    await ana.send("/status")
    texas = await ana.next_reply()
    assert "12.5 / 48 credits" in texas.text
    await ana.press("📊 Chart: Texas Medical Board", message_id=texas.message_id)
    chart = await ana.next_reply()
    assert chart.photo_file is not None
    assert Image.open(io.BytesIO(chart.photo_file.data)).size[0] >= 600

    await ana.send("/transcript")
    pdf_message, csv_message = await ana.next_reply(), await ana.next_reply()
    assert pdf_message.document_file is not None and csv_message.document_file is not None
    reader = pypdf.PdfReader(io.BytesIO(pdf_message.document_file.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Łukasz Nowak" in text
    assert "Ethics in practice" in text and "Opioid Prescribing" in text
    assert "Texas Medical Board" in text and "Florida" in text
    rows = list(csv.reader(io.StringIO(csv_message.document_file.data.decode("utf-8-sig"))))
    assert any("Ethics in practice" in row for row in rows)


async def test_photo_certificate_asks_for_the_fields(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send_photo(png_bytes())
    assert "tell me what it certifies" in (await ana.next_reply()).text
    await ana.send("2 credits ethics on Nov 3")
    await confirm(ana)
    async with transaction(bot.services.sessionmaker) as session:
        entry = (await session.execute(select(CreditEntry))).scalar_one()
        assert entry.certificate_id is not None


async def test_scanned_pdf_is_kept_and_fields_asked(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.upload("scan.pdf", scanned_pdf(), "application/pdf")
    assert "can't read text" in (await ana.next_reply()).text
    assert await counts(bot) == (0, 1)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("cert.pdf", os.urandom(3000), "isn't a PDF"),
        ("cert.pdf", png_bytes(), "isn't a PDF"),
        ("cert.pdf", certificate_pdf(ACCME)[:400], "couldn't open that PDF"),
        ("cert.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "too big"),
        ("notes.docx", b"PK\x03\x04 not a certificate", "isn't a PDF"),
    ],
)
async def test_bad_uploads_explain_and_store_nothing(
    bot: BotUnderTest, name: str, data: bytes, expected: str
) -> None:
    ana = bot.user()
    await ana.upload(name, data, "application/octet-stream")
    assert expected in (await ana.next_reply(timeout=15)).text
    assert await counts(bot) == (0, 0)
