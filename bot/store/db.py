"""Engine and sessions: one ``async_sessionmaker`` per application, one session per update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_TIMEOUT_S = 60.0
SQLITE_CACHE_KIB = 32 * 1024
"""SQLite's page cache (default 2 MiB) grows to this as pages are read: the planner's
first pass over 100,000 clinicians writes 700,000 outbox rows into four indexes."""


def create_engine(database_url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """Create the async engine with the per-dialect settings this product relies on."""
    url = make_url(database_url)
    kwargs: dict[str, Any] = {"echo": echo}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if url.database and url.database != ":memory:":
            # SQLite has one writer and every transaction here writes (BEGIN IMMEDIATE):
            # more connections only wait in SQLite's sleeping busy handler. One connection
            # queues them fairly on the event loop instead (/status p99 under load with
            # 8 clinicians: 944 ms with the default pool, 92 ms with one connection).
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=SQLITE_POOL_TIMEOUT_S)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE.

    SQLite allows one writer; a deferred transaction that reads and then writes can
    fail with SQLITE_BUSY on the lock upgrade regardless of the busy timeout, so every
    transaction takes the write lock up front (readers in WAL mode are not blocked).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # a snapshot; writers are not held up
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _without_nul(value: Any) -> Any:
    """PostgreSQL refuses NUL in text and JSONB; Telegram text may carry it."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


@event.listens_for(Session, "before_flush")
def _scrub_nul(session: Session, _context: Any, _instances: Any) -> None:
    """Strip NUL characters from every string and JSON value an ORM flush writes, so a
    name or title with one cannot fail the user's every update on PostgreSQL."""
    for instance in (*session.new, *session.dirty):
        mapper = inspect(instance).mapper
        for attribute in mapper.column_attrs:
            value = getattr(instance, attribute.key)
            if isinstance(value, (str, list, dict)):
                cleaned = _without_nul(value)
                if cleaned != value:
                    setattr(instance, attribute.key, cleaned)


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session whose work commits on success and rolls back on any error."""
    async with sessionmaker() as session, session.begin():
        yield session


READ_ONLY = "cme_read_only"
"""Execution option of :func:`read_transaction`'s connections."""


@asynccontextmanager
async def read_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session for reading only: on SQLite it does not take the write lock, so readers
    in other processes (the planner's workers) run beside the writer."""
    engine = sessionmaker.kw["bind"].execution_options(**{READ_ONLY: True})
    async with sessionmaker(bind=engine) as session, session.begin():
        yield session


# SQLSTATE classes that mean "the connection went away", not "this statement is wrong":
# 08 connection exception, 57P admin shutdown / crash shutdown / cannot connect now.
_CONNECTION_SQLSTATES = ("08", "57P")


def connection_failed(error: BaseException) -> bool:
    """True when ``error`` says the database could not be reached or dropped the connection
    (a restart, a failover), so the same transaction may succeed again on a new one."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, (ConnectionError, TimeoutError)) or (
            # A socket error (a unix socket that is gone: FileNotFoundError without a file
            # name), not a file the handler could not write (QA: a missing CERTIFICATES_DIR
            # was retried for 30 s as "database unreachable").
            isinstance(current, OSError) and current.errno is not None and current.filename is None
        ):
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_CONNECTION_SQLSTATES):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
