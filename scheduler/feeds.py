"""The hourly course-feed refresh, and telling subscribers when a course moves or is cancelled.

Subscribers hear about a change through the reminder outbox, as a ``notice`` row whose
dedupe key names the course, the kind of change and the new start: a feed refreshed
twice, by two processes, or re-imported by an admin announces one change once. Their
course reminders are then re-planned for the new date (or cancelled).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.context import Services
from bot.courses.feeds import refresh_feeds
from bot.courses.geocode import place_geocoder
from bot.courses.importer import ImportOptions, ImportSummary, limits_for
from bot.domain import places
from bot.domain.reminders import move_out_of_quiet_hours
from bot.domain.requirements import RuleBook
from bot.store import outbox
from bot.store.courses import CourseChange
from bot.store.db import transaction
from bot.store.models import Clinician, Course, CourseSubscription
from scheduler.leader import LeaderLock, LockRole
from scheduler.planner import plan_clinician, quiet_hours

log = logging.getLogger(__name__)

FEEDS_LOCK_KEY = 0x434D4502  # "CME" + 2: one process refreshes feeds at a time
FEEDS = LockRole("feeds", "refreshes the course feeds", quiet=True)
URGENT = timedelta(hours=12)
"""A change to a course this close is sent at once, quiet hours or not."""


def result_label(summary: ImportSummary) -> str:
    """Low-cardinality metric label for one feed refresh."""
    if summary.fatal is not None:
        return "error"
    if summary.refused is not None:
        return "refused"
    if summary.not_modified:
        return "not_modified"
    return "partial" if summary.rejected else "ok"


async def refresh_tick(services: Services) -> None:
    """Refresh every configured feed once, count the outcomes, announce course changes."""
    urls = services.settings.course_feeds
    if not urls or services.sessionmaker is None:
        return
    lock = services.extras.get("feeds_lock")
    if lock is None and services.engine is not None:  # kept: "stands by" is logged once
        lock = services.extras["feeds_lock"] = LeaderLock(services.engine, FEEDS_LOCK_KEY, FEEDS)
    if lock is not None and not await lock.acquire():
        return  # another process is refreshing right now
    try:
        # The first geocoded row would build the place index on the event loop (~1 s).
        await asyncio.to_thread(places.get_index)
        options = ImportOptions(
            default_timezone=services.settings.default_timezone,
            geocoder=place_geocoder,
            limits=limits_for(services.settings),
        )
        now = services.clock.now()
        if services.http is not None:
            summaries = await refresh_feeds(
                services.sessionmaker, urls, services.http, now, options=options
            )
        else:
            async with httpx.AsyncClient(follow_redirects=True) as client:
                summaries = await refresh_feeds(
                    services.sessionmaker, urls, client, now, options=options
                )
        for summary in summaries:
            services.metrics.feed_refreshes.labels(result_label(summary)).inc()
            if summary.fatal is not None:
                log.warning("course feed %s failed: %s", summary.source, summary.fatal)
            elif summary.refused is not None:
                log.warning(
                    "course feed %s refused: it would cancel %d of %d upcoming courses",
                    summary.source, summary.refused.missing, summary.refused.listed,
                )  # fmt: skip
        changes = [change for summary in summaries for change in summary.changes]
        if changes:
            async with transaction(services.sessionmaker) as session:
                await notify_course_changes(session, changes, now, services.rulebook)
    finally:
        if lock is not None:
            await lock.release()


async def notify_course_changes(
    session: AsyncSession, changes: Sequence[CourseChange], now: datetime, rulebook: RuleBook
) -> int:
    """Queue one notice per subscriber and change, then re-plan those subscribers.

    Returns the number of notices wanted (already-queued ones are not duplicated).
    """
    by_course: dict[int, list[CourseChange]] = defaultdict(list)
    for change in changes:
        by_course[change.course_id].append(change)
    rows = await session.execute(
        select(CourseSubscription.course_id, Clinician)
        .join(Clinician, Clinician.id == CourseSubscription.clinician_id)
        .where(CourseSubscription.course_id.in_(list(by_course)), Clinician.active.is_(True))
    )
    subscribers: dict[int, list[Clinician]] = defaultdict(list)
    for course_id, clinician in rows.all():
        subscribers[course_id].append(clinician)
    if not subscribers:
        return 0
    courses = {
        c.id: c
        for c in await session.scalars(select(Course).where(Course.id.in_(list(subscribers))))
    }
    planned: list[outbox.Planned] = []
    affected: dict[int, Clinician] = {}
    for course_id, people in subscribers.items():
        affected.update((clinician.id, clinician) for clinician in people)
        for change in by_course[course_id]:
            if change.kind == "handed_over":
                continue  # the same course, listed by another catalogue: nothing to tell
            stamp = change.new_starts_at.strftime("%Y%m%dT%H%M")
            for clinician in people:
                planned.append(
                    outbox.Planned(
                        clinician.id,
                        "notice",
                        course_id,
                        f"coursechg:{course_id}:{change.kind}:{stamp}",
                        _due(change, clinician, now),
                        {"text": change_text(change, courses.get(course_id), clinician)},
                    )
                )
    await outbox.upsert_planned(session, planned, now)
    for clinician in affected.values():
        await plan_clinician(session, clinician, now, rulebook)
    return len(planned)


def change_text(change: CourseChange, course: Course | None, clinician: Clinician) -> str:
    """The notice, in the clinician's time zone (a notice is sent as written)."""
    tz = ZoneInfo(clinician.timezone)
    title = html.escape(course.title if course else change.title)
    if change.kind == "cancelled":
        local = change.old_starts_at.astimezone(tz)
        return texts.REMINDER_COURSE_CANCELLED.format(
            title=title, local=f"{local:%a %b %-d, %-I:%M %p %Z}"
        )
    local = change.new_starts_at.astimezone(tz)
    template = (
        texts.COURSE_CHANGE_REINSTATED
        if change.kind == "reinstated"
        else texts.REMINDER_COURSE_MOVED
    )
    return template.format(title=title, local=f"{local:%a %b %-d, %-I:%M %p %Z}")


def _due(change: CourseChange, clinician: Clinician, now: datetime) -> datetime:
    """Outside quiet hours, unless the course is about to start."""
    soonest = min(change.old_starts_at, change.new_starts_at)
    if soonest - now <= URGENT:
        return now
    return move_out_of_quiet_hours(now, ZoneInfo(clinician.timezone), quiet_hours(clinician))
