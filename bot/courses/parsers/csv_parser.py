"""CSV catalogues: tolerant headers, sniffed delimiter, line numbers in every rejection."""

from __future__ import annotations

import csv
import io
from typing import Any

from bot.courses.parsers.common import ParseError, ParseResult, RawRow, decode_text, looks_like_html
from bot.courses.parsers.fields import SYNONYMS, finish, map_headers
from bot.courses.records import Rejection

csv.field_size_limit(1_000_000)


def _delimiter(text: str) -> str:
    """The delimiter under which the first line has the most recognised column names.

    More robust than ``csv.Sniffer``, which is misled by "a; b" inside quoted cells.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_score = ",", 0
    for delimiter in ",;\t|":
        try:
            headers = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        score = len(map_headers(headers).columns)
        if score > best_score:
            best, best_score = delimiter, score
    return best


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
    header_line, headers = _header(reader)
    mapping = map_headers(headers)
    missing = mapping.missing()
    if missing:
        looked_for = "; ".join(f"{m}: {', '.join(SYNONYMS[m][:4])}…" for m in missing)
        raise ParseError(
            f"line {header_line}: missing column(s) {', '.join(missing)} (looked for {looked_for})"
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
        fields: dict[str, object] = dict(mapping.implied)
        for index, name in mapping.columns.items():
            if index < len(cells) and cells[index].strip():
                fields[name] = cells[index]
        result.rows.append(RawRow(f"line {start}", finish(fields)))
    return result


def _header(reader: Any) -> tuple[int, list[str]]:
    """The first non-empty row and its line number."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            raise ParseError("no header row") from None
        except csv.Error as exc:
            raise ParseError(f"line {reader.line_num}: malformed CSV header: {exc}") from None
        if any(cell.strip() for cell in row):
            return reader.line_num, row
