"""Reading catalogue files: pick the format, then hand raw rows to validation."""

from __future__ import annotations

import codecs
from datetime import datetime

from bot.courses.parsers.common import ParseError, ParseResult, RawRow, looks_like_html
from bot.courses.parsers.csv_parser import looks_like_csv, parse_csv
from bot.courses.parsers.ics_parser import parse_ics
from bot.courses.parsers.json_parser import parse_json

__all__ = ["KINDS", "ParseError", "ParseResult", "RawRow", "detect_kind", "looks_like_csv", "parse"]

KINDS = ("csv", "ics", "json")
_BY_EXTENSION = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".ics": "ics", ".ical": "ics",
                 ".ifb": "ics", ".json": "json", ".jsonld": "json"}  # fmt: skip
_BY_MEDIA_TYPE = {"text/csv": "csv", "application/csv": "csv", "text/tab-separated-values": "csv",
                  "text/calendar": "ics", "application/json": "json",
                  "application/ld+json": "json"}  # fmt: skip


def detect_kind(content: bytes, *, name: str = "", content_type: str | None = None) -> str:
    """csv, ics or json from the bytes first (servers mislabel), then type, then extension.

    Raises :class:`ParseError` for an HTML page or anything that is clearly none of them.
    """
    sample = content[:4096]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sample = sample.decode("utf-16", errors="ignore").encode()
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"begin:vcalendar"):
        return "ics"
    if head.startswith((b"{", b"[")):
        return "json"
    text = head.decode("latin-1")
    if looks_like_html(text):
        raise ParseError("got an HTML page, not a course catalogue (a login or error page?)")
    if looks_like_csv(content):  # QA round 9: CSV named .json was "not valid JSON"
        return "csv"
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _BY_MEDIA_TYPE:
        return _BY_MEDIA_TYPE[media]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if b"\x00" in head or head.startswith(b"%pdf"):
        raise ParseError("a binary file, not a CSV, iCalendar or JSON catalogue")
    return "csv"


def parse(content: bytes, kind: str, *, now: datetime) -> ParseResult:
    """Parse ``content`` as ``kind``; raises :class:`ParseError` when nothing is readable."""
    if kind == "csv":
        return parse_csv(content)
    if kind == "ics":
        return parse_ics(content, now=now)
    if kind == "json":
        return parse_json(content)
    raise ParseError(f"unknown catalogue format {kind!r} (expected one of {', '.join(KINDS)})")
