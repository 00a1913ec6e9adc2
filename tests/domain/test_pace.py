"""The on-track verdict: a steady pace through the cycle, category and topic shortfalls
included, activities due by the end."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.credits import CreditItem, LicenceFacts, licence_status
from bot.domain.pace import Standing, verdict
from bot.domain.requirements import shipped_rulebook

RULES = shipped_rulebook()
CA = LicenceFacts(rule_id="us-ca-md", licence_id="ca", renewal_date=date(2027, 3, 31))
START = date(2025, 4, 1)  # California: two years to Mar 31, 2027, 50 credits


def cat1(day: date, amount: int | str, *topics: str) -> CreditItem:
    return CreditItem(f"e{day}{amount}", day, Decimal(amount), "ama_pra_1", topics=topics)


def test_half_way_with_half_done_is_on_track_and_a_quarter_is_behind() -> None:
    today = START + timedelta(days=365)
    status = licence_status(CA, [cat1(START, 25)], today, RULES)
    found = verdict(status, today)
    assert found.standing is Standing.ON_TRACK and found.elapsed_percent == 50
    assert found.counted == 25 and found.expected == Decimal("25")
    behind = verdict(licence_status(CA, [cat1(START, 12)], today, RULES), today)
    assert behind.standing is Standing.BEHIND and behind.behind_by == 13


def test_complete_not_started_and_overdue() -> None:
    today = START + timedelta(days=30)
    done = [cat1(START, 50, "pain_management")]
    assert verdict(licence_status(CA, done, today, RULES), today).standing is (
        Standing.COMPLETE
    )
    late = date(2027, 4, 2)
    short = licence_status(CA, [cat1(START, 10)], late, RULES)  # the cycle just ended
    assert verdict(short, late).standing is Standing.OVERDUE


@given(
    amount=st.integers(min_value=0, max_value=60),
    more=st.integers(min_value=0, max_value=30),
    days=st.integers(min_value=0, max_value=729),
)
def test_more_credits_never_make_it_worse(amount: int, more: int, days: int) -> None:
    order = list(Standing)
    today = START + timedelta(days=days)
    before = verdict(licence_status(CA, [cat1(START, amount)], today, RULES), today)
    after = verdict(
        licence_status(CA, [cat1(START, amount), cat1(START + timedelta(1), more)], today, RULES),
        today,
    )
    assert after.counted >= before.counted
    rank = {Standing.COMPLETE: 0, Standing.ON_TRACK: 1, Standing.BEHIND: 2, Standing.OVERDUE: 3}
    assert rank[after.standing] <= rank[before.standing], (order, before, after)
