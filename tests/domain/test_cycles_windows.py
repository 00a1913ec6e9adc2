"""Cycle windows: deadlines from licence facts, renewal numbers, leap days, missing facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.cycles import (
    LicenceFacts,
    MissingFactError,
    Window,
    add_months,
    cycle_info,
    missing_facts,
    schedule_for,
)
from bot.domain.requirements import RenewalRule, shipped_rulebook
from bot.domain.rule_files import read_rule_file

D = date
RULES = shipped_rulebook()


def window_on(rule_id: str, today: date, **facts: object) -> Window:
    info = cycle_info(RULES.get(rule_id), LicenceFacts(rule_id=rule_id, **facts), today)
    return info.window


def test_window_is_inclusive() -> None:
    w = Window(D(2025, 1, 1), D(2026, 12, 31))
    assert D(2025, 1, 1) in w and D(2026, 12, 31) in w
    assert D(2024, 12, 31) not in w and D(2027, 1, 1) not in w
    assert "2025-01-01" not in w
    assert w.days == 730


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2020, 2, 29), 12, D(2021, 2, 28)),
        (D(2020, 2, 29), 48, D(2024, 2, 29)),
        (D(2021, 1, 31), 1, D(2021, 2, 28)),
        (D(2021, 3, 31), -1, D(2021, 2, 28)),
        (D(2027, 6, 30), -24, D(2025, 6, 30)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_fixed_date_of_february_29_falls_back_to_february_28(tmp_path: Path) -> None:
    path = tmp_path / "leap.toml"
    path.write_text(
        '[[rules]]\nid = "xx-leap"\ntitle = "t"\njurisdiction = "XX"\nboard = "b"\n'
        'total = 1\ncycle_months = 12\nsource = "https://example.org"\nchecked = 2026-11-23\n'
        '[rules.renewal]\nkind = "fixed_date"\nmonth = 2\nday = 29\nanchor = "every_year"\n'
    )
    (rule,) = read_rule_file(path)
    facts = LicenceFacts(custom_rule=rule)
    assert cycle_info(rule, facts, D(2027, 1, 1)).window == Window(D(2026, 3, 1), D(2027, 2, 28))
    assert cycle_info(rule, facts, D(2027, 3, 1)).window == Window(D(2027, 3, 1), D(2028, 2, 29))
    assert cycle_info(rule, facts, D(2028, 3, 1)).window == Window(D(2028, 3, 1), D(2029, 2, 28))


@pytest.mark.parametrize(
    ("rule_id", "today", "facts", "expected"),
    [
        ("us-pa-md", D(2025, 1, 1), {}, (D(2025, 1, 1), D(2026, 12, 31))),
        ("us-pa-md", D(2024, 12, 31), {}, (D(2023, 1, 1), D(2024, 12, 31))),
        ("us-fl-md", D(2026, 6, 1), {"renewal_date": D(2026, 1, 31)},
         (D(2026, 2, 1), D(2028, 1, 31))),  # a stale renewal date rolls forward
        ("us-tx-md", D(2026, 6, 1), {"renewal_date": D(2027, 8, 31)},
         (D(2025, 9, 1), D(2027, 8, 31))),
        ("us-oh-md", D(2026, 6, 1), {"renewal_date": D(2027, 1, 1)},
         (D(2025, 1, 2), D(2027, 1, 1))),
        ("us-tn-md", D(2026, 6, 1), {"birth_date": D(1975, 12, 3)},
         (D(2026, 1, 1), D(2027, 12, 31))),
        ("us-tn-md", D(2026, 6, 1), {"birth_month": 12, "birth_year": 1976},
         (D(2025, 1, 1), D(2026, 12, 31))),
        ("us-ca-md", D(2026, 6, 1), {"issued_on": D(2018, 7, 1)},
         (D(2024, 8, 1), D(2026, 7, 31))),  # issue month from 2018-07-01
        ("us-ca-md", D(2026, 6, 1), {"issued_on": D(2018, 6, 30), "birth_month": 9},
         (D(2024, 10, 1), D(2026, 9, 30))),  # birth month before that
        ("us-ca-md", D(2026, 6, 1), {"renewal_date": D(2027, 4, 30)},
         (D(2025, 5, 1), D(2027, 4, 30))),  # the licence holder's date wins
        ("us-ny-md", D(2026, 6, 1), {"issued_on": D(2016, 1, 31)},
         (D(2026, 2, 1), D(2028, 1, 31))),
        ("us-dea-mate", D(2026, 6, 1), {"issued_on": D(2017, 10, 31)},
         (D(2023, 11, 1), D(2026, 10, 31))),
        ("us-dea-mate", D(2026, 11, 1), {"issued_on": D(2017, 10, 31)},
         (D(2026, 11, 1), D(2029, 10, 31))),
        ("aafp-membership", D(2026, 6, 1), {"issued_on": D(2010, 3, 1)},
         (D(2026, 1, 1), D(2028, 12, 31))),  # 2013, 2016, ... 2025, 2028
        ("abim-moc", D(2026, 6, 1), {"issued_on": D(2014, 5, 1)},
         (D(2025, 1, 1), D(2029, 12, 31))),
    ],
)  # fmt: skip
def test_windows(rule_id: str, today: date, facts: dict[str, object], expected: tuple) -> None:
    assert window_on(rule_id, today, **facts) == Window(*expected)


@pytest.mark.parametrize(
    ("rule_id", "facts", "needed"),
    [
        ("us-oh-md", {}, ("renewal_date",)),
        ("us-tx-md", {"issued_on": D(2020, 1, 1)}, ("renewal_date",)),
        ("us-fl-md", {"issued_on": D(2020, 1, 1)}, ("renewal_date",)),
        ("us-tn-md", {}, ("birth_month", "renewal_date")),
        ("us-tn-md", {"birth_month": 3}, ("birth_year", "renewal_date")),
        ("us-ca-md", {}, ("birth_month", "renewal_date")),
        ("us-ca-md", {"birth_month": 3}, ("issued_on", "renewal_date")),
        ("us-dea-mate", {}, ("issued_on", "renewal_date")),
        ("aafp-membership", {}, ("issued_on", "renewal_date")),
        ("us-pa-md", {}, ()),
    ],
)
def test_missing_facts(rule_id: str, facts: dict[str, object], needed: tuple[str, ...]) -> None:
    rule = RULES.get(rule_id)
    licence = LicenceFacts(rule_id=rule_id, **facts)
    assert missing_facts(rule, licence, D(2026, 6, 1)) == needed
    if needed:
        with pytest.raises(MissingFactError) as info:
            cycle_info(rule, licence, D(2026, 6, 1))
        assert info.value.facts == needed
        assert info.value.rule_id == rule_id


@pytest.mark.parametrize(
    ("facts", "today", "expected"),
    [
        ({"renewals_done": 0}, D(2026, 6, 1), 1),
        ({"renewals_done": 2}, D(2026, 6, 1), 3),
        ({"renewals_done": 2}, D(2027, 9, 1), 4),  # the count follows the renewal date
        ({"first_renewal": True}, D(2026, 6, 1), 1),
        ({"issued_on": D(2021, 3, 1)}, D(2026, 6, 1), 4),  # 2021-08-31 was the first
        ({"issued_on": D(2021, 9, 1)}, D(2026, 6, 1), 3),
        ({}, D(2026, 6, 1), None),
    ],
)
def test_renewal_numbers(facts: dict[str, object], today: date, expected: int | None) -> None:
    facts = {"renewal_date": D(2027, 8, 31), **facts}
    info = cycle_info(RULES.get("us-tx-md"), LicenceFacts(rule_id="us-tx-md", **facts), today)
    assert info.renewal_number == expected


def test_previous_window_and_make_up_window() -> None:
    rule = RULES.get("us-tx-md")
    facts = LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31))
    info = cycle_info(rule, facts, D(2027, 9, 30))
    assert info.previous is not None
    assert info.previous.window == Window(D(2025, 9, 1), D(2027, 8, 31))
    assert info.makeup_until == D(2027, 9, 30)
    assert cycle_info(rule, facts, D(2027, 10, 1)).makeup_until is None
    assert cycle_info(RULES.get("us-pa-md"), LicenceFacts(rule_id="us-pa-md"),
                      D(2027, 1, 5)).makeup_until is None  # fmt: skip


def test_no_previous_cycle_before_licensure() -> None:
    rule = RULES.get("us-pa-md")
    info = cycle_info(rule, LicenceFacts(rule_id="us-pa-md", issued_on=D(2025, 6, 15)),
                      D(2026, 1, 1))  # fmt: skip
    assert info.window == Window(D(2025, 6, 15), D(2026, 12, 31))
    assert info.renewal_number == 1
    assert info.previous is None


def test_deadline_of_a_renewal() -> None:
    rule = RULES.get("us-ca-md")
    schedule = schedule_for(rule, LicenceFacts(rule_id="us-ca-md", issued_on=D(2019, 3, 10)),
                            D(2020, 1, 1))  # fmt: skip
    assert schedule.deadline_of_renewal(1) == D(2021, 3, 31)
    assert schedule.deadline_of_renewal(2) == D(2023, 3, 31)
    unknown = schedule_for(RULES.get("us-pa-md"), LicenceFacts(rule_id="us-pa-md"),
                           D(2020, 1, 1))  # fmt: skip
    assert unknown.deadline_of_renewal(2) is None


def test_a_fixed_window_stays_put() -> None:
    rule = replace(
        RULES.get("us-pa-md"),
        renewal=RenewalRule("fixed_window", window_start=D(2025, 7, 1), window_end=D(2027, 6, 30)),
    )
    facts = LicenceFacts(custom_rule=rule)
    for today in (D(2024, 1, 1), D(2026, 1, 1), D(2028, 1, 1)):
        info = cycle_info(rule, facts, today)
        assert info.window == Window(D(2025, 7, 1), D(2027, 6, 30))
        assert info.previous is None


def test_licence_facts_validation() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        LicenceFacts()
    with pytest.raises(ValueError, match="exactly one"):
        LicenceFacts(rule_id="us-pa-md", custom_rule=RULES.get("us-pa-md"))
    with pytest.raises(ValueError, match="birth_month"):
        LicenceFacts(rule_id="us-pa-md", birth_month=13)
    with pytest.raises(ValueError, match="renewals_done"):
        LicenceFacts(rule_id="us-pa-md", renewals_done=-1)
    facts = LicenceFacts(rule_id="us-tn-md", birth_date=D(1980, 2, 29), birth_month=5)
    assert (facts.month_of_birth, facts.year_of_birth) == (2, 1980)  # the full date wins
    assert facts.rule().total == Decimal(40)


@pytest.mark.parametrize(
    ("moved_to", "done"),
    [
        (date(2029, 1, 31), 3),  # the next deadline, typed after the rollover
        (date(2031, 1, 31), 4),  # two cycles on
        (date(2027, 2, 28), 2),  # a correction within the cycle: the count stays
        (date(2025, 1, 31), 1),  # a cycle back
    ],
)
def test_moving_the_renewal_date_keeps_the_renewal_numbering(moved_to: date, done: int) -> None:
    """QA round 11: Florida, renewal 4 once rolled over, read "renewal 3" after the date
    the status showed was typed again."""
    from bot.domain.cycles import renewals_done_after_move

    facts = LicenceFacts(rule_id="us-fl-md", renewal_date=date(2027, 1, 31), renewals_done=2)
    rule = RULES.get("us-fl-md")
    assert renewals_done_after_move(rule, facts, moved_to, date(2027, 6, 1)) == done


@pytest.mark.parametrize(
    ("stored", "said", "today", "kept"),
    [
        (date(2029, 1, 31), 5, date(2029, 3, 1), (4, date(2029, 1, 31))),  # one rollover
        (date(2029, 1, 31), 5, date(2028, 6, 1), (5, date(2029, 1, 31))),  # the date ahead
        (date(2029, 1, 31), 1, date(2031, 3, 1), (1, date(2033, 1, 31))),  # count < rollovers
        (date(2031, 1, 31), 3, date(2028, 12, 1), (3, date(2031, 1, 31))),  # renewed early
        (None, 2, date(2029, 3, 1), (2, None)),
    ],
)
def test_a_renewal_count_said_today_is_stored_against_the_stored_date(
    stored: date | None, said: int, today: date, kept: tuple[int, date | None]
) -> None:
    """QA round 13: "how many times have you already renewed" is answered as of today; the
    stored count is of renewals before the stored date's cycle."""
    from bot.domain.cycles import renewals_done_said_today

    facts = LicenceFacts(rule_id="us-fl-md", renewal_date=stored, birth_month=3)
    assert renewals_done_said_today(RULES.get("us-fl-md"), facts, said, today) == kept
