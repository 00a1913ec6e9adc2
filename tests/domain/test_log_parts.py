"""Hours of a logged activity on a topic of their own ("18 contact hours including 6
pharmacology"): the part is not the whole, and not the title (QA, an NP's session)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.domain.log_parse import (
    LogDraft,
    LogProblem,
    PartAnswer,
    parse_log_line,
    parse_part_answer,
)

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)
PHARMACOLOGY = ((Decimal(6), ("pharmacology",)),)


def parse(line: str) -> LogDraft | LogProblem:
    return parse_log_line(line, NOW, "America/New_York", default_category="ancc")


@pytest.mark.parametrize(
    "line",
    [
        "Attended the Texas NP conference Oct 14-16, 2026, 18 contact hours including 6 "
        "pharmacology",
        "Texas NP conference Oct 16, 2026, 18 contact hours of which 6 pharmacology",
        "Texas NP conference Oct 16, 2026, 18 contact hours (6 pharmacology)",
        "Texas NP conference Oct 16, 2026, 18 contact hours incl. 6 hrs pharmacology",
        "Texas NP conference Oct 16, 2026, 18 contact hours, including 6 hours of pharmacology",
        "18 contact hours Texas NP conference with 6 pharmacology on Oct 16, 2026",
    ],
)
def test_a_part_on_pharmacology_is_not_the_whole(line: str) -> None:
    draft = parse(line)
    assert isinstance(draft, LogDraft), draft
    assert (draft.amount, draft.topics, draft.parts) == (Decimal(18), (), PHARMACOLOGY)
    assert draft.title == "Texas NP conference"
    assert draft.pieces == [(Decimal(12), ()), (Decimal(6), ("pharmacology",))]


def test_the_activitys_own_topic_goes_to_every_entry() -> None:
    draft = parse("18 hours geriatrics conference (6 pharmacology hours) yesterday")
    assert isinstance(draft, LogDraft), draft
    assert draft.pieces == [
        (Decimal(12), ("geriatrics",)),
        (Decimal(6), ("geriatrics", "pharmacology")),
    ]


def test_several_parts_and_parts_that_make_the_whole() -> None:
    draft = parse("18 contact hours including 6 pharmacology and 2 ethics yesterday")
    assert isinstance(draft, LogDraft), draft
    assert [amount for amount, _ in draft.pieces] == [10, 6, 2]
    draft = parse("18 contact hours including 12 pharmacology and 6 ethics yesterday")
    assert isinstance(draft, LogDraft), draft
    assert draft.pieces == [(12, ("pharmacology",)), (6, ("ethics",))]  # no entry of 0
    draft = parse("6 hours workshop including 6 pharmacology yesterday")
    assert isinstance(draft, LogDraft), draft
    assert (draft.topics, draft.parts) == (("pharmacology",), ())  # all of it: one entry


@pytest.mark.parametrize(
    ("line", "reason"),
    [("18 hours including 20 pharmacology yesterday", "part_too_big"),
     ("1 cat 1 credit and 1 MOC point including 0.5 ethics yesterday", "part_with_kinds")],
)  # fmt: skip
def test_a_part_that_cannot_be_split_says_why(line: str, reason: str) -> None:
    problem = parse(line)
    assert isinstance(problem, LogProblem) and problem.reason == reason, problem


@pytest.mark.parametrize(
    "line",
    ["2 credits with Dr Smith yesterday", "3 credits ethics with 2 colleagues yesterday",
     "2 ethics yesterday"],
)  # fmt: skip
def test_no_part_without_a_number_and_a_topic(line: str) -> None:
    draft = parse(line)
    assert isinstance(draft, LogDraft) and draft.parts == (), draft


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6 of the 18 hours were pharmacology", PartAnswer(Decimal(6), Decimal(18), "pharmacology",
                                                        "pharmacology")),
     ("6 out of 18 were pharmacology", PartAnswer(Decimal(6), Decimal(18), "pharmacology",
                                                  "pharmacology")),
     ("including 6 hours of pharmacology", PartAnswer(Decimal(6), None, "pharmacology",
                                                      "pharmacology")),
     ("6 of them ethics.", PartAnswer(Decimal(6), None, "ethics", "ethics")),
     ("6 of the 18 were pharmacy stuff", PartAnswer(Decimal(6), Decimal(18), None,
                                                    "pharmacy stuff")),
     ("pharmacology", None), ("none", None)],
)  # fmt: skip
def test_a_part_typed_at_the_topic_question(text: str, expected: PartAnswer | None) -> None:
    assert parse_part_answer(text) == expected
