"""The CSV transcript: Excel-friendly, parses back, totals match, no formula injection."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest

from bot.reports.transcript_csv import HEADER, TOTAL_MARKER, neutralise, render_transcript_csv
from tests.reports.factories import licences


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_parses_back_with_totals_per_licence() -> None:
    data = licences(40)
    raw = render_transcript_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = _rows(raw)
    assert tuple(rows[0].keys()) == HEADER
    assert len(rows) == sum(len(lic.entries) + 1 for lic in data)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row["title"] == TOTAL_MARKER and not row["date"]:
            totals[row["licence"]] = Decimal(row["amount"])
        else:
            sums[row["licence"]] += Decimal(row["amount"])
    assert totals == dict(sums)
    assert totals == {lic.label: lic.entries_total for lic in data}
    texas = [r for r in rows if r["licence"] == data[0].label and r["date"]]
    assert [r["date"] for r in texas] == [e.completed_on.isoformat() for e in data[0].entries]
    assert {r["certificate"] for r in texas} == {"yes", "no"}
    assert any(r["provider"] == "Société Française de Cardiologie" for r in rows)
    assert any("Opioid prescribing" in r["topics"] for r in rows)


def test_formula_cells_are_neutralised() -> None:
    rows = _rows(render_transcript_csv(licences(14)))
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)
    assert any(cell == "'+Medscape Education" for cell in cells)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("a=b", "a=b"),
        ("", ""),
        ("2.5", "2.5"),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_hidden_formula_after_whitespace_and_newlines_in_cells() -> None:
    base = licences(2)[0]
    entry = replace(base.entries[0], title="  =cmd|' /C calc'!A0", provider="Line one\nLine two")
    rows = _rows(render_transcript_csv([replace(base, entries=(entry,))]))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["provider"] == "Line one Line two"


def test_empty() -> None:
    assert _rows(render_transcript_csv([])) == []
