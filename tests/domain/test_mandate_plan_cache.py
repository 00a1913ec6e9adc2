"""Shared mandate plans are exactly the plans each licence would compute for itself.

``tally.mandate_plans`` keeps plans across licences keyed by what a plan reads; a key
that missed an input would hand one clinician another's plan. For random licences of
every shipped rule (flags, specialties, issue dates, renewal dates and counts, birth
months) and random days, the kept plan equals a fresh ``mandates.plan`` for every cycle
the status arithmetic evaluates, while the cache is shared across all examples.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.cycles import LicenceFacts, MissingFactError, cycle_info
from bot.domain.mandates import plan
from bot.domain.requirements import shipped_rulebook
from bot.domain.tally import mandate_plans

RULES = shipped_rulebook()
FLAGS = ["dea_registrant", "direct_patient_care", "geriatric_panel_over_25pct"]
SPECIALTIES = ["pathology", "radiology", "internal_medicine", "family_medicine", "pediatrics"]

facts = st.builds(
    LicenceFacts,
    rule_id=st.sampled_from(RULES.ids),
    licence_id=st.text(max_size=3),
    birth_month=st.integers(1, 12),
    birth_year=st.integers(1950, 1999),
    issued_on=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2029, 12, 31))),
    renewal_date=st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2031, 12, 31))),
    renewals_done=st.one_of(st.none(), st.integers(0, 8)),
    flags=st.frozensets(st.sampled_from(FLAGS)),
    specialties=st.frozensets(st.sampled_from(SPECIALTIES)),
)


@settings(max_examples=1500, deadline=None)
@given(facts, st.dates(date(2024, 1, 1), date(2031, 12, 31)))
def test_a_kept_plan_is_the_plan(licence: LicenceFacts, today: date) -> None:
    rule = licence.rule(RULES)
    try:
        info = cycle_info(rule, licence, today)
    except MissingFactError:
        return
    cycles = [info.current] + ([info.previous] if info.previous else [])
    for cycle in cycles:
        for until in (cycle.deadline, today):
            kept = mandate_plans(rule, licence, cycle, info.schedule, until)
            fresh = tuple(plan(m, licence, cycle, info.schedule, until) for m in rule.mandates)
            assert kept == fresh
