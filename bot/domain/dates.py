"""The one place that turns people's date phrases into dates.

Why not just dateparser: it must be told ``languages=['en']`` (else 2.6 s and 64 MB on
first use), costs ~1 ms per phrase, leans to the past, and gets common chat phrases wrong
("a week from today" → a week ago) or not at all ("end of month", "this weekend",
"in 3 wks"). So a small regex grammar handles the forms people actually type, fast and
predictably, and dateparser (imported lazily) is only the fallback for the rest.

Conventions, chosen once so every caller agrees:

* "Today" is the user's local date: ``now`` (aware, from the injectable clock) converted
  to their zone. DST cannot shift a date; datetimes are built in the zone and normalized.
* Completed activities prefer the past ("Nov 3" → the last Nov 3 on or before today);
  searches and reminders prefer the future ("Nov 3" → the next one).
* Numeric dates are US month/day ("11/03/2026") unless ``day_first=True``; a first
  number above 12 is read as a day either way ("13/03/2026").
* Weeks run Monday–Sunday, except that a search for "this week" made on a Sunday covers
  the seven days ahead (a rest-of-week of one day would surprise). A bare weekday never
  means today ("friday", said on a Friday, is a week ago or a week ahead: people say
  "today"); "next friday" is the first Friday
  after today; "this friday" is the one in the current week.
* "last week" as a single day means seven days ago (as dateparser does); a month or a
  year where a day is needed ("I did it in March") is refused with ``NEEDS_DAY`` and the
  period, so the chat can ask "which day in March?".
* Ranges are inclusive; ``end=None`` means open-ended ("after Jan 15").
"""

from __future__ import annotations

import calendar
import functools
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar
from zoneinfo import ZoneInfo

from bot.domain.date_spelling import fix_date_spelling

MIN_YEAR = 1980
"""Dates before this are refused: CME records do not go back further (and typos do)."""
MAX_FUTURE_YEARS = 5
"""Searches and reminders further ahead than this are refused as typos."""
MAX_PHRASE_CHARS = 200
EARLIEST = date(MIN_YEAR, 1, 1)


class DateReason(StrEnum):
    """Why a phrase gave no usable date; the chat turns each into a friendly sentence."""

    EMPTY = "empty"
    UNPARSEABLE = "unparseable"
    INVALID_DATE = "invalid_date"  # "Feb 30", "13/13/2026"
    IN_FUTURE = "in_future"  # a completed activity dated after today
    IN_PAST = "in_past"  # a search or reminder for a day already gone
    TOO_OLD = "too_old"  # before MIN_YEAR
    TOO_FAR = "too_far"  # more than MAX_FUTURE_YEARS ahead
    NEEDS_DAY = "needs_day"  # a month/year given where one day is needed
    REVERSED_RANGE = "reversed_range"  # "between Feb 2 and Jan 10, 2026"


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive ``start``..``end`` (``end=None``: open-ended), plus ``anchor``.

    ``anchor`` is the one day that best stands for the phrase: the day itself, the start
    of a period ("next month" → the 1st), the deadline of "before/by X".
    """

    start: date
    end: date | None
    anchor: date

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def days(self) -> int | None:
        """Number of days covered, None if open-ended."""
        return None if self.end is None else (self.end - self.start).days + 1


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """A value, or the reason there is none (``period`` set for ``NEEDS_DAY``)."""

    value: T | None
    reason: DateReason | None = None
    period: DateRange | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date phrase found inside a longer message, with its span for stripping."""

    phrase: str
    start: int
    end: int
    text: str

    @property
    def remainder(self) -> str:
        """The message without the phrase, whitespace tidied."""
        return " ".join((self.text[: self.start] + " " + self.text[self.end :]).split())


# --------------------------------------------------------------------------- calendar helpers


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def local_now(now: datetime, tz: tzinfo | str) -> datetime:
    """``now`` in the user's zone; ``now`` must be aware (the clock's)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(_zone(tz))


def local_today(now: datetime, tz: tzinfo | str) -> date:
    """The user's calendar date at ``now``: what "today" means to them."""
    return local_now(now, tz).date()


def localize(day: date, at: time, tz: tzinfo | str) -> datetime:
    """``day`` at wall time ``at`` in ``tz``, DST-safe.

    A wall time inside a spring-forward gap (02:30 that never happens) moves forward by
    the gap; an ambiguous fall-back time takes its first occurrence.
    """
    zone = _zone(tz)
    naive = datetime.combine(day, at.replace(tzinfo=None))
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    year = min(max(year, 1), 9999)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _shift_years(day: date, years: int) -> date:
    return _add_months(day, 12 * years)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --------------------------------------------------------------------------- vocabulary

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY_FULL = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_ORDINAL_WORDS.update({f"twenty-{w}": 20 + n for w, n in list(_ORDINAL_WORDS.items())[:9]})
_ORDINAL_WORDS.update({f"twenty {w}": 20 + n for w, n in list(_ORDINAL_WORDS.items())[:9]})
_ORDINAL_WORDS.update({"thirty-first": 31, "thirty first": 31})
_ORDINAL_WORD = "(?:" + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)) + ")"
_ORDINAL_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)|{_ORDINAL_WORD})"
_DAY = rf"(?:{_ORDINAL_DAY}|[12]\d|3[01]|0?[1-9])"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"
_NUMBER = (
    r"(?:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|(?:a\s)?couple(?:\sof)?|(?:a\s)?few)"
)
_UNIT = r"(?:days?|d|weeks?|wks?|w|fortnights?|months?|mos?|mths?|years?|yrs?|y)"
_REL = r"(?:last|this|next|coming|past|previous|this\spast|this\scoming)"

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "couple": 2, "a couple": 2, "couple of": 2, "a couple of": 2, "few": 3, "a few": 3,
}  # fmt: skip
_MONTHS = {name: i for i, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_WEEKDAYS = {name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}


def _number(text: str) -> int:
    text = " ".join(text.split())
    return int(text) if text.isdigit() else _NUMBER_WORDS[text]


def _month(text: str) -> int:
    return _MONTHS[text.rstrip(".")[:3]]


def _weekday(text: str) -> int:
    return _WEEKDAYS[text.rstrip(".")[:3]]


def _day(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else _ORDINAL_WORDS[" ".join(text.split())]


def _unit(text: str) -> Literal["day", "week", "month", "year"]:
    if text.startswith("d"):
        return "day"
    if text.startswith(("w", "f")):
        return "week"
    if text.startswith("m"):
        return "month"
    return "year"


def _offset(day: date, n: int, unit_text: str) -> date:
    """``day`` moved by ``n`` units (negative: back). Month ends clamp (Jan 31 + 1 mo)."""
    unit = _unit(unit_text)
    if unit_text.startswith("f"):
        return day + timedelta(weeks=2 * n)
    if unit == "day":
        return day + timedelta(days=n)
    if unit == "week":
        return day + timedelta(weeks=n)
    return _add_months(day, n if unit == "month" else 12 * n)


# --------------------------------------------------------------------------- grammar


SpecKind = Literal["day", "week", "period", "span"]  # span: "Nov 3 to Nov 5", days at both ends


@dataclass(frozen=True, slots=True)
class _Spec:
    """What a phrase means before preferences and checks are applied."""

    start: date
    end: date | None
    anchor: date
    kind: SpecKind = "day"
    yearless: bool = False  # the year was guessed: preference may move it by a year

    def shifted(self, years: int) -> _Spec:
        return replace(
            self,
            start=_shift_years(self.start, years),
            end=None if self.end is None else _shift_years(self.end, years),
            anchor=_shift_years(self.anchor, years),
        )


def _day_spec(day: date, *, yearless: bool = False) -> _Spec:
    return _Spec(day, day, day, "day", yearless)


def _period(start: date, end: date, *, kind: SpecKind = "period", anchor: date | None = None,
            yearless: bool = False) -> _Spec:  # fmt: skip
    return _Spec(start, end, anchor or start, kind, yearless)


@dataclass(frozen=True, slots=True)
class _Ctx:
    today: date
    future: bool
    day_first: bool


class _InvalidDateError(ValueError):
    """The pattern matched but names no real day ("Feb 30")."""


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _InvalidDateError(str(exc)) from exc


def _year(text: str, ctx: _Ctx) -> int:
    text = text.lstrip("'")
    if len(text) == 4:
        return int(text)
    yy = int(text)
    century = 2000 if 2000 + yy <= ctx.today.year + 10 else 1900
    return century + yy


def _month_day(month: int, day: int, year_text: str | None, ctx: _Ctx) -> _Spec:
    """A calendar day; without a year, this year's (preference moves it later)."""
    if year_text:
        return _day_spec(_make_date(_year(year_text, ctx), month, day))
    if month == 2 and day == 29:  # the nearest leap year in the preferred direction
        step = 1 if ctx.future else -1
        year = ctx.today.year
        while True:
            if calendar.isleap(year):
                candidate = date(year, 2, 29)
                if (candidate >= ctx.today) if ctx.future else (candidate <= ctx.today):
                    return _day_spec(candidate)
            year += step
    return _day_spec(_make_date(ctx.today.year, month, day), yearless=True)


def _relative_weekday(rel: str | None, weekday: int, ctx: _Ctx) -> date:
    today = ctx.today
    rel = " ".join(rel.split()) if rel else None
    if rel in ("this",):
        return _week_start(today) + timedelta(days=weekday)
    if rel in ("last", "past", "previous", "this past"):
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    if rel in ("next", "coming", "this coming"):
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    if ctx.future:
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)


def _relative_period(rel: str, unit: str, ctx: _Ctx) -> _Spec:
    today = ctx.today
    rel = " ".join(rel.split())
    step = {"last": -1, "past": -1, "previous": -1, "this past": -1}.get(rel, 0)
    if rel in ("next", "coming", "this coming"):
        step = 1
    if unit == "week":
        start = _week_start(today) + timedelta(weeks=step)
        anchor = today + timedelta(weeks=step) if step == -1 else start
        if step == 0:
            anchor = today
            if ctx.future and today.weekday() == 6:
                # On a Sunday, "courses this week" means the week ahead, not one day of it
                # (and, to US readers, Sunday starts the week).
                return _period(today, today + timedelta(days=6), kind="week", anchor=today)
        return _period(start, start + timedelta(days=6), kind="week", anchor=anchor)
    if unit == "month":
        first = _add_months(today.replace(day=1), step)
        return _period(first, _month_end(first.year, first.month))
    year = today.year + step
    return _period(date(year, 1, 1), date(year, 12, 31))


_Handler = Callable[[re.Match[str], _Ctx], _Spec]
# Patterns are kept as source and compiled on first use (together ~40 ms at import).
_ATOMS: list[tuple[str, _Handler]] = []


def _atom(pattern: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        _ATOMS.append((pattern, handler))
        return handler

    return register


@_atom(r"(?:today|tonight|now|right now|this (?:morning|afternoon|evening)|earlier today"
       r"|later today)")  # fmt: skip
def _today(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(ctx.today)


@_atom(r"(?:yesterday(?: (?:morning|afternoon|evening|night))?|last night)")
def _yesterday(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(ctx.today - timedelta(days=1))


@_atom(r"(?:tomorrow|tmrw?|tmw)(?: (?:morning|afternoon|evening|night))?")
def _tomorrow(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(ctx.today + timedelta(days=1))


@_atom(r"(?:the )?day before yesterday")
def _before_yesterday(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(ctx.today - timedelta(days=2))


@_atom(r"(?:the )?day after tomorrow|overmorrow")
def _after_tomorrow(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(ctx.today + timedelta(days=2))


@_atom(rf"(?P<n>{_NUMBER}) ?(?P<u>{_UNIT}) (?:ago|back|earlier)")
def _ago(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(_offset(ctx.today, -_number(m["n"]), m["u"]))


@_atom(rf"in (?P<n>{_NUMBER}) ?(?P<u>{_UNIT})(?: time| from (?:now|today))?"
       rf"|(?P<n2>{_NUMBER}) ?(?P<u2>{_UNIT}) (?:from (?:now|today)|later|hence)")  # fmt: skip
def _in_units(m: re.Match[str], ctx: _Ctx) -> _Spec:
    n, unit = (m["n"], m["u"]) if m["n"] else (m["n2"], m["u2"])
    return _day_spec(_offset(ctx.today, _number(n), unit))


@_atom(rf"(?:within(?: the next)?|in the next|over the next|(?:the )?next|(?:the )?coming)"
       rf" (?P<n>{_NUMBER}) ?(?P<u>{_UNIT})")  # fmt: skip
def _next_units(m: re.Match[str], ctx: _Ctx) -> _Spec:
    end = _offset(ctx.today, _number(m["n"]), m["u"])
    return _period(ctx.today, end, kind="week" if (end - ctx.today).days <= 7 else "period")


@_atom(rf"(?:in |over |during |within )?(?:the )?(?:past|last|previous) (?P<n>{_NUMBER})"
       rf" ?(?P<u>{_UNIT})")  # fmt: skip
def _last_units(m: re.Match[str], ctx: _Ctx) -> _Spec:
    start = _offset(ctx.today, -_number(m["n"]), m["u"])
    return _period(start, ctx.today, kind="week" if (ctx.today - start).days <= 7 else "period")


@_atom(rf"(?:(?P<rel>{_REL}|the) )?weekend")
def _weekend_atom(m: re.Match[str], ctx: _Ctx) -> _Spec:
    rel = m["rel"] if m["rel"] != "the" else None
    return _weekend_spec(rel, ctx)


def _weekend_spec(rel: str | None, ctx: _Ctx) -> _Spec:
    """This weekend: the Sat–Sun of the current week (from today if already in it).

    Next weekend: the one after this weekend. Last weekend: the latest one that has
    ended. A bare "weekend" follows the mode's preference.
    """
    today = ctx.today
    rel = " ".join(rel.split()) if rel else ("this" if ctx.future else "last")
    saturday = _week_start(today) + timedelta(days=5)
    if rel in ("this", "coming", "this coming"):
        return _period(max(saturday, today), saturday + timedelta(days=1), kind="week")
    if rel == "next":
        saturday += timedelta(weeks=1)
        return _period(saturday, saturday + timedelta(days=1), kind="week")
    if today <= saturday + timedelta(days=1):  # this weekend has not ended yet
        saturday -= timedelta(weeks=1)
    return _period(saturday, saturday + timedelta(days=1), kind="week")


@_atom(rf"(?P<rel>{_REL}) (?P<u>week|month|year)")
def _rel_period(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _relative_period(m["rel"], m["u"], ctx)


@_atom(rf"(?:(?P<rel>{_REL}) )?(?P<wd>{_WEEKDAY})")
def _weekday_atom(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(_relative_weekday(m["rel"], _weekday(m["wd"]), ctx))


@_atom(r"(?:the )?(?:end|last day) of (?:the )?(?:(?P<rel>this|next|last|current) )?month|eom")
def _end_of_month(m: re.Match[str], ctx: _Ctx) -> _Spec:
    step = {"next": 1, "last": -1}.get(m["rel"] or "", 0)
    first = _add_months(ctx.today.replace(day=1), step)
    return _day_spec(_month_end(first.year, first.month))


@_atom(r"(?:the )?(?:beginning|start|first(?: day)?) of (?:the )?"
       r"(?:(?P<rel>this|next|last|current) )?month")  # fmt: skip
def _start_of_month(m: re.Match[str], ctx: _Ctx) -> _Spec:
    step = {"next": 1, "last": -1}.get(m["rel"] or "", 0)
    if m["rel"] is None and ctx.future and ctx.today.day > 1:
        step = 1  # "the first of the month", said mid-month, is the next one
    return _day_spec(_add_months(ctx.today.replace(day=1), step))


@_atom(r"(?:the )?(?:end|last day) of (?:the )?(?:(?P<rel>this|next|last|current) )?year|eoy")
def _end_of_year(m: re.Match[str], ctx: _Ctx) -> _Spec:
    step = {"next": 1, "last": -1}.get(m["rel"] or "", 0)
    return _day_spec(date(ctx.today.year + step, 12, 31))


@_atom(rf"(?:the )?(?:end|last day) of (?P<m>{_MONTH})(?:,? (?P<y>{_YEAR}))?")
def _end_of_named_month(m: re.Match[str], ctx: _Ctx) -> _Spec:
    month = _month(m["m"])
    year = _year(m["y"], ctx) if m["y"] else ctx.today.year
    return _day_spec(_month_end(year, month), yearless=not m["y"])


@_atom(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
       r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?")  # fmt: skip
def _iso(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _day_spec(_make_date(int(m["y"]), int(m["m"]), int(m["d"])))


def _numeric(first: int, second: int, year: str | None, ctx: _Ctx) -> _Spec:
    month, day = (second, first) if ctx.day_first else (first, second)
    if month > 12 and day <= 12:  # unambiguous the other way round
        month, day = day, month
    if not 1 <= month <= 12:
        raise _InvalidDateError(f"no month {month}")
    return _month_day(month, day, year, ctx)


@_atom(r"(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})")
def _numeric_with_year(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _numeric(int(m["a"]), int(m["b"]), m["y"], ctx)


@_atom(r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})")
def _numeric_no_year(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _numeric(int(m["a"]), int(m["b"]), None, ctx)


@_atom(rf"(?:{_WEEKDAY},? )?(?P<m>{_MONTH}) (?:the )?(?P<d>{_DAY})(?:,? (?P<y>{_YEAR}))?")
def _month_then_day(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _month_day(_month(m["m"]), _day(m["d"]), m["y"], ctx)


@_atom(rf"(?:{_WEEKDAY},? )?(?:the )?(?P<d>{_DAY}) (?:of )?(?P<m>{_MONTH}),?(?: (?P<y>{_YEAR}))?")
def _day_then_month(m: re.Match[str], ctx: _Ctx) -> _Spec:
    return _month_day(_month(m["m"]), _day(m["d"]), m["y"], ctx)


@_atom(rf"(?:(?P<rel>this|next|last) )?(?P<m>{_MONTH})(?:,? (?P<y>{_YEAR}))?")
def _month_atom(m: re.Match[str], ctx: _Ctx) -> _Spec:
    month = _month(m["m"])
    today = ctx.today
    if m["y"]:
        year = _year(m["y"], ctx)
    elif m["rel"] == "next":
        year = today.year if month > today.month else today.year + 1
    elif m["rel"] == "last":
        year = today.year if month < today.month else today.year - 1
    else:
        year = today.year
    start = date(year, month, 1)
    return _period(start, _month_end(year, month), yearless=not (m["y"] or m["rel"]))


@_atom(r"(?:the year )?(?P<y>(?:19|20)\d{2})")
def _year_atom(m: re.Match[str], ctx: _Ctx) -> _Spec:
    year = int(m["y"])
    return _period(date(year, 1, 1), date(year, 12, 31))


@_atom(rf"(?:the )?(?P<d>{_ORDINAL_DAY})(?: of (?:the |this )?month)?")
def _day_of_month(m: re.Match[str], ctx: _Ctx) -> _Spec:
    """ "the 3rd": this month's, moved a month in the preferred direction if needed."""
    day, today = _day(m["d"]), ctx.today
    step = 1 if ctx.future else -1
    first = today.replace(day=1)
    for months in range(0, 13):
        month_first = _add_months(first, months * step)
        if day <= calendar.monthrange(month_first.year, month_first.month)[1]:
            candidate = month_first.replace(day=day)
            if (candidate >= today) if ctx.future else (candidate <= today):
                return _day_spec(candidate)
    raise _InvalidDateError(f"no day {day}")


@_atom(rf"(?P<n>{_NUMBER}) ?(?P<u>{_UNIT}) from (?P<base>.+)")
def _units_from(m: re.Match[str], ctx: _Ctx) -> _Spec:
    base = _parse_atom(m["base"], ctx)
    if base is None:
        raise _InvalidDateError("no base date")
    base = _prefer(base, ctx)
    return _day_spec(_offset(base.anchor, _number(m["n"]), m["u"]))


_PREFIXES = re.compile(r"^(?:on|in|during|at|around|about|sometime|approximately|approx)\s+")


def _parse_atom(text: str, ctx: _Ctx) -> _Spec | None:
    """One date or period ("nov 3", "next month"); None if no pattern fits."""
    while True:
        for pattern, handler in _grammar().atoms:
            if m := pattern.fullmatch(text):
                return handler(m, ctx)
        stripped = _PREFIXES.sub("", text, count=1)
        if stripped == text:
            return None
        text = stripped


def _prefer(spec: _Spec, ctx: _Ctx, *, strictly_after_today: bool = False) -> _Spec:
    """Move a guessed year so the phrase lands on the preferred side of today."""
    if not spec.yearless:
        return spec
    if ctx.future:
        last = spec.end or spec.start
        if strictly_after_today:
            return spec.shifted(1) if spec.start <= ctx.today else spec
        return spec.shifted(1) if last < ctx.today else spec
    return spec.shifted(-1) if spec.start > ctx.today else spec


_SPAN_SEP = r"\s*(?:-|to|until|till|through|thru)\s*"
_SPAN_SEP_RE = re.compile(_SPAN_SEP)
_RANGES: list[tuple[str, str]] = [
    (r"between (?P<a>.+?) and (?P<b>.+)", "between"),
    (rf"from (?P<a>.+?){_SPAN_SEP}(?P<b>.+)", "between"),
    (r"(?:before|prior to|earlier than|sooner than) (?P<a>.+)", "before"),
    (r"(?:by|until|till|til|no later than|up to|up until|through) (?P<a>.+)", "by"),
    (r"(?:after|later than) (?P<a>.+)", "after"),
    (r"(?:from|starting(?: from| on)?|beginning|since|as of|on or after) (?P<a>.+)",
     "from"),
    (rf"(?P<a>.+?){_SPAN_SEP}(?P<b>.+)", "between"),
]  # fmt: skip
_DAY_SEP = r"\s*(?:-|to|and|until|till|through|thru)\s*"
_SAME_MONTH_RANGES = [
    (rf"(?:from |between )?(?P<m>{_MONTH}) (?P<d1>{_DAY}){_DAY_SEP}"
               rf"(?P<d2>{_DAY})(?:,? (?P<y>{_YEAR}))?"),
    (rf"(?:from |between )?(?P<d1>{_DAY}){_DAY_SEP}"
               rf"(?P<d2>{_DAY}) (?:of )?(?P<m>{_MONTH}),?(?: (?P<y>{_YEAR}))?"),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Grammar:
    atoms: list[tuple[re.Pattern[str], _Handler]]
    same_month: list[re.Pattern[str]]
    ranges: list[tuple[re.Pattern[str], str]]


@functools.cache
def _grammar() -> _Grammar:
    """All parsing patterns, compiled once on first use."""
    return _Grammar(
        atoms=[(re.compile(src), handler) for src, handler in _ATOMS],
        same_month=[re.compile(src) for src in _SAME_MONTH_RANGES],
        ranges=[(re.compile(src), kind) for src, kind in _RANGES],
    )


def _parse_spec(text: str, ctx: _Ctx) -> _Spec | None:
    """A whole phrase: an atom, a same-month span, or a range of atoms; preferences applied."""
    atom = _parse_atom(text, ctx)
    if atom is not None:
        return _prefer(atom, ctx)
    for pattern in _grammar().same_month:
        if m := pattern.fullmatch(text):
            month = _month(m["m"])
            first = _month_day(month, _day(m["d1"]), m["y"], ctx)
            last = _month_day(month, _day(m["d2"]), m["y"], ctx)
            return _join(first, last, ctx)
    for pattern, kind in _grammar().ranges:
        if not (m := pattern.fullmatch(text)):
            continue
        if kind == "between":
            for a_text, b_text in _splits(m):
                a, b = _parse_atom(a_text, ctx), _parse_atom(b_text, ctx)
                if a is not None and b is not None:
                    return _join(a, b, ctx)
            continue
        a = _parse_atom(m["a"], ctx)
        if a is None:
            continue
        return _open_range(kind, a, ctx)
    return None


_AND_SEP = re.compile(r"\s+and\s+")


def _splits(m: re.Match[str]) -> Iterator[tuple[str, str]]:
    """Where "a to b" may be cut: at the first separator, then at each later one. The
    first alone cut "2023-09-01 to 2025-08-31" inside the first date (review)."""
    rest = m.string[m.start("a") :]
    between = m.string[m.end("a") : m.start("b")]
    separator = _AND_SEP if _AND_SEP.fullmatch(between) else _SPAN_SEP_RE
    for cut in separator.finditer(rest):
        if cut.start() > 0 and cut.end() < len(rest):
            yield rest[: cut.start()], rest[cut.end() :]


def _join(a: _Spec, b: _Spec, ctx: _Ctx) -> _Spec:
    """ "a to b": b moves a year later if it would end before a starts."""
    b_last = b.end or b.start
    if b.yearless and b_last < a.start:
        b = b.shifted(1)
    kind: SpecKind = "span" if a.kind == b.kind == "day" else "period"
    joined = _Spec(a.start, b.end or b.start, a.start, kind, a.yearless and b.yearless)
    if joined.end is not None and joined.end < joined.start:
        raise _ReversedRangeError
    return _prefer(joined, ctx)


class _ReversedRangeError(ValueError):
    """A range that ends before it starts, with years given."""


def _open_range(kind: str, a: _Spec, ctx: _Ctx) -> _Spec:
    today = ctx.today
    if kind == "before":
        a = _prefer(a, ctx, strictly_after_today=ctx.future)
        end = a.start - timedelta(days=1)
        start = today if ctx.future else EARLIEST
        return _Spec(min(start, end), end, end, "period")
    if kind == "by":
        a = _prefer(a, ctx)
        end = a.end or a.start
        start = today if ctx.future else EARLIEST
        return _Spec(min(start, end), end, end, "period")
    a = _prefer(a, ctx)
    start = (a.end or a.start) + timedelta(days=1) if kind == "after" else a.start
    return _Spec(start, None if ctx.future else today, start, "period")


# --------------------------------------------------------------------------- dateparser fallback

_DATEISH = re.compile(
    rf"\b(?:{_MONTH}|{_WEEKDAY}|today|tonight|yesterday|tomorrow|ago|last|next|this|week|"
    r"month|year|day|fortnight|weekend|hence|later|earlier|before|after)\b"
)
_dateparser_lock = threading.Lock()
_dateparser_parse: Callable[..., datetime | None] | None = None


def _fallback(text: str, ctx: _Ctx) -> _Spec | None:
    """dateparser, English only, for phrasings the grammar does not know.

    Bare numbers are never sent ("3" would come back as March), nor text without a
    date-like word, which also keeps garbage from costing a millisecond.
    """
    if not _DATEISH.search(text):
        return None
    global _dateparser_parse
    if _dateparser_parse is None:
        with _dateparser_lock:
            if _dateparser_parse is None:
                import dateparser

                _dateparser_parse = dateparser.parse
    base = datetime.combine(ctx.today, time(12, 0))
    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "future" if ctx.future else "past",
        "RELATIVE_BASE": base,
        "DATE_ORDER": "DMY" if ctx.day_first else "MDY",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        found = _dateparser_parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; treat as no date
        return None
    return None if found is None else _day_spec(found.date())


# --------------------------------------------------------------------------- public parsing

_TIDY = str.maketrans({"’": "'", "‘": "'", "–": "-", "—": "-", "‐": "-", "\u00a0": " "})
_EDGE_PUNCT = ' \t\r\n,;:!?()[]"'


def _normalize(text: str) -> str:
    text = " ".join(fix_date_spelling(text.translate(_TIDY)).lower().split())
    text = text.strip(_EDGE_PUNCT).rstrip(".")
    return " ".join(re.sub(r"\s*,\s*", ", ", text).split()).strip(" ,")


def _interpret(text: str, now: datetime, tz: tzinfo | str, future: bool, day_first: bool,
               ) -> tuple[_Spec | None, DateReason | None, _Ctx]:  # fmt: skip
    ctx = _Ctx(local_today(now, tz), future, day_first)
    phrase = _normalize(text) if isinstance(text, str) else ""
    if not phrase:
        return None, DateReason.EMPTY, ctx
    if len(phrase) > MAX_PHRASE_CHARS:
        return None, DateReason.UNPARSEABLE, ctx
    try:
        spec = _parse_spec(phrase, ctx)
    except _ReversedRangeError:
        return None, DateReason.REVERSED_RANGE, ctx
    except (_InvalidDateError, OverflowError):
        return None, DateReason.INVALID_DATE, ctx
    if spec is None:
        spec = _fallback(phrase, ctx)
    if spec is None:
        return None, DateReason.UNPARSEABLE, ctx
    return spec, None, ctx


def _as_range(spec: _Spec) -> DateRange:
    return DateRange(spec.start, spec.end, spec.anchor)


def check_past_date(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> Parsed[date]:
    """The day of a completed activity ("yesterday", "Nov 3", "11/03/2026"), or why not.

    Prefers the past; refuses the future (``IN_FUTURE``), years before 1980 (``TOO_OLD``)
    and months/years without a day (``NEEDS_DAY``, with the period). A span of days
    ("Nov 3 to Nov 5") gives its last day: a multi-day course is completed then.
    """
    spec, reason, ctx = _interpret(text, now, tz, future=False, day_first=day_first)
    if spec is None:
        return Parsed(None, reason)
    if spec.kind == "span" and spec.end is not None:
        spec = _day_spec(spec.end)  # a course over several days is completed on its last
    if spec.kind == "period":
        end = min(spec.end or ctx.today, ctx.today)
        if spec.start > ctx.today:
            return Parsed(None, DateReason.IN_FUTURE)
        return Parsed(None, DateReason.NEEDS_DAY, DateRange(spec.start, end, spec.start))
    day = spec.anchor
    if day.year < MIN_YEAR:
        return Parsed(None, DateReason.TOO_OLD)
    if day > ctx.today:
        return Parsed(None, DateReason.IN_FUTURE)
    return Parsed(day)


def parse_past_date(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> date | None:
    """:func:`check_past_date` without the reason."""
    return check_past_date(text, now, tz, day_first=day_first).value


def check_past_range(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> Parsed[DateRange]:
    """A period up to today for reports ("last month", "this year", "since March")."""
    spec, reason, ctx = _interpret(text, now, tz, future=False, day_first=day_first)
    if spec is None:
        return Parsed(None, reason)
    if spec.start > ctx.today:
        return Parsed(None, DateReason.IN_FUTURE)
    end = min(spec.end or ctx.today, ctx.today)
    if end.year < MIN_YEAR:
        return Parsed(None, DateReason.TOO_OLD)
    start = max(spec.start, EARLIEST)
    return Parsed(DateRange(start, end, min(max(spec.anchor, start), end)))


def parse_past_range(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> DateRange | None:
    """:func:`check_past_range` without the reason."""
    return check_past_range(text, now, tz, day_first=day_first).value


def check_future_range(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> Parsed[DateRange]:
    """A period from today on for course searches and reminders, or why not.

    "next month" → the whole month; "this month" → today..month end; "before March" →
    today..end of February; "after Jan 15" → Jan 16.. (open); a single day is a one-day
    range. Starts in the past are clipped to today; wholly past ranges are ``IN_PAST``.
    """
    spec, reason, ctx = _interpret(text, now, tz, future=True, day_first=day_first)
    if spec is None:
        return Parsed(None, reason)
    today = ctx.today
    if spec.end is not None and spec.end < today:
        return Parsed(None, DateReason.IN_PAST)
    start = max(spec.start, today)
    if start.year > today.year + MAX_FUTURE_YEARS:
        return Parsed(None, DateReason.TOO_FAR)
    anchor = max(spec.anchor, start)
    if spec.end is not None:
        anchor = min(anchor, spec.end)
    return Parsed(DateRange(start, spec.end, anchor))


def parse_future_range(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> DateRange | None:
    """:func:`check_future_range` without the reason."""
    return check_future_range(text, now, tz, day_first=day_first).value


def parse_future_date(
    text: str, now: datetime, tz: tzinfo | str, *, day_first: bool = False
) -> date | None:
    """One future day for a reminder: the range's anchor ("next month" → the 1st)."""
    found = check_future_range(text, now, tz, day_first=day_first).value
    return None if found is None else found.anchor


def is_impossible_date(text: str) -> bool:
    """Whether ``text`` names a day that does not exist ("Feb 31 2027", "2027-13-02").

    For callers with their own parser, to say "not a real date" rather than "couldn't
    read" when that is what went wrong. A day without a year is judged in a leap year
    ("Feb 29" exists).
    """
    leap_new_year = datetime(2024, 1, 1, 12, tzinfo=UTC)
    reason = _interpret(text, leap_new_year, UTC, future=True, day_first=False)[1]
    return reason is DateReason.INVALID_DATE


# --------------------------------------------------------------------------- times of day

_TIME_RE = re.compile(
    r"(?:\s*(?:at|@)\s*)?\b(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?=\W|$)"
    r"|(?:\s*(?:at|@)\s*)\b(?P<h2>\d{1,2})(?::(?P<mi2>\d{2}))?\b(?!\s*(?:/|\.\d|-\d))"
    r"|\b(?P<h3>\d{1,2}):(?P<mi3>\d{2})\b"
    r"|(?:\s*(?:at)\s*)?\b(?P<word>noon|midday|midnight)\b"
)
_IN_TIME_RE = re.compile(rf"^in (?P<n>{_NUMBER}|half an) ?(?P<u>h|hrs?|hours?|m|mins?|minutes?)$")
_PART_OF_DAY = {"tonight": time(20, 0), "evening": time(18, 0), "afternoon": time(14, 0),
                "morning": time(9, 0), "night": time(20, 0)}  # fmt: skip


def _split_time(phrase: str) -> tuple[str, time | None]:
    m = _TIME_RE.search(phrase)
    if not m:
        for word, at in _PART_OF_DAY.items():
            if re.search(rf"\b{word}\b", phrase):
                return phrase, at
        return phrase, None
    rest = " ".join((phrase[: m.start()] + " " + phrase[m.end() :]).split())
    if m["word"]:
        return rest, time(0, 0) if m["word"] == "midnight" else time(12, 0)
    hour = int(m["h"] or m["h2"] or m["h3"])
    minute = int(m["mi"] or m["mi2"] or m["mi3"] or 0)
    if m["ap"]:
        if not 1 <= hour <= 12:
            raise _InvalidDateError("bad hour")
        hour = hour % 12 + (12 if m["ap"].startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise _InvalidDateError("bad time")
    return rest, time(hour, minute)


def parse_future_datetime(
    text: str,
    now: datetime,
    tz: tzinfo | str,
    *,
    default_time: time = time(9, 0),
    day_first: bool = False,
) -> datetime | None:
    """An aware datetime in ``tz`` for a reminder ("tomorrow at 3pm", "in 2 hours", "friday").

    Without a time, ``default_time`` (or the part of day: "tonight" 20:00). A time alone
    means today, or tomorrow once it has passed. Never returns a moment before ``now``.
    """
    zone = _zone(tz)
    current = local_now(now, zone)
    phrase = _normalize(text) if isinstance(text, str) else ""
    if not phrase or len(phrase) > MAX_PHRASE_CHARS:
        return None
    if m := _IN_TIME_RE.match(phrase):
        n = 0.5 if m["n"] == "half an" else _number(m["n"])
        unit = timedelta(hours=1) if m["u"].startswith("h") else timedelta(minutes=1)
        return (current + n * unit).astimezone(zone)
    try:
        date_part, at = _split_time(phrase)
    except _InvalidDateError:
        return None
    if date_part in ("", "today", "at"):
        day = current.date()
    else:
        day_or_none = parse_future_date(date_part, now, zone, day_first=day_first)
        if day_or_none is None:
            return None
        day = day_or_none
    when = localize(day, at or default_time, zone)
    if when <= current:
        if at is None or date_part not in ("", "at"):
            return None  # "today" at 9:00 when it is already 15:00: nothing to remind
        when = localize(day + timedelta(days=1), at, zone)  # "at 9am" said at 10am
    return when


# --------------------------------------------------------------------------- finding phrases


# Extraction uses digit days only: "may first" and "the second" are ordinary words too.
_DAY_DIGITS = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_X_ATOM = "|".join(
    (
        r"(?:the )?day (?:before yesterday|after tomorrow)",
        r"today|tonight|yesterday(?: (?:morning|afternoon|evening|night))?|last night",
        # QA: "training this morning" was titled "this morning"
        r"this (?:morning|afternoon|evening)|(?:earlier|later) today",
        r"tomorrow(?: (?:morning|afternoon|evening|night))?",
        rf"{_NUMBER} ?{_UNIT} (?:ago|back|from (?:now|today|tomorrow)|later)",
        rf"in {_NUMBER} ?{_UNIT}",
        rf"(?:within(?: the next)?|in the next|over the next|(?:the )?next|(?:the )?coming)"
        rf" {_NUMBER} ?{_UNIT}",
        rf"(?:in |over |during |within )?(?:the )?(?:past|last|previous) {_NUMBER} ?{_UNIT}",
        rf"(?:{_REL} |the )?weekend",
        rf"{_REL} (?:week|month|year)",
        r"(?:the )?(?:end|last day|beginning|start|first(?: day)?) of (?:the )?"
        r"(?:(?:this|next|last|current) )?(?:month|year)",
        rf"(?:the )?(?:end|last day) of {_MONTH}(?:,? {_YEAR})?",
        r"\d{4}-\d{1,2}-\d{1,2}",
        r"\d{1,2}/\d{1,2}(?:/(?:\d{4}|\d{2}))?",
        r"\d{1,2}-\d{1,2}-\d{4}",
        rf"(?:{_WEEKDAY_FULL},? )?{_MONTH} (?:the )?{_DAY_DIGITS}(?:,? {_YEAR})?"
        r"(?!\s*(?:%|hours?|hrs?|credits?))",
        rf"(?:{_WEEKDAY_FULL},? )?(?:the )?{_DAY_DIGITS} (?:of )?{_MONTH}(?:,? {_YEAR})?",
        rf"{_REL} {_WEEKDAY}",
        rf"{_WEEKDAY_FULL} (?:morning|afternoon|evening|night)",  # before the day alone
        _WEEKDAY_FULL,
        r"(?:this|next|last) " + _MONTH,
        rf"{_MONTH},? {_YEAR}",
        # a month alone only after a preposition: "may" and "march" are also verbs
        r"(?:(?<=in\s)|(?<=during\s)|(?<=since\s)|(?<=before\s)|(?<=after\s)"
        r"|(?<=until\s)|(?<=from\s)|(?<=of\s)|(?<=by\s))" + _MONTH,
        r"the (?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)",
        # a year alone only after a preposition: "ACC 2025" is a conference's name
        r"(?:(?<=in\s)|(?<=during\s))(?:19|20)\d{2}",
    )
)
_X_SEP = r"\s*(?:-|–|to|until|till|through|thru)\s*"


def _any_spacing(pattern: str) -> str:
    """Let a pattern written with single spaces match any run of whitespace."""
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


@functools.cache
def _extractor() -> re.Pattern[str]:
    """Compiled on first use: the pattern is large (~20 ms to compile)."""
    return re.compile(
        _any_spacing(
            rf"(?<![\w/-])(?:"
            rf"between (?:{_X_ATOM}) and (?:{_X_ATOM})"
            rf"|from (?:{_X_ATOM}){_X_SEP}(?:{_X_ATOM})"
            rf"|(?:(?:from|between) )?{_MONTH} {_DAY_DIGITS}(?:{_X_SEP}|\s+and\s+){_DAY_DIGITS}"
            rf"(?:,? {_YEAR})?"
            rf"|(?:{_X_ATOM}){_X_SEP}(?:{_X_ATOM})"  # "Jan 5 to Jan 10", no "from"
            rf"|(?:before|prior to|after|by|until|till|since|starting(?: from| on)?|from|as of|"
            rf"no later than) (?:{_X_ATOM})"
            rf"|(?:(?:on|in|during) )?(?:{_X_ATOM})"
            rf")(?![\w/])"
        ),
        re.IGNORECASE,
    )


def extract_date_phrase(text: str) -> DateMatch | None:
    """The longest date phrase in a message ("I did 3 credits on Nov 3" → "on Nov 3").

    Only finds; parse ``match.phrase`` with the function for the situation, and use
    ``match.remainder`` for the rest of the message ("courses near Boston").
    Bare "may"/"march" count only after a preposition ("in May"), not as verbs.
    """
    if not isinstance(text, str) or not text:
        return None
    text = fix_date_spelling(text)  # "courses in Febuary": a month, not a place
    best: re.Match[str] | None = None
    for m in _extractor().finditer(text.translate(_TIDY)):
        if best is None or len(m[0]) > len(best[0]):
            best = m
    if best is None:
        return None
    return DateMatch(best[0], best.start(), best.end(), text)
