"""A progress chart for one licence, drawn with Pillow (matplotlib costs ~1 s to import).

Sized for a phone screen in Telegram: 800 px wide, one 60 px row per requirement.
Green means met; amber means in progress; red means at risk (overdue or under 30 days
left). The title says how many days are left, computed from ``today`` rather than from
the status, so a chart drawn later than its status is still right.
"""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from bot.domain.credit_types import LicenceStatus
from bot.reports.fonts import default_family
from bot.reports.model import ProgressLine, TranscriptLicence, format_amount, progress_lines

__all__ = ["WIDTH", "chart_size", "render_progress_png"]

WIDTH = 800
HEADER = 120
ROW = 60
MAX_ROWS = 12
AT_RISK_DAYS = 30
_PAD = 32
_BAR_H = 20
_BG = (255, 255, 255)
_INK = (31, 41, 51)
_MUTED = (82, 96, 109)
_TRACK = (228, 231, 235)
_GREEN = (46, 125, 50)
_AMBER = (240, 160, 32)
_RED = (211, 47, 47)
_RED_TINT = (250, 222, 222)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_THREAD = threading.local()


def chart_size(rows: int) -> tuple[int, int]:
    """Pixel size for ``rows`` bars (capped at ``MAX_ROWS``)."""
    return WIDTH, HEADER + ROW * max(1, min(rows, MAX_ROWS))


def render_progress_png(status_like: LicenceStatus | TranscriptLicence, today: date) -> bytes:
    """PNG bytes: the total, then each mandate due this cycle, then category minimums."""
    if isinstance(status_like, TranscriptLicence):
        title, lines = status_like.label, status_like.lines
    else:
        title, lines = status_like.rule_title, progress_lines(status_like)
    deadline = status_like.makeup_until or status_like.deadline
    days = (deadline - today).days
    lines = lines[:MAX_ROWS]
    image = Image.new("RGB", chart_size(len(lines)), _BG)
    draw = ImageDraw.Draw(image)
    at_risk = days <= AT_RISK_DAYS
    _header(draw, title, _days_text(days, deadline, status_like.makeup_until), at_risk)
    for index, line in enumerate(lines):
        _row(draw, HEADER + index * ROW, line, at_risk, bold=line.kind == "total")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _days_text(days: int, deadline: date, makeup_until: date | None) -> str:
    when = f"{deadline:%b} {deadline.day}, {deadline.year}"
    if makeup_until is not None:
        return f"Overdue: make up by {when} ({max(days, 0)} days left)"
    if days < 0:
        return f"Overdue by {-days} days (deadline {when})"
    if days == 0:
        return f"Due today ({when})"
    return f"{days} day{'s' if days != 1 else ''} left · deadline {when}"


def _header(draw: ImageDraw.ImageDraw, title: str, subtitle: str, at_risk: bool) -> None:
    room = WIDTH - 2 * _PAD
    size = 28
    while size > 20 and _font(size, True).getlength(title) > room:
        size -= 2
    draw.text((_PAD, 22), _fit(title, _font(size, True), room), font=_font(size, True), fill=_INK)
    draw.text(
        (_PAD, 66),
        _fit(subtitle, _font(21), room),
        font=_font(21),
        fill=_RED if at_risk else _MUTED,
    )
    draw.line((_PAD, HEADER - 12, WIDTH - _PAD, HEADER - 12), fill=_TRACK, width=2)


def _row(
    draw: ImageDraw.ImageDraw, top: int, line: ProgressLine, at_risk: bool, bold: bool
) -> None:
    label_font, value_font = _font(19, bold), _font(19, True)
    value = f"{format_amount(line.earned)} / {format_amount(line.required)}"
    if not line.complete:
        value += f"  ({format_amount(line.remaining)} to go)"
    value_w = value_font.getlength(value)
    room = WIDTH - 2 * _PAD - value_w - 16
    draw.text((_PAD, top + 2), _fit(line.label, label_font, room), font=label_font, fill=_INK)
    colour = _GREEN if line.complete else (_RED if at_risk else _AMBER)
    draw.text(
        (WIDTH - _PAD - value_w, top + 2),
        value,
        font=value_font,
        fill=_GREEN if line.complete else _INK,
    )
    left, right, y = _PAD, WIDTH - _PAD, top + 30
    track = _TRACK if line.complete else _RED_TINT
    draw.rounded_rectangle((left, y, right, y + _BAR_H), radius=_BAR_H // 2, fill=track)
    share = _share(line.earned, line.required)
    if share > 0:
        end = left + max(_BAR_H, round((right - left) * share))
        draw.rounded_rectangle((left, y, end, y + _BAR_H), radius=_BAR_H // 2, fill=colour)


def _share(earned: Decimal, required: Decimal) -> float:
    if required <= 0:
        return 1.0
    return float(max(Decimal(0), min(Decimal(1), earned / required)))


def _fit(text: str, font: Font, width: float) -> str:
    """Cut ``text`` with an ellipsis to at most ``width`` pixels."""
    text = " ".join(text.split())
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if font.getlength(text[:mid].rstrip() + "…") <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def _font(size: int, bold: bool = False) -> Font:
    """A TrueType font, loaded once per thread: a FreeType face must not be shared by
    threads, and ``to_thread`` callers render from several. Pillow's own font if none loads.
    """
    fonts: dict[tuple[int, bool], Font] = _THREAD.__dict__.setdefault("fonts", {})
    font = fonts.get((size, bold))
    if font is None:
        family = default_family()
        try:
            font = ImageFont.truetype(str(family.bold if bold else family.regular), size)
        except OSError:
            font = ImageFont.load_default(size=size)
        fonts[(size, bold)] = font
    return font
