"""One active dispatcher per bot: Telegram's 30 msg/s is per bot, not per process.

On PostgreSQL the active dispatcher holds a session-level advisory lock on a
connection of its own; when its process dies the connection closes, the lock is
released, and a standby takes over at its next tick (within seconds). SQLite is one
process by design, so the lock is always granted there.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

DISPATCHER_LOCK_KEY = 0x434D4501  # "CME" + 1: an arbitrary, stable advisory-lock key


class LeaderLock:
    """Held across ticks; re-checked each tick; released on shutdown."""

    def __init__(self, engine: AsyncEngine, key: int = DISPATCHER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._engine.dialect.name != "postgresql"

    async def acquire(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            return True
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()  # never sit "idle in transaction"
                return True
            except Exception:  # the connection died: the lock went with it
                log.warning("lost the dispatcher lock connection; re-acquiring")
                await self._close()
        connection = await self._engine.connect()
        try:
            granted = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if granted:
            self._connection = connection
            log.info("this process is now the active dispatcher")
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
            await self._connection.commit()
        finally:
            await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:  # already broken
                await connection.invalidate()
