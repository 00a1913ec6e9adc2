"""Counts and amounts typed as words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.custom_requirements import parse_date
from bot.domain.log_parse import LogDraft, parse_log_line, starts_with_credits
from bot.domain.numbers import count_of

NOW = datetime(2026, 12, 6, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "count"),
    [("3", 3), ("three", 3), ("Three times", 3), ("none", 0), ("never", 0), ("twice", 2),
     ("a few", None), ("3.5", None)],
)  # fmt: skip
def test_a_renewal_count_in_words(typed: str, count: int | None) -> None:
    assert count_of(typed) == count


@pytest.mark.parametrize(
    ("line", "amount", "title"),
    [
        ("two ethics credits on 12/1", "2.00", "Medical ethics"),  # QA: not understood
        ("I did three hours of opioid training yesterday", "3.00", "Opioid prescribing"),
        ("one health symposium 2 credits", "2.00", "one health symposium"),  # a title's word
    ],
)
def test_a_leading_amount_in_words(line: str, amount: str, title: str) -> None:
    draft = parse_log_line(line, NOW, "America/New_York", default_category="ama_pra_1")
    assert isinstance(draft, LogDraft)
    assert (str(draft.amount), draft.title) == (amount, title)


def test_a_log_in_words_is_a_log_and_a_day_first_date_is_read() -> None:
    assert starts_with_credits("two ethics credits on 12/1")
    assert not starts_with_credits("one health symposium")
    assert parse_date("31/01/2028") == date(2028, 1, 31)  # QA: refused
    assert parse_date("12/01/2028") == date(2028, 12, 1)  # US order when both can be months
