"""Admins send a catalogue file (CSV, iCalendar, JSON) to the bot; it is imported like the CLI does.

Sending a file again is that catalogue's new version. Courses it no longer lists are not
cancelled at once: a wrong or partial file would cancel a catalogue and message everyone
who chose its courses. The admin sees how many, which and who would be told, and decides
with a button; the question (the course ids) is held in the admin's conversation state,
past other questions, until answered or until that catalogue is sent again.

The importer opens its own transactions, but a chat turn already holds one (on SQLite it
holds the only write lock), so the import runs inside the turn's transaction, each of
its "transactions" a SAVEPOINT: the summary is sent only after everything committed.
"""

from __future__ import annotations

import asyncio
import codecs
import html
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.courses.fetch import MAX_BYTES
from bot.courses.geocode import place_geocoder
from bot.courses.importer import (
    SHOWN_REJECTIONS,
    ImportOptions,
    format_summary,
    import_source,
    rejections_csv,
)
from bot.courses.parsers import looks_like_csv
from bot.domain import places
from bot.domain.log_parse import clip_title
from bot.store import courses as course_store
from bot.store.courses import CourseChange
from bot.store.models import Course
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.turn import Turn, is_admin
from scheduler.feeds import notify_course_changes

CATALOGUE_SUFFIXES = (".csv", ".tsv", ".ics", ".ical", ".ifb", ".json", ".jsonld")


def looks_like_catalogue(file_name: str, data: bytes) -> bool:
    """By name (.csv, .ics, .json...) or by content: an iCalendar or JSON document, or a
    CSV whose header names a catalogue's columns (QA round 9: a .txt CSV was refused as
    "not a PDF", while the CLI imported it)."""
    if file_name.lower().endswith(CATALOGUE_SUFFIXES):
        return True
    head = data[:64]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = data[:256].decode("utf-16", errors="ignore").encode()
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"begin:vcalendar", b"{", b"[")) or looks_like_csv(data)


_SPREADSHEETS = (".xlsx", ".xls", ".xlsm", ".ods", ".numbers")


async def handle_admin_upload(turn: Turn, file_name: str, data: bytes) -> bool:
    """Import a catalogue an admin sent and reply with the summary; False if not for us."""
    if not is_admin(turn):
        return False
    if file_name.lower().endswith(_SPREADSHEETS):  # QA: "That file isn't a PDF…"
        turn.say(texts.ADMIN_SPREADSHEET)
        return True
    if not looks_like_catalogue(file_name, data):
        return False
    if len(data) > MAX_BYTES:
        turn.say(texts.ADMIN_IMPORT_TOO_BIG.format(limit=f"{MAX_BYTES // (1024 * 1024)} MB"))
        return True
    services = turn.context.services
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(file_name).name)[-100:] or "catalogue"
    await asyncio.to_thread(places.get_index)  # geocoding "City, ST" rows needs the index
    # A catalogue is an admin's file name: sending it again is its new version (courses it
    # no longer lists are cancelled, their subscribers told); another admin's file of the
    # same name is another catalogue.
    source = await _upload_source(turn, safe_name)
    pending = flows.held(turn, _PENDING)
    if isinstance(pending, dict) and pending.get("source") == source:
        # This version decides anew: an older question's Cancel must not cancel what it
        # lists again (QA: it did, and told the subscribers).
        await flows.release(turn, _PENDING)
    options = ImportOptions(
        default_timezone=services.settings.default_timezone,
        geocoder=place_geocoder,
        source_name=source,
        report_missing=True,
    )
    with tempfile.TemporaryDirectory(prefix="cme-import-") as folder:
        path = Path(folder) / safe_name
        await asyncio.to_thread(path.write_bytes, data)
        summary = await import_source(
            _InTurn.maker(turn.session), str(path), now=turn.now, options=options
        )
    summary.source = file_name
    if summary.changes:
        await notify_course_changes(turn.session, summary.changes, turn.now, services.rulebook)
    turn.say(format_summary(summary, html_safe=True))
    if len(summary.rejected) > SHOWN_REJECTIONS:  # the message lists 10: the file has all
        name = f"{Path(safe_name).stem}-rejected.csv"
        turn.document(rejections_csv(summary), name, caption=texts.ADMIN_IMPORT_REJECTIONS)
    if summary.missing:
        await _ask_about_missing(turn, source, summary.missing)
    return True


MISSING_SHOWN = 5
_PENDING = "catalogue_missing"  # key in the admin's conversation state


async def _ask_about_missing(turn: Turn, source: str, missing: list[CourseChange]) -> None:
    ids = [change.course_id for change in missing]
    people = await course_store.subscriber_count(turn.session, ids)
    token = secrets.token_hex(4)  # ties the buttons to this question, not an older one
    await flows.hold(turn, _PENDING, {"token": token, "source": source, "ids": ids})
    examples = [
        texts.ADMIN_MISSING_EXAMPLE.format(
            title=html.escape(clip_title(change.title)),
            start=f"{change.old_starts_at.astimezone(turn.tz):%b %-d, %Y}",
        )
        for change in missing[:MISSING_SHOWN]
    ]
    if len(missing) > MISSING_SHOWN:
        examples.append(texts.ADMIN_MISSING_MORE.format(count=len(missing) - MISSING_SHOWN))
    chosen = (
        texts.ADMIN_MISSING_CHOSEN.format(people=people) if people else texts.ADMIN_MISSING_UNCHOSEN
    )
    text = texts.ADMIN_MISSING_ASK.format(
        count=len(missing), examples="\n".join(examples), chosen=chosen
    )
    turn.say(
        text,
        [[
            (texts.ADMIN_MISSING_CANCEL.format(count=len(missing)), encode("cm", "yes", token)),
            (texts.ADMIN_MISSING_KEEP, encode("cm", "no", token)),
        ]],
    )  # fmt: skip


@route("cm")
async def missing_courses_pressed(turn: Turn, press: Press) -> None:
    """Cancel (and announce) or keep the courses a re-sent catalogue no longer lists."""
    if not is_admin(turn):
        turn.edit(texts.BUTTON_EXPIRED)
        return
    pending = flows.held(turn, _PENDING)
    if not isinstance(pending, dict) or pending.get("token") != press.arg(1):
        turn.edit(texts.ADMIN_MISSING_EXPIRED)
        return
    await flows.release(turn, _PENDING)
    if press.arg(0) != "yes":
        turn.edit(texts.ADMIN_MISSING_KEPT)
        return
    ids = [i for i in pending.get("ids", ()) if isinstance(i, int)]
    changes = await course_store.cancel_courses(
        turn.session, str(pending.get("source")), ids, now=turn.now
    )
    cancelled = [change.course_id for change in changes if change.kind == "cancelled"]
    people = await course_store.subscriber_count(turn.session, cancelled)
    if changes:
        services = turn.context.services
        await notify_course_changes(turn.session, changes, turn.now, services.rulebook)
    lines = []
    if cancelled or len(changes) == len(cancelled):
        lines.append(texts.ADMIN_MISSING_CANCELLED.format(count=len(cancelled), people=people))
    if handed := len(changes) - len(cancelled):
        lines.append(texts.ADMIN_MISSING_HANDED_OVER.format(count=handed))
    turn.edit("\n".join(lines))


async def _upload_source(turn: Turn, safe_name: str) -> str:
    """``upload:<admin id>:<name>``. Uploads were once keyed by name alone: the first admin
    to send that name again takes those courses over, so they update instead of doubling."""
    user = turn.update.effective_user
    assert user is not None  # is_admin checked it
    source = f"upload:{user.id}:{safe_name}"
    legacy = f"upload:{safe_name}"
    await turn.session.execute(update(Course).where(Course.source == legacy).values(source=source))
    return source


class _InTurn:
    """A stand-in sessionmaker whose sessions are the turn's, with SAVEPOINTs for transactions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @classmethod
    def maker(cls, session: AsyncSession) -> async_sessionmaker[AsyncSession]:
        return cast(async_sessionmaker[AsyncSession], _Factory(session))

    def begin(self) -> Any:
        return self._session.begin_nested()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class _Factory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def __call__(self) -> _Factory:
        return self

    async def __aenter__(self) -> _InTurn:
        return _InTurn(self._session)

    async def __aexit__(self, *exc_info: object) -> None:
        return None
