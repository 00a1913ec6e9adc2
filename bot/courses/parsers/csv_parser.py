"""CSV catalogues: tolerant headers, sniffed delimiter, line numbers in every rejection."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from bot.courses.parsers.common import ParseError, ParseResult, RawRow, decode_text, looks_like_html
from bot.courses.parsers.fields import SYNONYMS, HeaderMap, finish, map_headers
from bot.courses.records import Rejection
from bot.courses.values import excel_date

csv.field_size_limit(1_000_000)


HEADER_SEARCH_LINES = 10
"""Non-blank lines searched for the header: exports put a title and a date above it."""
_DATE_FIELDS = frozenset({"starts_at", "start_date", "ends_at", "end_date"})


def _first_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_LINES]


def _delimiter(text: str) -> str:
    """The delimiter under which a line near the top has the most recognised column names.

    More robust than ``csv.Sniffer``, which is misled by "a; b" inside quoted cells.
    """
    best, best_score = ",", 0
    for delimiter in ",;\t|":
        for line in _first_lines(text):
            try:
                headers = next(csv.reader([line], delimiter=delimiter))
            except (csv.Error, StopIteration):
                continue
            score = len(map_headers(headers).columns)
            if score > best_score:
                best, best_score = delimiter, score
    return best


def looks_like_csv(data: bytes) -> bool:
    """True when a header with every required column is near the top: a catalogue sent as
    .txt or mislabelled .json is still one (QA round 9)."""
    text, _ = decode_text(data[:65536])
    if not text.strip() or looks_like_html(text) or "\x00" in text[:4096]:
        return False
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        found = _header(reader)
    except ParseError:
        return False
    return not map_headers(found.cells).missing()


def parse_csv(data: bytes) -> ParseResult:
    """Rows of a CSV file; a bad row is a rejection, a file without a usable header is an error."""
    text, encoding = decode_text(data)
    if not text.strip():
        raise ParseError("the file is empty")
    if looks_like_html(text):
        raise ParseError("this is an HTML page, not a CSV file")
    if "\x00" in text[:4096]:
        raise ParseError("this is a binary file, not a CSV file")
    result = ParseResult()
    if encoding not in ("utf-8-sig", "utf-16"):
        result.notes.append(f"not UTF-8: read as {encoding}")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    header = _header(reader)
    headers = header.cells
    mapping = map_headers(headers)
    missing = mapping.missing()
    if missing:
        looked_for = "; ".join(f"{m}: {', '.join(SYNONYMS[m][:4])}…" for m in missing)
        raise ParseError(
            f"line {header.line}: missing column(s) {', '.join(missing)} "
            f"(looked for {looked_for})"
        )
    if header.skipped:
        result.notes.append(
            f"the header is on line {header.line}: {header.skipped} line(s) above it skipped"
        )
    if mapping.ignored:
        result.notes.append(f"ignored column(s): {', '.join(mapping.ignored)}")
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.rejections.append(Rejection(f"line {start}", f"malformed CSV: {exc}"))
            previous_end = reader.line_num
            continue
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
            result.rejections.append(
                Rejection(
                    f"line {start}",
                    f"{len(cells)} values but the header has {len(headers)} columns "
                    "(an unquoted comma?)",
                )
            )
            continue
        result.rows.append(RawRow(f"line {start}", _row_fields(mapping, cells)))
    return result


def _row_fields(mapping: HeaderMap, cells: list[str]) -> dict[str, object]:
    """The canonical fields of one row; a date column's Excel serial read as its date."""
    fields: dict[str, object] = dict(mapping.implied)
    for index, name in mapping.columns.items():
        if index < len(cells) and cells[index].strip():
            cell = cells[index]
            fields[name] = (excel_date(cell) or cell) if name in _DATE_FIELDS else cell
    return finish(fields)


@dataclass(frozen=True, slots=True)
class _Header:
    line: int
    cells: list[str]
    skipped: int  # non-blank lines above it


def _header(reader: Any) -> _Header:
    """The header: the first of the top non-blank rows that has every required column, or
    else the one with the most known columns (QA round 9: a title row above the header
    refused the file). Its line number is the file's, blank lines counted."""
    candidates: list[_Header] = []
    while len(candidates) < HEADER_SEARCH_LINES:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if candidates:
                break
            raise ParseError(f"line {reader.line_num}: malformed CSV header: {exc}") from None
        if not any(cell.strip() for cell in row):
            continue
        candidates.append(_Header(reader.line_num, row, len(candidates)))
        if not map_headers(row).missing():
            return candidates[-1]
    if not candidates:
        raise ParseError("no header row")
    return max(candidates, key=lambda c: (len(map_headers(c.cells).columns), -c.skipped))
