"""What every parser returns, and the text decoding they share."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from bot.courses.records import RawCourse, Rejection


class ParseError(ValueError):
    """The whole file is unusable (not CSV/iCalendar/JSON at all, no header, empty)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One course as found in a file, with where it was found ("line 12", "event 3")."""

    location: str
    fields: RawCourse


@dataclass(slots=True)
class ParseResult:
    """Rows to validate, rows already rejected by the parser, and notes about the file."""

    rows: list[RawRow] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def decode_text(data: bytes) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1.

    Spreadsheet exports on Windows are cp1252 ("Café" as 0xE9); latin-1 decodes any byte,
    so decoding never fails, and the caller reports which encoding was used.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def looks_like_html(text: str) -> bool:
    """True for an HTML page (a login wall or an error page served instead of data)."""
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        head.startswith("<") and "<html" in head
    )
