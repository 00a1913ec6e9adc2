"""Properties of the arithmetic that must hold for any entries, licence and day."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.credits import CreditItem, LicenceFacts, LicenceStatus, licence_status
from bot.domain.custom_requirements import CustomRequirementSpec

D = date
DPC = frozenset({"direct_patient_care"})
DEA = frozenset({"dea_registrant"})
CUSTOM = CustomRequirementSpec(
    Decimal(40), D(2027, 6, 30), topic_minimums=(("ethics", Decimal(2)),),
    category_minimums=(("ama_pra_1", Decimal(20)),),
).to_rule("custom-p")  # fmt: skip

# Licences whose windows do not reach back before the cycle (no carry-over, make-up,
# "every N years" or one-time mandates): for these an earlier entry changes nothing.
WINDOW_ONLY = {
    "fl": LicenceFacts(rule_id="us-fl-md", renewal_date=D(2027, 1, 31), renewals_done=2, flags=DEA),
    "oh": LicenceFacts(rule_id="us-oh-md", renewal_date=D(2027, 4, 1)),
    "tn": LicenceFacts(rule_id="us-tn-md", birth_month=2, birth_year=1980, flags=DEA),
    "aafp": LicenceFacts(rule_id="aafp-membership", issued_on=D(2020, 5, 10)),
    "abim": LicenceFacts(rule_id="abim-moc", issued_on=D(2021, 7, 1)),
    "abim-2y": LicenceFacts(rule_id="abim-moc-2y", issued_on=D(2021, 7, 1)),
    "custom": LicenceFacts(custom_rule=CUSTOM),
}
LICENCES = {
    **WINDOW_ONLY,
    "tx": LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31), renewals_done=4,
                       flags=DPC),
    "tx-new": LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31),
                           issued_on=D(2025, 10, 15), flags=DPC),
    "tx-unknown-renewal": LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31)),
    "ca": LicenceFacts(rule_id="us-ca-md", issued_on=D(2019, 3, 10),
                       specialties=frozenset({"internal_medicine"}),
                       flags=frozenset({"geriatric_panel_over_25pct"})),
    "pa": LicenceFacts(rule_id="us-pa-md", issued_on=D(2010, 6, 1)),
    "ny": LicenceFacts(rule_id="us-ny-md", issued_on=D(2020, 5, 15), flags=DEA),
    "dea": LicenceFacts(rule_id="us-dea-mate", issued_on=D(2021, 3, 15)),
}  # fmt: skip
TOPICS = [
    "ethics", "texas_opioid", "opioid_prescribing", "pain_management", "patient_safety",
    "medical_errors", "pennsylvania_child_abuse", "human_trafficking", "geriatrics",
    "new_york_infection_control", "hiv_aids", "domestic_violence", "substance_use_disorder",
    "duty_to_report", "florida_controlled_substance", "tennessee_controlled_substance",
]  # fmt: skip
CATEGORIES = ["ama_pra_1", "ama_pra_2", "aoa_1a", "aoa_1b", "aafp_prescribed", "aafp_elective",
              "moc", "ancc", "other"]  # fmt: skip
ACTIVITIES = [None, "live_course", "rss", "internet_live", "enduring", "teaching", "scholarly",
              "professional_enrichment", "board_certification"]  # fmt: skip

days = st.dates(D(2016, 1, 1), D(2031, 12, 31))
today_st = st.dates(D(2024, 1, 1), D(2030, 12, 31))
amounts = st.integers(0, 120).map(lambda n: Decimal(n) / 4)


def near(today: date) -> st.SearchStrategy[date]:
    """Mostly the last few years before ``today`` (where windows are), sometimes anywhere."""
    recent = st.integers(-60, 3 * 365).map(lambda back: today - timedelta(days=back))
    return st.one_of(recent, recent, recent, days)


@st.composite
def credit(
    draw: st.DrawFn,
    entry_id: str = "new",
    when: st.SearchStrategy[date] = days,
    activities: tuple[str | None, ...] = tuple(ACTIVITIES),
) -> CreditItem:
    return CreditItem(
        entry_id=entry_id,
        completed_on=draw(when),
        amount=draw(amounts),
        category=draw(st.sampled_from(CATEGORIES)),
        topics=draw(st.frozensets(st.sampled_from(TOPICS), max_size=3)),
        activity_type=draw(st.sampled_from(activities)),
    )


@st.composite
def scenario(
    draw: st.DrawFn,
    names: tuple[str, ...] = tuple(sorted(LICENCES)),
    activities: tuple[str | None, ...] = tuple(ACTIVITIES),
) -> tuple[LicenceFacts, list[CreditItem], date]:
    """A licence, a day, and up to 25 entries mostly near that day."""
    today = draw(today_st)
    count = draw(st.integers(0, 25))
    entries = [draw(credit(f"e{i}", near(today), activities)) for i in range(count)]
    return LICENCES[draw(st.sampled_from(names))], entries, today


# 60 per property in the suite (it must stay within its 10 minutes on 2 cores); a longer
# run on demand: CME_PROPERTY_EXAMPLES=1000 scripts/test tests/domain/test_credits_properties.py
PROPERTY = settings(max_examples=int(os.environ.get("CME_PROPERTY_EXAMPLES", "60")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


def remainders(status: LicenceStatus) -> dict[str, Decimal]:
    found = {"total": status.remaining_total, "needed": status.hours_needed}
    found |= {f"cat:{c.category}": c.remaining for c in status.categories}
    found |= {f"act:{a.activity_type}": a.remaining for a in status.activities}
    found |= {f"m:{m.mandate_id}": m.remaining for m in status.mandates}
    return found


Scenario = tuple[LicenceFacts, list[CreditItem], date]


@PROPERTY
@given(scenario())
def test_remaining_is_never_negative(case: Scenario) -> None:
    facts, entries, today = case
    status = licence_status(facts, entries, today)
    assert all(value >= 0 for value in remainders(status).values())
    assert status.weekly_pace >= 0 and status.days_left >= 0
    assert status.earned_total >= 0
    assert status.complete == (
        status.hours_needed == 0 and status.activities_counted >= status.activities_required
    )


CAPPED = ("live_course", "teaching", "professional_enrichment", "board_certification")


@PROPERTY
@given(scenario(), st.data())
def test_adding_a_credit_never_increases_what_remains(case: Scenario, data: st.DataObject) -> None:
    check_monotone(case, data.draw(credit(when=near(case[2]))))


@PROPERTY
@given(scenario(("aafp",), CAPPED), st.data())
def test_adding_a_capped_credit_never_increases_what_remains(
    case: Scenario, data: st.DataObject
) -> None:
    check_monotone(case, data.draw(credit(when=near(case[2]), activities=CAPPED)))


def check_monotone(case: Scenario, new: CreditItem) -> None:
    facts, entries, today = case
    before = licence_status(facts, entries, today)
    after = licence_status(facts, [*entries, new], today)
    if (before.window, before.overdue) != (after.window, after.overdue):
        # Logging an old credit can reveal that the previous cycle is still being made
        # up (or that it is cured): a different cycle is shown, so nothing to compare.
        assert before.makeup_until or after.makeup_until
        return
    old, new_ = remainders(before), remainders(after)
    for key, value in new_.items():
        assert value <= old[key], f"{key}: {old[key]} -> {value}"
    assert after.earned_total >= before.earned_total
    assert after.complete or not before.complete


@PROPERTY
@given(scenario(), st.data())
def test_another_kind_of_credit_for_a_logged_activity_never_increases_what_remains(
    case: Scenario, data: st.DataObject
) -> None:
    """"2 Category 1 credits and 2 MOC points" for one activity: the second kind, linked to
    the first, can only add (each requirement counts the larger of the two)."""
    facts, entries, today = case
    if not entries:
        return
    first = data.draw(st.sampled_from(entries))
    other = replace(
        first,
        entry_id=f"{first.entry_id}-also",
        amount=data.draw(amounts),
        category=data.draw(st.sampled_from(CATEGORIES)),
        same_as=first.entry_id,
    )
    check_monotone(case, other)
    together = licence_status(facts, [*entries, other], today)
    apart = licence_status(facts, [*entries, replace(other, same_as=None)], today)
    assert together.earned_total <= apart.earned_total  # counted once, not twice
    assert together.activities_counted <= apart.activities_counted
    assert licence_status(facts, [other, *reversed(entries)], today) == together


@PROPERTY
@given(scenario(), st.randoms())
def test_the_order_of_entries_does_not_matter(case: Scenario, rnd: random.Random) -> None:
    facts, entries, today = case
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert licence_status(facts, shuffled, today) == licence_status(facts, entries, today)


@PROPERTY
@given(scenario(), st.data())
def test_an_entry_after_the_window_changes_nothing(case: Scenario, data: st.DataObject) -> None:
    facts, entries, today = case
    before = licence_status(facts, entries, today)
    ends = [before.deadline, *(m.due_by for m in before.mandates if m.due_by)]
    if before.makeup_until:
        ends.append(before.makeup_until)
    after_all = max(ends) + timedelta(days=31)
    late = data.draw(credit(when=st.dates(after_all, after_all + timedelta(days=3000))))
    assert licence_status(facts, [*entries, late], today) == before


@PROPERTY
@given(scenario(tuple(sorted(WINDOW_ONLY))), st.data())
def test_an_entry_before_the_window_changes_nothing(case: Scenario, data: st.DataObject) -> None:
    facts, entries, today = case
    before = licence_status(facts, entries, today)
    start = before.window.start - timedelta(days=1)
    early = data.draw(credit(when=st.dates(start - timedelta(days=3000), start)))
    after = licence_status(facts, [*entries, early], today)
    # It may show that the previous cycle ended short (or that something was logged for
    # it); this cycle's figures stay the same.
    unchanged = {"previous_shortfall": None, "previous_logged": True}
    assert replace(after, **unchanged) == replace(before, **unchanged)
