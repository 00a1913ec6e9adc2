"""One poller per bot: a database lock first, the 409 rule as the fallback.

:class:`PollerLock` refuses a second poller before it polls at all (same database).

For processes on different databases, :class:`PollingRequest` knows whether this
process ever polled successfully, to settle 409 Conflicts. When two processes poll one
token, Telegram ends the older poll with 409 whenever the newer one polls, and vice
versa: both see conflicts. The process that never had a
successful ``getUpdates`` is the newcomer and must refuse to run; the incumbent keeps
serving and warns.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.request import BaseRequest

from bot.store.db import create_engine
from scheduler.leader import LeaderLock


class PollingRequest(BaseRequest):
    """The request object PTB uses for getUpdates only; remembers a 200 answer.

    It wraps the configured transport (:func:`bot.transport.bot_api_request`).
    """

    def __init__(self, inner: BaseRequest) -> None:
        self._inner = inner
        self.succeeded = False

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
        return status, payload


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

    @property
    def key(self) -> int:
        """The PostgreSQL advisory-lock key (the same in every process of this bot)."""
        return self._key

    async def acquire(self) -> bool:
        """True if this process may poll; False if another one holds the lock."""
        if self._url.get_backend_name() == "postgresql":
            self._engine = create_engine(self._url.render_as_string(False), pool_size=1)
            self._leader = LeaderLock(self._engine, key=self._key)
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
        return True

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
