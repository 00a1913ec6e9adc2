"""Reminders about the same thing: which one goes when several are due, and which later
ones a sent message makes redundant.

A series is a licence's renewal reminders (ladder steps, make-up steps, snoozes), or a
course's reminders before one start (not its follow-up, which asks something else).
After downtime (or a jump of the sandbox clock) several steps of a series can be due at
once, and the next may be due later the same day: QA, the 7-day step caught up the day
before the deadline said "due tomorrow", then the 1-day step said it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reminders import local_datetime
from bot.store.models import Clinician, ReminderOutbox
from scheduler.planner import FOLLOW_UP_STEP

COURSE_REPEAT_WINDOW = timedelta(hours=1)
"""A course reminder due within this long after another was sent is not sent: both would
say "starts in N minutes" (a step caught up 80 minutes before the start, then the hour-
before one 20 minutes later). One due later (the hour-before reminder after a "starts
today" in the morning) still comes: it is the one that says "now"."""


def _same_series(row: ReminderOutbox) -> list[ColumnElement[bool]]:
    """Conditions for the other rows of ``row``'s series."""
    conditions = [
        ReminderOutbox.clinician_id == row.clinician_id,
        ReminderOutbox.kind == row.kind,
        ReminderOutbox.target_id == row.target_id,
        ReminderOutbox.id != row.id,
    ]
    if row.kind == "course":  # keys read clinician:course:course_id:<start stamp>:<step>
        start = row.dedupe_key.rsplit(":", 1)[0]
        conditions += [
            ReminderOutbox.dedupe_key.startswith(f"{start}:", autoescape=True),
            ReminderOutbox.dedupe_key.not_like(f"%:{FOLLOW_UP_STEP}"),
        ]
    return conditions


@dataclass(frozen=True, slots=True)
class Series:
    """Where a row stands in its series as it is about to be sent."""

    newer_due: bool
    """A later step is also due (or was sent): only the newest goes, worded for now, not a
    burst of stale ones. Of two due at the same moment (a snooze on a ladder step's day)
    the later-made one goes."""
    repeats: tuple[int, ...]
    """The pending rows that would repeat this one's message if sent after it: for a
    licence, those due later the same local day (its text changes only with the day: "due
    tomorrow" twice, QA); for a course, those due within ``COURSE_REPEAT_WINDOW``. A step
    due on a later day says something new ("renews in 2 days", then "due tomorrow") and
    still comes."""


async def series_of(
    session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
) -> Series:
    """``row``'s place in its series, in one query (the renderer asks for every row)."""
    until = (
        now + COURSE_REPEAT_WINDOW if row.kind == "course" else _next_local_midnight(clinician, now)
    )
    later = (
        await session.execute(
            select(ReminderOutbox.id, ReminderOutbox.due_at, ReminderOutbox.status).where(
                *_same_series(row),
                or_(
                    ReminderOutbox.due_at > row.due_at,
                    and_(ReminderOutbox.due_at == row.due_at, ReminderOutbox.id > row.id),
                ),
                ReminderOutbox.due_at < until,
                ReminderOutbox.status.in_(("pending", "claimed", "sending", "sent")),
            )
        )
    ).all()
    return Series(
        newer_due=any(other.due_at <= now for other in later),
        repeats=tuple(o.id for o in later if o.status == "pending" and o.due_at > now),
    )


def _next_local_midnight(clinician: Clinician, now: datetime) -> datetime:
    zone = ZoneInfo(clinician.timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return local_datetime(tomorrow, time(0), zone)
