"""Domain side of QA's licence bugs: professions named in a licence search, the deadline a
typed renewal date leads to, overdue custom requirements and a short cycle just ended."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.credits import (
    CreditItem,
    LicenceFacts,
    PreviousShortfall,
    deadline_counted,
    licence_status,
)
from bot.domain.custom_requirements import CustomRequirementSpec
from bot.domain.requirements import named_professions, shipped_rulebook
from bot.store.models import Licence
from bot.tracking import LicenceView
from bot.views import render_status

D = date
RULES = shipped_rulebook()
CA = LicenceFacts(rule_id="us-ca-md", licence_id="ca", renewal_date=D(2027, 3, 31))


def cat1(entry_id: str, day: date, amount: str) -> CreditItem:
    return CreditItem(entry_id, day, Decimal(amount), "ama_pra_1")


# ------------------------------------------------------------------ professions
@pytest.mark.parametrize(
    ("text", "professions"),
    [
        ("california rn", ("rn",)),
        ("CA registered nurse", ("rn",)),
        ("nurse practitioner in new york", ("np",)),  # not "nurse" (rn)
        ("APRN ohio", ("np",)),
        ("texas lvn", ("lpn",)),
        ("PA-C california", ("pa",)),
        ("physician assistant", ("pa",)),
        ("Texas DO", ("do",)),
        ("florida md", ("md",)),
        ("pa", ()),  # Pennsylvania
        ("what do i need for texas", ()),  # a verb
        ("Texas", ()),
    ],
)
def test_professions_named_in_words(text: str, professions: tuple[str, ...]) -> None:
    assert named_professions(text) == professions


@pytest.mark.parametrize(
    ("text", "profession", "fits", "others"),
    [
        ("california rn", None, (), ("us-ca-md",)),
        ("nurse practitioner in new york", None, (), ("us-ny-md",)),
        ("np in new york", None, (), ("us-ny-md",)),  # not the weaker DEA match
        ("PA-C california", None, (), ("us-ca-md",)),
        ("california", "rn", (), ("us-ca-md",)),  # the onboarding profession
        ("texas DO", "rn", ("us-tx-md",), ()),  # the words win
        ("np dea", None, ("us-dea-mate",), ()),
        ("texas", None, ("us-tx-md",), ()),
    ],
)
def test_find_licence_never_hands_back_another_professions_rule(
    text: str, profession: str | None, fits: tuple[str, ...], others: tuple[str, ...]
) -> None:
    found = RULES.find_licence(text, profession)
    assert tuple(r.id for r in found.matches) == fits
    assert tuple(r.id for r in found.other_professions) == others


# ------------------------------------------------------------------ renewal dates
@pytest.mark.parametrize(
    ("rule_id", "typed", "counted"),
    [
        ("us-tx-md", D(2029, 8, 31), D(2027, 8, 31)),  # two cycles ahead: the next is 2027
        ("us-tx-md", D(2027, 8, 31), D(2027, 8, 31)),
        ("us-tx-md", D(2028, 12, 5), D(2028, 12, 5)),  # just within one cycle
        ("us-tx-md", D(2026, 11, 30), D(2028, 11, 30)),  # just passed: not "too far"
        ("us-ca-md", D(2029, 3, 31), D(2027, 3, 31)),
    ],
)
def test_the_deadline_a_typed_renewal_date_counts_toward(
    rule_id: str, typed: date, counted: date
) -> None:
    assert deadline_counted(RULES.get(rule_id), typed, D(2026, 12, 6)) == counted


def test_a_licence_renewed_early_counts_toward_the_deadline_kept() -> None:
    """Texas, renewed ahead: the cycle ending Aug 31 2027 is done; the next one counts, from
    its first day (a course today went to the renewal already made), with no make-up."""
    facts = LicenceFacts(rule_id="us-tx-md", renewal_date=D(2029, 8, 31), renewals_done=3)
    status = licence_status(facts, [cat1("a", D(2026, 12, 1), "10")], D(2026, 12, 6), RULES)
    assert (status.window.start, status.deadline) == (D(2027, 9, 1), D(2029, 8, 31))
    assert status.starts_on == D(2027, 9, 1) and status.earned_total == 0
    assert status.weekly_pace == Decimal("0.5")  # 48 credits over the 730 days of the cycle
    assert status.previous_shortfall is None and status.makeup_until is None
    later = licence_status(facts, [cat1("a", D(2027, 9, 2), "10")], D(2027, 9, 5), RULES)
    assert later.starts_on is None and later.earned_total == 10


# ------------------------------------------------------------------ overdue
def test_a_custom_requirement_past_its_deadline_counts_the_days_overdue() -> None:
    spec = CustomRequirementSpec(total=Decimal(20), deadline=D(2027, 3, 31))
    facts = LicenceFacts(custom_rule=spec.to_rule(rule_id="custom-1", entered_on=D(2026, 12, 1)))
    status = licence_status(facts, [cat1("a", D(2027, 1, 5), "5")], D(2027, 4, 5))
    assert status.overdue and status.days_overdue == 5 and status.days_left == 0
    assert status.hours_needed == 15
    assert licence_status(facts, [], D(2027, 3, 31)).days_overdue == 0  # due today


def test_an_overdue_status_shows_days_overdue_and_no_pace() -> None:
    spec = CustomRequirementSpec(total=Decimal(20), deadline=D(2027, 3, 31))
    facts = LicenceFacts(custom_rule=spec.to_rule(rule_id="custom-1", entered_on=D(2026, 12, 1)))
    licence = Licence(id=1, label="My requirement", custom_rule=spec.to_dict())
    text = render_status(LicenceView(licence, licence_status(facts, [], D(2027, 4, 5))))
    assert "Overdue by 5 days" in text and "Due today" not in text and "Pace" not in text
    one = render_status(LicenceView(licence, licence_status(facts, [], D(2027, 4, 1))))
    assert "Overdue by 1 day</b>" in one


# ------------------------------------------------------------------ short cycle
@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2027, 3, 31), None),  # the deadline itself: still the current cycle
        (D(2027, 4, 5), PreviousShortfall(D(2027, 3, 31), Decimal("24.5"))),
        (D(2027, 6, 29), PreviousShortfall(D(2027, 3, 31), Decimal("24.5"))),  # day 90
        (D(2027, 6, 30), None),
    ],
)
def test_a_short_cycle_is_reported_for_90_days(
    today: date, expected: PreviousShortfall | None
) -> None:
    status = licence_status(CA, [cat1("a", D(2026, 11, 20), "25.5")], today)
    assert status.previous_shortfall == expected
    if today > D(2027, 3, 31):
        assert status.deadline == D(2029, 3, 31) and status.earned_total == 0


def test_no_shortfall_when_nothing_was_logged_or_it_was_met_or_renewed() -> None:
    today = D(2027, 4, 5)
    assert licence_status(CA, [], today).previous_shortfall is None  # unknowable
    pain = CreditItem("p", D(2026, 5, 1), Decimal(12), "ama_pra_1", frozenset({"pain_management"}))
    met = [pain, cat1("a", D(2026, 11, 20), "38")]
    assert licence_status(CA, met, today).previous_shortfall is None
    renewed = LicenceFacts(rule_id="us-ca-md", renewal_date=D(2029, 3, 31))
    short = [cat1("a", D(2026, 11, 20), "25.5")]
    assert licence_status(renewed, short, today).previous_shortfall is None


def test_make_up_credits_count_before_a_shortfall_is_reported() -> None:
    tx = LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31), renewals_done=4)
    entries = [
        CreditItem("a", D(2026, 5, 1), Decimal(40), "ama_pra_1", frozenset({"ethics"})),
        cat1("late", D(2027, 9, 10), "3"),  # in the 30-day make-up window
    ]
    status = licence_status(tx, entries, D(2027, 10, 15))  # the window has closed
    assert status.previous_shortfall == PreviousShortfall(D(2027, 8, 31), Decimal(5))


@pytest.mark.parametrize(
    ("rule_id", "renewals", "shown", "hidden"),
    [
        # ABIM every 2 years asks an activity, no points: "0 / 0 points (100%)" and
        # "Still needed: 0 points" hid it
        ("abim-moc-2y", 1, ["Still needed: <b>1</b> activity", "Activities completed: 0 of 1"],
         ["0 / 0", "0</b> points"]),
        # AAFP's 25 live hours counted in "Still needed" but were never named
        ("aafp-membership", 1, ["Live learning activities: 0 of 25"], []),
        # Texas, first renewal: general hours waived; said, not "0 / 0 credits (100%)"
        ("us-tx-md", 0, ["exempt from the CME hours the first time"], ["0 / 0", "0 of 0"]),
        ("us-ny-md", 3, ["Still needed: <b>1</b> credit\n"], ["0 / 0"]),  # one credit
    ],
)
def test_the_status_names_every_requirement_and_no_empty_total(
    rule_id: str, renewals: int, shown: list[str], hidden: list[str]
) -> None:
    facts = LicenceFacts(
        rule_id=rule_id, renewal_date=D(2027, 12, 31), renewals_done=renewals,
        flags=frozenset({"direct_patient_care"}),
    )  # fmt: skip
    status = licence_status(facts, [], D(2026, 12, 6), RULES)
    text = render_status(LicenceView(Licence(label=rule_id, rule_id=rule_id), status))
    assert all(part in text for part in shown), text
    assert not any(part in text for part in hidden), text


def test_a_fixed_date_rule_reads_a_typed_date_on_its_own_day() -> None:
    """Florida deadlines are Jan 31: "Feb 15 2028" stands for Jan 31, 2028 (it made Feb 29
    deadlines, and read as a renewal made early)."""
    facts = LicenceFacts(rule_id="us-fl-md", renewal_date=D(2028, 2, 15), renewals_done=2)
    status = licence_status(facts, [], D(2026, 12, 6), RULES)
    assert status.deadline == D(2028, 1, 31) and status.starts_on is None
