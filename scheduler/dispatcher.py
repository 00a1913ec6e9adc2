"""Send due reminders once, within Telegram's limits, recording every outcome on the row."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.store import clinicians as clinician_store
from bot.store import outbox
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.leader import LeaderLock
from scheduler.ratelimit import SendPacer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Rendered:
    """What to send for a reminder, computed from the data as it is at send time."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None


# A renderer returns None when there is nothing to say any more (e.g. licence complete).
Renderer = Callable[[AsyncSession, ReminderOutbox, Clinician, datetime], Awaitable[Rendered | None]]


@dataclass
class DispatchStats:
    claimed: int = 0
    sent: int = 0
    dropped: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    rate_limited: int = 0
    reclaimed_in_flight: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DispatchStats) -> None:
        for name in (
            "claimed",
            "sent",
            "dropped",
            "retried",
            "failed",
            "blocked",
            "rate_limited",
            "reclaimed_in_flight",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Dispatcher:
    """Claims due outbox rows in batches and sends them, paced and leased."""

    def __init__(
        self,
        *,
        bot: Bot,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        renderers: dict[str, Renderer],
        pacer: SendPacer,
        leader: LeaderLock,
        batch_size: int = 200,
        lease: timedelta = timedelta(minutes=2),
        concurrency: int = 32,
        tick_budget: float = 20.0,
        on_outcome: Callable[[str], None] | None = None,
    ) -> None:
        self.bot = bot
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.renderers = renderers
        self.pacer = pacer
        self.leader = leader
        self.batch_size = batch_size
        self.lease = lease
        self.concurrency = concurrency
        self.tick_budget = tick_budget
        self.worker = worker_name()
        self.on_outcome = on_outcome or (lambda _outcome: None)
        self.retry_after_total = 0  # 429s seen, whatever became of the message
        self._stopping = False

    def stop(self) -> None:
        """Finish the rows in hand, claim no more."""
        self._stopping = True

    async def tick(self) -> DispatchStats:
        """Send what is due now, for at most ``tick_budget`` seconds."""
        total = DispatchStats()
        if self._stopping or not await self.leader.acquire():
            return total
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.tick_budget
        while not self._stopping and loop.time() < deadline:
            stats = await self._one_batch()
            total.add(stats)
            if stats.claimed < self.batch_size:
                break
        return total

    async def drain(self) -> DispatchStats:
        """Send everything due now, however long it takes (tests, benchmarks)."""
        total = DispatchStats()
        while True:
            stats = await self.tick()
            total.add(stats)
            if stats.claimed == 0 or self._stopping:
                return total

    async def shutdown(self) -> None:
        self.stop()
        async with transaction(self.sessionmaker) as session:
            released = await outbox.release(session, self.worker, self.clock.now())
        if released:
            log.info("released %d claimed reminders", released)
        await self.leader.release()

    async def _one_batch(self) -> DispatchStats:
        stats = DispatchStats()
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            rows = await outbox.claim_due(
                session, now=now, limit=self.batch_size, worker=self.worker, lease=self.lease
            )
            claimed = [(row.id, row.last_error) for row in rows]
        stats.claimed = len(claimed)
        stats.reclaimed_in_flight = sum(
            1 for _, error in claimed if error and "possible duplicate" in error
        )
        semaphore = asyncio.Semaphore(self.concurrency)
        retry_after_before = self.retry_after_total

        async def run(row_id: int) -> None:
            async with semaphore:
                outcome = await self._deliver(row_id)
                setattr(stats, outcome, getattr(stats, outcome) + 1)
                self.on_outcome(outcome)

        await asyncio.gather(*(run(row_id) for row_id, _ in claimed))
        stats.rate_limited = self.retry_after_total - retry_after_before
        return stats

    async def _deliver(self, row_id: int) -> str:
        """Render, mark sending, send, mark sent. Returns the outcome's stats field."""
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            row = await session.get(ReminderOutbox, row_id)
            if row is None or row.leased_by != self.worker:
                return "dropped"
            clinician = await session.get(Clinician, row.clinician_id)
            rendered = None
            if clinician is not None and clinician.active:
                renderer = self.renderers.get(row.kind)
                rendered = await renderer(session, row, clinician, now) if renderer else None
            if rendered is None:
                await outbox.mark_done(
                    session,
                    row_id,
                    self.worker,
                    now,
                    status="dropped",
                    error="nothing to send any more",
                )
                return "dropped"
            chat_id = clinician.chat_id  # type: ignore[union-attr]
            clinician_id = clinician.id  # type: ignore[union-attr]
            attempts = row.attempts
        return await self._send(row_id, clinician_id, chat_id, rendered, attempts)

    async def _send(
        self, row_id: int, clinician_id: int, chat_id: int, rendered: Rendered, attempts: int
    ) -> str:
        retry_after_count = 0
        while True:
            await self.pacer.wait(chat_id)
            async with transaction(self.sessionmaker) as session:
                if not await outbox.mark_sending(session, row_id, self.worker, self.clock.now()):
                    return "dropped"  # the lease was lost (we were too slow): someone else has it
            try:
                message = await self.bot.send_message(
                    chat_id, rendered.text, reply_markup=rendered.reply_markup
                )
            except RetryAfter as exc:
                retry_after_count += 1
                self.retry_after_total += 1
                self.on_outcome("rate_limited")
                seconds = _seconds(exc.retry_after)
                self.pacer.pause(seconds)
                if retry_after_count <= 3:
                    continue
                return await self._finish_retry(row_id, f"429 retry_after={seconds}", seconds)
            except Forbidden as exc:
                await self._blocked(row_id, clinician_id, str(exc))
                return "blocked"
            except BadRequest as exc:
                await self._finish(row_id, "failed", f"bad request: {exc}")
                return "failed"
            except (NetworkError, TelegramError) as exc:
                if attempts >= MAX_ATTEMPTS:
                    await self._finish(row_id, "failed", f"gave up after {attempts}: {exc}")
                    return "failed"
                backoff = BACKOFF_BASE.total_seconds() * 2 ** (attempts - 1)
                return await self._finish_retry(row_id, f"{type(exc).__name__}: {exc}", backoff)
            async with transaction(self.sessionmaker) as session:
                await outbox.mark_sent(
                    session, row_id, self.worker, self.clock.now(), message.message_id
                )
            return "sent"

    async def _finish_retry(self, row_id: int, error: str, seconds: float) -> str:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            await outbox.mark_retry(
                session, row_id, self.worker, now, at=now + timedelta(seconds=seconds), error=error
            )
        return "retried"

    async def _finish(self, row_id: int, status: str, error: str) -> None:
        async with transaction(self.sessionmaker) as session:
            await outbox.mark_done(
                session, row_id, self.worker, self.clock.now(), status=status, error=error
            )

    async def _blocked(self, row_id: int, clinician_id: int, error: str) -> None:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            await outbox.mark_done(session, row_id, self.worker, now, status="failed", error=error)
            await clinician_store.mark_inactive(session, clinician_id, now)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
