"""Building transcript data from a real status: only counted entries, labels for people."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.domain.credits import CreditItem, LicenceFacts, status_for_all
from bot.reports.model import format_amount, not_tracked, progress_lines, transcript_licence
from bot.reports.transcript_csv import render_transcript_csv
from tests.reports.factories import FLORIDA, TEXAS, TODAY, entries


def test_only_entries_counted_in_the_cycle_are_listed_in_date_order() -> None:
    old = CreditItem("old", date(2020, 1, 1), Decimal(5), "ama_pra_1", title="Long ago")
    items = [*entries(20), old]
    status = status_for_all([TEXAS], items, TODAY)[0]
    licence = transcript_licence(status, items, providers={"e0001": "ACP"}, certificates={"e0002"})
    ids = [e.entry_id for e in licence.entries]
    assert "old" not in ids
    assert set(ids) == set(status.counted_entry_ids)
    dates = [e.completed_on for e in licence.entries]
    assert dates == sorted(dates)
    by_id = {e.entry_id: e for e in licence.entries}
    assert by_id["e0001"].provider == "ACP"
    assert by_id["e0002"].certificate and not by_id["e0001"].certificate
    assert by_id["e0000"].category == "AMA PRA Category 1 Credit" or by_id["e0000"].category == (
        "AMA PRA Category 2 Credit"
    )
    assert "Opioid prescribing" in by_id["e0000"].topics


def test_lines_follow_the_status() -> None:
    items = entries(30)
    status = status_for_all([TEXAS], items, TODAY)[0]
    licence = transcript_licence(status, items)
    assert licence.total.required == status.total_required == Decimal(48)
    assert licence.total.earned == status.earned_total
    assert [m.label for m in licence.mandates] == [m.title for m in status.mandates if m.due]
    assert [c.label for c in licence.minimums] == [c.label for c in status.categories]
    assert licence.lines == progress_lines(status)
    assert licence.label == f"{status.rule_title} (licence TX-M1234)"
    assert licence.window_start == status.window.start and licence.deadline == status.deadline


def test_incomplete_licence_keeps_remaining_figures() -> None:
    status = status_for_all([FLORIDA], [], TODAY)[0]
    licence = transcript_licence(status, [], label="Florida MD")
    assert licence.label == "Florida MD"
    assert not licence.complete and licence.entries == ()
    assert licence.total.remaining == licence.total.required == Decimal(40)
    assert all(not line.complete for line in licence.mandates)


def test_a_rule_without_a_total_has_no_total_line() -> None:
    """QA, DEA: "Total credits 35.5 | 0 | met" above its one 8-hour training."""
    mate = frozenset({"dea_mate_training"})
    dea = LicenceFacts(rule_id="us-dea-mate", renewal_date=date(2027, 8, 15), renewals_done=0)
    items = [
        CreditItem("mate", date(2026, 10, 1), Decimal(8), "other", mate),
        CreditItem("other", date(2026, 10, 2), Decimal("27.5"), "ama_pra_1"),
    ]
    status = status_for_all([dea], items, TODAY)[0]
    licence = transcript_licence(status, items)
    assert licence.total is None
    assert [(line.kind, line.earned, line.required) for line in licence.lines] == [
        ("mandate", Decimal(8), Decimal(8))
    ]
    assert [e.entry_id for e in licence.entries] == ["mate"]
    assert licence.lines == progress_lines(status)


def test_format_amount() -> None:
    assert format_amount(Decimal("2.50")) == "2.5"
    assert format_amount(Decimal("40")) == "40"
    assert format_amount(Decimal("0.00")) == "0"
    assert format_amount(Decimal("1E+2")) == "100"


def test_a_cycle_from_before_the_bot_with_nothing_logged_is_not_tracked() -> None:
    """QA: a cycle that ended before the clinician first used the bot read "0 of 40"."""
    status = status_for_all([FLORIDA], [], TODAY)[0]
    first_used = status.deadline + timedelta(days=1)
    before = transcript_licence(status, [], first_used=first_used)
    assert before.not_tracked_since == first_used
    assert transcript_licence(status, []).not_tracked_since is None  # no first day known
    during = transcript_licence(status, [], first_used=status.deadline)  # used by its end
    assert during.not_tracked_since is None
    # Logged in that cycle for any licence (counted here or not), it is tracked.
    other = CreditItem("x", status.window.start, Decimal(1), "moc")
    assert transcript_licence(status, [other], first_used=first_used).not_tracked_since is None
    older = CreditItem("y", status.window.start - timedelta(days=1), Decimal(1), "ama_pra_1")
    assert not_tracked(status, [older], first_used)


def test_a_cycle_not_tracked_is_one_csv_row_without_a_total() -> None:
    status = status_for_all([FLORIDA], [], TODAY)[0]
    first_used = status.deadline + timedelta(days=1)
    licence = transcript_licence(status, [], label="FL", first_used=first_used)
    rows = render_transcript_csv([licence]).decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == 1 and "TOTAL" not in rows[0], rows
    assert rows[0].endswith(",not tracked") and f"first used on {first_used}" in rows[0], rows


def test_a_cycle_with_an_older_entry_counted_toward_it_is_tracked() -> None:
    """Review: a course dated before the cycle, counted toward a mandate with a longer
    look-back (Texas opioid prescribing, once in 8 years), was hidden as "not tracked"."""
    status = status_for_all([TEXAS], [], TODAY)[0]
    older = CreditItem(
        "opioid", status.window.start - timedelta(days=400), Decimal(2), "ama_pra_1",
        ("opioid_prescribing",),
    )  # fmt: skip
    status = status_for_all([TEXAS], [older], TODAY)[0]
    assert status.mandates[-1].earned == 2  # counted toward the 8-year mandate only
    first_used = status.deadline + timedelta(days=1)
    assert not not_tracked(status, [older], first_used)
