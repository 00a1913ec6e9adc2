"""Small counts written as words ("three", "none"), for typed answers and log lines."""

from __future__ import annotations

import re

_WORDS = {
    "zero": 0, "none": 0, "no": 0, "never": 0, "one": 1, "once": 1, "two": 2, "twice": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip
_AMOUNT_WORDS = {word: n for word, n in _WORDS.items() if n > 0 and word not in ("once", "twice")}
_LEADING = re.compile(r"^\s*(" + "|".join(sorted(_AMOUNT_WORDS, key=len, reverse=True)) + r")\b",
                      re.IGNORECASE)  # fmt: skip


def count_of(text: str) -> int | None:
    """ "3", "three", "none" → 3, 3, 0; None when the answer is not a count."""
    words = " ".join(text.lower().split()).strip(" .!")
    words = words.removesuffix(" times").removesuffix(" time")
    if words.isdigit():
        return int(words)
    return _WORDS.get(words)


def leading_word_as_digits(text: str) -> str:
    """ "two ethics credits on 12/1" → "2 ethics credits on 12/1" (only a leading word)."""
    return _LEADING.sub(lambda m: str(_AMOUNT_WORDS[m.group(1).lower()]), text, count=1)


_HALF_AFTER_DIGIT = re.compile(r"(\d)\s*½")
_AND_A_HALF = re.compile(r"\b(\d+)\s+and\s+a\s+half\b", re.IGNORECASE)
_HALF_UNIT = re.compile(
    r"\b(?:a\s+)?half\s+(?:an?\s+)?(?=(?:credits?|hours?|hrs?|points?|contact\s+hours?)\b)",
    re.IGNORECASE,
)
CEUS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*ceus?\b", re.IGNORECASE)
"""An amount in CEUs ("0.2 CEUs"); group 1 is the number."""


def ceus_in(text: str) -> str:
    """The CEU amount a text gives ("1" for "1 CEU ethics"), else "": the draft says how
    it was converted (QA: 10 credits appeared without a word)."""
    match = CEUS.search(text)
    return match.group(1) if match else ""


CONTACT_HOURS_PER_CEU = 10
"""IACET and ANCC: one Continuing Education Unit is ten contact hours."""


_HOURS_MINUTES = re.compile(
    r"(?<!at )(?<![\w.:])(\d{1,2})\s*h(?:ours?|rs?)?\s*(?:and\s+)?(\d{1,2})\s*"
    r"(?:m(?:in(?:ute)?s?)?)?(?![\w.:])",
    re.IGNORECASE,
)
# "90 minutes", "90 mins", and the slips "minuts", "mintues" (not "minor", "mindfulness")
_MINUTES = re.compile(r"(?<![\w.])(\d{1,4})\s*min(?:[uiet]{1,4}s?|s)?(?![\w.])", re.IGNORECASE)


def _hours(minutes: int) -> str:
    return f"{round(minutes / 60, 2):g} hours"


# "a 3-hour course", "the 1.5-credit module": the amount with its unit (QA round 13: not
# understood). Days stay joined: "3-day conference" is how long it lasted.
_HYPHENED_UNIT = re.compile(
    r"(?<![\w.-])(\d+(?:\.\d+)?)-(hours?|hrs?|credits?|(?:contact[- ])hours?)(?![\w-])",
    re.IGNORECASE,
)


def spoken_amounts(text: str) -> str:
    """Amounts as people type them, as digits: "½ credit", "half a credit", "1½ hours",
    "2 and a half hours", "1 CEU" (ten contact hours), "90 minutes" and "1h30" (hours).
    QA: each was "not understood", or "90 minutes" was 90 credits."""
    text = _HYPHENED_UNIT.sub(lambda m: f"{m.group(1)} {m.group(2).replace('-', ' ')}", text)
    text = _HOURS_MINUTES.sub(lambda m: _hours(int(m.group(1)) * 60 + int(m.group(2))), text)
    text = _MINUTES.sub(lambda m: _hours(int(m.group(1))), text)
    text = _HALF_AFTER_DIGIT.sub(r"\1.5", text).replace("½", "0.5")
    text = _AND_A_HALF.sub(r"\1.5", text)
    text = _HALF_UNIT.sub("0.5 ", text)
    return CEUS.sub(_ceus_as_contact_hours, text)


def _ceus_as_contact_hours(match: re.Match[str]) -> str:
    return f"{float(match.group(1)) * CONTACT_HOURS_PER_CEU:g} contact hours"
