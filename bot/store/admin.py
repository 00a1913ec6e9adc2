"""Operator-level aggregates and bulk actions (counts only, never anyone's records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reminders import QuietHours, move_out_of_quiet_hours
from bot.store import outbox
from bot.store.models import Clinician, Course, CourseFeed, CreditEntry, ReminderOutbox


@dataclass(frozen=True, slots=True)
class BotStats:
    clinicians_active: int
    clinicians_blocked: int
    credit_entries: int
    credit_entries_last_day: int
    reminders_pending: int
    reminders_sent_last_day: int
    reminders_failed_last_day: int
    courses: int
    feeds: list[tuple[str, datetime | None, str | None]]
    catalogues: list[tuple[str, int, datetime | None]] = field(default_factory=list)
    """(source, upcoming active courses, last change): what each catalogue lists now."""


async def stats(session: AsyncSession, now: datetime) -> BotStats:
    day_ago = now - timedelta(days=1)
    active = await session.scalar(
        select(func.count()).select_from(Clinician).where(Clinician.active.is_(True))
    )
    blocked = await session.scalar(
        select(func.count()).select_from(Clinician).where(Clinician.active.is_(False))
    )
    entries = await session.scalar(select(func.count()).select_from(CreditEntry))
    entries_day = await session.scalar(
        select(func.count()).select_from(CreditEntry).where(CreditEntry.created_at >= day_ago)
    )
    pending = await session.scalar(
        select(func.count()).select_from(ReminderOutbox).where(ReminderOutbox.status == "pending")
    )
    # Messages the dispatcher sent (reminders due together share one), not rows: a 🎉 a
    # chat turn said itself is recorded as sent with no message of the dispatcher's (review).
    sent_messages = (
        select(ReminderOutbox.clinician_id, ReminderOutbox.telegram_message_id)
        .where(
            ReminderOutbox.status == "sent",
            ReminderOutbox.sent_at >= day_ago,
            ReminderOutbox.telegram_message_id.is_not(None),
        )
        .distinct()
        .subquery()
    )
    sent_day = await session.scalar(select(func.count()).select_from(sent_messages))
    failed_day = await session.scalar(
        select(func.count())
        .select_from(ReminderOutbox)
        .where(ReminderOutbox.status == "failed", ReminderOutbox.updated_at >= day_ago)
    )
    courses = await session.scalar(  # QA: past courses were counted too
        select(func.count())
        .select_from(Course)
        .where(Course.status == "active", Course.ends_at >= now)
    )
    feeds = (
        await session.execute(
            select(CourseFeed.url, CourseFeed.last_success_at, CourseFeed.last_error).order_by(
                CourseFeed.url
            )
        )
    ).all()
    catalogues = (
        await session.execute(
            select(Course.source, func.count(), func.max(Course.updated_at))
            .where(Course.status == "active", Course.ends_at >= now)
            .group_by(Course.source)
            .order_by(func.count().desc(), Course.source)
            .limit(CATALOGUES_SHOWN)
        )
    ).all()
    return BotStats(
        clinicians_active=int(active or 0),
        clinicians_blocked=int(blocked or 0),
        credit_entries=int(entries or 0),
        credit_entries_last_day=int(entries_day or 0),
        reminders_pending=int(pending or 0),
        reminders_sent_last_day=int(sent_day or 0),
        reminders_failed_last_day=int(failed_day or 0),
        courses=int(courses or 0),
        feeds=[(url, ok_at, error) for url, ok_at, error in feeds],
        catalogues=[(source, int(n), changed) for source, n, changed in catalogues],
    )


CATALOGUES_SHOWN = 10


async def enqueue_broadcast(
    session: AsyncSession, *, broadcast_id: str, text: str, now: datetime
) -> int:
    """One outbox row per active clinician, due now or when their quiet hours end (QA: an
    announcement woke people at 22:06); re-running adds nothing. Returns the rows wanted."""
    payload: dict[str, Any] = {"text": text}
    wanted = 0
    last_id = 0
    while True:
        people = (
            await session.execute(
                select(Clinician.id, Clinician.timezone, Clinician.quiet_start_min,
                       Clinician.quiet_end_min)
                .where(Clinician.active.is_(True), Clinician.id > last_id)
                .order_by(Clinician.id)
                .limit(_BROADCAST_CHUNK)
            )
        ).all()  # fmt: skip
        if not people:
            return wanted
        planned = [
            outbox.Planned(
                person.id, "notice", None, f"broadcast:{broadcast_id}",
                move_out_of_quiet_hours(
                    now, ZoneInfo(person.timezone),  # stored zones are checked names
                    QuietHours(person.quiet_start_min, person.quiet_end_min),
                ),
                payload,
            )
            for person in people
        ]  # fmt: skip
        await outbox.insert_new(session, planned, now)
        wanted += len(planned)
        last_id = people[-1].id


_BROADCAST_CHUNK = 5000

