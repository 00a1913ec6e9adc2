"""Rank courses by how much of what a clinician still needs they would fill in time.

Pure: plain data in, plain data out. A mandated topic is scarcer than general credit
(any course gives hours; few teach Texas' opioid course), so courses are ordered by the
mandate hours they fill first and by general hours only after that: a 2-hour opioid
course outranks a 20-hour board review when the opioid mandate is still open. A course
counts for a licence only if it ends by the deadline (in its own time zone) and awards a
category the licence accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import topics

_ZERO = Decimal(0)


class RankableCourse(Protocol):
    """What ranking reads from a course (a ``Course`` row or a ``CourseRecord`` both fit)."""

    @property
    def credits(self) -> Decimal: ...
    @property
    def category(self) -> str: ...
    @property
    def topics(self) -> Sequence[str]: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def price(self) -> Decimal | None: ...


C = TypeVar("C", bound=RankableCourse)


@dataclass(frozen=True, slots=True)
class Gap:
    """What one licence still needs: hours per mandated topic, total hours, and by when."""

    licence: str
    deadline: date
    total: Decimal = _ZERO
    topics: Mapping[str, Decimal] = field(default_factory=dict)
    categories: frozenset[str] | None = None  # accepted credit categories; None: any
    opens: date | None = None  # the cycle starts later (renewed early): earlier courses don't count

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Gap:
        """From ``{"licence", "deadline", "total", "topics": {id: hours}, "categories"}``."""
        deadline = data["deadline"]
        if isinstance(deadline, datetime):
            deadline = deadline.date()
        elif isinstance(deadline, str):
            deadline = date.fromisoformat(deadline)
        cats = data.get("categories")
        return cls(
            licence=str(data["licence"]),
            deadline=deadline,
            total=_dec(data.get("total", 0)),
            topics={str(k): _dec(v) for k, v in (data.get("topics") or {}).items()},
            categories=None if cats is None else frozenset(cats),
        )


@dataclass(frozen=True, slots=True)
class Fill:
    """Hours a course would contribute to one requirement (``topic`` None: total credits)."""

    licence: str
    topic: str | None
    hours: Decimal


@dataclass(frozen=True, slots=True)
class Ranked(Generic[C]):
    """A course with the hours it would fill: mandates first, then total credits."""

    course: C
    mandate_hours: Decimal
    credit_hours: Decimal
    fills: tuple[Fill, ...]

    @property
    def fills_mandate(self) -> bool:
        return self.mandate_hours > 0

    @property
    def useful(self) -> bool:
        return bool(self.fills)


def fill_gaps(gaps: Sequence[Gap | Mapping[str, Any]], courses: Iterable[C]) -> list[Ranked[C]]:
    """Every course scored and explained, best first; courses that fill nothing come last.

    Ties go to the earlier course, then the cheaper one (unknown price last).
    """
    needs = [g if isinstance(g, Gap) else Gap.from_dict(g) for g in gaps]
    ranked = [_score(course, needs) for course in courses]
    ranked.sort(key=_order)
    return ranked


def _score(course: C, gaps: Sequence[Gap]) -> Ranked[C]:
    fills: list[Fill] = []
    mandate = general = _ZERO
    credits = Decimal(course.credits)
    covered = topics.expand(frozenset(course.topics or ()))
    finish = _local_end_date(course)
    for gap in gaps:
        if finish > gap.deadline or not topics.qualifies(course.category, gap.categories):
            continue
        if gap.opens is not None and finish < gap.opens:  # over before the cycle begins
            continue
        for topic, remaining in gap.topics.items():
            if remaining > 0 and topic in covered:
                hours = min(credits, remaining)
                fills.append(Fill(gap.licence, topic, hours))
                mandate += hours
        if gap.total > 0:
            hours = min(credits, gap.total)
            fills.append(Fill(gap.licence, None, hours))
            general += hours
    return Ranked(course, mandate, general, tuple(fills))


def _order(item: Ranked[Any]) -> tuple[Any, ...]:
    price = item.course.price
    return (
        -item.mandate_hours,
        -item.credit_hours,
        item.course.starts_at,
        price is None,
        price if price is not None else _ZERO,
        getattr(item.course, "id", 0) or 0,
    )


def _local_end_date(course: RankableCourse) -> date:
    """The day the course ends where it happens (a deadline is a local calendar date)."""
    end = course.ends_at
    name = getattr(course, "timezone", None) or "UTC"
    try:
        zone: Any = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    if end.tzinfo is None:
        return end.date()
    return end.astimezone(zone).date()


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
