"""The transcript PDF: opens, says the right things, paginates, survives hostile text."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader

from bot.reports.fonts import vera
from bot.reports.model import TranscriptLicence, format_amount
from bot.reports.transcript import render_transcript_pdf
from tests.reports.factories import licences

GENERATED = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture(scope="module")
def small() -> tuple[list[TranscriptLicence], bytes]:
    data = licences(12)
    return data, render_transcript_pdf("Łukasz Nowak", data, GENERATED, "Europe/Warsaw")


def test_text_has_name_entries_totals_and_footer(small: tuple[list[TranscriptLicence], bytes]):
    data, pdf = small
    assert pdf.startswith(b"%PDF-")
    pages = _pages(pdf)
    text = "\n".join(pages)
    flat = " ".join(text.split())  # headings and cells wrap
    bare = "".join(text.split())  # long words are cut inside their cell
    assert "Łukasz Nowak" in text
    assert "Generated on 2026-11-23 14:05 (Europe/Warsaw)" in text
    for licence in data:
        assert licence.label in flat
        assert f"Total: {len(licence.entries)} activities" in text
        assert format_amount(licence.entries_total) in text
        for line in licence.lines:
            assert line.label in flat
    for entry in data[0].entries:
        assert entry.completed_on.isoformat() in text
        assert "".join(entry.title.split()) in bare
    assert "<2026> & Beyond" in flat  # markup characters printed literally
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert all("generated on 2026-11-23 14:05" in page for page in pages)


def test_each_licence_starts_on_its_own_page(small: tuple[list[TranscriptLicence], bytes]):
    data, pdf = small
    pages = _pages(pdf)
    starts = [i for i, p in enumerate(pages) for lic in data if lic.label in " ".join(p.split())]
    assert starts == sorted(set(starts)) and len(starts) == len(data)


def test_embeds_truetype_fonts_not_helvetica(small: tuple[list[TranscriptLicence], bytes]):
    fonts = _fonts(small[1])
    assert fonts and not any("Helvetica" in f for f in fonts)


@pytest.mark.parametrize("name", ["Łukasz Nowak", "Zoë Ångström", "José Müller"])
def test_unicode_names_with_bundled_vera(name: str) -> None:
    pdf = render_transcript_pdf(name, licences(3), GENERATED, "America/Chicago", fonts=vera())
    text = "\n".join(_pages(pdf))
    assert name in text
    assert "(America/Chicago)" in text
    assert all("Vera" in f for f in _fonts(pdf))


def test_three_hundred_entries_paginate_with_repeated_header() -> None:
    data = licences(300)[:1]
    assert len(data[0].entries) > 150
    pages = _pages(render_transcript_pdf("Zoë Ångström", data, GENERATED, "UTC"))
    assert len(pages) >= 4
    with_rows = [p for p in pages if re.search(r"^\d{4}-\d{2}-\d{2}$", p, re.M)]
    assert len(with_rows) == len(pages)
    for page in with_rows:  # the column header is repeated on every page of the table
        assert re.search(r"Date\s+Activity\s+Provider\s+Category\s+Topics\s+Credits\s+Cert\.", page)
    listed = sum(len(re.findall(r"^\d{4}-\d{2}-\d{2}$", p, re.M)) for p in pages)
    assert listed == len(data[0].entries)
    assert f"Total: {len(data[0].entries)} activities" in pages[-1]


def test_hostile_and_huge_text_does_not_break_layout() -> None:
    base = licences(2)[0]
    entry = base.entries[0]
    odd = [
        replace(entry, entry_id="a", title="<b>bold</b> & <font color=red>x</font>"),
        replace(entry, entry_id="b", title="x" * 5000, provider="https://" + "a" * 400),
        replace(entry, entry_id="c", title="tab\there\x00nul\x1b[31m\u202eevil\nline"),
        replace(entry, entry_id="d", title="", provider="", topics=()),
    ]
    licence = replace(base, label="A & B <licence>", entries=(*base.entries, *odd))
    pdf = render_transcript_pdf("Ann <script>&amp;", [licence], GENERATED, "Not/AZone")
    text = "\n".join(_pages(pdf))
    flat = " ".join(text.split())
    assert "Ann <script>&amp;" in text
    assert "A & B <licence>" in flat
    assert "<b>bold</b> & <font color=red>x</font>" in flat
    assert "(UTC)" in text  # an unknown zone falls back to UTC
    assert "…" in text  # the 5000-character title was cut


def test_no_licences_and_naive_time() -> None:
    pdf = render_transcript_pdf("", [], datetime(2026, 1, 2, 3, 4), "America/New_York")
    text = "\n".join(_pages(pdf))
    assert "No licences" in text
    assert "2026-01-01 22:04 (America/New_York)" in text  # naive means UTC


def test_deterministic_and_safe_from_worker_threads() -> None:
    """Callers use asyncio.to_thread: concurrent renders must match a sequential one."""
    data = licences(20)
    expected = render_transcript_pdf("Łukasz Nowak", data, GENERATED, "UTC")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda _: render_transcript_pdf("Łukasz Nowak", data, GENERATED, "UTC"), range(8)
            )
        )
    assert all(result == expected for result in results)


def test_earlier_activities_are_a_table_of_their_own() -> None:
    """Counted by a topic requirement's look-back, they are not "in this cycle"."""
    first = licences(4)[0]
    earlier = replace(first.entries[0], title="Opioid course from 2024")
    licence = replace(first, entries=first.entries[1:], earlier=(earlier,))
    pdf = render_transcript_pdf("A", [licence], GENERATED, "UTC")
    flat = " ".join("\n".join(_pages(pdf)).split())
    assert f"Activities counted in this cycle ({len(licence.entries)})" in flat
    assert "Earlier activities counted toward a topic requirement (1): not part of this" in flat
    assert "Total: 1 activity" in flat
    assert f"Total: {len(licence.entries)} activities" in flat


def _flat(licence: TranscriptLicence) -> str:
    """The PDF of one licence as one line of text."""
    pdf = render_transcript_pdf("A", [licence], GENERATED, "UTC")
    return " ".join("\n".join(_pages(pdf)).split())


def test_what_is_needed_is_said_as_the_status_says_it() -> None:
    """"At least" only for a floor: the figure adds up open topics now (QA: Florida's
    "Still needed" was the largest topic's, a floor the PDF said as one)."""
    first = replace(licences(4)[0], complete=False, hours_needed=Decimal(6))
    flat = _flat(first)
    assert "6 more credits needed." in flat and "At least" not in flat
    floor = replace(first, needed_at_least=True)
    flat = _flat(floor)
    assert "At least 6 more credits needed." in flat


def test_a_cycle_from_before_the_bot_says_so_instead_of_its_figures() -> None:
    first = replace(licences(4)[0], entries=(), not_tracked_since=datetime(2026, 11, 24).date())
    flat = _flat(first)
    assert "Not tracked here: nothing was logged in the bot for this cycle" in flat, flat
    assert "first used on Nov 24, 2026" in flat and "more credits needed" not in flat
    assert "Activities counted" not in flat
