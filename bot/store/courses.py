"""The course catalogue in the database: idempotent upserts and index-backed search.

Search never scans the catalogue: it first asks the database for candidates through the
``(geo_cell, starts_at)`` and ``(starts_at)`` indexes — the same SQL on SQLite and
PostgreSQL, no PostGIS — then applies the exact great-circle distance and the topic
hierarchy in Python on the few rows that survive.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Select, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.courses.records import ONLINE_FORMATS, CourseRecord
from bot.domain import geo, topics
from bot.store.models import Clinician, Course, CourseFeed, CourseSubscription, CourseTopic

CELL_DEG = geo.DEFAULT_CELL_DEG
"""Grid size ``courses.geo_cell`` is computed with; changing it means recomputing the column."""
MAX_RADIUS_KM = 1000.0
HYBRID = "hybrid"
"""Beyond this a "nearby" search is no longer about travel, and the cell list grows large."""
DEFAULT_HORIZON = timedelta(days=365)
ONLINE_LOOKBACK = timedelta(days=3 * 366)
"""On-demand courses started long ago can still be open; bounded so the index range is."""

ChangeKind = Literal["rescheduled", "cancelled", "reinstated", "handed_over"]
"""``handed_over``: the course id another catalogue's listing of the same course took over
(subscribers moved to it): their reminders are re-planned, nobody is told anything."""
LISTED_ELSEWHERE = "listed_elsewhere"
"""Status of a catalogue row another catalogue already lists: kept out of every search and
list, so the course shows once, and taking over when the other catalogue drops it."""


@dataclass(frozen=True, slots=True)
class CourseChange:
    """A change subscribers must hear about once (the reminders feature reads this)."""

    course_id: int
    kind: ChangeKind
    title: str
    old_starts_at: datetime
    new_starts_at: datetime
    timezone: str | None = None  # where it takes place: a summary shows its times there


@dataclass(slots=True)
class UpsertResult:
    """Counts of one upsert, the changes to announce and rows the database refused."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[CourseChange] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source_id, reason)
    listed_elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (id, other source)

    @property
    def changed_ids(self) -> list[int]:
        return [c.course_id for c in self.changes]

    def merge(self, other: UpsertResult) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes.extend(other.changes)
        self.failed.extend(other.failed)
        self.listed_elsewhere.extend(other.listed_elsewhere)


def venue_zone(course: Course) -> ZoneInfo:
    """Where the course takes place keeps this clock (UTC for a zone this machine lacks)."""
    try:
        return ZoneInfo(course.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_all_day(course: Course) -> bool:
    """A catalogue row with dates and no times (an all-day iCalendar event, a CSV date):
    the importer stores it from midnight to 23:59 where it takes place. Listings show its
    days, calendar files get dates, and no reminder comes "an hour before" midnight."""
    zone = venue_zone(course)
    start, end = course.starts_at.astimezone(zone), course.ends_at.astimezone(zone)
    return (start.hour, start.minute) == (0, 0) and (end.hour, end.minute) == (23, 59)


def cell_of(record: CourseRecord) -> int | None:
    """The grid cell of a course with a venue; None for online courses."""
    if record.latitude is None or record.longitude is None:
        return None
    return geo.grid_cell(record.latitude, record.longitude, CELL_DEG)


def _values(record: CourseRecord) -> dict[str, Any]:
    return {
        "title": record.title,
        "provider": record.provider,
        "accreditation": record.accreditation,
        "credits": record.credits,
        "category": record.category,
        "topics": list(record.topics),
        "format": record.format,
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "timezone": record.timezone,
        "venue": record.venue,
        "address": record.address,
        "city": record.city,
        "region": record.region,
        "country": record.country,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "city_located": record.city_located,
        "geo_cell": cell_of(record),
        "price": record.price,
        "currency": record.currency,
        "registration_url": record.registration_url,
        "description": record.description,
        "status": "cancelled" if record.cancelled else "active",
        "content_hash": record.content_hash,
    }


def course_row(record: CourseRecord, now: datetime) -> dict[str, Any]:
    """Every column of a new course, for ``Course(**row)`` or a bulk ``insert(Course)``."""
    return {
        "source": record.source, "source_id": record.source_id, "created_at": now,
        "updated_at": now, **_values(record),
    }  # fmt: skip


def new_course(record: CourseRecord, now: datetime) -> Course:
    return Course(**course_row(record, now), topic_rows=_topic_rows(_values(record)))


def _topic_keys(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``course_topics`` values of a course (without its id): one per distinct topic."""
    return [
        {"topic": topic, "geo_cell": values["geo_cell"], "starts_at": values["starts_at"]}
        for topic in dict.fromkeys(values["topics"])
    ]


def _topic_rows(values: dict[str, Any]) -> list[CourseTopic]:
    return [CourseTopic(**keys) for keys in _topic_keys(values)]


async def insert_course_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert :func:`course_row` dicts, then their topic index.

    For loading a large generated catalogue (benchmarks, tests) where the per-row
    upsert is too slow; feeds and imports go through :func:`upsert_courses`. The ids
    are read back by ``(source, source_id)``: ``INSERT ... RETURNING`` in parameter
    order makes SQLite insert one row per statement (200,000 courses: 83 -> 322 s).
    """
    if not rows:
        return
    await session.execute(insert(Course), list(rows))
    by_source: dict[str, list[str]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row["source_id"])
    topic_rows: list[dict[str, Any]] = []
    for source, source_ids in by_source.items():
        for chunk in _chunks(source_ids, 10_000):
            stored = await session.execute(
                select(Course.id, Course.topics, Course.geo_cell, Course.starts_at).where(
                    Course.source == source, Course.source_id.in_(chunk)
                )
            )
            for course_id, course_topics, geo_cell, starts_at in stored:
                values = {"topics": course_topics, "geo_cell": geo_cell, "starts_at": starts_at}
                topic_rows += [{**keys, "course_id": course_id} for keys in _topic_keys(values)]
    if topic_rows:
        await session.execute(insert(CourseTopic), topic_rows)


async def upsert_courses(
    session: AsyncSession, records: Sequence[CourseRecord], *, now: datetime
) -> UpsertResult:
    """Insert new courses, update changed ones, leave identical ones alone.

    Identity is ``(source, source_id)``; "changed" means a different content hash or
    status. Each row runs in its own SAVEPOINT, so a row the database refuses is reported
    in ``failed`` and the caller's transaction still commits the others.
    """
    result = UpsertResult()
    by_source: dict[str, list[CourseRecord]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record)
    for source in sorted(by_source):  # one order for every import: no deadlock
        await _lock_catalogue(session, source)
    for source, group in by_source.items():
        ids = [r.source_id for r in group]
        found = await session.scalars(
            select(Course)
            .where(Course.source == source, Course.source_id.in_(ids))
            .options(selectinload(Course.topic_rows))
        )
        existing = {c.source_id: c for c in found}
        unlisted = [
            r for r in group
            if not r.cancelled
            and (r.source_id not in existing
                 or existing[r.source_id].status in (LISTED_ELSEWHERE, "cancelled"))
        ]  # fmt: skip
        elsewhere = await _listed_elsewhere(session, source, unlisted)
        for record in group:
            hidden = record.source_id in elsewhere
            if hidden:
                result.listed_elsewhere.append((record.source_id, elsewhere[record.source_id]))
            try:
                async with session.begin_nested():
                    course = existing.get(record.source_id)
                    outcome, change = _apply(session, course, record, now, hidden=hidden)
                    await session.flush()
            except SQLAlchemyError as exc:
                result.failed.append((record.source_id, _db_reason(exc)))
                continue
            if not hidden:
                setattr(result, outcome, getattr(result, outcome) + 1)
            if change is not None:
                result.changes.append(change)
    return result


async def _lock_catalogue(session: AsyncSession, source: str) -> None:
    """One import of a catalogue at a time, until the transaction ends (PostgreSQL; SQLite
    transactions already take the write lock first). Two at once both found no course, both
    inserted, and the second reported every good row as refused by the database."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(source))))


def _same_course_key(
    title: str | None, starts_at: datetime, format_: str, city: str | None
) -> tuple[str, datetime, bool, str]:
    """What makes two catalogue rows one course: title (case and spacing aside), start,
    venue or not, and the city when there is one."""
    return (
        " ".join((title or "").casefold().split()),
        starts_at,
        format_ in ONLINE_FORMATS,
        " ".join((city or "").casefold().split()),
    )


async def _listed_elsewhere(
    session: AsyncSession, source: str, records: Sequence[CourseRecord]
) -> dict[str, str]:
    """New records another catalogue already lists as an active course: source id -> the
    other source. The same file imported from the CLI and sent in chat, or two providers
    listing one conference, would otherwise show every course twice in every search."""
    if not records:
        return {}
    found: dict[tuple[str, datetime, bool, str], str] = {}
    starts = sorted({r.starts_at for r in records})
    for chunk in _chunks(starts, 500):
        rows = await session.execute(
            select(Course.title, Course.starts_at, Course.format, Course.city, Course.source)
            .where(Course.starts_at.in_(chunk), Course.status == "active", Course.source != source)
            .order_by(Course.id)
        )
        for row in rows:
            key = _same_course_key(row.title, row.starts_at, row.format, row.city)
            found.setdefault(key, row.source)  # the oldest listing names the catalogue
    keyed = {
        r.source_id: found.get(_same_course_key(r.title, r.starts_at, r.format, r.city))
        for r in records
    }
    return {source_id: other for source_id, other in keyed.items() if other is not None}


def _apply(
    session: AsyncSession,
    course: Course | None,
    record: CourseRecord,
    now: datetime,
    *,
    hidden: bool = False,
) -> tuple[Literal["added", "updated", "unchanged"], CourseChange | None]:
    """Stage one record; the caller counts it once the flush has succeeded. ``hidden``:
    another catalogue lists it, so it is kept as :data:`LISTED_ELSEWHERE`."""
    values = _values(record)
    if hidden:
        values["status"] = LISTED_ELSEWHERE
    if course is None:
        added = new_course(record, now)
        added.status = values["status"]
        session.add(added)
        return "added", None
    if course.content_hash == values["content_hash"] and course.status == values["status"]:
        return "unchanged", None
    kind = _change_kind(course, record, values["status"])
    change = None
    if kind is not None:
        change = CourseChange(
            course.id, kind, record.title, course.starts_at, record.starts_at, record.timezone
        )
    stored = {(row.topic, row.geo_cell, row.starts_at) for row in course.topic_rows}
    if stored != {(k["topic"], k["geo_cell"], k["starts_at"]) for k in _topic_keys(values)}:
        course.topic_rows = _topic_rows(values)
    for name, value in values.items():
        setattr(course, name, value)
    course.updated_at = now
    return "updated", change


def _change_kind(course: Course, record: CourseRecord, status: str) -> ChangeKind | None:
    if status == "cancelled" and course.status != "cancelled":
        return "cancelled"
    if status == "active" and course.status == "cancelled":
        return "reinstated"
    if status == "active" and course.starts_at != record.starts_at:
        return "rescheduled"
    return None


def _db_reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return "database refused the row: " + (text.splitlines() or ["error"])[0][:200]


async def cancel_missing(
    session: AsyncSession, source: str, present: Collection[str], *, now: datetime
) -> list[CourseChange]:
    """Mark upcoming active courses of ``source`` that a re-import no longer lists as cancelled."""
    gone = await missing_upcoming(session, source, present, now=now)
    return await cancel_courses(session, source, [change.course_id for change in gone], now=now)


async def missing_upcoming(
    session: AsyncSession, source: str, present: Collection[str], *, now: datetime
) -> list[CourseChange]:
    """Upcoming active courses of ``source`` whose ids are not in ``present``, by start.

    Only courses that have not started yet: a past course dropping out of a feed is
    housekeeping, not a cancellation.
    """
    rows = await session.execute(
        select(Course.id, Course.source_id, Course.title, Course.starts_at)
        .where(Course.source == source, Course.status == "active", Course.starts_at > now)
        .order_by(Course.starts_at, Course.id)
    )
    return [
        CourseChange(r.id, "cancelled", r.title, r.starts_at, r.starts_at)
        for r in rows
        if r.source_id not in present
    ]


async def count_upcoming(session: AsyncSession, source: str, *, now: datetime) -> int:
    """How many upcoming active courses ``source`` lists (what :func:`missing_upcoming`
    chooses from)."""
    query = select(func.count()).select_from(Course).where(
        Course.source == source, Course.status == "active", Course.starts_at > now
    )
    return int(await session.scalar(query) or 0)


async def cancel_courses(
    session: AsyncSession, source: str, ids: Collection[int], *, now: datetime
) -> list[CourseChange]:
    """Cancel those of ``ids`` that are still upcoming active courses of ``source``.

    Re-checked here because a confirmation can come long after the question: courses
    started, cancelled or re-listed in between are left as they are. A course another
    catalogue also lists is handed over to that listing rather than cancelled for its
    subscribers (QA: they were told "cancelled" while it was still on offer)."""
    changes: list[CourseChange] = []
    for chunk in _chunks(sorted(set(ids)), 500):
        rows = await session.execute(
            select(Course.id, Course.title, Course.starts_at).where(
                Course.id.in_(chunk),
                Course.source == source,
                Course.status == "active",
                Course.starts_at > now,
            )
        )
        found = [CourseChange(r.id, "cancelled", r.title, r.starts_at, r.starts_at) for r in rows]
        if not found:
            continue
        await session.execute(
            update(Course)
            .where(Course.id.in_([change.course_id for change in found]))
            .values(status="cancelled", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        successors = await _hand_over(session, source, found, now)
        changes += [
            CourseChange(successors[c.course_id], "handed_over", c.title, c.old_starts_at,
                         c.new_starts_at)
            if c.course_id in successors else c
            for c in found
        ]  # fmt: skip
    return changes


async def _hand_over(
    session: AsyncSession, source: str, gone: Sequence[CourseChange], now: datetime
) -> dict[int, int]:
    """Courses another catalogue lists too (kept as :data:`LISTED_ELSEWHERE`): that row
    becomes the listed one and takes the subscribers. Gone course id -> its successor."""
    rows = await session.execute(
        select(Course.id, Course.title, Course.starts_at, Course.format, Course.city).where(
            Course.id.in_([change.course_id for change in gone])
        )
    )
    by_key = {_same_course_key(r.title, r.starts_at, r.format, r.city): r.id for r in rows}
    if not by_key:
        return {}
    candidates = await session.execute(
        select(Course.id, Course.title, Course.starts_at, Course.format, Course.city)
        .where(
            Course.starts_at.in_(sorted({key[1] for key in by_key})),
            Course.status == LISTED_ELSEWHERE,
            Course.source != source,
        )
        .order_by(Course.id)  # the oldest other listing
    )
    successors: dict[int, int] = {}
    for row in candidates:
        gone_id = by_key.get(_same_course_key(row.title, row.starts_at, row.format, row.city))
        if gone_id is not None and gone_id not in successors:
            successors[gone_id] = row.id
    for gone_id, successor in successors.items():
        await session.execute(
            update(Course).where(Course.id == successor).values(status="active", updated_at=now)
        )
        await session.execute(  # nobody chose a hidden row: no (clinician, course) clash
            update(CourseSubscription)
            .where(CourseSubscription.course_id == gone_id)
            .values(course_id=successor)
        )
    return successors


async def drop_missing_hidden(
    session: AsyncSession, source: str, present: Collection[str], *, now: datetime
) -> None:
    """Rows of ``source`` kept as :data:`LISTED_ELSEWHERE` that its new version no longer
    lists: cancelled, so they never take over a course their catalogue dropped."""
    rows = await session.execute(
        select(Course.id, Course.source_id).where(
            Course.source == source, Course.status == LISTED_ELSEWHERE
        )
    )
    gone = [row.id for row in rows if row.source_id not in present]
    for chunk in _chunks(gone, 500):
        await session.execute(
            update(Course).where(Course.id.in_(chunk)).values(status="cancelled", updated_at=now)
        )


async def subscriber_count(session: AsyncSession, course_ids: Collection[int]) -> int:
    """How many active clinicians chose at least one of these courses."""
    total: set[int] = set()
    for chunk in _chunks(sorted(set(course_ids)), 500):
        rows = await session.scalars(
            select(CourseSubscription.clinician_id)
            .join(Clinician, Clinician.id == CourseSubscription.clinician_id)
            .where(CourseSubscription.course_id.in_(chunk), Clinician.active.is_(True))
        )
        total.update(rows)
    return len(total)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def get_course(session: AsyncSession, course_id: int) -> Course | None:
    return await session.get(Course, course_id)


async def count_courses(
    session: AsyncSession, *, source: str | None = None, status: str | None = None
) -> int:
    query = select(func.count()).select_from(Course)
    if source is not None:
        query = query.where(Course.source == source)
    if status is not None:
        query = query.where(Course.status == status)
    return int(await session.scalar(query) or 0)


async def any_active_course(session: AsyncSession) -> bool:
    """Whether the catalogue has anything to offer (stops at the first row, unlike a count)."""
    found = await session.scalar(select(Course.id).where(Course.status == "active").limit(1))
    return found is not None


# ------------------------------------------------------------------------------ feeds


async def get_or_create_feed(session: AsyncSession, url: str, *, now: datetime) -> CourseFeed:
    """The feed row for ``url`` (created on first sight, never duplicated)."""
    feed = await session.scalar(select(CourseFeed).where(CourseFeed.url == url))
    if feed is None:
        feed = CourseFeed(url=url, courses_count=0, created_at=now, updated_at=now)
        session.add(feed)
        await session.flush()
    return feed


async def list_feeds(session: AsyncSession) -> list[CourseFeed]:
    return list(await session.scalars(select(CourseFeed).order_by(CourseFeed.id)))


# ----------------------------------------------------------------------------- search


@dataclass(frozen=True, slots=True)
class CourseHit:
    """A search result: the course and, for courses with a venue, how far it is."""

    course: Course
    distance_km: float | None
    more_dates: int = 0  # later occurrences of the same series that also matched


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits and how many matched in total."""

    hits: list[CourseHit]
    total: int


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """Validated search parameters (see :func:`search_courses`)."""

    near: tuple[float, float] | None
    radius_km: float
    online: bool
    starts_after: datetime
    starts_before: datetime
    topics: frozenset[str]
    max_price: Decimal | None


_CANDIDATE_COLUMNS = (
    Course.id, Course.latitude, Course.longitude, Course.starts_at, Course.topics, Course.format,
    Course.source, Course.source_id,
)  # fmt: skip


def build_query(
    *,
    near: tuple[float, float] | None = None,
    radius_km: float = 50.0,
    online: bool = False,
    starts_after: datetime,
    starts_before: datetime | None = None,
    topics: Iterable[str] = (),
    max_price: Decimal | float | None = None,
) -> SearchQuery:
    """Check and normalise search parameters (raises ``ValueError`` with a clear reason)."""
    if starts_after.tzinfo is None or (starts_before and starts_before.tzinfo is None):
        raise ValueError("search dates must be timezone-aware")
    before = starts_before or starts_after + DEFAULT_HORIZON
    if near is not None:
        near = geo.validate_coordinates(*near)
        if not 0 < radius_km <= MAX_RADIUS_KM:
            raise ValueError(f"radius must be more than 0 and at most {MAX_RADIUS_KM:g} km")
    price = None if max_price is None else Decimal(str(max_price))
    return SearchQuery(
        near, float(radius_km), online, starts_after, before, frozenset(topics), price
    )


Candidates = Select[int, float | None, float | None, datetime, list[str], str, str, str]
"""id, latitude, longitude, starts_at, topics, format, source, source_id: what the exact
filters and the grouping of a series need."""


def prefilter_statements(query: SearchQuery) -> list[Candidates]:
    """The index-backed candidate queries: venue cells × date range, and/or online courses.

    Without topics they read ``courses`` through ``(geo_cell, starts_at)``. With topics
    they start from ``course_topics`` instead, whose ``(topic, geo_cell, starts_at)``
    index holds the same cell and date for each of a course's own tags, so the search
    asks for the wanted topics and everything narrower and the range is that narrow
    from the start. A course tagged with two wanted topics comes back twice;
    :func:`page_of` counts it once. Exposed so tests can EXPLAIN what runs.
    """
    statements: list[Candidates] = []
    common: list[ColumnElement[bool]] = [Course.status == "active"]
    if query.max_price is not None:
        common.append(Course.price <= query.max_price)
    cell: Any = Course.geo_cell
    starts_at: Any = Course.starts_at
    base = select(*_CANDIDATE_COLUMNS)
    if query.topics:
        cell, starts_at = CourseTopic.geo_cell, CourseTopic.starts_at
        base = (
            select(*_CANDIDATE_COLUMNS)
            .select_from(CourseTopic)
            .join(Course, Course.id == CourseTopic.course_id)
            .where(CourseTopic.topic.in_(sorted(narrower_topics(query.topics))))
        )
    if query.near is not None:
        cells = geo.grid_cells_for_radius(*query.near, query.radius_km, CELL_DEG)
        statements.append(
            base.where(
                cell.in_(cells),
                starts_at >= query.starts_after,
                starts_at < query.starts_before,
                *common,
            )
        )
    if query.online:
        statements.append(
            base.where(
                cell.is_(None),
                starts_at >= query.starts_after - ONLINE_LOOKBACK,
                starts_at < query.starts_before,
                Course.ends_at >= query.starts_after,
                Course.format.in_(sorted(ONLINE_FORMATS)),
                *common,
            )
        )
    if query.online:  # hybrid courses have a venue, and can be followed online too
        statements.append(
            base.where(
                Course.format == HYBRID,
                starts_at >= query.starts_after,
                starts_at < query.starts_before,
                *common,
            )
        )
    if not statements:  # neither near nor online: anything in the date range
        statements.append(
            base.where(starts_at >= query.starts_after, starts_at < query.starts_before, *common)
        )
    return statements


async def search_courses(
    session: AsyncSession,
    *,
    near: tuple[float, float] | None = None,
    radius_km: float = 50.0,
    online: bool = False,
    starts_after: datetime,
    starts_before: datetime | None = None,
    topics: Iterable[str] = (),
    max_price: Decimal | float | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResult:
    """Active courses near a point and/or online, in a date range, on any of ``topics``.

    ``near`` finds courses with a venue (in person, hybrid, workshop) within
    ``radius_km``; ``online`` adds live-online and on-demand courses (on-demand ones
    that are open during the range count even if they opened earlier) and hybrid ones
    wherever their venue is. A course matches
    a topic when it is tagged with it or with anything narrower (a search for
    controlled-substance prescribing finds opioid prescribing courses). Venue courses
    come first, nearest first, then by date; online courses follow by date. Unknown
    prices never pass a ``max_price`` filter. ``starts_before`` defaults to a year on.
    """
    query = build_query(
        near=near, radius_km=radius_km, online=online, starts_after=starts_after,
        starts_before=starts_before, topics=topics, max_price=max_price,
    )  # fmt: skip
    rows = [
        row for statement in prefilter_statements(query) for row in await session.execute(statement)
    ]
    return await page_of(session, query, rows, limit=limit, offset=offset)


async def page_of(
    session: AsyncSession, query: SearchQuery, rows: Iterable[Any], *, limit: int, offset: int
) -> SearchResult:
    """Exact filters and order over candidate rows, then load one page of full courses.

    Split from :func:`search_courses` so the benchmark can feed it rows fetched by a
    full scan and compare like with like.
    """
    ranked: list[_Ranked] = []
    seen: set[int] = set()
    series: dict[int, tuple[str, str]] = {}
    for row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        if "#" in row.source_id and (key := series_key(row.source, row.source_id)):
            series[row.id] = key
        if query.topics and query.topics.isdisjoint(_expanded(row.topics)):
            continue
        distance = _distance(query, row)
        if distance is not None and distance > query.radius_km:
            if not (query.online and row.format == HYBRID):
                continue
            distance = None  # too far to go, near enough to follow online
        group = 0 if distance is not None else 1
        # On-demand courses already open can be taken any day: after the dated ones (QA: a
        # live webinar that week came 6th, behind them), newest first.
        open_now = row.format == "on_demand" and row.starts_at <= query.starts_after
        when = _NEWEST_FIRST - row.starts_at if open_now else row.starts_at - _EPOCH
        ranked.append((group, distance or 0.0, (open_now, when), row.id, distance))
    ranked.sort(key=lambda item: item[:4])
    listed, more = _one_per_series(ranked, series)
    page = listed[offset : offset + limit]
    courses = await _load([item[3] for item in page], session)
    hits = [
        CourseHit(courses[item[3]], item[4], more.get(item[3], 0))
        for item in page
        if item[3] in courses
    ]
    return SearchResult(hits, len(listed))


_Ranked = tuple[int, float, tuple[bool, timedelta], int, float | None]
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_NEWEST_FIRST = datetime(2200, 1, 1, tzinfo=UTC)


def _one_per_series(
    ranked: list[_Ranked], series: dict[int, tuple[str, str]]
) -> tuple[list[_Ranked], dict[int, int]]:
    """The best-placed occurrence of each series (a daily huddle filled every page), and
    how many more of it matched."""
    first: dict[tuple[str, str], int] = {}
    more: dict[int, int] = {}
    listed: list[_Ranked] = []
    for item in ranked:
        key = series.get(item[3])
        if key is not None and key in first:
            more[first[key]] = more.get(first[key], 0) + 1
            continue
        if key is not None:
            first[key] = item[3]
        listed.append(item)
    return listed, more


def series_key(source: str, source_id: str) -> tuple[str, str] | None:
    """Occurrences of one recurring event share it: their ids are ``uid#start``."""
    uid, hash_sign, _ = source_id.rpartition("#")
    return (source, uid) if hash_sign and uid else None


@cache
def _narrower(wanted: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in topics.topic_ids() if not wanted.isdisjoint(topics.expand((t,))))


def narrower_topics(wanted: Iterable[str]) -> frozenset[str]:
    """Topics that count toward any of ``wanted`` (themselves and everything narrower)."""
    wanted = frozenset(wanted)
    return _narrower(wanted) | wanted


def _expanded(course_topics: Sequence[str] | None) -> frozenset[str]:
    return topics.expand(frozenset(course_topics or ()))


def _distance(query: SearchQuery, row: Any) -> float | None:
    if query.near is None or row.latitude is None or row.longitude is None:
        return None
    return geo.haversine_km(query.near[0], query.near[1], row.latitude, row.longitude)


async def _load(ids: Sequence[int], session: AsyncSession) -> dict[int, Course]:
    if not ids:
        return {}
    found = await session.scalars(select(Course).where(Course.id.in_(ids)))
    return {course.id: course for course in found}


async def unname_uploads(session: AsyncSession, telegram_id: int) -> None:
    """Catalogues uploaded as ``upload:<telegram id>:<name>`` keep their courses under
    ``upload:former-<random>:<name>``: the person is gone, the catalogue and its identity
    (source, source_id) stay whole."""
    prefix = f"upload:{telegram_id}:"
    renamed = f"upload:former-{secrets.token_hex(4)}:"
    await session.execute(
        update(Course)
        .where(Course.source.startswith(prefix, autoescape=True))
        .values(source=renamed + func.substr(Course.source, len(prefix) + 1))
    )
