"""One poller per bot: a database lock first, the 409 rule as the fallback.

:class:`PollerLock` refuses a second poller before it polls at all (same database).

For processes on different databases, :class:`ConflictWatch` settles 409 Conflicts.
When two processes poll one token, Telegram ends the older poll with 409 whenever the
newer one polls, and vice versa: both see conflicts, and each update goes to one of
them (and its database). A process that never had a successful ``getUpdates`` is the
newcomer and refuses at once. Often both have had one (Telegram ends the older poll, so
the newcomer's first poll succeeds: QA round 11, both fought for good); then each stops
once the conflicts have gone on for ``POLL_CONFLICT_SECONDS``, and a process that had
polled alone at least that long first waits four times as long, so the newcomer stops
and the incumbent goes on. A 409 saying a webhook is set is not another poller at all.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.request import BaseRequest

from bot.store.db import create_engine
from scheduler.leader import LeaderLock, LockRole

log = logging.getLogger(__name__)
POLLER = LockRole("poller", "polls Telegram for this bot's updates", quiet=True)
"""Quiet: `run` says it holds the lock once polling has started, so that a start that
fails (no network, a webhook set) is one line."""


class PollingRequest(BaseRequest):
    """The request object PTB uses for getUpdates only; remembers a 200 answer.

    It wraps the configured transport (:func:`bot.transport.bot_api_request`).
    """

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self.succeeded = False
        self.on_success: Callable[[], None] | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await self._inner.do_request(*args, **kwargs)
        if status == 200:
            self.succeeded = True
            if self.on_success is not None:
                self.on_success()
        return status, payload


class Verdict(enum.Enum):
    """What one 409 Conflict from ``getUpdates`` means for this process."""

    WEBHOOK = "a webhook is set: no poller gets updates"
    NEWCOMER = "never polled successfully: another process was here first"
    STARTED = "conflicts began: say so once"
    GOES_ON = "conflicts go on, not yet for long"
    GIVE_UP = "conflicts went on too long: stop"


INCUMBENT_FACTOR = 4
"""A process that had polled alone for ``POLL_CONFLICT_SECONDS`` waits this many times as
long before it gives up, so of two pollers the newcomer stops first."""
QUIET_SECONDS = 60.0
"""Conflicts this far apart are two episodes, not one. Within one, PTB backs off up to 30 s
between tries, so a process may see a 409 only every ~30 s while the fight goes on."""


@dataclass
class ConflictWatch:
    """Decides what each 409 means, and when this poller should give up the fight."""

    give_up: float  # POLL_CONFLICT_SECONDS
    clock: Callable[[], float] = time.monotonic
    quiet: float = QUIET_SECONDS
    first_success: float | None = None
    streak_start: float | None = None
    last_conflict: float | None = None
    grace: float = 0.0

    def success(self) -> bool:
        """A getUpdates answered 200; True when that ends an episode of conflicts."""
        now = self.clock()
        if self.first_success is None:
            self.first_success = now
        if self.streak_start is not None and now - (self.last_conflict or now) > self.quiet:
            self.streak_start = self.last_conflict = None
            return True
        return False

    def conflict(self, reason: str) -> Verdict:
        if "webhook" in reason.lower():
            return Verdict.WEBHOOK
        if self.first_success is None:
            return Verdict.NEWCOMER
        now = self.clock()
        fresh = self.last_conflict is None or now - self.last_conflict > self.quiet
        self.last_conflict = now
        if fresh or self.streak_start is None:
            self.streak_start = now
            alone = now - self.first_success
            self.grace = self.give_up * (INCUMBENT_FACTOR if alone >= self.give_up else 1)
            return Verdict.STARTED
        return Verdict.GIVE_UP if now - self.streak_start >= self.grace else Verdict.GOES_ON

    @property
    def fought_for(self) -> float:
        """Seconds since this episode of conflicts began."""
        return 0.0 if self.streak_start is None else self.clock() - self.streak_start


_POLLER_LOCKED = text(
    """SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((classid::bigint << 32) | objid::bigint) = :key
    )"""
)


class PollerLock:
    """One poller per bot and database, decided before the first ``getUpdates``.

    Two processes polling one token both get updates for a while (each 409 ends the
    other's poll, and updates that were waiting go to whoever asks first), so the 409
    rule alone answers some messages twice. The database both would use settles it at
    once: a PostgreSQL session-level advisory lock keyed by the bot's id (held on a
    connection of its own, released when the process dies), or an exclusive ``flock``
    on a file beside the SQLite database. Different databases are different
    deployments; for those the 409 rule remains.
    """

    def __init__(self, database_url: str, token: str) -> None:
        self._url = make_url(database_url)
        bot_id = token.split(":", 1)[0].encode()
        # A positive bigint of the bot id, apart from the dispatcher's key.
        self._key = int.from_bytes(hashlib.blake2b(b"poller:" + bot_id, digest_size=7).digest())
        self._engine: AsyncEngine | None = None
        self._leader: LeaderLock | None = None
        self._fd: int | None = None
        self.announced = False  # `run` logged that it holds the lock (and will log its release)

    @property
    def key(self) -> int:
        """The PostgreSQL advisory-lock key (the same in every process of this bot)."""
        return self._key

    async def acquire(self) -> bool:
        """True if this process may poll; False if another one holds the lock."""
        if self._url.get_backend_name() == "postgresql":
            self._engine = create_engine(self._url.render_as_string(False), pool_size=1)
            self._leader = LeaderLock(self._engine, key=self._key, role=POLLER)
            if await self._leader.acquire():
                return True
            await self.release()
            return False
        database = self._url.database
        if not database or database == ":memory:":
            return True
        fd = os.open(f"{database}.poller.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        log.debug("took the poller lock (%s.poller.lock)", database)
        return True

    async def held_elsewhere(self) -> bool:
        """Whether a poller holds the lock now, without taking it: `cme-bot webhook`
        replicas starting together must not see each other's probe as a poller (review).
        PostgreSQL lists advisory locks in ``pg_locks`` (a bigint key is classid << 32 |
        objid, objsubid 1); SQLite's file takes a shared lock unless a poller has it."""
        if self._url.get_backend_name() == "postgresql":
            engine = create_engine(self._url.render_as_string(False), pool_size=1)
            try:
                async with engine.connect() as connection:
                    return bool(await connection.scalar(_POLLER_LOCKED, {"key": self._key}))
            finally:
                await engine.dispose()
        database = self._url.database
        if not database or database == ":memory:":
            return False
        try:
            fd = os.open(f"{database}.poller.lock", os.O_RDONLY)
        except FileNotFoundError:  # no poller ever ran here
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing releases the shared lock
        return False

    async def still_held(self) -> bool:
        """Re-check the PostgreSQL lock: a database restart drops it with its connection,
        and another poller may have taken it since. While the database is unreachable
        nobody can take it, so that counts as held."""
        if self._leader is None:
            return True
        try:
            return await self._leader.acquire()
        except (SQLAlchemyError, OSError):
            return True

    async def release(self) -> None:
        if self._leader is not None:
            with contextlib.suppress(Exception):  # the database may be gone: so is the lock
                await self._leader.release()
            self._leader = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            log.debug("released the poller lock (its file)")
