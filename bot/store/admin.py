"""Operator-level aggregates and bulk actions (counts only, never anyone's records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

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
    sent_day = await session.scalar(
        select(func.count())
        .select_from(ReminderOutbox)
        .where(ReminderOutbox.status == "sent", ReminderOutbox.sent_at >= day_ago)
    )
    failed_day = await session.scalar(
        select(func.count())
        .select_from(ReminderOutbox)
        .where(ReminderOutbox.status == "failed", ReminderOutbox.updated_at >= day_ago)
    )
    courses = await session.scalar(
        select(func.count()).select_from(Course).where(Course.status == "active")
    )
    feeds = (
        await session.execute(
            select(CourseFeed.url, CourseFeed.last_success_at, CourseFeed.last_error).order_by(
                CourseFeed.url
            )
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
    )


async def enqueue_broadcast(
    session: AsyncSession, *, broadcast_id: str, text: str, now: datetime
) -> int:
    """One outbox row per active clinician, in one statement; re-running adds nothing."""
    payload: dict[str, Any] = {"text": text}
    key = literal(f"broadcast:{broadcast_id}:") + cast(Clinician.id, String)
    rows = select(
        Clinician.id,
        literal("notice"),
        key,
        literal(now, ReminderOutbox.due_at.type),
        literal("pending"),
        literal(0),
        literal(payload, ReminderOutbox.payload.type),
        literal(now, ReminderOutbox.created_at.type),
        literal(now, ReminderOutbox.updated_at.type),
    ).where(Clinician.active.is_(True))
    existing = select(ReminderOutbox.dedupe_key).where(
        ReminderOutbox.dedupe_key.like(f"broadcast:{broadcast_id}:%")
    )
    rows = rows.where(key.not_in(existing))
    statement = insert(ReminderOutbox).from_select(
        [
            "clinician_id",
            "kind",
            "dedupe_key",
            "due_at",
            "status",
            "attempts",
            "payload",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
