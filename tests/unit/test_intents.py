"""Which free text is a log: the cases QA round 9 and its review found misrouted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.intents import is_log
from handlers.status import spell_due_order


@pytest.mark.parametrize(
    "text",
    [
        "logged 2 cred child abuse reporting yest", "2 cred ethics yest",
        "1.5h opiod course on 3rd nov", "pls log 2 creds grand rounds AKI", "2h this morning",
        "1h online course yesterday", "2h ethics yesterday", "1.5 hrs grand rounds",
    ],
)  # fmt: skip
def test_logs(text: str) -> None:
    assert is_log(text)


@pytest.mark.parametrize(
    "text",
    [
        "3 hours left?", "10 hours remaining?", "24 hours until my deadline?",
        "5 hours is how many credits?", "2h webinars", "2h courses in philly",
        "2 credit courses near Boston", "online ethics courses this month",
    ],
)  # fmt: skip
def test_not_logs(text: str) -> None:
    assert not is_log(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("GA needs 40 cred cat 1 by Dec '27, 3 of them controlled substance prescribing", "GA"),
        ("Georgia 40 category 1 credits by Dec 2027", "Georgia"),
        ("Ohio RN 24 contact hours by Oct 31 2027", "Ohio RN"),
        ("I have to do 40 credits by Dec 2027", ""),  # review: named "I have to do"
        ("Please track 40 credits by Dec 2027", ""),
        ("Tampa General employer requirement: 10 ANCC contact hours every year, due Dec 31 "
         "2026", "Tampa General employer requirement"),  # QA round 10: "another profession"
    ],
)
def test_requirements_said_in_a_line(text: str, name: str) -> None:
    from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
    from handlers.licences import looks_like_custom_requirement

    assert looks_like_custom_requirement(text)
    parsed = parse_custom_requirement(text, "md")
    assert isinstance(parsed, CustomRequirementSpec) and parsed.name == name, parsed


@pytest.mark.parametrize(
    "text",
    [
        "Grand rounds 1.5 credits by Mayo Clinic on Nov 3 2026",  # review: read as requirements
        "Pain mgmt 2 hrs by Janssen 10/5/2026", "Webinar 1 credit until 5pm 11/3",
    ],
)  # fmt: skip
def test_log_lines_with_by_are_not_requirements(text: str) -> None:
    from handlers.licences import looks_like_custom_requirement

    assert not looks_like_custom_requirement(text) and is_log(text)


NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "4 pharmacology hours, AANP webinar, 11/20/2026",
        "5 pharmacology hours AANP national conference Sept 23 2028",  # "in the future" is said
        "logged 4 pharmacology hours at the AANP webinar on 11/20/2026",
        "4 pharmacology hours online webinar 11/20/2026",  # "online": a day past, still a log
        "2 credit online courses on 11/20/2026",
    ],
)
def test_an_amount_in_hours_on_a_day_is_a_log(text: str) -> None:
    """QA (an NP): searched as a course ("That date has passed"), or not understood."""
    assert is_log(text, NOW, "America/New_York")


@pytest.mark.parametrize(
    "text",
    [
        "I need 4 pharmacology hours", "I still need 4 pharmacology hours",
        "2 pharmacology credits courses in December", "2 pharmacology credit courses on Dec 12",
        "find 4 pharmacology hours online", "4 pharmacology hours webinar next Friday",
        "2 credit courses near Boston", "did I log 4 pharmacology hours on 11/20/2026?",
    ],
)  # fmt: skip
def test_hours_of_a_topic_without_a_past_day_are_not_a_log(text: str) -> None:
    assert not is_log(text, NOW, "America/New_York")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("what's due frist?", "what's due first?"), ("Whats due fisrt", "Whats due first"),
        ("which one is due soonets", "which one is due soonest"),
        ("what is due earlist", "what is due earliest"), ("what's due nxet", "what's due next"),
    ],
)  # fmt: skip
def test_a_slip_after_due_is_read_as_meant(text: str, meant: str) -> None:
    """QA: "what's due frist?" got the full status, "What's due first?" the deadlines."""
    assert spell_due_order(text) == meant


@pytest.mark.parametrize(
    "text",
    ["what's due soon?", "what's due friday", "due fist", "what's due for Florida?",
     "due firsts", "first aid course frist", "my frist renewal"],
)  # fmt: skip
def test_other_words_stay_as_typed(text: str) -> None:
    assert spell_due_order(text) == text
