"""An NP's log lines (QA, sandbox session by a nurse practitioner): which number is the
amount, which line is a log, and what "pharm", CEUs and a third decimal mean."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.domain import topics
from bot.domain.log_parse import (
    EditRequest,
    LogDraft,
    LogProblem,
    parse_edit_request,
    parse_log_line,
)

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)  # a Tuesday


def parse(line: str) -> LogDraft | LogProblem:
    return parse_log_line(line, NOW, "America/New_York", default_category="ancc")


@pytest.mark.parametrize(
    ("line", "amount", "title", "completed_on"),
    [("I went to a 3 day conference last week, got 12 hours", 12, "conference",
      date(2026, 11, 17)),
     ("12 hrs from the 3-day Pri-Med conference Jul 10-12", 12, "3-day Pri-Med conference",
      date(2026, 7, 12)),
     ("3-day Pri-Med conference Jul 10-12, 12 hrs", 12, "3-day Pri-Med conference",
      date(2026, 7, 12)),
     ("2 week wound care course, 14 credits yesterday", 14, "wound care", date(2026, 11, 23)),
     ("a 2 day ACLS renewal, 8 contact hours, Nov 3", 8, "ACLS renewal", date(2026, 11, 3))],
)  # fmt: skip
def test_how_long_it_lasted_is_not_the_amount(
    line: str, amount: int, title: str, completed_on: date
) -> None:
    draft = parse(line)
    assert isinstance(draft, LogDraft), draft
    assert (draft.amount, draft.title, draft.completed_on) == (amount, title, completed_on)


def test_a_number_before_the_days_is_still_an_amount_when_nothing_else_is() -> None:
    draft = parse("log 2 ethics today")
    assert isinstance(draft, LogDraft) and draft.amount == Decimal(2), draft


@pytest.mark.parametrize(
    ("text", "expected"),
    [("change the wound care entry to 2.5 hours", EditRequest("wound care", "2.5", True)),
     ("change the wound care entry's amount to 2.5", EditRequest("wound care", "2.5", True)),
     ("update my wound care to 2.5 hrs please", EditRequest("wound care", "2.5", False)),
     ("fix the sepsis one to 1.5", EditRequest("sepsis", "1.5", True)),
     ("edit the wound care entry", EditRequest("wound care", None, True)),
     ("change the last entry to 3 credits", EditRequest("", "3", True)),
     ("change it to 4", EditRequest("", "4", False)),
     ("change my time zone to Chicago", None), ("change my profession to nurse", None),
     ("change my renewal date to 12/31", None), ("change 2 ethics to 3", None),
     ("log 2 ethics yesterday", None),
     # said as a statement (QA round 12: each proposed as a new entry)
     ("actually the wound care one was 2 hours, please fix",
      EditRequest("wound care", "2", True)),
     ("the wound care workshop should be 2 hours, not 2.5",
      EditRequest("wound care", "2", False)),
     ("The ethics course was great", None), ("2 hours ethics yesterday", None)],
)  # fmt: skip
def test_a_request_to_change_an_entry(text: str, expected: EditRequest | None) -> None:
    """QA: "change the wound care entry to 2.5 hours" was logged as a new entry."""
    assert parse_edit_request(text) == expected


@pytest.mark.parametrize("word", ["pharm", "Pharm.", "pharmacol", "pharmaco", "PHARMACOLOGY"])
def test_an_nps_abbreviation_of_pharmacology_is_pharmacology(word: str) -> None:
    """QA: "2.5 hrs pharm last Tuesday" had no topic, and offered State laws and rules
    before Pharmacology."""
    assert topics.normalize_topic(word) == "pharmacology"
    draft = parse(f"2.5 hrs {word} last Tuesday")
    assert isinstance(draft, LogDraft), draft
    assert (draft.topics, draft.topic_suggestions) == (("pharmacology",), ())


def test_a_shortened_word_is_offered_the_one_word_name_first() -> None:
    assert topics.suggest_topics("pharma")[0] == "pharmacology"


@pytest.mark.parametrize(
    ("line", "amount", "rounded"),
    [("log 1.234 hours ethics", "1.23", "1.234"), ("log 1,234 hours ethics", "1.23", "1,234"),
     ("log 0.005 hours ethics", "0.01", "0.005"), ("log 1.25 hours ethics", "1.25", ""),
     ("log 1.50 hours ethics", "1.50", "")],
)  # fmt: skip
def test_an_amount_with_more_than_two_decimals_is_rounded_and_said(
    line: str, amount: str, rounded: str
) -> None:
    """QA: "log 1.234 hours ethics" became 1.23 without a word."""
    draft = parse(line)
    assert isinstance(draft, LogDraft), draft
    assert (str(draft.amount), draft.rounded) == (amount, rounded)
