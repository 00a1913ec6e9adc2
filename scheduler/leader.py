"""One process at a time does a job: sending reminders (Telegram's 30 msg/s is per bot, not
per process), re-planning everyone, refreshing feeds, polling.

On PostgreSQL the process doing it holds a session-level advisory lock on a
connection of its own; when its process dies the connection closes, the lock is
released, and a standby takes over at its next tick (within seconds). SQLite is one
process by design, so the lock is always granted there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

DISPATCHER_LOCK_KEY = 0x434D4501  # "CME" + 1: an arbitrary, stable advisory-lock key


@dataclass(frozen=True, slots=True)
class LockRole:
    """What holding a lock makes a process do, for its log lines (QA round 11: one
    message, "now the active dispatcher", was logged for four different locks)."""

    name: str  # "dispatcher": the "dispatcher lock"
    duty: str  # "sends the reminders": "this process now sends the reminders"
    quiet: bool = False  # take/release at DEBUG: each pass takes it, or the caller says it


DISPATCHER = LockRole("dispatcher", "sends the reminders")


class LeaderLock:
    """Held across ticks; re-checked each tick; released on shutdown.

    Logs when this process takes the lock, once when it stands by because another
    process holds it, and when it lets it go."""

    def __init__(
        self, engine: AsyncEngine, key: int = DISPATCHER_LOCK_KEY, role: LockRole = DISPATCHER
    ) -> None:
        self._engine = engine
        self._key = key
        self._role = role
        self._connection: AsyncConnection | None = None
        self._standing_by = False

    @property
    def held(self) -> bool:
        return self._connection is not None or self._engine.dialect.name != "postgresql"

    def _log_change(self, message: str) -> None:
        log.log(logging.DEBUG if self._role.quiet else logging.INFO, message)

    async def acquire(self) -> bool:
        if self._engine.dialect.name != "postgresql":
            return True
        role = self._role
        if self._connection is not None:
            try:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()  # never sit "idle in transaction"
                return True
            except Exception:  # the connection died: the lock went with it
                log.warning("lost the connection holding the %s lock; taking it again", role.name)
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
            self._standing_by = False
            self._log_change(f"took the {role.name} lock: this process now {role.duty}")
            return True
        await connection.close()
        if not self._standing_by:
            self._standing_by = True
            log.info(
                "the %s lock is held by another process, which %s: this one stands by",
                role.name, role.duty,
            )  # fmt: skip
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
            role = self._role
            self._log_change(f"released the {role.name} lock: this process no longer {role.duty}")

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:  # already broken
                await connection.invalidate()
