"""Importing a catalogue end to end: fetch → parse → validate → upsert → summary.

Bad rows never stop good rows: each is rejected with its location and reason while the
rest is stored, in batches whose rows each run in their own savepoint. Only a source
that cannot be read at all is a failure (``ImportSummary.fatal``).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import html
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.courses import records as rec
from bot.courses.fetch import FeedState, FetchError, Limits, Sleep, fetch, is_url
from bot.courses.parsers import ParseError, RawRow, parse
from bot.errors import EXIT_IMPORT_PARTIAL, EXIT_IMPORT_REFUSED
from bot.store import courses as store
from bot.store import schema
from bot.store.db import (
    create_engine,
    create_sessionmaker,
    read_transaction,
    transaction,
)
from bot.store.models import Course

BATCH_SIZE = 200
SQLITE_BATCH_PAUSE_S = 0.02
"""``cme-bot courses import`` on SQLite: between two batches, so the bot's processes get the
write lock (see ``_store``)."""
SHOWN_REJECTIONS = 10
CANCEL_GUARD_SHARE = 0.2
CANCEL_GUARD_MIN = 3
"""An import that would cancel more than this share of a catalogue's upcoming courses, and
at least this many, is refused unless allowed: a truncated file cancelled 3 of 4 courses
and told their subscribers (QA round 11)."""


@dataclass(frozen=True, slots=True)
class CancelRefusal:
    """Why an import changed nothing: it would have cancelled ``missing`` of ``listed``."""

    missing: int
    listed: int


def too_many_cancelled(missing: int, listed: int) -> bool:
    """Whether cancelling ``missing`` of a catalogue's ``listed`` upcoming courses needs a
    yes first (a routine update drops a course or two; a cut-off file drops most)."""
    return missing >= CANCEL_GUARD_MIN and missing > CANCEL_GUARD_SHARE * listed


@dataclass(slots=True)
class ImportSummary:
    """What one import did; ``fatal`` is set only when nothing could be read."""

    source: str
    kind: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0
    skipped_past: int = 0
    skipped_cancelled: int = 0  # marked cancelled in the file, never listed: not added
    listed_elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (id, other source)
    rejected: list[rec.Rejection] = field(default_factory=list)
    warnings: list[rec.Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[store.CourseChange] = field(default_factory=list)
    missing: list[store.CourseChange] = field(default_factory=list)  # listed before, not now
    fatal: str | None = None
    refused: CancelRefusal | None = None  # nothing was stored: too many would be cancelled
    not_modified: bool = False
    feed_state: FeedState | None = None

    @property
    def ok(self) -> bool:
        """True when the source could be read (some rows may still be rejected)."""
        return self.fatal is None

    @property
    def changed_ids(self) -> list[int]:
        """Courses whose subscribers must hear about a new date or a cancellation."""
        return list(dict.fromkeys(c.course_id for c in self.changes))


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Knobs of an import; the defaults suit ``cme-bot courses import``."""

    mark_missing_cancelled: bool = False
    report_missing: bool = False  # list them in ``summary.missing`` (a chat asks first)
    guard_cancellations: bool = False  # refuse (store nothing) when too_many_cancelled
    default_timezone: str = "America/New_York"
    geocoder: rec.Geocoder | None = None
    limits: Limits = field(default_factory=Limits)
    sleep: Sleep = asyncio.sleep
    source_name: str | None = None
    batch_pause: float = 0.0
    """Seconds between two batches: the CLI on SQLite lets the bot's processes, waiting for
    the one write lock, in (see ``_store``). Not in the chat: there all batches run in the
    turn's one transaction."""


def limits_for(settings: Settings) -> Limits:
    """The size cap COURSE_FILE_MAX_MB sets, named in the refusal (QA: an undocumented,
    fixed 5 MB refused a 50,000-row catalogue)."""
    return Limits(
        max_bytes=int(settings.course_file_max_mb * 1024 * 1024), setting="COURSE_FILE_MAX_MB"
    )


def source_key(source: str) -> str:
    """The ``courses.source`` value for a path or URL (absolute path; long URLs hashed)."""
    key = source if is_url(source) else "file:" + str(Path(source).expanduser().resolve())
    if len(key) <= 200:
        return key
    return key[:150] + "#" + hashlib.sha256(key.encode()).hexdigest()[:40]


async def import_source(
    sessionmaker: async_sessionmaker[AsyncSession],
    source: str,
    *,
    now: datetime,
    http_client: httpx.AsyncClient | None = None,
    feed_state: FeedState | None = None,
    options: ImportOptions = ImportOptions(),
) -> ImportSummary:
    """Import a CSV/iCalendar/JSON catalogue from a path or URL into the store."""
    key = options.source_name
    if key is None:
        key = await asyncio.to_thread(source_key, source)
    summary = ImportSummary(source=source)
    try:
        fetched = await fetch(
            source, client=http_client, state=feed_state, limits=options.limits,
            sleep=options.sleep,
        )  # fmt: skip
    except FetchError as exc:
        summary.fatal = str(exc)
        return summary
    summary.feed_state = fetched.state
    if fetched.not_modified or fetched.content is None:
        summary.not_modified = True
        return summary
    summary.kind = fetched.kind
    try:
        parsed = parse(fetched.content, fetched.kind or "csv", now=now)
    except ParseError as exc:
        summary.fatal = str(exc)
        return summary
    summary.rejected.extend(parsed.rejections)
    summary.notes.extend(parsed.notes)
    good, present, unknown = _validate(parsed.rows, key, now, options, summary)
    if not good and not summary.skipped_past:
        if not summary.rejected:
            summary.fatal = "no courses found"
        return summary
    try:
        good = await _without_unknown_cancelled(sessionmaker, key, good, summary)
        if options.mark_missing_cancelled and options.guard_cancellations and good and not unknown:
            summary.refused = await _cancel_refusal(sessionmaker, key, present, now)
            if summary.refused is not None:
                return summary
        await _store(sessionmaker, good, now, summary, options)
        if unknown and (options.mark_missing_cancelled or options.report_missing):
            # A row refused without an id may be a course listed before: it is not missing
            # (review: one unreadable row had its course cancelled, subscribers told).
            summary.notes.append(
                f"{unknown} refused row(s) have no id, so no course was taken as dropped from "
                "the catalogue this time: fix them and send it again."
            )
        elif options.mark_missing_cancelled and good:
            async with transaction(sessionmaker) as session:
                await store.drop_missing_hidden(session, key, present, now=now)
                gone = await store.cancel_missing(session, key, present, now=now)
            summary.cancelled = sum(1 for change in gone if change.kind == "cancelled")
            summary.changes.extend(gone)
        elif options.report_missing and good:
            async with transaction(sessionmaker) as session:
                await store.drop_missing_hidden(session, key, present, now=now)
                summary.missing = await store.missing_upcoming(session, key, present, now=now)
    except SQLAlchemyError as exc:  # the database itself failed, not one row
        done = summary.added + summary.updated + summary.unchanged
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        summary.fatal = f"database error after {done} course(s): {reason}"
    return summary


async def _cancel_refusal(
    sessionmaker: async_sessionmaker[AsyncSession], key: str, present: set[str], now: datetime
) -> CancelRefusal | None:
    """A refusal when this version would cancel too much of the catalogue, before anything
    is stored (so a refused import changes nothing)."""
    async with read_transaction(sessionmaker) as session:
        missing = await store.missing_upcoming(session, key, present, now=now)
        listed = await store.count_upcoming(session, key, now=now) if missing else 0
    if too_many_cancelled(len(missing), listed):
        return CancelRefusal(len(missing), listed)
    return None


def _validate(
    rows: list[RawRow],
    key: str,
    now: datetime,
    options: ImportOptions,
    summary: ImportSummary,
) -> tuple[list[tuple[str, rec.CourseRecord]], set[str], int]:
    """Valid upcoming records with their locations, every id the file mentions, and how
    many refused rows gave no id (their courses cannot be told apart from dropped ones)."""
    good: list[tuple[str, rec.CourseRecord]] = []
    present: set[str] = set()
    unknown = 0
    seen: dict[str, str] = {}
    assumed: list[str] = []
    for row in rows:
        raw_id = row.fields.get("source_id")
        if raw_id not in (None, ""):
            present.add(str(raw_id).strip())
        checked = rec.validate(
            row.fields, source=key, default_timezone=options.default_timezone,
            geocoder=options.geocoder,
        )  # fmt: skip
        record = checked.record
        if record is None:  # its warnings would contradict the rejection (QA)
            reason = "; ".join(checked.errors)
            summary.rejected.append(rec.Rejection(row.location, reason, _id_or_none(raw_id)))
            unknown += raw_id in (None, "")
            continue
        present.add(record.source_id)
        if record.source_id in seen:
            first = seen[record.source_id]
            reason = (  # an id the file did not give is ours: QA, "duplicate id 'auto:0b18…'"
                f"the same course as {first} (same title, start and place)"
                if record.source_id.startswith("auto:")
                else f"duplicate id {record.source_id!r} (first at {first})"
            )
            summary.rejected.append(rec.Rejection(row.location, reason, record.source_id))
            continue
        seen[record.source_id] = row.location
        if record.ends_at < now:
            summary.skipped_past += 1
            continue
        summary.warnings.extend(rec.Rejection(row.location, w) for w in checked.warnings)
        if checked.zone_assumed:
            assumed.append(row.location)
        good.append((row.location, record))
    if assumed:  # QA: a Chicago admin's 09:00 webinars showed at 8:00 CST, without a word
        where = ", ".join(assumed[:5]) + (", …" if len(assumed) > 5 else "")
        summary.notes.append(
            f"{len(assumed)} course(s) ({where}) gave no time zone and no venue position: "
            f"their times were read as {options.default_timezone} time (DEFAULT_TIMEZONE). "
            "If that is wrong, add a timezone column (e.g. America/Chicago) and send the file "
            "again."
        )
    without_id = sum(1 for _, record in good if record.source_id.startswith("auto:"))
    if without_id:  # QA round 11c: documented, but an admin learnt it from a "cancelled"
        summary.notes.append(texts.IMPORT_NO_IDS.format(count=without_id))
    return good, present, unknown


async def _without_unknown_cancelled(
    sessionmaker: async_sessionmaker[AsyncSession],
    key: str,
    good: list[tuple[str, rec.CourseRecord]],
    summary: ImportSummary,
) -> list[tuple[str, rec.CourseRecord]]:
    """Rows the file marks cancelled that this catalogue never listed are not added: there
    is nobody to tell and nothing to offer (QA round 9: counted as "added")."""
    cancelled = [record.source_id for _, record in good if record.cancelled]
    if not cancelled:
        return good
    async with transaction(sessionmaker) as session:
        known = set(
            await session.scalars(
                select(Course.source_id).where(
                    Course.source == key, Course.source_id.in_(cancelled)
                )
            )
        )
    kept = [(where, r) for where, r in good if not r.cancelled or r.source_id in known]
    summary.skipped_cancelled += len(good) - len(kept)
    return kept


async def _store(
    sessionmaker: async_sessionmaker[AsyncSession],
    good: list[tuple[str, rec.CourseRecord]],
    now: datetime,
    summary: ImportSummary,
    options: ImportOptions,
) -> None:
    """Upsert in batches, one transaction each; refused rows become rejections.

    With ``options.batch_pause`` the import waits that long between batches. On SQLite
    each batch holds the database's one write lock, and another process waiting for it
    retries in its busy handler every few milliseconds: with no pause it rarely gets in (a
    60,000-row `courses import` kept the chat waiting for minutes; measured with 150
    batches against a transaction every 0.1 s: longest wait 0.96 s with no pause, 26 ms
    with 20 ms).
    """
    where = {record.source_id: location for location, record in good}
    for start in range(0, len(good), BATCH_SIZE):
        if start and options.batch_pause:
            await options.sleep(options.batch_pause)
        batch = [record for _, record in good[start : start + BATCH_SIZE]]
        async with transaction(sessionmaker) as session:
            result = await store.upsert_courses(session, batch, now=now)
        summary.added += result.added
        summary.updated += result.updated
        summary.unchanged += result.unchanged
        summary.changes.extend(result.changes)
        summary.listed_elsewhere.extend(result.listed_elsewhere)
        summary.rejected.extend(
            rec.Rejection(where.get(sid, sid), reason, sid) for sid, reason in result.failed
        )


def _id_or_none(value: object) -> str | None:
    return None if value in (None, "") else str(value).strip()


# ----------------------------------------------------------------------------- output


_TITLES_SHOWN = 5


def _titles(changes: Sequence[store.CourseChange], esc: Callable[[str], str]) -> str:
    """ ": Sepsis Update (Jan 18), …": which courses, not only how many (QA round 9: the
    CLI said "1 course(s) changed date" without naming it)."""
    named = [f"{esc(c.title)} ({_when(c)})" for c in changes[:_TITLES_SHOWN]]
    more = f", … and {len(changes) - _TITLES_SHOWN} more" if len(changes) > _TITLES_SHOWN else ""
    return ": " + "; ".join(named) + more if named else ""


def _when(change: store.CourseChange) -> str:
    """ "Jan 18, 2027", "Jan 18, 2027 → Feb 1, 2027", or, for a course moved within its
    day, "Mar 5, 2027, 8:00 AM → 9:00 AM EST" (QA: "Mar 5, 2027 → Mar 5, 2027")."""
    old, new = change.old_starts_at, change.new_starts_at
    if change.kind != "rescheduled":
        return f"{old:%b %-d, %Y}"
    if change.timezone:  # both in the venue's time, as the catalogue gives them
        try:
            zone = ZoneInfo(change.timezone)
            old, new = old.astimezone(zone), new.astimezone(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if old.date() != new.date():
        return f"{old:%b %-d, %Y} → {new:%b %-d, %Y}"
    return f"{old:%b %-d, %Y, %-I:%M %p} → {new:%-I:%M %p %Z}"


def format_summary(
    summary: ImportSummary, *, html_safe: bool = False, shown: int | None = SHOWN_REJECTIONS
) -> str:
    """A short report: plain text for the CLI, HTML-escaped (no tags) for a chat message.

    ``shown`` rejections are listed (None: all of them, as the CLI prints)."""
    esc = html.escape if html_safe else str
    name = esc(_short(summary.source))
    if summary.fatal is not None:
        return f"Could not import {name}: {esc(summary.fatal)}"
    if summary.not_modified:
        return f"{name}: not modified since the last import; nothing to do."
    counts = (
        f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{len(summary.rejected)} rejected"
    )
    lines = [f"Imported {name} ({summary.kind}): {counts}."]
    if summary.skipped_past:
        lines.append(f"{summary.skipped_past} past course(s) skipped.")
    if summary.skipped_cancelled:
        lines.append(
            f"{summary.skipped_cancelled} course(s) marked cancelled in the file and not "
            "listed before: not added."
        )
    in_file = sum(1 for c in summary.changes if c.kind == "cancelled") - summary.cancelled
    if in_file:
        lines.append(f"{in_file} course(s) marked cancelled in the file: cancelled.")
    if summary.listed_elsewhere:
        others = ", ".join(sorted({esc(_short(other)) for _, other in summary.listed_elsewhere}))
        lines.append(
            f"{len(summary.listed_elsewhere)} course(s) already listed by another catalogue "
            f"({others}): not added twice."
        )
    if summary.cancelled:
        gone = [c for c in summary.changes if c.kind == "cancelled"]
        lines.append(
            f"{summary.cancelled} upcoming course(s) no longer listed: marked cancelled"
            f"{_titles(gone[-summary.cancelled:], esc)}."
        )
    handed = sum(1 for c in summary.changes if c.kind == "handed_over")
    if handed:
        lines.append(
            f"{handed} course(s) no longer listed here stay listed by another catalogue that "
            "lists them too."
        )
    moved = [c for c in summary.changes if c.kind == "rescheduled"]
    if moved:
        lines.append(f"{len(moved)} course(s) changed date{_titles(moved, esc)}.")
    if summary.rejected:
        lines.append("Rejected:")
        rejected = sorted(summary.rejected, key=_file_order)  # QA: line 11 came first
        listed = rejected if shown is None else rejected[:shown]
        for item in listed:
            lines.append(f"  {esc(item.location)}: {esc(item.reason)}")
        if len(summary.rejected) > len(listed):
            lines.append(f"  … and {len(summary.rejected) - len(listed)} more")
    no_geo = sorted(
        (w for w in summary.warnings if w.reason.startswith("no coordinates")), key=_file_order
    )
    if no_geo:
        where = ", ".join(esc(w.location) for w in no_geo[:5]) + (", …" if len(no_geo) > 5 else "")
        lines.append(
            f"{len(no_geo)} in-person course(s) without coordinates ({where}): not found by "
            "distance."
        )
    # Row by row only what changed a value (a time the clocks skip); the two kinds above are
    # counted or harmless.
    checks = sorted(
        (w for w in summary.warnings if not w.reason.startswith(_COUNTED_WARNINGS)),
        key=_file_order,
    )
    if checks:
        lines.append("Imported, but check:")
        listed = checks if shown is None else checks[:shown]
        lines += [f"  {esc(item.location)}: {esc(item.reason)}" for item in listed]
        if len(checks) > len(listed):
            lines.append(f"  … and {len(checks) - len(listed)} more")
    for note in summary.notes:
        lines.append(f"Note: {esc(note)}")
    return "\n".join(lines)


def _file_order(item: rec.Rejection) -> tuple[str, int, str]:
    """ "line 9" before "line 11" (rows rejected while storing came after the others)."""
    word, _, number = item.location.partition(" ")
    return (word, int(number), "") if number.isdigit() else (word, 0, item.location)


_COUNTED_WARNINGS = ("no coordinates", "online course: coordinates ignored")


async def _announce(
    sessionmaker: async_sessionmaker[AsyncSession],
    summary: ImportSummary,
    now: datetime,
    settings: Settings,
) -> None:
    from bot.domain.requirements import load_rules
    from scheduler.feeds import notify_course_changes

    rulebook = load_rules(settings.rules_dirs)
    async with transaction(sessionmaker) as session:
        await notify_course_changes(session, summary.changes, now, rulebook)


def rejections_csv(summary: ImportSummary) -> bytes:
    """Every rejected row (where, its id, why) for the admin to fix the file from."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["location", "id", "reason"])
    for item in summary.rejected:
        writer.writerow([item.location, item.source_id or "", item.reason])
    return out.getvalue().encode("utf-8-sig")  # the BOM: spreadsheet apps read UTF-8


def _short(source: str) -> str:
    if not source.strip():
        return f'"{source}"'
    return source if is_url(source) or len(source) <= 60 else "…" + source[-59:]


# -------------------------------------------------------------------------------- CLI


def courses_import_main(
    settings: Settings,
    source: str,
    *,
    clock: Clock | None = None,
    keep_missing: bool = False,
    allow_cancellations: bool = False,
) -> int:
    """``cme-bot courses import PATH_OR_URL``; the exit codes are in :mod:`bot.errors`.

    Importing the same path or URL again is a new version of that catalogue: upcoming
    courses it no longer lists are marked cancelled, unless ``keep_missing`` (a file that
    adds to the catalogue). When that would cancel a large share of the catalogue
    (:func:`too_many_cancelled`), nothing is imported unless ``allow_cancellations``: the
    chat asks first, and the CLI must not be less careful. Subscribers of a cancelled or
    moved course are told, as when a feed or a chat upload changes it."""
    from bot.courses.geocode import place_geocoder

    async def run() -> ImportSummary:
        engine = create_engine(settings.database_url)
        try:
            await schema.ready(engine, auto_migrate=settings.migrate_on_start)
            options = ImportOptions(
                default_timezone=settings.default_timezone, geocoder=place_geocoder,
                mark_missing_cancelled=not keep_missing,
                guard_cancellations=not allow_cancellations, limits=limits_for(settings),
                batch_pause=SQLITE_BATCH_PAUSE_S if engine.dialect.name == "sqlite" else 0.0,
            )  # fmt: skip
            now = (clock or SystemClock()).now()
            sessionmaker = create_sessionmaker(engine)
            summary = await import_source(sessionmaker, source, now=now, options=options)
            if summary.changes:  # subscribers hear of a moved or cancelled course, as in chat
                await _announce(sessionmaker, summary, now, settings)
            return summary
        finally:
            await engine.dispose()

    summary = asyncio.run(run())
    if not summary.ok:
        print(f"cme-bot: {format_summary(summary)}", file=sys.stderr)
        return 1
    if summary.refused is not None:
        print("cme-bot: " + refusal_text(summary), file=sys.stderr)
        return EXIT_IMPORT_REFUSED
    print(format_summary(summary, shown=None))
    read = summary.added or summary.updated or summary.unchanged or summary.listed_elsewhere
    if summary.rejected and not read:
        return 1
    if summary.rejected:  # a nightly job must notice a file that is 86% broken (QA)
        return EXIT_IMPORT_PARTIAL
    return 0


def refusal_text(summary: ImportSummary) -> str:
    """One line: how many courses the import would have cancelled, and the flags."""
    assert summary.refused is not None
    return texts.IMPORT_CANCEL_REFUSED.format(
        source=_short(summary.source),
        missing=summary.refused.missing,
        listed=summary.refused.listed,
        share=round(CANCEL_GUARD_SHARE * 100),
    )
