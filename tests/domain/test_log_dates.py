"""Dates in a /log line: spans give their last day; every refusal has its own sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot import texts
from bot.domain.dates import DateReason
from bot.domain.log_parse import (
    MAX_TITLE,
    LogDraft,
    LogProblem,
    clip_title,
    parse_amount,
    parse_log_line,
)

NOW = datetime(2026, 12, 6, 17, tzinfo=UTC)  # a Sunday, noon in New York


def parse(line: str) -> LogDraft | LogProblem:
    return parse_log_line(line, NOW, "America/New_York", default_category="ama_pra_1")


@pytest.mark.parametrize(
    ("line", "completed_on"),
    [("/log 6 ethics Nov 3 to Nov 5", date(2026, 11, 5)),
     ("/log 6 ethics from Nov 3 to Nov 5", date(2026, 11, 5)),
     ("/log 6 pain Sept 9 - 10 conference", date(2026, 9, 10)),
     ("/log 6 ethics Dec 30 to Jan 2", date(2026, 1, 2)),
     ("/log 2 ethics Novmber 3", date(2026, 11, 3)),
     ("log 2 ethics 11-03-2026", date(2026, 11, 3))],
)  # fmt: skip
def test_a_course_over_several_days_is_dated_its_last_day(line: str, completed_on: date) -> None:
    draft = parse(line)
    assert isinstance(draft, LogDraft), draft
    assert draft.completed_on == completed_on


@pytest.mark.parametrize(
    ("line", "reason"),
    [("/log 2 ethics in November", "date_needs_day"),
     ("/log 3 ethics in 2025", "date_needs_day"),
     ("/log 2 ethics Dec 5 to Dec 8", "date_in_future"),
     ("/log 2 ethics between Feb 2 2026 and Jan 10 2026", "date_reversed_range"),
     ("/log 2 ethics Febuary 30", "date_invalid_date")],
)  # fmt: skip
def test_dates_that_cannot_be_logged_say_why(line: str, reason: str) -> None:
    problem = parse(line)
    assert isinstance(problem, LogProblem) and problem.reason == reason
    assert reason in texts.LOG_PROBLEMS


def test_every_reason_a_past_date_can_fail_has_a_sentence() -> None:
    never_for_past = {DateReason.EMPTY, DateReason.IN_PAST, DateReason.TOO_FAR}
    for reason in set(DateReason) - never_for_past:
        assert f"date_{reason.value}" in texts.LOG_PROBLEMS, reason


def test_a_bare_year_at_the_end_asks_for_the_day() -> None:
    """QA: "/log 2 ethics 1999" was titled "1999" and dated today."""
    for text in ("2 ethics 1999", "/log 2 credits sepsis 2026."):
        problem = parse_log_line(text, NOW, "America/New_York", default_category="ama_pra_1")
        assert isinstance(problem, LogProblem) and problem.reason == "date_needs_day", text
    titled = parse_log_line('2 ethics "Update 2026"', NOW, "America/New_York",
                            default_category="ama_pra_1")  # fmt: skip
    assert isinstance(titled, LogDraft) and titled.title == "Update 2026"


def test_a_long_title_is_cut_at_a_word_and_marked() -> None:
    """QA: a very long title was cut mid-word with no sign of it."""
    title = " ".join(["pharmacology"] * 30)
    clipped = clip_title(title)
    assert len(clipped) <= MAX_TITLE and clipped.endswith("pharmacology…")
    assert clip_title("Short title") == "Short title"


def test_points_are_moc_points_unless_a_category_is_named() -> None:
    """QA: "5 points today" was logged as AMA PRA Category 1 credit."""
    for text, category in (("5 points today", "moc"), ("2 cat 1 points", "ama_pra_1"),
                           ("3 credits ethics", "ama_pra_1")):  # fmt: skip
        draft = parse_log_line(text, NOW, "America/New_York", default_category="ama_pra_1")
        assert isinstance(draft, LogDraft) and draft.category == category, text


@pytest.mark.parametrize(
    ("text", "title", "category", "suggested"),
    [
        ("10 moc pionts yesterday", "CME activity", "moc", ()),  # was titled "pionts"
        ("5 pionts", "CME activity", "moc", ()),
        ("2 credts ethics", "Medical ethics", "ama_pra_1", ()),
        ("2 hous pain management", "Pain management", "ama_pra_1", ()),
        ("3 joints course", "joints", "ama_pra_1", ()),  # another first letter: a word
    ],
)
def test_a_misspelt_unit_is_a_unit_not_the_title(
    text: str, title: str, category: str, suggested: tuple[str, ...]
) -> None:
    draft = parse_log_line(text, NOW, "America/New_York", default_category="ama_pra_1")
    assert isinstance(draft, LogDraft)
    assert (draft.title, draft.category, draft.topic_suggestions) == (title, category, suggested)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0.001", "zero"),
        ("0.004", "zero"),
        ("0.005", Decimal("0.01")),
        ("2.555", Decimal("2.56")),
        ("100.004", Decimal("100.00")),
        ("100.005", "too_many"),
        ("9" * 40, "too_many"),  # the fuzzer: rounding it raised InvalidOperation
    ],
)
def test_amounts_are_checked_as_stored(typed: str, expected: object) -> None:
    """QA: "/log 0.001 ethics" was saved as "0 credits" (stored in hundredths)."""
    parsed = parse_amount(typed)
    assert (parsed.reason if isinstance(parsed, LogProblem) else parsed) == expected


@pytest.mark.parametrize(
    ("line", "title", "completed_on"),
    [("1 hr of domestic violence training this morning", "Domestic violence", date(2026, 12, 6)),
     ("2 ethics this afternoon", "Medical ethics", date(2026, 12, 6)),
     ("2 ethics earlier today", "Medical ethics", date(2026, 12, 6)),
     ("2 ethics on monday morning", "Medical ethics", date(2026, 11, 30)),
     ("2 ethics tuesday evening", "Medical ethics", date(2026, 12, 1)),
     ("2 ethics this mornign", "Medical ethics", date(2026, 12, 6)),  # QA's slip
     ("2 ethics yesterday evenign", "Medical ethics", date(2026, 12, 5))],
)  # fmt: skip
def test_a_part_of_the_day_is_the_date_not_the_title(
    line: str, title: str, completed_on: date
) -> None:
    """QA: "training this morning" was titled "this morning"."""
    draft = parse(line)
    assert isinstance(draft, LogDraft)
    assert (draft.title, draft.completed_on) == (title, completed_on)


def test_a_word_like_a_part_of_the_day_is_left_alone_without_a_day_before_it() -> None:
    draft = parse("2 credits grief and mourning")
    assert isinstance(draft, LogDraft)
    assert "mourning" in draft.title


@pytest.mark.parametrize(
    ("line", "amount", "completed_on", "title"),
    [
        # QA: the amount and the date's day swapped ("8 credits on Aug 3")
        ('/log 3 "ACLS renewal" Aug 8', 3, date(2026, 8, 8), "ACLS renewal"),
        ("/log 2 Aug 8", 2, date(2026, 8, 8), "CME activity"),
        ("/log 1.5 Nov 20", Decimal("1.5"), date(2026, 11, 20), "CME activity"),
        ("/log 3 Nov 20 2026", 3, date(2026, 11, 20), "CME activity"),
        ("/log 3 Aug 8 ethics", 3, date(2026, 8, 8), "Medical ethics"),
        # a day-first date keeps its day when nothing else could be the day
        ("/log 3 Nov 2026 2 credits ethics", 2, date(2026, 11, 3), "Medical ethics"),
        ("/log 2 credits 3 Nov", 2, date(2026, 11, 3), "CME activity"),
        # QA: "1/2" was 1 credit titled "/2"; halves and quarters first on the line
        ("/log 1/2 ethics yesterday", Decimal("0.5"), date(2026, 12, 5), "Medical ethics"),
        ("/log 1 1/2 hours ethics", Decimal("1.5"), date(2026, 12, 6), "Medical ethics"),
        ("/log 3/4 credit opioid", Decimal("0.75"), date(2026, 12, 6), "Opioid prescribing"),
        # ... but a date when another amount has its unit, or it is not first
        ("/log 1/2 2 credits ethics", 2, date(2026, 1, 2), "Medical ethics"),
        ("/log 2 ethics 1/4", 2, date(2026, 1, 4), "Medical ethics"),
        # QA round 6: "category 1 Nov 2" was category 2 on Nov 1; minutes were credits
        ('/log 20 category 2 "journal reading" Oct 1', 20, date(2026, 10, 1), "journal reading"),
        ("/log 90 minutes ethics yesterday", Decimal("1.5"), date(2026, 12, 5), "Medical ethics"),
        ("/log 1h30 ethics yesterday", Decimal("1.5"), date(2026, 12, 5), "Medical ethics"),
        ("/log 45 min opioid", Decimal("0.75"), date(2026, 12, 6), "Opioid prescribing"),
        ("/log 90 minuts ethics yesterday", Decimal("1.5"), date(2026, 12, 5), "Medical ethics"),
        ("/log 2 minor procedures yesterday", 2, date(2026, 12, 5), "minor procedures"),
        ("/log 2 hiv and aids yesterday", 2, date(2026, 12, 5), "HIV/AIDS"),
        ("/log 2 hiv and aids yday", 2, date(2026, 12, 5), "HIV/AIDS"),  # QA round 7
        ("Hi, just got back from the AOA OMED conference in Philadelphia, I earned 12 AOA "
         "1-A credits there, it ended Oct 25, can you log that for me please", 12,
         date(2026, 10, 25), "AOA OMED conference Philadelphia"),
    ],
)  # fmt: skip
def test_the_first_number_is_the_amount_and_month_day_dates_stay_whole(
    line: str, amount: Decimal, completed_on: date, title: str
) -> None:
    draft = parse(line)
    assert isinstance(draft, LogDraft), draft
    assert (draft.amount, draft.completed_on, draft.title) == (amount, completed_on, title)


@pytest.mark.parametrize(
    ("line", "reason", "detail"),
    [("/log 2 ethics 12.1.2026", "date_unparseable", "12.1.2026"),  # not today, unsaid
     ("/log 2 ethics; 1 opioid yesterday", "several_activities", "2 and 1"),
     # QA round 7: one entry of 3 credits titled "2"
     ("log 3 credits yesterday and 2 today", "several_activities", "3 credits and 2"),
     ("/log 2 ethics and 1 opioid yesterday", "several_activities", "2 and 1"),
     ("/log 3 credits ethics last week and 2 on Friday", "several_activities",
      "3 credits and 2")],
)  # fmt: skip
def test_lines_that_would_save_something_else_are_refused(
    line: str, reason: str, detail: str
) -> None:
    problem = parse(line)
    assert isinstance(problem, LogProblem) and (problem.reason, problem.detail) == (reason, detail)


def test_a_category_number_before_a_month_day_date_stays_the_category() -> None:
    draft = parse('/log 5 AMA PRA category 1 "Opioid REMS" Nov 2')
    assert isinstance(draft, LogDraft)
    assert (draft.category, draft.completed_on) == ("ama_pra_1", date(2026, 11, 2))
