"""Is the database reachable, and at the revision this code was written for?

Every command that uses the database checks this first. Without it a database left
behind by a forgotten ``db upgrade`` gave a bot that logged "ready" and then failed every
update with a traceback, and one migrated by a newer cme-bot (a rolled-back deploy) gave
tracebacks from Alembic (QA round 11).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import texts
from bot.errors import EXIT_CONFIG, EXIT_UNAVAILABLE, CliError
from bot.store import migrate
from bot.store.db import ping


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where the database is against this code's migrations."""

    current: str | None  # None: no migration applied (no tables)
    head: str
    pending: int  # migrations this code has and the database lacks
    known: bool  # False: the database names a revision this code does not have (newer)

    @property
    def ahead(self) -> bool:
        return not self.known

    @property
    def behind(self) -> bool:
        return self.known and self.pending > 0


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def status_of(current: str | None) -> SchemaStatus:
    """Compare a revision read from a database with this code's migrations."""
    script = _script()
    head = script.get_current_head()
    assert head is not None, "the migrations have no head"
    try:
        pending = len(list(script.iterate_revisions(head, current or "base")))
    except (CommandError, RevisionError):  # "No such revision or branch '0099'"
        return SchemaStatus(current, head, 0, known=False)
    return SchemaStatus(current, head, pending, known=True)


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    return status_of(await migrate.current_revision(engine))


async def check_database(engine: AsyncEngine) -> None:
    """Fail fast with one line when the database is unreachable."""
    try:
        await asyncio.wait_for(ping(engine), timeout=10)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise CliError(f"cannot reach the database: {reason}", EXIT_UNAVAILABLE) from None


def newer_error(status: SchemaStatus) -> CliError:
    return CliError(
        texts.SCHEMA_NEWER.format(current=status.current, head=status.head), EXIT_CONFIG
    )


async def ensure_schema(engine: AsyncEngine, *, auto_migrate: bool) -> None:
    """Raise a one-line :class:`CliError` unless the database is at this code's head;
    a database behind it is upgraded first when ``auto_migrate`` (AUTO_MIGRATE)."""
    status = await schema_status(engine)
    if status.ahead:
        raise newer_error(status)
    if not status.behind:
        return
    if auto_migrate:
        await migrate.upgrade(engine)
        return
    if status.current is None:
        message = texts.SCHEMA_EMPTY.format(head=status.head)
    else:
        message = texts.SCHEMA_BEHIND.format(current=status.current, head=status.head)
    raise CliError(message, EXIT_CONFIG)


async def ready(engine: AsyncEngine, *, auto_migrate: bool) -> None:
    """Reachable and at this code's schema (see :func:`ensure_schema`), or one line."""
    await check_database(engine)
    try:
        await ensure_schema(engine, auto_migrate=auto_migrate)
    except (SQLAlchemyError, OSError) as exc:  # the database went away between the two
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise CliError(f"cannot check the database schema: {reason}", EXIT_UNAVAILABLE) from None


def describe(status: SchemaStatus) -> str:
    """``cme-bot db current``: the revision, and what (if anything) is pending."""
    if status.ahead:
        return texts.SCHEMA_CURRENT_NEWER.format(current=status.current, head=status.head)
    if not status.behind:
        return texts.SCHEMA_CURRENT_OK.format(current=status.current)
    return texts.SCHEMA_CURRENT_PENDING.format(
        current=status.current or "empty (no migrations applied)",
        pending=status.pending,
        plural="" if status.pending == 1 else "s",
        head=status.head,
    )
