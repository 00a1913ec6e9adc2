"""Deciding which reminders should exist, as outbox rows (idempotent by dedupe key).

Re-planning one clinician after any change (credits logged, licence edited, time zone
changed, course subscribed) and everyone periodically gives the same rows: keys are
(clinician, kind, target, cycle deadline or course start, step), so nothing duplicates,
and pending rows that no longer apply are cancelled.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.reminders import (
    DEFAULT_LADDER_DAYS,
    QuietHours,
    course_reminders,
    renewal_ladder,
)
from bot.domain.requirements import RuleBook
from bot.store import outbox
from bot.store.db import transaction
from bot.store.models import Clinician, Course, CourseSubscription, CreditEntry, Licence
from bot.tracking import LicenceView, views_for

log = logging.getLogger(__name__)

PLANNED_KINDS = ("renewal", "course")
PLAN_BATCH = 500


@dataclass(frozen=True, slots=True)
class ClinicianData:
    """Everything planning one clinician needs, loaded in bulk."""

    clinician: Clinician
    licences: Sequence[Licence]
    entries: Sequence[CreditEntry]
    courses: Sequence[Course]


def quiet_hours(clinician: Clinician) -> QuietHours:
    return QuietHours(clinician.quiet_start_min, clinician.quiet_end_min)


def local_zone(clinician: Clinician) -> ZoneInfo:
    return ZoneInfo(clinician.timezone)


def plan_rows(data: ClinicianData, now: datetime, rulebook: RuleBook) -> list[outbox.Planned]:
    """The reminders that should be pending for one clinician (pure)."""
    clinician = data.clinician
    if not clinician.active or clinician.reminders_paused:
        return []
    tz = local_zone(clinician)
    quiet = quiet_hours(clinician)
    today = now.astimezone(tz).date()
    planned: list[outbox.Planned] = []
    ladder = clinician.reminder_ladder or DEFAULT_LADDER_DAYS
    views = (
        views_for(clinician, data.licences, data.entries, today, rulebook) if data.licences else []
    )
    for view in views:
        planned += _renewal_rows(view, ladder, tz, quiet, now)
    for course in data.courses:
        if course.status != "active" or course.starts_at <= now:
            continue
        stamp = course.starts_at.strftime("%Y%m%dT%H%M")
        for item in course_reminders(course.starts_at, tz=tz, quiet=quiet, now=now):
            planned.append(
                outbox.Planned(
                    clinician.id, "course", course.id, f"{stamp}:{item.step}", item.due_at
                )
            )
    return planned


def _renewal_rows(
    view: LicenceView, ladder: Sequence[int | str], tz: ZoneInfo, quiet: QuietHours, now: datetime
) -> list[outbox.Planned]:
    status = view.status
    licence = view.licence
    if status is None or status.complete or licence.reminders_muted:
        return []
    days = [int(step) for step in ladder]
    steps = renewal_ladder(
        status.deadline,
        ladder_days=days,
        tz=tz,
        quiet=quiet,
        key=str(licence.clinician_id),
        now=now,
    )
    return [
        outbox.Planned(
            licence.clinician_id,
            "renewal",
            licence.id,
            f"{status.deadline}:{step.step}",
            step.due_at,
        )
        for step in steps
    ]


async def apply_plan(
    session: AsyncSession, clinician_id: int, planned: Sequence[outbox.Planned], now: datetime
) -> None:
    """Upsert the wanted rows and cancel pending planned rows that are no longer wanted."""
    await outbox.upsert_planned(session, planned, now)
    await outbox.cancel_pending(
        session,
        clinician_id,
        now,
        kinds=PLANNED_KINDS,
        keep_keys=[p.key for p in planned],
        reason="re-planned",
        due_after=now,
    )


async def plan_clinician(
    session: AsyncSession, clinician: Clinician, now: datetime, rulebook: RuleBook
) -> int:
    """Re-plan one clinician inside the caller's transaction; returns rows wanted."""
    batch = await _load(session, [clinician])
    planned = plan_rows(batch[clinician.id], now, rulebook)
    await apply_plan(session, clinician.id, planned, now)
    return len(planned)


async def _load(session: AsyncSession, people: Sequence[Clinician]) -> dict[int, ClinicianData]:
    """Licences, entries and subscribed courses of many clinicians in three queries."""
    ids = [person.id for person in people]
    licences: dict[int, list[Licence]] = defaultdict(list)
    entries: dict[int, list[CreditEntry]] = defaultdict(list)
    courses: dict[int, list[Course]] = defaultdict(list)
    for licence in (
        await session.execute(select(Licence).where(Licence.clinician_id.in_(ids)))
    ).scalars():
        licences[licence.clinician_id].append(licence)
    with_licences = [cid for cid in ids if licences.get(cid)]
    if with_licences:
        for entry in (
            await session.execute(
                select(CreditEntry).where(CreditEntry.clinician_id.in_(with_licences))
            )
        ).scalars():
            entries[entry.clinician_id].append(entry)
    rows = await session.execute(
        select(CourseSubscription.clinician_id, Course)
        .join(Course, Course.id == CourseSubscription.course_id)
        .where(CourseSubscription.clinician_id.in_(ids))
    )
    for clinician_id, course in rows.all():
        courses[clinician_id].append(course)
    return {
        person.id: ClinicianData(
            person,
            licences.get(person.id, []),
            entries.get(person.id, []),
            courses.get(person.id, []),
        )
        for person in people
    }


async def plan_everyone(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    rulebook: RuleBook,
    *,
    batch_size: int = PLAN_BATCH,
) -> int:
    """Periodic pass over all clinicians, in id order, one transaction per batch."""
    last_id = 0
    total = 0
    while True:
        async with transaction(sessionmaker) as session:
            people = list(
                (
                    await session.execute(
                        select(Clinician)
                        .where(Clinician.id > last_id)
                        .order_by(Clinician.id)
                        .limit(batch_size)
                    )
                ).scalars()
            )
            if not people:
                return total
            batch = await _load(session, people)
            for person in people:
                planned = plan_rows(batch[person.id], now, rulebook)
                await apply_plan(session, person.id, planned, now)
                total += len(planned)
            last_id = people[-1].id
