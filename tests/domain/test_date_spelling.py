"""Misspelt month names and day words are read as meant; look-alike words are left alone."""

from __future__ import annotations

import pytest

from bot.domain.date_spelling import correct_date_word, fix_date_spelling


@pytest.mark.parametrize(
    ("word", "month"),
    [("Febuary", "february"), ("Feburary", "february"), ("Febraury", "february"),
     ("Janurary", "january"), ("Jaunary", "january"), ("Agust", "august"),
     ("Septmber", "september"), ("Setpember", "september"), ("Ocotber", "october"),
     ("Novmber", "november"), ("Decemeber", "december"), ("Arpil", "april"),
     ("Mrach", "march"), ("Jnue", "june"), ("Juen", "june"), ("Jluy", "july"),
     ("yday", "yesterday"), ("ydy", "yesterday")],
)  # fmt: skip
def test_slips_are_read_as_the_month(word: str, month: str) -> None:
    assert correct_date_word(word) == month


@pytest.mark.parametrize(
    "word",
    ["match", "marsh", "Augusta", "Octopus", "novice", "number", "Janus", "decent", "member",
     "March", "sept", "April", "separate", "augment", "ethics", "Boston", "June", "just",
     "jump", "junk", "Julie", "Jule"],
)  # fmt: skip
def test_words_that_only_look_alike_are_left_alone(word: str) -> None:
    assert correct_date_word(word) is None


def test_only_the_misspelt_words_change_and_capitals_are_kept() -> None:
    assert fix_date_spelling("courses in Febuary near Augusta") == (
        "courses in February near Augusta"
    )
    assert fix_date_spelling("did 2 hrs novmber 3") == "did 2 hrs november 3"


@pytest.mark.parametrize(
    ("word", "meant"),
    [("yesterdy", "yesterday"), ("yesturday", "yesterday"), ("Yestrday", "yesterday"),
     ("tomorow", "tomorrow"), ("tommorow", "tomorrow"), ("tommorrow", "tomorrow")],
)  # fmt: skip
def test_slips_in_day_words_are_read(word: str, meant: str) -> None:
    """Review: "/log 2 ethcs yesterdy" was dated today, "yesterdy" left in the title."""
    assert correct_date_word(word) == meant


@pytest.mark.parametrize("word", ["yesterday", "tomorrow", "toady", "tomato", "yes", "yeast"])
def test_day_words_and_look_alikes_stay(word: str) -> None:
    assert correct_date_word(word) is None


def test_a_log_line_with_a_misspelt_day_word_is_dated_by_it() -> None:
    from datetime import UTC, date, datetime

    from bot.domain.log_parse import parse_log_line

    now = datetime(2026, 12, 6, 15, tzinfo=UTC)
    draft = parse_log_line("2 ethcs yesterdy", now, "America/New_York",
                           default_category="ama_pra_1")  # fmt: skip
    assert getattr(draft, "completed_on", None) == date(2026, 12, 5)
    assert getattr(draft, "title", None) == "ethcs"
