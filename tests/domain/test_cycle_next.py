"""The day-after note's sentence on the next cycle (bot.views.next_cycle_said), from real
statuses: a registration that asks only a one-time training (DEA) says whether it is done
and when the registration renews, not "0 credits. What you log from now counts toward it"
(QA)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain.credits import CreditItem, LicenceFacts, licence_status
from bot.views import next_cycle_said

MATE = CreditItem("t", date(2026, 10, 1), Decimal(8), "other", frozenset({"dea_mate_training"}))
ROLLED_OVER = date(2027, 8, 16)


def dea(renewals_done: int) -> LicenceFacts:
    return LicenceFacts(
        rule_id="us-dea-mate", renewal_date=date(2027, 8, 15), renewals_done=renewals_done
    )


def test_the_training_done_says_nothing_more_is_needed_and_when_it_renews() -> None:
    said = next_cycle_said(licence_status(dea(0), [MATE], ROLLED_OVER))
    assert said.startswith("Nothing more to log for it: its one-time training"), said
    assert "is done (completed Oct 1, 2026)" in said and "It renews next on Aug 15, 2030" in said
    assert "0 credits" not in said and "What you log from now" not in said


def test_the_training_not_logged_asks_for_it() -> None:
    said = next_cycle_said(licence_status(dea(1), [], ROLLED_OVER))
    assert "and none is logged: if you did it, /log it with its date" in said, said
    assert "It renews next on Aug 15, 2030" in said


def test_the_training_due_at_the_coming_renewal_says_by_when() -> None:
    facts = LicenceFacts(rule_id="us-dea-mate", issued_on=date(2020, 2, 29))
    said = next_cycle_said(licence_status(facts, [], date(2023, 3, 2)))
    assert "due by Feb 28, 2026, when it renews" in said, said


def test_a_licence_with_a_total_keeps_the_usual_sentence() -> None:
    texas = LicenceFacts(
        rule_id="us-tx-md", renewal_date=date(2026, 11, 30), renewals_done=3,
        flags=frozenset({"direct_patient_care"}),
    )  # fmt: skip
    said = next_cycle_said(licence_status(texas, [], date(2026, 12, 1)))
    assert said.startswith("The next cycle runs Dec 1, 2026 – Nov 30, 2028: 48 credits."), said


def test_when_a_mandate_is_next_needed() -> None:
    """QA round 13: "when do I need to redo …?": the first later cycle whose status would
    have it open with what is logged now, for every kind of recurrence."""
    from bot.domain.credits import next_needed

    florida = LicenceFacts(rule_id="us-fl-md", renewal_date=date(2027, 1, 31), renewals_done=3)
    ids = ["fl-medical-errors", "fl-domestic-violence", "fl-hiv-aids"]
    found = next_needed(florida, [], date(2026, 11, 24), ids)
    assert found["fl-medical-errors"].due_by == date(2029, 1, 31)  # every renewal
    assert found["fl-domestic-violence"].due_by == date(2031, 1, 31)  # renewal 6
    assert "that will be renewal 6" in found["fl-domestic-violence"].why  # not "this"
    assert "fl-hiv-aids" not in found  # first renewal only: never again
    assert next_needed(dea(0), [MATE], date(2026, 11, 24), ["dea-mate"]) == {}  # done for good
