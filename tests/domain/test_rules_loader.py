"""Rule files: every shipped file loads, broken files fail naming file and field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.requirements import (
    RULES_DIR,
    RuleFileError,
    UnknownRuleError,
    load_rules,
    shipped_rulebook,
)
from bot.domain.rule_files import read_rule_file

SHIPPED_IDS = {
    "us-fl-md", "us-tx-md", "us-ca-md", "us-pa-md", "us-oh-md", "us-ny-md", "us-tn-md",
    "us-dea-mate", "aafp-membership", "abim-moc", "abim-moc-2y",
}  # fmt: skip

VALID = """\
[[rules]]
id = "xx-test"
title = "Test board"
jurisdiction = "XX"
board = "Test board"
professions = ["md"]
total = 40
cycle_months = 24
source = "https://example.org"
checked = 2026-11-23

[rules.renewal]
kind = "fixed_date"
month = 12
day = 31
anchor = "even_year"

[[rules.mandates]]
id = "xx-ethics"
title = "Ethics"
topics = ["ethics"]
hours = 2
"""


def write(folder: Path, text: str, name: str = "broken.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as info:
        read_rule_file(path)
    message = str(info.value)
    assert message.startswith(str(path)), message  # the file comes first
    return message


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("[!_]*.toml")), ids=lambda p: p.name)
def test_every_shipped_file_loads(path: Path) -> None:
    rules = read_rule_file(path)
    assert rules
    for rule in rules:
        assert rule.source.startswith("https://")
        assert rule.citation
        assert rule.checked == date(2026, 11, 23)
        assert rule.title and rule.board and rule.jurisdiction


def test_shipped_rulebook_has_every_rule() -> None:
    book = shipped_rulebook()
    assert set(book.ids) == SHIPPED_IDS
    assert book.get("us-tx-md").total == Decimal(48)
    assert book.origin("us-tx-md") == RULES_DIR / "texas.toml"
    with pytest.raises(UnknownRuleError, match="unknown rule id 'us-zz-md'"):
        book.get("us-zz-md")
    assert book.find("us-zz-md") is None


def test_the_shipped_rules_are_parsed_once_per_process() -> None:
    assert load_rules().get("us-fl-md") is load_rules().get("us-fl-md")


def test_valid_fixture_loads(tmp_path: Path) -> None:
    (rule,) = read_rule_file(write(tmp_path, VALID))
    assert rule.id == "xx-test"
    assert rule.mandates[0].hours == Decimal(2)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(("total = 40\n", ""), "rules[0].total: is required", id="missing-total"),
        pytest.param(
            ("total = 40", "total = -1"),
            "rules[0].total: must not be negative",
            id="negative-total",
        ),
        pytest.param(
            ("hours = 2", "hours = -2"),
            "rules[0].mandates[0].hours: must be a positive number",
            id="negative-hours",
        ),
        pytest.param(
            ("hours = 2", "hours = 0"),
            "rules[0].mandates[0].hours: must be a positive number",
            id="zero-hours",
        ),
        pytest.param(
            ('topics = ["ethics"]', 'topics = ["opiod"]'),
            "rules[0].mandates[0].topics: unknown topic 'opiod' (did you mean opioid_prescribing",
            id="unknown-topic",
        ),
        pytest.param(
            ("hours = 2", 'hours = 2\nrecurrence = "fortnightly"'),
            "rules[0].mandates[0].recurrence: must be one of every_cycle",
            id="unknown-recurrence",
        ),
        pytest.param(
            ("hours = 2", 'hours = 2\nrecurrence = "fixed_periods"\nyears = 3'),
            "rules[0].mandates[0].period_end: is required with recurrence 'fixed_periods'",
            id="fixed-periods-without-an-end",
        ),
        pytest.param(
            ("checked = 2026-11-23", 'checked = "2026-13-01"'),
            "rules[0].checked: must be a date (YYYY-MM-DD), got '2026-13-01'",
            id="bad-date",
        ),
        pytest.param(
            ("checked = 2026-11-23\n", ""), "rules[0].checked: is required", id="missing-date"
        ),
        pytest.param(
            ("total = 40", 'total = 40\nunit = "minutes"'),
            "rules[0].unit: must be one of credits, points, hours; got 'minutes'",
            id="unknown-unit",
        ),
        pytest.param(
            ("total = 40", "totl = 40\ntotal = 40"),
            "rules[0]: unknown field(s) 'totl'",
            id="unknown-field",
        ),
        pytest.param(
            ('kind = "fixed_date"', 'kind = "lunar"'),
            "rules[0].renewal.kind: must be one of fixed_date",
            id="unknown-renewal",
        ),
        pytest.param(
            ("month = 12\n", ""),
            "rules[0].renewal.month: is required for a fixed_date renewal",
            id="fixed-date-without-month",
        ),
        pytest.param(
            ('professions = ["md"]', 'professions = ["wizard"]'),
            "rules[0].professions: unknown profession 'wizard'",
            id="unknown-profession",
        ),
        pytest.param(
            ("hours = 2", 'hours = 2\nrecurrence = "every_nth_renewal"'),
            "rules[0].mandates[0].every: is required",
            id="nth-without-every",
        ),
        pytest.param(
            ("hours = 2", "hours = 2\nyears = 4"),
            "rules[0].mandates[0].years: is not used with recurrence 'every_cycle'",
            id="parameter-of-another-recurrence",
        ),
        pytest.param(
            ("hours = 2", 'hours = 2\nnot_from = ["xx-nothing"]'),
            "rules[0].mandates.not_from: 'xx-nothing' is not another mandate",
            id="not-from-unknown",
        ),
        pytest.param(
            ("hours = 2", 'hours = 2\nwhen_flags = ["left_handed"]'),
            "rules[0].mandates[0].when_flags: unknown flag 'left_handed'",
            id="unknown-flag",
        ),
        pytest.param(
            ("hours = 2", "share = 1.5"),
            "rules[0].mandates[0].share: must be a fraction",
            id="share-above-one",
        ),
        pytest.param(('anchor = "even_year"', 'anchor = "odd_year"\n'), None, id="odd-year-ok"),
    ],
)
def test_a_broken_file_names_file_and_field(
    tmp_path: Path, change: tuple[str, str], expected: str | None
) -> None:
    old, new = change
    assert old in VALID
    text = VALID.replace(old, new, 1)
    if expected is None:
        assert read_rule_file(write(tmp_path, text))
        return
    message = error_for(tmp_path, text)
    assert expected.replace("mandates.not_from", "mandates[0].not_from") in message, message


def test_invalid_toml_and_empty_files(tmp_path: Path) -> None:
    assert "not valid TOML" in error_for(tmp_path, "[[rules]\nid=")
    assert "at least one [[rules]] table" in error_for(tmp_path, "# nothing here\n")


def test_duplicate_mandate_ids(tmp_path: Path) -> None:
    again = (
        '[[rules.mandates]]\nid = "xx-ethics"\ntitle = "Again"\ntopics = ["ethics"]\nhours = 1\n'
    )
    text = VALID + "\n" + again
    assert "rules[0].mandates[1].id: duplicate mandate id 'xx-ethics'" in error_for(tmp_path, text)


def test_operator_folder_overrides_by_id_and_adds(tmp_path: Path) -> None:
    override = VALID.replace('id = "xx-test"', 'id = "us-tx-md"').replace(
        "total = 40", "total = 99"
    )
    write(tmp_path, override, "texas-local.toml")
    write(tmp_path, VALID, "extra.toml")
    book = load_rules([tmp_path])
    assert book.get("us-tx-md").total == Decimal(99)
    assert book.origin("us-tx-md") == tmp_path / "texas-local.toml"
    assert "xx-test" in book
    assert set(book.ids) == SHIPPED_IDS | {"xx-test"}
    assert shipped_rulebook().get("us-tx-md").total == Decimal(48)  # the cache is untouched


def test_same_id_in_two_operator_folders_is_an_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, VALID, "one.toml")
    write(second, VALID, "two.toml")
    with pytest.raises(
        RuleFileError, match=r"two\.toml: rule id 'xx-test' is also defined in .*one\.toml"
    ):
        load_rules([first, second])


def test_same_id_twice_in_one_folder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, VALID, "one.toml")
    write(tmp_path, VALID, "two.toml")
    with pytest.raises(RuleFileError, match="also defined in"):
        load_rules([tmp_path])


def test_a_broken_operator_file_stops_the_load(tmp_path: Path) -> None:
    write(tmp_path, VALID.replace("hours = 2", "hours = -2"), "bad.toml")
    with pytest.raises(RuleFileError, match=re.escape("bad.toml: rules[0].mandates[0].hours")):
        load_rules([tmp_path])


def test_a_missing_operator_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="not a directory"):
        load_rules([tmp_path / "absent"])


def test_files_starting_with_underscore_are_not_rules(tmp_path: Path) -> None:
    write(tmp_path, "this is not toml", "_notes.toml")
    write(tmp_path, VALID, "ok.toml")
    assert "xx-test" in load_rules([tmp_path])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("texas", ["us-tx-md"]),
        ("TX", ["us-tx-md"]),
        ("florida md", ["us-fl-md"]),
        ("Florida", ["us-fl-md"]),
        ("ABIM", ["abim-moc", "abim-moc-2y"]),
        ("new york", ["us-ny-md"]),
        ("pennsylvania", ["us-pa-md"]),
        ("tenessee", ["us-tn-md"]),
        ("Texsa", ["us-tx-md"]),
        ("Califronia", ["us-ca-md"]),
        ("Georgia", []),
        ("DEA", ["us-dea-mate"]),
        ("aafp", ["aafp-membership"]),
        ("ohio", ["us-oh-md"]),
        ("california md", ["us-ca-md"]),
        ("", []),
        ("zzzz", []),
    ],
)
def test_search(query: str, expected: list[str]) -> None:
    assert [r.id for r in shipped_rulebook().search(query)] == expected


def test_for_profession() -> None:
    book = shipped_rulebook()
    do_rules = {r.id for r in book.for_profession("do")}
    assert {"us-tx-md", "us-oh-md", "us-ny-md", "aafp-membership"} <= do_rules
    assert "us-fl-md" not in do_rules
    assert {r.id for r in book.for_profession("np")} == {"us-dea-mate"}
