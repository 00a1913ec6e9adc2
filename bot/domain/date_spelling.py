"""Misspelt month names and day words ("Febuary", "Septmber", "yesterdy") read as meant.

Clinicians type dates on phones; a date parser that does not know "Febuary" leaves the
word for the next reader, which then takes it for a place ("courses in Febuary") or
ignores it ("/log 2 ethics Febuary 3", "/log 2 ethics yesterdy" dated today). Only full
names are corrected, and conservatively: a long one (six letters or more) accepts one or
two slips with the first letter kept; "march", "april", "june" and "july" accept only
swapped letters ("Jnue"), so "match" and "marsh" stay words. "today" is left alone
("toady" is a word).
"""

from __future__ import annotations

import difflib
import functools
import re

_FULL_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_DAY_WORDS = ("yesterday", "tomorrow")
_ABBREVIATIONS = frozenset(
    {name[:3] for name in _FULL_NAMES} | {"sept", "febr", "janu"} | set(_FULL_NAMES)
    | set(_DAY_WORDS)
)
_CLOSE_ENOUGH = 0.8
_WORD = re.compile(r"\b[A-Za-z]{3,12}\b")


_SHORTHANDS = {"yday": "yesterday", "ydy": "yesterday", "yest": "yesterday", "tmrw": "tomorrow"}
"""Texting shorthands (QA round 7: "/log 2 ethics yday" was titled "yday", dated today)."""


@functools.cache
def correct_date_word(word: str) -> str | None:
    """The month or day word a misspelt word means ("Febuary" → "february"), else None."""
    low = word.lower()
    if low in _SHORTHANDS:
        return _SHORTHANDS[low]
    if low in _ABBREVIATIONS:
        return None
    return slip_of(low, (*_FULL_NAMES, *_DAY_WORDS))


def slip_of(word: str, names: tuple[str, ...]) -> str | None:
    """The one of ``names`` (lower case) that ``word`` misspells, by the rule above: the
    first letter kept; a name of five letters or fewer only with its letters swapped
    ("frist", "Jnue"), a longer one with one or two slips (difflib ratio 0.8). None for a
    name itself, a word beginning with one ("Augusta"), or anything further off."""
    low = word.lower()
    for name in names:
        if len(name) < 4 or not low or low[0] != name[0] or low.startswith(name):
            continue  # "Augusta" is a city, not a slip
        if len(name) <= 5:
            if sorted(low) == sorted(name):
                return name
            continue
        if difflib.SequenceMatcher(None, low, name).ratio() >= _CLOSE_ENOUGH:
            return name
    return None


def fix_date_spelling(text: str) -> str:
    """``text`` with misspelt month names and day words corrected (others untouched)."""

    def fixed(match: re.Match[str]) -> str:
        month = correct_date_word(match[0])
        if month is None:
            return match[0]
        return month.capitalize() if match[0][0].isupper() else month

    def part_fixed(match: re.Match[str]) -> str:
        part = _close_part_of_day(match[2].lower())
        return match[0] if part is None else f"{match[1]} {part}"

    return _PART_AFTER.sub(part_fixed, _WORD.sub(fixed, text))


_PARTS_OF_DAY = ("morning", "afternoon", "evening")
# Only right after "this", "yesterday" or "tomorrow" ("this mornign"): alone, a word
# close to one is more likely meant ("a course on grief and mourning").
_PART_AFTER = re.compile(r"\b(this|yesterday|tomorrow)\s+([A-Za-z]{5,11})\b", re.IGNORECASE)


def _close_part_of_day(word: str) -> str | None:
    if word in _PARTS_OF_DAY:
        return None
    for part in _PARTS_OF_DAY:
        if word[0] == part[0] and difflib.SequenceMatcher(None, word, part).ratio() >= 0.8:
            return part
    return None
