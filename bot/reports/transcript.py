"""The transcript PDF: one section per licence, for a board audit or an employer.

reportlab's platypus lays out the tables (long ones split across pages with the header
repeated); a two-pass canvas writes "Page x of y". Fonts are TrueType (see ``fonts``)
because Helvetica draws "Ł" as a black box. Every user string is escaped: Paragraph
text is markup, and a title like "Risk <5 & more" must not break the document.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bot import texts
from bot.domain.custom_requirements import CUSTOM_SOURCE
from bot.reports.fonts import FontFamily, default_family
from bot.reports.model import ProgressLine, TranscriptEntry, TranscriptLicence, format_amount

__all__ = ["render_transcript_pdf"]

_MARGIN = 42.0
_WIDTH = LETTER[0] - 2 * _MARGIN
# Date, title, provider, category, topics, credits, certificate: sums to _WIDTH (528 pt).
_COLUMNS = (54.0, 160.0, 92.0, 74.0, 82.0, 38.0, 28.0)
_HEADER = ("Date", "Activity", "Provider", "Category", "Topics", "Credits", "Cert.")
_INK = colors.HexColor("#1f2933")
_MUTED = colors.HexColor("#52606d")
_HEAD_BG = colors.HexColor("#2f3e4e")
_ZEBRA = colors.HexColor("#f3f5f7")
_RULE = colors.HexColor("#cbd2d9")
_GOOD = colors.HexColor("#1b7f3b")
_BAD = colors.HexColor("#b3261e")
_LOCK = threading.Lock()
_CELL_SIZE = 7.5
_PAD = 3.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def render_transcript_pdf(
    clinician_name: str,
    licences: Sequence[TranscriptLicence],
    generated_at: datetime,
    tz: str,
    *,
    fonts: FontFamily | None = None,
    heading: str = "Continuing Medical Education transcript",
) -> bytes:
    """The transcript as PDF bytes; ``generated_at`` is shown in ``tz`` (UTC if unknown).
    ``heading``: a nurse's or pharmacist's is "Continuing Education transcript".

    Serialised by a lock: reportlab keeps global state (font registry, per-document font
    subsets) and is documented as not thread-safe, while callers use ``to_thread``.
    """
    with _LOCK:
        return _render(clinician_name, licences, generated_at, tz, fonts, heading)


def _render(
    clinician_name: str,
    licences: Sequence[TranscriptLicence],
    generated_at: datetime,
    tz: str,
    fonts: FontFamily | None,
    heading: str,
) -> bytes:
    family = _register(fonts or default_family())
    styles = _styles(family)
    stamp = _stamp(generated_at, tz)
    name = _clean(clinician_name, 120) or "Clinician"
    story: list[Any] = [
        Paragraph(escape(heading), styles["title"]),
        Paragraph(escape(name), styles["name"]),
        Paragraph(escape(f"Generated on {stamp}"), styles["meta"]),
        Spacer(1, 10),
    ]
    if not licences:
        story.append(Paragraph("No licences or certifications are being tracked.", styles["body"]))
    for index, licence in enumerate(licences):
        if index:
            story.append(PageBreak())
        story.extend(_section(licence, styles, family))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 12,
        title=f"CME transcript: {name}",
        author="cme-bot",
        subject=heading,
        creator="cme-bot",
        invariant=True,
        initialFontName=family.name,  # else every page still references Helvetica
    )
    footer = f"CME transcript · {name} · generated on {stamp}"
    doc.build(story, canvasmaker=_numbered_canvas(footer, family.name))
    return buffer.getvalue()


# ------------------------------------------------------------------ sections
def _section(
    licence: TranscriptLicence, styles: dict[str, ParagraphStyle], family: FontFamily
) -> list[Any]:
    parts: list[Any] = [Paragraph(escape(_clean(licence.label, 200)), styles["h2"])]
    if licence.rule_title and licence.rule_title != licence.label:
        parts.append(Paragraph(escape(_clean(licence.rule_title, 200)), styles["meta"]))
    cycle = (
        f"Cycle {_long_date(licence.window_start)} – {_long_date(licence.window_end)}"
        f" · deadline {_long_date(licence.deadline)}"
    )
    if licence.renewal_number:
        cycle += f" · {_renewals_before(licence.renewal_number)}"
    parts.append(Paragraph(escape(cycle), styles["body"]))
    if licence.not_tracked_since is not None:  # no "0 of 40" for a cycle before the bot
        first = _long_date(licence.not_tracked_since)
        text = texts.TRANSCRIPT_NOT_TRACKED.format(first=first, unit=licence.unit)
        parts.append(Paragraph(f"<b>{escape(text)}</b>", styles["body"]))
        return parts
    parts.append(Paragraph(_standing(licence), styles["body"]))
    if licence.source == CUSTOM_SOURCE:  # QA: "Requirements from entered by you"
        source = f"Requirements as described by the clinician on {licence.checked.isoformat()}"
        parts.append(Paragraph(escape(source), styles["meta"]))
    elif licence.source:
        source = f"Requirements from {_clean(licence.source, 300)}"
        source += f" (checked {licence.checked.isoformat()})"
        parts.append(Paragraph(escape(source), styles["meta"]))
    summary = _summary(licence.lines, family, bold_first=licence.total is not None)
    parts += [Spacer(1, 6), summary, Spacer(1, 10)]
    heading = f"Activities counted in this cycle ({len(licence.entries)})"
    parts += [CondPageBreak(72), Paragraph(heading, styles["h3"])]
    if licence.entries:
        parts.append(_entries(licence.entries, family, licence.unit))
    else:
        parts.append(Paragraph("No activities logged in this cycle yet.", styles["body"]))
    if licence.earlier:
        heading = (
            f"Earlier activities counted toward a topic requirement ({len(licence.earlier)}): "
            "not part of this cycle's total"
        )
        parts += [CondPageBreak(72), Paragraph(escape(heading), styles["h3"])]
        parts.append(_entries(licence.earlier, family, licence.unit))
    if licence.notes:
        notes = [Paragraph(escape("• " + _clean(n, 600)), styles["note"]) for n in licence.notes]
        parts.append(KeepTogether([Spacer(1, 8), Paragraph("Notes", styles["h3"]), *notes]))
    return parts


def _renewals_before(renewal_number: int) -> str:
    """The renewals before this cycle, as the clinician counts them ("renewed 0 times"):
    QA read "renewal 1" (the renewal this cycle ends in) as one renewal done."""
    done = renewal_number - 1
    return f"{done} renewal{'' if done == 1 else 's'} before this cycle"


def _standing(licence: TranscriptLicence) -> str:
    if licence.complete:
        return f'<font color="{_GOOD.hexval()}"><b>{escape(texts.TRANSCRIPT_MET)}</b></font>'
    needed = format_amount(licence.hours_needed)
    # The figure the status gives, said as it does: "at least" only where it is a floor
    # (it said "At least" always, when the figure was the largest open topic's).
    unit = licence.unit.removesuffix("s") if licence.hours_needed == 1 else licence.unit
    text = texts.TRANSCRIPT_NEEDED.format(needed=needed, unit=unit)  # "1 more contact hour"
    if licence.needed_at_least:
        text = texts.TRANSCRIPT_AT_LEAST.format(text=text)
    if licence.overdue and licence.makeup_until:
        until = _long_date(licence.makeup_until)
        text = texts.TRANSCRIPT_OVERDUE_MAKEUP.format(until=until, text=text)
    elif licence.overdue:
        text = texts.TRANSCRIPT_OVERDUE.format(text=text)
    return f'<font color="{_BAD.hexval()}"><b>{escape(text)}</b></font>'


def _summary(lines: Sequence[ProgressLine], family: FontFamily, *, bold_first: bool) -> Table:
    """The requirements table; the first row (the total, when there is one) in bold."""
    rows: list[list[Any]] = [["Requirement", "Earned", "Required", "Remaining", ""]]
    style: list[tuple[Any, ...]] = [*_base_style(family), ("ALIGN", (1, 0), (3, -1), "RIGHT")]
    if bold_first:
        style.append(("FONTNAME", (0, 1), (-1, 1), family.name + "-Bold"))
    widths = (300.0, 56.0, 56.0, 60.0, 56.0)
    for row, line in enumerate(lines, start=1):
        font = family.name + "-Bold" if row == 1 and bold_first else family.name
        rows.append(
            [
                _wrap(line.label, 200, widths[0], font),
                format_amount(line.earned),
                format_amount(line.required),
                format_amount(line.remaining),
                "met" if line.complete else "missing",
            ]
        )
        style.append(("TEXTCOLOR", (4, row), (4, row), _GOOD if line.complete else _BAD))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


TOPIC_ONLY_NOTE = " · (in brackets): toward a topic or category requirement only, not the total"


def _entries(entries: Sequence[TranscriptEntry], family: FontFamily, unit: str) -> Table:
    font = family.name
    amount = "Hours" if "hour" in unit else "Credits"  # a nurse's board counts contact hours
    rows: list[list[Any]] = [[*_HEADER[:5], amount, *_HEADER[6:]]]
    for entry in entries:
        rows.append(
            [
                entry.completed_on.isoformat(),
                _activity_cell(entry, font),
                _wrap(entry.provider, 160, _COLUMNS[2], font),
                _wrap(entry.category, 80, _COLUMNS[3], font),
                _wrap(", ".join(entry.topics), 200, _COLUMNS[4], font),
                # "(2)": counted toward a topic or category requirement only (QA round 11:
                # Florida's Category 2 domestic violence made the list's total 38 beside 36)
                format_amount(entry.amount) if entry.toward_total
                else f"({format_amount(entry.amount)})",
                "yes" if entry.certificate else "no",
            ]
        )
    with_cert = sum(1 for e in entries if e.certificate)
    count = len(entries)
    label = f"Total: {count} {'activity' if count == 1 else 'activities'}"
    if not all(e.toward_total for e in entries):
        label += TOPIC_ONLY_NOTE
    rows.append(
        [
            "",
            _wrap(label, 200, sum(_COLUMNS[1:5]), family.name + "-Bold"),
            "",
            "",
            "",
            format_amount(sum((e.amount for e in entries if e.toward_total), Decimal(0))),
            f"{with_cert} of {count}",  # QA round 13: "1/2" read like a fraction
        ]
    )
    style = [
        *_base_style(family),
        ("ALIGN", (5, 0), (6, -1), "RIGHT"),
        ("SPAN", (1, -1), (4, -1)),
        ("FONTNAME", (0, -1), (-1, -1), family.name + "-Bold"),
        ("LINEABOVE", (0, -1), (-1, -1), 1, _INK),
        ("BACKGROUND", (0, -1), (-1, -1), colors.white),
    ]
    table = Table(rows, colWidths=_COLUMNS, repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


def _base_style(family: FontFamily) -> list[tuple[Any, ...]]:
    return [
        ("FONTNAME", (0, 0), (-1, -1), family.name),
        ("FONTSIZE", (0, 0), (-1, -1), _CELL_SIZE),
        ("LEADING", (0, 0), (-1, -1), _CELL_SIZE + 1.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
        ("FONTNAME", (0, 0), (-1, 0), family.name + "-Bold"),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, _ZEBRA]),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, _RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
    ]


# ------------------------------------------------------------------ helpers
def _activity_cell(entry: TranscriptEntry, font: str) -> str:
    """The title, and under it how it was attended and its UAN (what an ACPE audit asks)."""
    title = _wrap(entry.title, 300, _COLUMNS[1], font)
    details = " · ".join(d for d in (entry.activity_type, entry.uan and f"UAN {entry.uan}") if d)
    return f"{title}\n{_wrap(details, 120, _COLUMNS[1], font)}" if details else title


def _wrap(text: str, limit: int, width: float, font: str) -> str:
    """Text broken into lines that fit ``width`` points (long words cut too).

    Plain strings with newlines, not Paragraphs: a table of hundreds of rows is re-measured
    on every page break, and Paragraph wrapping made that five times slower.
    """
    cleaned = _clean(text, limit)
    if not cleaned:
        return ""
    room = width - 2 * _PAD
    lines: list[str] = []
    for line in simpleSplit(cleaned, font, _CELL_SIZE, room):
        while pdfmetrics.stringWidth(line, font, _CELL_SIZE) > room and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and pdfmetrics.stringWidth(line[:cut], font, _CELL_SIZE) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


def _clean(text: str, limit: int) -> str:
    """One line of printable text, cut to ``limit`` characters so a row fits on a page."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text or "")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut ``text`` with an ellipsis so it is at most ``width`` points wide."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _long_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _stamp(moment: datetime, tz: str) -> str:
    try:
        zone: ZoneInfo | None = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        zone = None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone or UTC)
    return f"{local:%Y-%m-%d %H:%M} ({zone.key if zone else 'UTC'})"


@cache
def _styles(family: FontFamily) -> dict[str, ParagraphStyle]:
    base = {"fontName": family.name, "textColor": _INK}
    bold = family.name + "-Bold"
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=17, leading=21, textColor=_INK),
        "name": ParagraphStyle(
            "name", fontName=bold, fontSize=13, leading=17, textColor=_INK, spaceBefore=4
        ),
        "h2": ParagraphStyle(
            "h2", fontName=bold, fontSize=13, leading=16, textColor=_INK, spaceAfter=2
        ),
        "h3": ParagraphStyle(
            "h3",
            fontName=bold,
            fontSize=10,
            leading=13,
            textColor=_INK,
            spaceAfter=3,
        ),
        "body": ParagraphStyle("body", fontSize=9, leading=12, **base),
        "meta": ParagraphStyle(
            "meta", fontName=family.name, fontSize=8, leading=10.5, textColor=_MUTED
        ),
        "note": ParagraphStyle(
            "note", fontName=family.name + "-Italic", fontSize=7.5, leading=9.5, textColor=_MUTED
        ),
    }


@cache
def _register(family: FontFamily) -> FontFamily:
    """Register the four faces once per process (reportlab keeps a global registry)."""
    faces = {
        family.name: family.regular,
        family.name + "-Bold": family.bold,
        family.name + "-Italic": family.italic,
        family.name + "-BoldItalic": family.bold_italic,
    }
    for name, path in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        family.name,
        normal=family.name,
        bold=family.name + "-Bold",
        italic=family.name + "-Italic",
        boldItalic=family.name + "-BoldItalic",
    )
    return family


def _numbered_canvas(footer: str, font: str) -> type[Canvas]:
    """A canvas that keeps every page until ``save`` so the footer can say "of N"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for number, state in enumerate(self._saved, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width = self._pagesize[0]
            self.saveState()
            self.setFont(font, 7)
            self.setFillColor(_MUTED)
            self.setStrokeColor(_RULE)
            self.line(_MARGIN, _MARGIN - 4, width - _MARGIN, _MARGIN - 4)
            page = f"Page {number} of {total}"
            room = width - 2 * _MARGIN - pdfmetrics.stringWidth(page, font, 7) - 12
            self.drawString(_MARGIN, _MARGIN - 14, _fit(footer, font, 7, room))
            self.drawRightString(width - _MARGIN, _MARGIN - 14, page)
            self.restoreState()

    return NumberedCanvas
