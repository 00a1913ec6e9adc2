"""How an activity was attended (live, webinar, home study …) and ACPE activity numbers.

A log line or a certificate says the format in words ("live sessions", "webinar",
"home-study activity"), and an ACPE Universal Activity Number says it in one letter
(``0204-0000-26-045-H05-P``: L live, H home study; P pharmacists, T technicians). The
format is the entry's ``activity_type``, a vocabulary id, so a rule's live minimum or
its caps (AAFP: 25 live credits) count it (QA round 13: no handler ever set it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot.domain.topics import vocabulary

# The formats words can say: the rest (teaching, scholarly, board exam …) name what a
# title is about as often as how it was done ("Research update", "Board review"), so
# they are only ever chosen with the draft's 🎓 Format button.
SAID_FORMATS = ("live", "live_course", "rss", "internet_live", "enduring")
# Words that only say the format: taken out of a title ("ASHP Midyear live sessions").
_FORMAT_ONLY = frozenset(
    {"live", "in person", "live session", "face to face", "onsite", "home study", "enduring",
     "on demand", "self paced"}
)  # fmt: skip
_MAX_WORDS = 3

UAN = re.compile(
    r"(?:\b(?:ACPE\s+)?UAN\b\s*(?:#|no\.?|number)?\s*:?\s*)?"
    r"(?<![\w-])(?P<uan>\d{4}-\d{4}-\d{2}-\d{3}-[LH]\d{2}-[PT])(?![\w-])",
    re.IGNORECASE,
)
_UAN_FORMATS = {"L": "live", "H": "enduring"}
UAN_INCOMPLETE = re.compile(
    r"\b(?:ACPE\s+)?UAN\b\s*(?:#|no\.?|number)?\s*:?\s*(?P<uan>[\w-]*\d[\w-]*)", re.IGNORECASE
)
"""A "UAN" followed by something that is not a whole one ("UAN 0204-00-26"): its digits
are no date or amount either (QA round 14: "not a real date", and nothing was drafted)."""


@dataclass(frozen=True, slots=True)
class FormatSaid:
    """The format words name, and which of the words only said it (for the title)."""

    activity_type: str | None
    format_words: frozenset[int]


def _plain(text: str) -> str:
    """Lower case, words only: "In-person" and "in person" alike ("in" is kept, unlike
    the vocabulary's folding, or "person" alone would say live)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


@cache
def _phrases() -> dict[str, str]:
    """Every way the said formats are named, plain, singular and plural, to its id."""
    found: dict[str, str] = {}
    terms = vocabulary().activity_types
    for type_id in SAID_FORMATS:
        term = terms.get(type_id)
        assert term is not None, type_id  # the vocabulary test keeps these ids
        for alias in term.aliases:
            plain = _plain(alias)
            found.setdefault(plain, type_id)
            found.setdefault(plain + "s", type_id)  # "live sessions", "webinars"
    return found


def format_in_words(words: Sequence[str]) -> FormatSaid:
    """The format the words name (longest phrase first); when several are named, the
    narrower of two related ones ("webinar (live)": a live webinar), else the first."""
    phrases = _phrases()
    plain = [_plain(word) for word in words]
    used = [False] * len(words)
    found: list[tuple[int, str]] = []
    only: set[int] = set()
    for size in range(min(_MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            phrase = " ".join(plain[start : start + size])
            type_id = phrases.get(phrase)
            if type_id is None:
                continue
            found.append((start, type_id))
            used[start : start + size] = [True] * size
            if phrase.removesuffix("s") in _FORMAT_ONLY or phrase in _FORMAT_ONLY:
                only.update(range(start, start + size))
    return FormatSaid(_chosen([t for _, t in sorted(found)]), frozenset(only))


def _chosen(named: list[str]) -> str | None:
    if not named:
        return None
    ancestors = vocabulary().activity_types.ancestors
    first = named[0]
    for other in named[1:]:
        if first in ancestors(other):  # "live" then "webinar": the webinar is the detail
            first = other
    return first


def format_in_text(text: str) -> str | None:
    """The format a text names (a certificate's lines), None when it names none."""
    return format_in_words(re.findall(r"[\w'’-]+", text)).activity_type


def find_uan(text: str) -> re.Match[str] | None:
    """An ACPE UAN in the text, with the "UAN:" before it when there is one."""
    return UAN.search(text)


def uan_format(uan: str) -> str | None:
    """Live for an L, home study (enduring) for an H: the UAN's fifth group's letter."""
    parts = uan.split("-")
    return _UAN_FORMATS.get(parts[4][:1].upper()) if len(parts) >= 5 and parts[4] else None


def format_label(activity_type: str | None) -> str:
    """The format as people say it; "" when none is known."""
    return vocabulary().activity_types.label(activity_type) if activity_type else ""


def format_choices() -> tuple[str, ...]:
    """Every activity type, in the vocabulary's order: the 🎓 Format buttons."""
    return vocabulary().activity_types.ids
