"""The CSV transcript: Excel-friendly, parses back, totals match, no formula injection."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest

from bot.reports.transcript_csv import (
    HEADER,
    IN_CYCLE,
    TOTAL_MARKER,
    neutralise,
    render_transcript_csv,
)
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
        elif row["counted_for"] == IN_CYCLE:  # not what counts toward a topic only
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


def test_earlier_activities_a_look_back_counts_stay_out_of_the_cycle_total() -> None:
    """QA: an opioid course from before the cycle (Texas counts opioid hours once every 8
    years) was listed as counted "in this cycle" and summed into its TOTAL row."""
    from datetime import date

    from bot.domain.credits import CreditItem, LicenceFacts, licence_status
    from bot.domain.requirements import shipped_rulebook
    from bot.reports.model import transcript_licence

    items = [
        CreditItem("old", date(2024, 5, 1), Decimal(2), "ama_pra_1", frozenset({"texas_opioid"})),
        CreditItem("new", date(2026, 10, 1), Decimal(3), "ama_pra_1", frozenset({"ethics"})),
    ]
    facts = LicenceFacts(
        rule_id="us-tx-md", renewal_date=date(2027, 8, 31), renewals_done=3,
        flags=frozenset({"direct_patient_care"}),
    )  # fmt: skip
    status = licence_status(facts, items, date(2026, 12, 6), shipped_rulebook())
    assert status.window.start == date(2025, 9, 1) and "old" in status.counted_entry_ids
    licence = transcript_licence(status, items, label="Texas")
    assert [e.entry_id for e in licence.entries] == ["new"] and licence.entries_total == 3
    assert [e.entry_id for e in licence.earlier] == ["old"]
    rows = _rows(render_transcript_csv([licence]))
    # The TOTAL last, as for every licence (QA round 13: first for one, last for another)
    assert [(r["date"], r["title"], r["amount"], r["counted_for"]) for r in rows] == [
        ("2026-10-01", "", "3", "cycle"),
        ("2024-05-01", "", "2", "topic requirement only (before this cycle)"),
        ("", TOTAL_MARKER, "3", ""),
    ]


def test_credits_carried_over_are_a_row_and_in_the_total() -> None:
    """QA: after a new cycle began with 5 credits carried over, /status and the PDF said
    5 / 48 but the CSV's TOTAL said 0 and never mentioned the carry-over."""
    from datetime import date

    from bot.domain.credits import CreditItem, LicenceFacts, licence_status
    from bot.domain.requirements import shipped_rulebook
    from bot.reports.model import transcript_licence

    items = [  # 53 in the cycle ending Aug 31 2027: 5 more than its 48
        CreditItem("small", date(2026, 10, 1), Decimal(1), "ama_pra_1"),
        CreditItem("big", date(2026, 11, 1), Decimal(52), "ama_pra_1"),
    ]
    facts = LicenceFacts(rule_id="us-tx-md", renewal_date=date(2029, 8, 31), renewals_done=4)
    status = licence_status(facts, items, date(2027, 10, 1), shipped_rulebook())
    assert status.carry_over is not None and status.earned_total == 5
    rows = _rows(render_transcript_csv([transcript_licence(status, items, label="Texas")]))
    assert [(r["title"], r["amount"], r["counted_for"]) for r in rows] == [
        ("Carried over from the cycle ending 2027-08-31", "5", "carry-over"),
        (TOTAL_MARKER, "5", ""),
    ]
