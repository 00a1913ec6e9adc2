"""The transcript as CSV, for spreadsheets and CE trackers that import files.

UTF-8 with a byte-order mark so Excel shows "Łukasz" rather than mojibake. Any cell a
spreadsheet would run as a formula (starting with = + - @, or a tab/CR that some
importers strip first) gets a leading apostrophe: titles and providers are user text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot import texts
from bot.reports.model import TranscriptEntry, TranscriptLicence, format_amount

__all__ = ["HEADER", "neutralise", "render_transcript_csv"]

HEADER = (
    "licence",
    "cycle_start",
    "cycle_end",
    "date",
    "title",
    "provider",
    "category",
    "topics",
    "amount",
    "activity_type",
    "uan",
    "certificate",
    "counted_for",
)
TOTAL_MARKER = "TOTAL"
IN_CYCLE = "cycle"
LOOK_BACK = "topic requirement only (before this cycle)"
TOPIC_ONLY = "topic or category requirement only (not the total)"
CARRIED = "carry-over"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would evaluate (CSV formula injection)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def render_transcript_csv(licences: Sequence[TranscriptLicence]) -> bytes:
    """One row per counted entry per licence (the cycle's, then earlier ones a topic
    requirement's look-back counts, marked), then a ``TOTAL`` row of the cycle's, last."""
    rows: list[list[str]] = [list(HEADER)]
    for licence in licences:
        head = (licence.label, licence.window_start.isoformat(), licence.window_end.isoformat())
        if licence.not_tracked_since is not None:  # one row saying so, not a TOTAL of 0
            first = licence.not_tracked_since.isoformat()
            rows.append(_row(
                *head, "", texts.TRANSCRIPT_NOT_TRACKED_ROW.format(first=first), "", "", "", "",
                "", "", "", texts.TRANSCRIPT_NOT_TRACKED_MARK,
            ))  # fmt: skip
            continue
        rows += [
            _entry_row(head, entry, IN_CYCLE if entry.toward_total else TOPIC_ONLY)
            for entry in licence.entries
        ]
        if licence.carried and licence.carried_from is not None:
            # QA: the CSV's total left out what /status and the PDF count as carried over
            rows.append(_row(
                *head, "", f"Carried over from the cycle ending {licence.carried_from}", "",
                "", "", format_amount(licence.carried), "", "", "", CARRIED,
            ))  # fmt: skip
        # Earlier activities a topic's look-back counts, then the TOTAL: last for every
        # licence (QA round 13: it came first for one licence, last for another).
        rows += [_entry_row(head, entry, LOOK_BACK) for entry in licence.earlier]
        total = format_amount(licence.entries_total + licence.carried)
        with_cert = sum(1 for e in licence.entries if e.certificate)
        certs = f"{with_cert} of {len(licence.entries)}"  # not "1/2", a fraction (QA round 13)
        rows.append(_row(*head, "", TOTAL_MARKER, "", "", "", total, "", "", certs, ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _entry_row(head: tuple[str, str, str], entry: TranscriptEntry, counted_for: str) -> list[str]:
    return _row(
        *head, entry.completed_on.isoformat(), entry.title, entry.provider, entry.category,
        "; ".join(entry.topics), format_amount(entry.amount), entry.activity_type, entry.uan,
        "yes" if entry.certificate else "no", counted_for,
    )  # fmt: skip


def _row(*cells: str) -> list[str]:
    """Cells on one line each (whitespace collapsed), neutralised against formulas."""
    return [neutralise(" ".join(cell.split())) for cell in cells]
