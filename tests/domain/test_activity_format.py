"""How an activity was attended, from words and from ACPE UANs (QA round 13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.activity_format import find_uan, format_in_words, uan_format
from bot.domain.log_parse import LogDraft, parse_log_line
from bot.domain.state_approved import state_approved

NOW = datetime(2026, 11, 24, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2 ethics live yesterday", "live"),
        ("2 ethics in-person workshop yesterday", "live_course"),
        ("2 ethics webinar (live) yesterday", "internet_live"),
        ("2 ethics recorded webinar yesterday", "enduring"),
        ("2 ethics home study yesterday", "enduring"),
        ("2 ethics on-demand yesterday", "enduring"),
        ("2 ethics grand rounds yesterday", "rss"),
        ("2 ethics yesterday", None),
        ("2 person-centred care yesterday", None),  # "person" alone says nothing
    ],
)
def test_the_format_said_in_a_log_line(line: str, expected: str | None) -> None:
    draft = parse_log_line(line, NOW, "America/New_York", default_category="acpe")
    assert isinstance(draft, LogDraft) and draft.activity_type == expected, draft


def test_format_words_leave_the_title_and_names_stay() -> None:
    said = format_in_words(["ASHP", "Midyear", "live", "sessions"])
    assert said.activity_type == "live" and said.format_words == {2, 3}
    assert format_in_words(["FMX", "conference"]).format_words == frozenset()


def test_a_uan_gives_its_format_unless_words_say_otherwise() -> None:
    found = find_uan("see UAN: 0204-0000-26-045-h05-p for it")
    assert found is not None and found.group("uan").upper() == "0204-0000-26-045-H05-P"
    assert uan_format("0204-0000-26-045-L05-T") == "live"
    assert uan_format("0204-0000-26-045-H05-P") == "enduring"
    assert find_uan("0204-0000-26-045-X05-P") is None
    line = "2 ethics live webinar UAN 0204-0000-26-045-H05-P yesterday"
    draft = parse_log_line(line, NOW, "America/New_York", default_category="acpe")
    assert isinstance(draft, LogDraft)
    assert (draft.activity_type, draft.uan, draft.amount) == (
        "internet_live", "0204-0000-26-045-H05-P", 2,
    )  # fmt: skip


def test_a_state_approval_names_the_states_topic() -> None:
    assert state_approved(("infection_control",), "NYSDOH approved") == (
        "new_york_infection_control",
    )
    assert state_approved(("infection_control",), "CDC course") == ("infection_control",)
    assert state_approved(("child_abuse",), "PA DHS-approved") == ("pennsylvania_child_abuse",)
