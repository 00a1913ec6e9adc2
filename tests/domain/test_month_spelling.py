"""Misspelt month names are read as months; words that only look alike are left alone."""

from __future__ import annotations

import pytest

from bot.domain.month_spelling import correct_month, fix_month_spelling


@pytest.mark.parametrize(
    ("word", "month"),
    [("Febuary", "february"), ("Feburary", "february"), ("Febraury", "february"),
     ("Janurary", "january"), ("Jaunary", "january"), ("Agust", "august"),
     ("Septmber", "september"), ("Setpember", "september"), ("Ocotber", "october"),
     ("Novmber", "november"), ("Decemeber", "december"), ("Arpil", "april"),
     ("Mrach", "march")],
)  # fmt: skip
def test_slips_are_read_as_the_month(word: str, month: str) -> None:
    assert correct_month(word) == month


@pytest.mark.parametrize(
    "word",
    ["match", "marsh", "Augusta", "Octopus", "novice", "number", "Janus", "decent", "member",
     "March", "sept", "April", "separate", "augment", "ethics", "Boston"],
)  # fmt: skip
def test_words_that_only_look_alike_are_left_alone(word: str) -> None:
    assert correct_month(word) is None


def test_only_the_misspelt_words_change_and_capitals_are_kept() -> None:
    assert fix_month_spelling("courses in Febuary near Augusta") == (
        "courses in February near Augusta"
    )
    assert fix_month_spelling("did 2 hrs novmber 3") == "did 2 hrs november 3"
