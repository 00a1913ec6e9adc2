"""A certificate whose proposal is cancelled is not kept; a file another upload shares is."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.store.db import transaction
from bot.store.models import Certificate, CreditEntry
from tests.e2e.conftest import BotUnderTest, reply_with
from tests.reports.certificates import ACCME, certificate_pdf, png_bytes

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    return {"certificates_dir": tmp_path / "certificates"}


async def file_bytes(path: str) -> bytes:
    return await asyncio.to_thread(Path(path).read_bytes)


async def stored(bot: BotUnderTest) -> tuple[list[int | None], list[str | None]]:
    async with transaction(bot.services.sessionmaker) as session:
        entries = (await session.execute(select(CreditEntry.certificate_id))).scalars().all()
        paths = (await session.execute(select(Certificate.storage_path))).scalars().all()
    return list(entries), list(paths)


async def test_cancelled_uploads_are_not_kept(bot: BotUnderTest) -> None:
    ana = bot.user()
    pdf = certificate_pdf(ACCME)
    await ana.upload("accme.pdf", pdf, "application/pdf")
    await ana.next_reply()
    await ana.next_reply()
    await ana.press("Cancel")
    assert "Not logged" in (await ana.next_edit()).text
    assert await stored(bot) == ([], [])

    await ana.upload("accme.pdf", pdf, "application/pdf")  # kept: saved as an entry
    await ana.next_reply()
    await ana.next_reply()
    await ana.press("✅ Save")
    assert "Saved" in (await ana.next_edit()).text
    await ana.next_reply()  # what it counts toward
    [kept], [path] = await stored(bot)
    assert kept is not None and path is not None and await file_bytes(path) == pdf

    await ana.upload("accme-again.pdf", pdf, "application/pdf")  # same bytes, same file
    await ana.next_reply()
    await ana.next_reply()
    await ana.press("✅ Save")
    assert "already logged" in (await ana.next_reply()).text
    await ana.press("Cancel")
    assert "Not logged" in (await ana.next_edit()).text
    assert await stored(bot) == ([kept], [path])
    assert await file_bytes(path) == pdf  # the saved entry's certificate is intact


async def test_a_dual_credit_certificate_proposes_the_clinicians_own_kind(
    bot: BotUnderTest,
) -> None:
    """QA: "Nurses: 1.0 ANCC contact hour. Physicians: 1.0 AMA PRA Category 1 Credit" was
    proposed to a physician as ANCC hours, titled by the file name."""
    ana = bot.user()
    await ana.send("/start")
    await reply_with(ana, "What is your profession?")
    await ana.press("Physician (MD)")
    await reply_with(ana, "Which licence or certification?")
    pdf = certificate_pdf([
        ("Certificate", -28), ("Grand Rounds: Sepsis", 22), ("St. Elsewhere Hospital", 14),
        ("12 November 2026", 12),
        ("Nurses: 1.0 ANCC contact hour. Physicians: 1.0 AMA PRA Category 1 Credit", 10),
    ])  # fmt: skip
    await ana.upload("rounds.pdf", pdf, "application/pdf")
    await ana.next_reply()
    proposal = (await ana.next_reply()).text
    assert "AMA PRA Category 1" in proposal and "ANCC" not in proposal
    assert "Title: Grand Rounds: Sepsis" in proposal and "Sepsis" in proposal


async def test_abandoned_and_replaced_uploads_are_not_kept(bot: BotUnderTest) -> None:
    """QA: a photo left at "What does it certify?" by /licences, and a certificate draft
    replaced by another upload, stayed stored, visible only in /export."""
    ana = bot.user()
    await ana.upload("photo.png", png_bytes(), "image/png")
    assert "tell me what it certifies" in (await ana.next_reply()).text
    await ana.send("/licences")
    await reply_with(ana, "Which licence or certification?")
    assert await stored(bot) == ([], [])
    first = certificate_pdf(ACCME)
    await ana.upload("first.pdf", first, "application/pdf")
    await reply_with(ana, "Log this?")
    await ana.upload("second.pdf", first + b"\n% another", "application/pdf")
    await reply_with(ana, "Log this?")
    await ana.press("✅ Save")
    await reply_with(ana, "no licences or certifications yet")
    entries, paths = await stored(bot)
    assert len(paths) == 1 and entries and entries[0] is not None
