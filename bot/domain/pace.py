"""Is a clinician on track? A yes/no against a steady pace through the cycle.

"Am I on track?" deserves a verdict, not only the figures: the share of what is required
that already counts, against the share of the cycle gone. Pure: the caller passes today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from enum import Enum

from bot.domain.credit_types import LicenceStatus

_TENTH = Decimal("0.1")
GRACE_DAYS = 30


class Standing(Enum):
    COMPLETE = "complete"
    NOT_STARTED = "not_started"  # renewed early: the cycle that counts begins later
    ON_TRACK = "on_track"
    BEHIND = "behind"
    OVERDUE = "overdue"  # past the deadline short, or the cycle just ended was


@dataclass(frozen=True, slots=True)
class Verdict:
    standing: Standing
    required: Decimal  # the cycle's credits, mandates included when there is no total
    counted: Decimal  # of which already count (category and topic shortfalls aside)
    expected: Decimal  # what a steady pace from the cycle's start would have by today
    elapsed_percent: int  # of the cycle's days gone

    @property
    def behind_by(self) -> Decimal:
        return max(Decimal(0), self.expected - self.counted)


def verdict(status: LicenceStatus, today: date) -> Verdict:
    """Where one licence stands against a steady pace, as of ``today``."""
    mandated = sum((m.required for m in status.mandates if m.due and m.blocking), Decimal(0))
    required = status.total_required if status.total_required > 0 else mandated
    counted = max(Decimal(0), required - status.hours_needed)
    window = status.window
    gone = min(max((today - window.start).days, 0), window.days)
    elapsed = Decimal(gone) / Decimal(window.days) if window.days > 0 else Decimal(1)
    expected = (required * elapsed).quantize(_TENTH, rounding=ROUND_CEILING)
    elapsed_percent = int(elapsed * 100)
    if status.complete:
        standing = Standing.COMPLETE
    elif status.starts_on is not None:
        standing = Standing.NOT_STARTED
    elif status.overdue or status.days_overdue or status.previous_shortfall is not None:
        standing = Standing.OVERDUE
    elif counted >= _lenient(required, gone, window.days) and status.activities_counted >= (
        _activities_due(status, elapsed)
    ):
        standing = Standing.ON_TRACK
    else:
        standing = Standing.BEHIND
    return Verdict(standing, required, counted, expected, elapsed_percent)


def _lenient(required: Decimal, gone: int, days: int) -> Decimal:
    """The pace a month behind: one quiet month (or the first days of a cycle, when the
    steady pace asks 0.1 credit) is not "behind"."""
    return required * Decimal(max(0, gone - GRACE_DAYS)) / Decimal(max(days, 1))


def _activities_due(status: LicenceStatus, elapsed: Decimal) -> int:
    """Activities (ABIM: one every two years) are due by the end, not pro rata: behind
    only once most of the cycle is gone."""
    return status.activities_required if elapsed >= Decimal("0.75") else 0
