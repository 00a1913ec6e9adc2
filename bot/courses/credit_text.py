"""Reading a credits cell: the amount, and the credit category its words name.

Cells mix the figure with a category name that has numbers of its own ("AMA PRA Category
1 Credits™: 2.0", "AMA PRA Cat. 1: 6.25"), so the first number is not the amount (QA round
9: both stored as 1). Category names are found first, as runs of words the vocabulary
knows; the one number left over is the amount. Anything else (a range, two figures, a
category we do not know) is refused with a reason rather than guessed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.courses.values import ValueProblem
from bot.domain import topics

_TOKEN = re.compile(r"\d+(?:\.\d+)?|\.\d+|[^\W\d_]+")
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+),(\d{1,2})(?![\d,.])")  # "1,5" = 1.5 in Europe
_RANGE_BETWEEN = re.compile(r"^\s*(?:-|–|—|to)\s*$", re.I)
_NEGATIVE = re.compile(r"(?:^|[^\w\s])\s*-\s*$|^\s*-\s*$")
_LONGEST_NAME = 6  # words: "aoa category 1 a credits" and the like
_FILLER = frozenset({
    "credit", "credits", "cme", "ce", "hour", "hours", "hr", "hrs", "h", "up", "to", "max",
    "maximum", "total", "of", "a", "an", "and", "per", "session", "day", "approx",
    "approximately", "tm", "r", "unit", "units", "pt", "pts", "point", "points", "for",
    "the", "each", "awarded", "designated", "available",
    # review: "2 Credit(s)", "2 cr.", "2 live credits" imported before and must still
    "s", "cr", "live", "online", "virtual", "enduring", "approved", "accredited",
})  # fmt: skip
# "contact hours" is how nurses' and pharmacists' CE are both counted: alone it says ANCC
# (the common case), beside a named body ("ACPE: 2.0 contact hours") it is only the unit.
_UNIT_PHRASES = frozenset({"contact hours", "contact hour", "contact hrs", "contact hr"})


@dataclass(frozen=True, slots=True)
class CreditsRead:
    """The amount of a credits cell, and the category it names (None: it names none)."""

    amount: Decimal
    category: str | None


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def is_number(self) -> bool:
        return self.text[0].isdigit() or self.text[0] == "."


def read_credits(value: object, *, category_given: bool = False) -> CreditsRead:
    """The amount (and named category) of a credits value; :class:`ValueProblem` if unsure.
    With ``category_given`` (a Category column) other words in the cell are not checked."""
    if isinstance(value, bool | dict | list | tuple | set):  # JSON {"credits": {"x": 3}}
        raise ValueProblem(f"credits is not a number: {value!r}")
    if isinstance(value, int | Decimal):
        return CreditsRead(Decimal(value), None)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem(f"credits is not a finite number: {value!r}")
        return CreditsRead(Decimal(str(value)), None)
    raw = " ".join(str(value).split())
    return _read_text(raw, category_given)


def _read_text(raw: str, category_given: bool = False) -> CreditsRead:
    cell = _DECIMAL_COMMA.sub(r"\1.\2", raw, count=1)
    tokens = [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(cell)]
    named, used = _categories(tokens)
    numbers = [t for i, t in enumerate(tokens) if t.is_number and i not in used]
    if not numbers:
        raise ValueProblem(f"credits is not a number: {raw!r}")
    if len(numbers) > 1:
        raise ValueProblem(_several(raw, cell, numbers))
    if len(named) > 1:
        labels = " and ".join(sorted(topics.category_label(c) for c in named))
        raise ValueProblem(f"credits {raw!r} name two credit categories ({labels})")
    words = {t.text.lower() for i, t in enumerate(tokens) if i not in used and not t.is_number}
    if not named and words - _FILLER and not category_given:
        unknown = ", ".join(sorted(words - _FILLER))
        raise ValueProblem(
            f"credits {raw!r} name a credit category I do not know ({unknown}): give the "
            "category in a Category column (e.g. ama_pra_1, ancc)"
        )
    amount = _decimal(numbers[0].text, raw)
    if _NEGATIVE.search(cell[: numbers[0].start]):
        amount = -amount  # "-2": the validator refuses it as not more than 0
    return CreditsRead(amount, named.pop() if named else None)


def category_named(text: str) -> str | None:
    """The one credit category a phrase names somewhere in it ("ANCC Contact Hours")."""
    named, _ = _categories([_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)])
    return named.pop() if len(named) == 1 else None


def _categories(tokens: list[_Token]) -> tuple[set[str], set[int]]:
    """Categories named by runs of words (longest first), and the tokens those runs use."""
    named: set[str] = set()
    unit_only: set[str] = set()
    used: set[int] = set()
    for size in range(min(_LONGEST_NAME, len(tokens)), 0, -1):
        for first in range(len(tokens) - size + 1):
            span = range(first, first + size)
            if used.intersection(span) or all(tokens[i].is_number for i in span):
                continue
            phrase = " ".join(tokens[i].text for i in span)
            if phrase.lower() in _FILLER:
                continue
            category = topics.normalize_category(phrase)
            if category is not None:
                (unit_only if phrase.lower() in _UNIT_PHRASES else named).add(category)
                used.update(span)
    return named or unit_only, used


def _several(raw: str, cell: str, numbers: list[_Token]) -> str:
    between = cell[numbers[0].end : numbers[1].start]
    if len(numbers) == 2 and _RANGE_BETWEEN.match(between):
        return (
            f"credits {raw!r} is a range, not an amount: give the credits the course "
            "awards (one number)"
        )
    return f"credits {raw!r} has more than one number: give one amount"


def _decimal(number: str, raw: str) -> Decimal:
    try:
        return Decimal(number)
    except InvalidOperation:
        raise ValueProblem(f"credits is not a number: {raw!r}") from None
