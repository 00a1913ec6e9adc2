"""Worked cases for every shipped rule, with the exact numbers a clinician would see.

Each case names a licence, its entries and a day; ``expect`` lists only what the case is
about. Keys: window, renewal, days_left, overdue, makeup_until, total_required, claimed,
earned, remaining, needed, pace, complete, carry, caps ({activity: excluded}),
notes (substring), "cat:<id>" -> (required, earned, remaining), "act:<id>" -> same,
"m:<id>" -> (due, required, earned, remaining) or a dict of MandateStatus fields
(``why`` is matched as a substring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.domain.credits import CreditItem, LicenceFacts, LicenceStatus, licence_status
from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
from bot.domain.requirements import shipped_rulebook

D = date


def item(
    entry_id: str, day: date, amount: float | str, category: str = "ama_pra_1",
    topics: tuple[str, ...] = (), activity: str | None = None,
) -> CreditItem:  # fmt: skip
    return CreditItem(entry_id, day, Decimal(str(amount)), category, frozenset(topics), activity)


def custom(text: str) -> LicenceFacts:
    spec = parse_custom_requirement(text)
    assert isinstance(spec, CustomRequirementSpec), spec
    return LicenceFacts(custom_rule=spec.to_rule("custom-1"), licence_id="custom")


@dataclass(frozen=True)
class Case:
    facts: LicenceFacts
    today: date
    entries: tuple[CreditItem, ...]
    expect: dict[str, Any] = field(default_factory=dict)


DPC = frozenset({"direct_patient_care"})
DEA = frozenset({"dea_registrant"})


def fl(**kw: Any) -> LicenceFacts:
    return LicenceFacts(rule_id="us-fl-md", renewal_date=D(2027, 1, 31), **kw)


def tx(**kw: Any) -> LicenceFacts:
    kw.setdefault("renewal_date", D(2027, 8, 31))
    kw.setdefault("flags", DPC)
    return LicenceFacts(rule_id="us-tx-md", **kw)


def ca(**kw: Any) -> LicenceFacts:
    kw.setdefault("issued_on", D(2019, 3, 10))
    return LicenceFacts(rule_id="us-ca-md", **kw)


FL_ENTRIES = (
    item("a", D(2025, 2, 1), 30),
    item("b", D(2027, 1, 31), 4, topics=("medical_errors",)),
    item("c", D(2027, 2, 1), 5),
)
FL_FIRST = (
    item("me", D(2026, 1, 10), 2, topics=("medical_errors",)),
    item("hiv", D(2026, 2, 10), 1, topics=("hiv_aids",)),
)
TX_FIRST = (
    item("ht", D(2026, 1, 5), 1, topics=("human_trafficking",)),
    item("eth", D(2026, 1, 6), 2, topics=("ethics",)),
    item("op", D(2026, 1, 7), 4, topics=("texas_opioid",)),
)
TX_SHORT = (
    item("eth", D(2026, 1, 10), 2, topics=("ethics",)),
    item("gen", D(2026, 2, 10), 38),
)
PA_ENTRIES = (
    item("s", D(2025, 6, 1), 10, topics=("patient_safety",)),
    item("c", D(2025, 7, 1), 2, "ama_pra_2", ("pennsylvania_child_abuse", "patient_safety")),
    item("o", D(2025, 8, 1), 2, topics=("opioid_prescribing", "risk_management")),
)
AAFP = {"rule_id": "aafp-membership", "issued_on": D(2020, 5, 10)}
NY = {"rule_id": "us-ny-md", "issued_on": D(2020, 5, 15)}
NY_IC = item("ic", D(2022, 6, 1), 2, "other", ("new_york_infection_control",))

CASES: dict[str, Case] = {
    # ------------------------------------------------------------------ Florida
    "fl-day-before-deadline": Case(fl(renewals_done=2), D(2027, 1, 30), FL_ENTRIES, {
        "window": (D(2025, 2, 1), D(2027, 1, 31)), "renewal": 3, "days_left": 1,
        "earned": 34, "remaining": 6, "needed": 6, "pace": Decimal("42.0"), "complete": False,
        "m:fl-medical-errors": (True, 2, 4, 0), "m:fl-domestic-violence": (True, 2, 0, 2),
        "m:fl-hiv-aids": (False, 1, 0, 1),
    }),
    "fl-deadline-day-counts-the-deadline": Case(fl(renewals_done=2), D(2027, 1, 31), FL_ENTRIES, {
        "window": (D(2025, 2, 1), D(2027, 1, 31)), "days_left": 0, "earned": 34,
        "pace": Decimal("6.0"), "overdue": False,
    }),
    "fl-day-after-deadline-new-cycle": Case(fl(renewals_done=2), D(2027, 2, 1), FL_ENTRIES, {
        "window": (D(2027, 2, 1), D(2029, 1, 31)), "renewal": 4, "days_left": 730,
        "earned": 5, "remaining": 35, "pace": Decimal("0.4"),
        "m:fl-domestic-violence": {"due": False, "why": "not due this cycle: every third"},
    }),
    "fl-hiv-first-renewal-only": Case(fl(renewals_done=0), D(2026, 6, 1), FL_FIRST, {
        "renewal": 1, "total_required": 0, "earned": 3, "complete": True,
        "m:fl-hiv-aids": {"due": True, "remaining": 0, "why": "first renewal only"},
        "m:fl-domestic-violence": {"due": False},
    }),
    "fl-hiv-missing-at-first-renewal": Case(fl(renewals_done=0), D(2026, 6, 1), FL_FIRST[:1], {
        "complete": False, "needed": 1, "m:fl-hiv-aids": (True, 1, 0, 1),
    }),
    "fl-no-hiv-at-second-renewal": Case(fl(renewals_done=1), D(2026, 6, 1), FL_FIRST, {
        "renewal": 2, "total_required": 40, "remaining": 37,
        "m:fl-hiv-aids": {"due": False, "why": "this is renewal 2"},
    }),
    "fl-domestic-violence-sixth-renewal": Case(fl(renewals_done=5), D(2026, 6, 1), (), {
        "renewal": 6, "m:fl-domestic-violence": (True, 2, 0, 2),
    }),
    "fl-dea-registrant-needs-the-florida-course": Case(
        fl(renewals_done=3, flags=DEA), D(2026, 6, 1),
        (item("op", D(2026, 1, 1), 2, topics=("opioid_prescribing",)),),
        {"m:fl-controlled-substances": (True, 2, 0, 2)},
    ),
    "fl-florida-course-counts": Case(
        fl(renewals_done=3, flags=DEA), D(2026, 6, 1),
        (item("fcs", D(2026, 1, 1), 2, topics=("florida_controlled_substance",)),),
        {"m:fl-controlled-substances": (True, 2, 2, 0)},
    ),
    "fl-controlled-substances-only-for-dea": Case(fl(renewals_done=3), D(2026, 6, 1), (), {
        "m:fl-controlled-substances": {"due": False, "why": "only for DEA registrants"},
    }),
    "fl-renewal-number-from-issue-date": Case(
        fl(issued_on=D(2020, 6, 1)), D(2026, 6, 1), (), {"renewal": 4},
    ),
    # ------------------------------------------------------------------- Texas
    "tx-first-renewal-exempt-but-mandates-apply": Case(
        tx(renewals_done=0), D(2026, 6, 1), TX_FIRST, {
            "renewal": 1, "total_required": 0, "earned": 7, "complete": True,
            "cat:ama_pra_1": (0, 7, 0), "m:tx-ethics": (True, 2, 3, 0),
            "m:tx-human-trafficking": (True, 1, 1, 0), "m:tx-opioid-initial": (True, 4, 4, 0),
            "m:tx-opioid-first-year": (True, 2, 4, 0), "m:tx-opioid-8y": {"due": False},
        },
    ),
    "tx-second-renewal": Case(tx(renewals_done=1), D(2026, 6, 1), TX_FIRST, {
        "renewal": 2, "total_required": 48, "earned": 7, "remaining": 41,
        "cat:ama_pra_1": (24, 7, 17),
        "m:tx-human-trafficking": {"due": False, "why": "at the first renewal, then every third"},
        "m:tx-opioid-initial": {"due": True, "why": "in each of the first two renewal periods"},
        "m:tx-opioid-first-year": {"due": False}, "m:tx-opioid-8y": {"due": False},
    }),
    "tx-fourth-renewal-trafficking-again": Case(tx(renewals_done=3), D(2026, 6, 1), (), {
        "renewal": 4, "m:tx-human-trafficking": (True, 1, 0, 1),
        "m:tx-opioid-initial": {"due": False}, "m:tx-opioid-8y": (True, 2, 0, 2),
    }),
    "tx-opioid-once-every-8-years": Case(
        tx(renewals_done=2), D(2026, 6, 1),
        (item("op", D(2020, 1, 15), 2, topics=("texas_opioid",)),),
        {"renewal": 3, "earned": 0,
         "m:tx-opioid-8y": {"due": True, "earned": 2, "remaining": 0,
                            "counted_from": D(2019, 9, 1), "why": "once every 8 years"}},
    ),
    "tx-opioid-older-than-8-years": Case(
        tx(renewals_done=2), D(2026, 6, 1),
        (item("op", D(2019, 8, 31), 2, topics=("texas_opioid",)),),
        {"m:tx-opioid-8y": (True, 2, 0, 2)},
    ),
    "tx-opioid-2h-by-first-anniversary": Case(
        tx(issued_on=D(2025, 10, 15)), D(2026, 12, 1),
        (item("op", D(2026, 11, 1), 2, topics=("opioid_prescribing",)),),
        {"renewal": 1, "window": (D(2025, 10, 15), D(2027, 8, 31)),
         "m:tx-opioid-first-year": {"due": True, "blocking": True, "due_by": D(2026, 10, 15),
                                    "earned": 0, "remaining": 2},
         "m:tx-opioid-initial": (True, 4, 2, 2)},
    ),
    "tx-no-direct-patient-care": Case(tx(renewals_done=0, flags=frozenset()), D(2026, 6, 1), (), {
        "m:tx-human-trafficking": {"due": False, "why": "only for physicians in direct patient"},
        "m:tx-ethics": (True, 2, 0, 2),
    }),
    "tx-carry-over-at-most-48": Case(
        tx(renewals_done=5, flags=frozenset()), D(2026, 6, 1),
        (item("p1", D(2024, 3, 1), 100), item("p2", D(2024, 3, 2), 2, topics=("ethics",))),
        {"carry": 48, "earned": 48, "remaining": 0, "cat:ama_pra_1": (24, 0, 24),
         "m:tx-ethics": (True, 2, 0, 2), "needed": 24, "complete": False},
    ),
    "tx-mandated-credits-never-carry": Case(
        tx(renewals_done=5, flags=frozenset()), D(2026, 6, 1),
        (item("p1", D(2024, 3, 1), 50), item("p2", D(2024, 3, 2), 6, topics=("ethics",)),
         item("c1", D(2026, 1, 1), 40)),
        {"carry": 8, "earned": 48, "remaining": 0, "m:tx-ethics": (True, 2, 0, 2),
         "needed": 2, "complete": False},
    ),
    "tx-make-up-window-shows-old-cycle-overdue": Case(
        tx(renewals_done=4, flags=frozenset()), D(2027, 9, 10), TX_SHORT,
        {"overdue": True, "window": (D(2025, 9, 1), D(2027, 8, 31)), "renewal": 5,
         "makeup_until": D(2027, 9, 30), "days_left": 20, "earned": 40, "remaining": 8,
         "pace": Decimal("2.8")},
    ),
    "tx-make-up-credits-cure-the-old-cycle-once": Case(
        tx(renewals_done=4, flags=frozenset()), D(2027, 9, 10),
        (*TX_SHORT, item("m", D(2027, 9, 5), 10)),
        {"overdue": False, "window": (D(2027, 9, 1), D(2029, 8, 31)), "renewal": 6,
         "earned": 2, "remaining": 46, "notes": "8 credits earned in the make-up window"},
    ),
    "tx-cured-credits-count-toward-nothing-next": Case(  # QA: they met its ethics and Cat 1
        tx(renewals_done=4, flags=frozenset()), D(2027, 10, 5),
        (item("eth", D(2026, 1, 10), 2, topics=("ethics",)), item("gen", D(2026, 2, 10), 10),
         item("m", D(2027, 9, 5), 3, topics=("ethics",))),
        {"window": (D(2027, 9, 1), D(2029, 8, 31)), "earned": 0,
         "cat:ama_pra_1": (24, 0, 24), "m:tx-ethics": (True, 2, 0, 2),
         "notes": "3 credits earned in the make-up window cured"},
    ),
    "tx-a-short-mandate-is-cured-first": Case(  # the ethics course cured it, not the other
        tx(renewals_done=4, flags=frozenset()), D(2027, 10, 5),
        (item("gen", D(2026, 2, 10), 48), item("a", D(2027, 9, 2), 5),
         item("e", D(2027, 9, 5), 2, topics=("ethics",))),
        {"earned": 5, "m:tx-ethics": (True, 2, 0, 2),
         "notes": "2 credits earned in the make-up window cured"},
    ),
    "tx-after-the-make-up-window": Case(
        tx(renewals_done=4, flags=frozenset()), D(2027, 10, 5), TX_SHORT,
        {"overdue": False, "window": (D(2027, 9, 1), D(2029, 8, 31)), "earned": 0},
    ),
    "tx-renewed-already-no-overdue": Case(
        tx(renewals_done=5, flags=frozenset(), renewal_date=D(2029, 8, 31)), D(2027, 9, 10),
        TX_SHORT, {"overdue": False, "window": (D(2027, 9, 1), D(2029, 8, 31)), "renewal": 6},
    ),
    # -------------------------------------------------------------- California
    "ca-one-time-12h-any-date-counts": Case(
        ca(), D(2020, 6, 1),
        (item("p", D(2018, 12, 1), 6, topics=("pain_management",)),
         item("e", D(2020, 5, 1), 6, topics=("end_of_life_care",))),
        {"window": (D(2019, 3, 10), D(2021, 3, 31)), "renewal": 1, "earned": 6, "remaining": 44,
         "m:ca-pain-terminally-ill": {"due": True, "blocking": False, "due_by": D(2023, 3, 10),
                                      "earned": 12, "remaining": 0}},
    ),
    "ca-one-time-12h-blocks-the-second-renewal": Case(
        ca(), D(2022, 6, 1), (item("p", D(2021, 5, 1), 4, topics=("pain_management",)),),
        {"window": (D(2021, 4, 1), D(2023, 3, 31)), "renewal": 2, "needed": 46,
         "m:ca-pain-terminally-ill": {"due": True, "blocking": True, "due_by": D(2023, 3, 10),
                                      "remaining": 8, "why": "whichever comes first"}},
    ),
    "ca-one-time-12h-not-due-after-second-renewal": Case(ca(), D(2024, 1, 1), (), {
        "renewal": 3, "m:ca-pain-terminally-ill": {"due": False},
    }),
    "ca-pathologists-exempt": Case(ca(specialties=frozenset({"pathology"})), D(2020, 6, 1), (), {
        "m:ca-pain-terminally-ill": {"due": False, "why": "not required for Pathology"},
    }),
    "ca-geriatrics-20-percent": Case(
        ca(specialties=frozenset({"internal_medicine"}),
           flags=frozenset({"geriatric_panel_over_25pct"})),
        D(2022, 6, 1), (item("g", D(2022, 1, 1), 6, topics=("dementia",)),),
        {"m:ca-geriatrics": (True, 10, 6, 4)},
    ),
    "ca-geriatrics-not-for-surgeons": Case(
        ca(specialties=frozenset({"surgery"}), flags=frozenset({"geriatric_panel_over_25pct"})),
        D(2022, 6, 1), (), {"m:ca-geriatrics": {"due": False}},
    ),
    "ca-born-in-february-leap-deadline": Case(
        ca(issued_on=D(2010, 1, 10), birth_month=2), D(2024, 2, 29), (),
        {"window": (D(2022, 3, 1), D(2024, 2, 29)), "renewal": 7, "days_left": 0},
    ),
    "ca-born-in-february-day-after-leap-deadline": Case(
        ca(issued_on=D(2010, 1, 10), birth_month=2), D(2024, 3, 1), (),
        {"window": (D(2024, 3, 1), D(2026, 2, 28)), "renewal": 8},
    ),
    # --------------------------------------------------------------- Tennessee
    "tn-even-birth-year-leap-deadline": Case(
        LicenceFacts(rule_id="us-tn-md", birth_date=D(1980, 2, 14)), D(2028, 2, 29), (),
        {"window": (D(2026, 3, 1), D(2028, 2, 29))},
    ),
    "tn-day-after-leap-deadline": Case(
        LicenceFacts(rule_id="us-tn-md", birth_date=D(1980, 2, 14)), D(2028, 3, 1), (),
        {"window": (D(2028, 3, 1), D(2030, 2, 28))},
    ),
    "tn-odd-birth-year": Case(
        LicenceFacts(rule_id="us-tn-md", birth_month=2, birth_year=1981), D(2026, 5, 1), (),
        {"window": (D(2025, 3, 1), D(2027, 2, 28))},
    ),
    "tn-dea-registrant-needs-tennessee-course": Case(
        LicenceFacts(rule_id="us-tn-md", birth_date=D(1980, 7, 2), flags=DEA), D(2026, 5, 1),
        (item("op", D(2025, 1, 1), 2, topics=("opioid_prescribing",)),
         item("tn", D(2025, 2, 1), 2, topics=("tennessee_controlled_substance",))),
        {"window": (D(2024, 8, 1), D(2026, 7, 31)), "earned": 4, "remaining": 36,
         "m:tn-controlled-substances": (True, 2, 2, 0)},
    ),
    # ------------------------------------------------------------ Pennsylvania
    "pa-patient-safety-not-from-child-abuse-or-opioids": Case(
        LicenceFacts(rule_id="us-pa-md"), D(2026, 6, 1), PA_ENTRIES,
        {"window": (D(2025, 1, 1), D(2026, 12, 31)), "earned": 14, "remaining": 86,
         "cat:ama_pra_1": (20, 12, 8), "m:pa-patient-safety": (True, 12, 10, 2),
         "m:pa-child-abuse": (True, 2, 2, 0), "m:pa-opioid": (True, 2, 2, 0)},
    ),
    "pa-deadline-day": Case(LicenceFacts(rule_id="us-pa-md"), D(2026, 12, 31), (), {
        "window": (D(2025, 1, 1), D(2026, 12, 31)), "days_left": 0,
    }),
    "pa-new-cycle-on-january-1": Case(LicenceFacts(rule_id="us-pa-md"), D(2027, 1, 1), (), {
        "window": (D(2027, 1, 1), D(2028, 12, 31)),
    }),
    "pa-initial-licence-opioid-hours": Case(
        LicenceFacts(rule_id="us-pa-md", issued_on=D(2025, 6, 15)), D(2026, 3, 1), (),
        {"window": (D(2025, 6, 15), D(2026, 12, 31)), "renewal": 1,
         "m:pa-opioid-initial": {"due": True, "blocking": True, "due_by": D(2026, 6, 15),
                                 "remaining": 4},
         "m:pa-child-abuse-initial": {"due": False, "why": "before your first licence"}},
    ),
    # -------------------------------------------------------------------- Ohio
    "oh-only-category-1-counts": Case(
        LicenceFacts(rule_id="us-oh-md", renewal_date=D(2027, 4, 1)), D(2026, 1, 1),
        (item("a", D(2025, 5, 1), 48), item("d", D(2025, 6, 1), 1, topics=("duty_to_report",)),
         item("o", D(2025, 7, 1), 1, "aoa_1a"), item("x", D(2025, 8, 1), 5, "ama_pra_2")),
        {"window": (D(2025, 4, 2), D(2027, 4, 1)), "earned": 50, "remaining": 0,
         "m:oh-duty-to-report": (True, 1, 1, 0), "complete": True},
    ),
    # ---------------------------------------------------------------- New York
    "ny-infection-control-within-4-years": Case(LicenceFacts(**NY), D(2025, 1, 1), (NY_IC,), {
        "window": (D(2024, 5, 16), D(2026, 5, 15)), "renewal": 3, "total_required": 0,
        "m:ny-infection-control": {"due": True, "earned": 2, "remaining": 0,
                                   "counted_from": D(2022, 5, 16)},
        "complete": True,
    }),
    "ny-infection-control-older-than-4-years": Case(
        LicenceFacts(**NY), D(2025, 1, 1),
        (item("ic", D(2022, 5, 1), 2, "other", ("new_york_infection_control",)),),
        {"m:ny-infection-control": (True, 1, 0, 1), "complete": False},
    ),
    # QA round 13: once within each of the law's three-year periods (to Jul 1, 2020, 2023,
    # 2026…), not the three years before the registration's deadline.
    "ny-dea-registrant-3h-every-3-years": Case(
        LicenceFacts(**NY, flags=DEA), D(2025, 1, 1),
        (NY_IC, item("p", D(2023, 8, 1), 3, topics=("pain_management",))),
        {"m:ny-pain-palliative-addiction": {"due": True, "earned": 3, "remaining": 0,
                                            "counted_from": D(2023, 7, 2),
                                            "due_by": D(2026, 7, 1)}},
    ),
    "ny-pain-course-of-the-previous-period": Case(
        LicenceFacts(**NY, flags=DEA), D(2025, 1, 1),
        (NY_IC, item("p", D(2023, 6, 1), 3, topics=("pain_management",))),
        {"m:ny-pain-palliative-addiction": {"due": True, "earned": 0, "remaining": 3,
                                            "counted_from": D(2023, 7, 2)}},
    ),
    "ny-pain-course-only-for-dea": Case(LicenceFacts(**NY), D(2025, 1, 1), (NY_IC,), {
        "m:ny-pain-palliative-addiction": {"due": False}, "complete": True,
    }),
    # --------------------------------------------------------------------- DEA
    "dea-mate-due-at-first-renewal-after-june-2023": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2021, 3, 15)), D(2023, 1, 1),
        (item("sud", D(2019, 5, 1), 8, "other", ("opioid_use_disorder",)),),
        {"window": (D(2021, 3, 15), D(2024, 3, 15)), "m:dea-mate": (True, 8, 8, 0),
         "complete": True},
    ),
    # QA: due at a renewal already behind and nothing logged was "complete, not required
    # this cycle". One-time: shown in every later cycle, done (whenever) or still to log.
    "dea-mate-due-at-a-past-renewal-not-logged": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2021, 3, 15)), D(2025, 1, 1), (),
        {"window": (D(2024, 3, 16), D(2027, 3, 15)), "renewal": 2, "complete": False,
         "needed": 8,
         "m:dea-mate": {"due": True, "blocking": True, "past_due": True, "remaining": 8,
                        "why": "one-time, was due at your renewal on Mar 15, 2024"}},
    ),
    "dea-mate-done-long-before-counts-in-a-later-cycle": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2021, 3, 15)), D(2028, 1, 1),
        (item("a", D(2019, 5, 1), 5, "other", ("opioid_use_disorder",)),
         item("b", D(2019, 6, 1), 3, "other", ("dea_mate_training",)),
         item("c", D(2020, 1, 1), 2, "other", ("substance_use_disorder",))),
        {"window": (D(2027, 3, 16), D(2030, 3, 15)), "renewal": 3, "complete": True,
         "m:dea-mate": {"due": True, "past_due": True, "earned": 10, "remaining": 0,
                        "done_on": D(2019, 6, 1), "one_time": True}},
    ),
    "dea-mate-done-late-still-counts": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2021, 3, 15)), D(2025, 1, 1),
        (item("late", D(2024, 12, 1), 8, "other", ("substance_use_disorder",)),),
        {"complete": True, "m:dea-mate": {"remaining": 0, "done_on": D(2024, 12, 1)}},
    ),
    "dea-mate-new-registration": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2024, 1, 10)), D(2025, 1, 1), (),
        {"complete": False, "m:dea-mate": {
            "due": True, "past_due": True,
            "why": "one-time, was due when you first registered, on Jan 10, 2024"}},
    ),
    # Renewal counts as given (QA: Aug 15, 2027, renewed once / never).
    "dea-mate-renewed-once": Case(
        LicenceFacts(rule_id="us-dea-mate", renewal_date=D(2027, 8, 15), renewals_done=1),
        D(2026, 11, 24), (),
        {"complete": False, "m:dea-mate": {
            "past_due": True, "why": "was due at your renewal on Aug 15, 2024"}},
    ),
    "dea-mate-never-renewed-next-cycle": Case(
        LicenceFacts(rule_id="us-dea-mate", renewal_date=D(2027, 8, 15), renewals_done=0),
        D(2027, 9, 1), (item("t", D(2026, 10, 1), 8, "other", ("dea_mate_training",)),),
        {"window": (D(2027, 8, 16), D(2030, 8, 15)), "complete": True, "m:dea-mate": {
            "due": True, "remaining": 0, "done_on": D(2026, 10, 1),
            "why": "one-time, was due when you first registered"}},
    ),
    "dea-leap-day-registration": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2020, 2, 29)), D(2023, 1, 1), (),
        {"window": (D(2020, 2, 29), D(2023, 2, 28)),
         "m:dea-mate": {"due": False, "why": "not in force yet"}},
    ),
    "dea-leap-day-registration-next-cycle": Case(
        LicenceFacts(rule_id="us-dea-mate", issued_on=D(2020, 2, 29)), D(2025, 6, 1), (),
        {"window": (D(2023, 3, 1), D(2026, 2, 28)), "m:dea-mate": (True, 8, 0, 8)},
    ),
    # -------------------------------------------------------------------- AAFP
    "aafp-first-cycle-is-four-calendar-years": Case(LicenceFacts(**AAFP), D(2021, 1, 1), (), {
        "window": (D(2020, 5, 10), D(2023, 12, 31)), "renewal": 1,
    }),
    "aafp-caps-per-activity-type": Case(
        LicenceFacts(**AAFP), D(2025, 6, 1),
        (item("l", D(2024, 2, 1), 50, "aafp_prescribed", activity="live_course"),
         item("t", D(2024, 3, 1), 100, "aafp_prescribed", activity="teaching"),
         item("p", D(2024, 4, 1), 30, "aafp_elective", activity="professional_enrichment")),
        {"window": (D(2024, 1, 1), D(2026, 12, 31)), "claimed": 180, "earned": 135,
         "remaining": 15, "needed": 15, "cat:aafp_prescribed": (75, 110, 0),
         "act:live": (25, 50, 0), "caps": {"teaching": 40, "professional_enrichment": 5}},
    ),
    "aafp-150-claimed-but-110-count": Case(
        LicenceFacts(**AAFP), D(2025, 6, 1),
        (item("l", D(2024, 2, 1), 50, "aafp_prescribed", activity="rss"),
         item("t", D(2024, 3, 1), 100, "aafp_prescribed", activity="teaching")),
        {"claimed": 150, "earned": 110, "remaining": 40, "caps": {"teaching": 40}},
    ),
    "aafp-live-minimum": Case(
        LicenceFacts(**AAFP), D(2025, 6, 1),
        (item("e", D(2024, 2, 1), 150, "aafp_prescribed", activity="enduring"),),
        {"earned": 150, "remaining": 0, "act:live": (25, 0, 25), "needed": 25,
         "complete": False},
    ),
    "aafp-ama-category-1-counts-as-elective": Case(
        LicenceFacts(**AAFP), D(2025, 6, 1),
        (item("l", D(2024, 2, 1), 80, "aafp_prescribed", activity="internet_live"),
         item("a", D(2024, 3, 1), 70, "ama_pra_1", activity="enduring")),
        {"earned": 150, "cat:aafp_prescribed": (75, 80, 0), "complete": True},
    ),
    # -------------------------------------------------------------------- ABIM
    "abim-100-points-in-5-years": Case(
        LicenceFacts(rule_id="abim-moc", issued_on=D(2021, 7, 1)), D(2024, 5, 1),
        (item("m", D(2022, 1, 1), 60, "moc"), item("c", D(2022, 2, 1), 10)),
        {"window": (D(2021, 7, 1), D(2026, 12, 31)), "earned": 60, "remaining": 40},
    ),
    "abim-an-activity-every-2-years-missing": Case(
        LicenceFacts(rule_id="abim-moc-2y", issued_on=D(2021, 7, 1)), D(2024, 5, 1), (),
        {"window": (D(2024, 1, 1), D(2025, 12, 31)), "renewal": 2, "needed": 0,
         "complete": False},
    ),
    "abim-an-activity-every-2-years-done": Case(
        LicenceFacts(rule_id="abim-moc-2y", issued_on=D(2021, 7, 1)), D(2024, 5, 1),
        (item("m", D(2024, 3, 1), 2, "moc"),), {"complete": True},
    ),
    # ------------------------------------------------------------------ custom
    "custom-40-by-june-2027-2-of-them-ethics": Case(
        custom("I need 40 credits by 2027-06-30, 2 of them ethics"), D(2026, 6, 1),
        (item("a", D(2026, 1, 1), 29), item("e", D(2026, 2, 1), 1, topics=("ethics",)),
         item("old", D(2025, 6, 30), 5)),
        {"window": (D(2025, 7, 1), D(2027, 6, 30)), "days_left": 394, "earned": 30,
         "remaining": 10, "needed": 10, "pace": Decimal("0.2"), "m:custom-ethics": (True, 2, 1, 1)},
    ),
    "custom-after-the-deadline": Case(
        custom("40 credits by 2027-06-30"), D(2027, 7, 10), (),
        {"window": (D(2025, 7, 1), D(2027, 6, 30)), "overdue": True, "days_left": 0,
         "pace": Decimal("40.0")},
    ),
    "custom-category-1-only": Case(
        custom("40 cat 1 by 2027-06-30"), D(2026, 6, 1),
        (item("a", D(2026, 1, 1), 30), item("b", D(2026, 1, 2), 20, "ama_pra_2")),
        {"earned": 30, "remaining": 10},
    ),
}  # fmt: skip


def check(status: LicenceStatus, expect: dict[str, Any]) -> None:
    simple = {
        "window": lambda s: (s.window.start, s.window.end),
        "renewal": lambda s: s.renewal_number,
        "days_left": lambda s: s.days_left,
        "overdue": lambda s: s.overdue,
        "makeup_until": lambda s: s.makeup_until,
        "total_required": lambda s: s.total_required,
        "claimed": lambda s: s.claimed_total,
        "earned": lambda s: s.earned_total,
        "remaining": lambda s: s.remaining_total,
        "needed": lambda s: s.hours_needed,
        "pace": lambda s: s.weekly_pace,
        "complete": lambda s: s.complete,
        "carry": lambda s: s.carry_over.applied if s.carry_over else 0,
        "caps": lambda s: {c.activity_type: c.excluded for c in s.caps_applied},
    }
    for key, want in expect.items():
        if key in simple:
            assert simple[key](status) == want, f"{key}: {simple[key](status)!r} != {want!r}"
        elif key == "notes":
            assert any(want in note for note in status.notes), status.notes
        elif key.startswith("cat:"):
            (got,) = [c for c in status.categories if c.category == key[4:]]
            assert (got.required, got.earned, got.remaining) == want, got
        elif key.startswith("act:"):
            (got,) = [a for a in status.activities if a.activity_type == key[4:]]
            assert (got.required, got.earned, got.remaining) == want, got
        elif key.startswith("m:"):
            (got,) = [m for m in status.mandates if m.mandate_id == key[2:]]
            if isinstance(want, tuple):
                assert (got.due, got.required, got.earned, got.remaining) == want, got
            else:
                for name, value in want.items():
                    actual = getattr(got, name)
                    if name == "why":
                        assert value in actual, f"{key}.why: {actual!r}"
                    else:
                        assert actual == value, f"{key}.{name}: {actual!r} != {value!r}"
        else:  # pragma: no cover - a typo in the table
            raise AssertionError(f"unknown expectation {key}")


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_worked_case(case: Case) -> None:
    check(licence_status(case.facts, case.entries, case.today), case.expect)


MINIMAL_FACTS = {
    "us-fl-md": {"renewal_date": D(2027, 1, 31)},
    "us-tx-md": {"renewal_date": D(2027, 8, 31)},
    "us-ca-md": {"issued_on": D(2019, 3, 10)},
    "us-pa-md": {},
    "us-oh-md": {"renewal_date": D(2027, 4, 1)},
    "us-ny-md": {"issued_on": D(2020, 5, 15)},
    "us-tn-md": {"birth_month": 2, "birth_year": 1980},
    "us-dea-mate": {"issued_on": D(2021, 3, 15)},
    "aafp-membership": {"issued_on": D(2020, 5, 10)},
    "abim-moc": {"issued_on": D(2021, 7, 1)},
    "abim-moc-2y": {"issued_on": D(2021, 7, 1)},
}


def test_every_shipped_rule_has_a_worked_case() -> None:
    assert set(MINIMAL_FACTS) == set(shipped_rulebook().ids)
    covered = {c.facts.rule_id for c in CASES.values() if c.facts.rule_id}
    assert covered == set(shipped_rulebook().ids)


@pytest.mark.parametrize("rule_id", sorted(MINIMAL_FACTS))
def test_uncertain_facts_are_surfaced_with_the_source(rule_id: str) -> None:
    rule = shipped_rulebook().get(rule_id)
    status = licence_status(
        LicenceFacts(rule_id=rule_id, **MINIMAL_FACTS[rule_id]), [], D(2026, 6, 1)
    )
    assert rule.uncertain, f"{rule_id} should say where its sources disagree"
    assert status.uncertain == rule.uncertain
    assert (status.source, status.checked) == (rule.source, D(2026, 11, 23))
    assert status.citation == rule.citation


@pytest.mark.parametrize(
    ("rule_id", "phrase"),
    [
        ("us-tx-md", "not less than two hours"),
        ("us-ca-md", "end of the birth month"),
        ("us-ny-md", "two years for physicians, others three"),
        ("us-oh-md", "last name"),
        ("us-fl-md", "every third biennial renewal"),
        ("aafp-membership", "30 on the CME page and 25"),
    ],
)
def test_known_disagreements_are_named(rule_id: str, phrase: str) -> None:
    assert phrase in shipped_rulebook().get(rule_id).uncertain


def test_a_custom_rule_has_no_uncertain_note() -> None:
    status = licence_status(custom("40 credits by 2027-06-30"), [], D(2026, 6, 1))
    assert status.uncertain == ""
    assert status.source == "entered by you"
