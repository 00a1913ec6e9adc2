"""Send due reminders once, within Telegram's limits, recording every outcome on the row."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.domain.reminders import QuietHours, move_out_of_quiet_hours
from bot.store import clinicians as clinician_store
from bot.store import outbox
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.leader import LeaderLock
from scheduler.messages import Rendered, Superseded, merged, pack
from scheduler.ratelimit import SendPacer, retry_after_seconds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
SEND_CONCURRENCY = 32  # sends in flight per chunk; the sending Bot needs a connection each


# A renderer returns None when there is nothing to say any more (e.g. licence complete),
# SUPERSEDED when a newer row about the same thing is due too and goes instead.
Renderer = Callable[
    [AsyncSession, ReminderOutbox, Clinician, datetime], Awaitable[Rendered | Superseded | None]
]
SUPERSEDED_BY_NEWER = "a newer reminder about the same thing was due too: it went instead"
SUPERSEDED_BY_SENT = "said by a reminder sent shortly before"


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
    deferred: int = 0  # due in the clinician's quiet hours: moved to their end
    superseded: int = 0  # a newer row about the same thing was due too, or sent just before
    messages: int = 0  # messages sent: rows due together for one clinician make one
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
            "deferred",
            "superseded",
            "messages",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True, slots=True)
class _Part:
    """One claimed row and what it says."""

    row_id: int
    rendered: Rendered
    attempts: int


@dataclass(frozen=True, slots=True)
class _Job:
    """One message to one chat: the rows of a clinician claimed together, in due order."""

    clinician_id: int
    chat_id: int
    parts: tuple[_Part, ...]

    @property
    def row_ids(self) -> list[int]:
        return [part.row_id for part in self.parts]


@dataclass(frozen=True, slots=True)
class _Outcome:
    kind: str  # a DispatchStats field (sent, retried, failed, blocked), or "transient"
    message_id: int | None = None
    error: str = ""
    delay: float = 0.0
    refused: bool = False  # Telegram refused this message (400): its parts may not be

    def for_row(self, attempts: int) -> _Outcome:
        """What a transient failure (a 5xx, a dropped connection) means for one row of the
        message: retried with backoff, or failed once the row has had its attempts."""
        if self.kind != "transient":
            return self
        if attempts >= MAX_ATTEMPTS:
            return _Outcome("failed", error=f"gave up after {attempts}: {self.error}")
        delay = BACKOFF_BASE.total_seconds() * 2 ** (attempts - 1)
        return _Outcome("retried", error=self.error, delay=delay)


QUIET_HOURS_WAIT = "waits for the end of the clinician's quiet hours"


def _after_quiet_hours(clinician: Clinician, now: datetime, due: datetime) -> datetime | None:
    """When the clinician's quiet hours end, if they are in them now and the row was due
    outside them. One its sender placed inside them on purpose (a course change under 12
    hours away) goes now (review: it was held to the morning, maybe past the start)."""
    quiet = QuietHours(clinician.quiet_start_min, clinician.quiet_end_min)
    try:
        zone = ZoneInfo(clinician.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    if move_out_of_quiet_hours(due, zone, quiet) > due:
        return None
    later = move_out_of_quiet_hours(now, zone, quiet)
    return later if later > now else None


def worker_name() -> str:
    # leased_by is VARCHAR(64): a 63-character hostname (Kubernetes pods) must still fit.
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


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
        concurrency: int = SEND_CONCURRENCY,
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
        """Claim and render a batch in one transaction, then send it chunk by chunk.

        Each chunk is committed as "sending" just before its calls and as "sent" (with
        Telegram's message ids) right after, in one statement each: a crash can only
        duplicate the chunk in flight. A clinician's rows in the batch make one message
        (or as few as Telegram's limits allow), recorded on each of them.
        """
        stats = DispatchStats()
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            rows = await outbox.claim_due(
                session, now=now, limit=self._batch_limit(), worker=self.worker, lease=self.lease
            )
            stats.claimed = len(rows)
            stats.reclaimed_in_flight = sum(
                1 for row in rows if row.last_error == outbox.POSSIBLE_DUPLICATE
            )
            parts = await self._render(session, rows, now, stats)
        jobs = _jobs(parts)
        retry_after_before = self.retry_after_total
        # Paced, the next chunk starts once every send of this one has passed the pacer, not
        # after its answers and its "sent" commit: the pacer never idles for a round trip
        # (about 100 ms to the real Bot API: 0.95 instead of 0.89 of 30/s, measured).
        # Unpaced there is nothing to keep busy: one chunk at a time, the smallest window.
        size = self._chunk_size()
        chunks: list[asyncio.Task[None]] = []
        try:
            for start in range(0, len(jobs), size):
                if self._stopping:
                    break  # unsent rows keep their lease: released at shutdown
                released = asyncio.Event()
                chunks.append(
                    asyncio.create_task(
                        self._send_chunk(jobs[start : start + size], stats, released)
                    )
                )
                if self.pacer.unlimited:
                    await asyncio.wait({chunks[-1]})
                else:
                    await _set_or_done(released, chunks[-1])
                if len(chunks) > 1:
                    await chunks[-2]  # at most two chunks in flight
        finally:
            await asyncio.gather(*chunks, return_exceptions=True)  # none left half-recorded
        for chunk in chunks:
            chunk.result()  # a failed chunk fails the batch, as before
        stats.rate_limited = self.retry_after_total - retry_after_before
        return stats

    async def _render(
        self, session: AsyncSession, rows: Sequence[ReminderOutbox], now: datetime,
        stats: DispatchStats,
    ) -> list[tuple[Clinician, _Part]]:  # fmt: skip
        """What each claimed row says, with its clinician; the rows that wait for the end
        of quiet hours, have nothing to say or are superseded are recorded as such."""
        people = await self._clinicians(session, {row.clinician_id for row in rows})
        parts: list[tuple[Clinician, _Part]] = []
        dropped: list[int] = []
        superseded: list[int] = []
        for row in rows:
            clinician = people.get(row.clinician_id)
            if clinician is not None and (after := _after_quiet_hours(clinician, now, row.due_at)):
                # Due while the bot was down or busy, and it is now night where they
                # are: sent when their quiet hours end (QA round 7: one came at 22:26).
                await outbox.mark_retry(
                    session, row.id, self.worker, now, at=after, error=QUIET_HOURS_WAIT
                )
                stats.deferred += 1
                continue
            renderer = self.renderers.get(row.kind)
            if clinician is None or not clinician.active or renderer is None:
                dropped.append(row.id)
                continue
            rendered = await renderer(session, row, clinician, now)
            if isinstance(rendered, Superseded):
                superseded.append(row.id)
            elif rendered is None:
                dropped.append(row.id)
            else:
                parts.append((clinician, _Part(row.id, rendered, row.attempts)))
        await outbox.mark_done_many(
            session, dropped, self.worker, now, status="dropped", error="nothing to send any more"
        )
        await outbox.mark_done_many(
            session, superseded, self.worker, now, status="superseded", error=SUPERSEDED_BY_NEWER
        )
        stats.dropped, stats.superseded = len(dropped), len(superseded)
        for outcome, count in (("dropped", len(dropped)), ("superseded", len(superseded))):
            for _ in range(count):
                self.on_outcome(outcome)
        return parts

    def _batch_limit(self) -> int:
        """At a paced rate, claim no more than can be sent well within the lease."""
        if self.pacer.unlimited:
            return self.batch_size
        affordable = int(self.pacer.rate * self.lease.total_seconds() / 4)
        return max(self.concurrency, min(self.batch_size, affordable))

    def _chunk_size(self) -> int:
        """Paced, about half a second of sends: all a crash can duplicate (plus a round
        trip's worth); the overlap keeps the pacer busy however small the chunks."""
        if self.pacer.unlimited:
            return self.concurrency
        return max(4, min(self.concurrency, math.ceil(self.pacer.rate / 2)))

    @staticmethod
    async def _clinicians(session: AsyncSession, ids: set[int]) -> dict[int, Clinician]:
        if not ids:
            return {}
        result = await session.execute(select(Clinician).where(Clinician.id.in_(ids)))
        return {person.id: person for person in result.scalars()}

    async def _send_chunk(
        self, chunk: list[_Job], stats: DispatchStats, released: asyncio.Event
    ) -> None:
        """Commit "sending", send (setting ``released`` once all passed the pacer), record."""
        async with transaction(self.sessionmaker) as session:
            still_ours = await outbox.mark_sending_many(
                session, [row_id for job in chunk for row_id in job.row_ids], self.worker,
                self.clock.now(),
            )  # fmt: skip
        chunk = [job for job in (_keep(job, still_ours) for job in chunk) if job is not None]
        waiting = len(chunk)

        def paced() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting <= 0:
                released.set()

        if not chunk:
            released.set()
        sent_jobs = await asyncio.gather(
            *(self._send(job, paced) for job in chunk), return_exceptions=True
        )
        # One outcome per row. Whatever went wrong in a send is recorded on its rows, never
        # left to the lease (its rows would be sent again as possible duplicates, review).
        per_job = [
            (job, _outcomes(job, result)) for job, result in zip(chunk, sent_jobs, strict=True)
        ]
        pairs = [
            (part, outcome)
            for job, outcomes in per_job
            for part, outcome in zip(job.parts, outcomes, strict=True)
        ]
        sent = [
            (part.row_id, outcome.message_id)
            for part, outcome in pairs
            if outcome.kind == "sent" and outcome.message_id is not None
        ]
        # Rows the sent messages said already, later the same day: never sent now. Only
        # after the send, so a message that fails leaves them to come at their time.
        redundant = [
            row_id
            for part, outcome in pairs
            if outcome.kind == "sent"
            for row_id in part.rendered.supersedes
        ]
        async with transaction(self.sessionmaker) as session:
            now = self.clock.now()
            await outbox.mark_sent_many(session, sent, self.worker, now)
            superseded = await outbox.cancel_ids(
                session, redundant, now, reason=SUPERSEDED_BY_SENT, status="superseded"
            )
            by_row = {part.row_id: outcome for part, outcome in pairs}
            for job in chunk:
                await self._record(session, job, by_row)
        stats.superseded += superseded
        stats.messages += sum(  # message ids count per chat
            len({outcome.message_id for outcome in outcomes if outcome.kind == "sent"})
            for _, outcomes in per_job
        )
        for part, outcome in pairs:
            kind = outcome.for_row(part.attempts).kind
            setattr(stats, kind, getattr(stats, kind) + 1)
            self.on_outcome(kind)
        for _ in range(superseded):
            self.on_outcome("superseded")

    async def _send(
        self, job: _Job, paced: Callable[[], None] = lambda: None
    ) -> list[_Outcome]:
        """The job's rows as one message; one outcome per row. Parts go one by one when
        they cannot be merged, or when Telegram refuses the merged message (one part's
        button, say): one bad part must not take the others down with it (review)."""
        if len(job.parts) == 1:
            return [await self._send_one(job.chat_id, job.parts[0].rendered, paced)]
        try:
            rendered = merged([part.rendered for part in job.parts])
        except Exception:  # a bug in merging: the parts are still worth sending
            log.exception("could not merge %d reminders: sending them one by one", len(job.parts))
            return await self._send_parts(job, paced)
        outcome = await self._send_one(job.chat_id, rendered, paced)
        if outcome.kind == "failed" and outcome.refused:
            return await self._send_parts(job, lambda: None)
        return [outcome] * len(job.parts)

    async def _send_parts(self, job: _Job, paced: Callable[[], None]) -> list[_Outcome]:
        outcomes = []
        for index, part in enumerate(job.parts):
            outcomes.append(
                await self._send_one(job.chat_id, part.rendered, paced if index == 0 else _noop)
            )
        return outcomes

    async def _send_one(
        self, chat_id: int, rendered: Rendered, paced: Callable[[], None]
    ) -> _Outcome:
        """One message, retried in place on 429; every other failure becomes an outcome."""
        retries = 0
        while True:
            await self.pacer.wait(chat_id)
            if retries == 0:
                paced()
            try:
                message = await self.bot.send_message(
                    chat_id, rendered.text, reply_markup=rendered.reply_markup
                )
            except RetryAfter as exc:
                retries += 1
                self.retry_after_total += 1
                self.on_outcome("rate_limited")
                seconds = retry_after_seconds(exc.retry_after)
                self.pacer.pause(seconds)
                if retries <= 3:
                    continue
                return _Outcome("retried", error=f"429 retry_after={seconds}", delay=seconds)
            except Forbidden as exc:
                return _Outcome("blocked", error=str(exc))
            except BadRequest as exc:
                return _Outcome("failed", error=f"bad request: {exc}", refused=True)
            except (NetworkError, TelegramError) as exc:
                return _Outcome("transient", error=f"{type(exc).__name__}: {exc}")
            return _Outcome("sent", message_id=message.message_id)

    async def _record(
        self, session: AsyncSession, job: _Job, outcomes: dict[int, _Outcome]
    ) -> None:
        """A failed row's outcome (a sent one is recorded already); by row id."""
        now = self.clock.now()
        for part in job.parts:
            result = outcomes[part.row_id].for_row(part.attempts)
            if result.kind == "retried":
                await outbox.mark_retry(
                    session, part.row_id, self.worker, now,
                    at=now + timedelta(seconds=result.delay), error=result.error,
                )  # fmt: skip
            elif result.kind in ("failed", "blocked"):
                await outbox.mark_done(
                    session, part.row_id, self.worker, now, status="failed", error=result.error
                )
        if any(outcomes[part.row_id].kind == "blocked" for part in job.parts):
            await clinician_store.mark_inactive(session, job.clinician_id, now)


def _noop() -> None:
    return None


def _outcomes(job: _Job, result: list[_Outcome] | BaseException) -> list[_Outcome]:
    """A send's outcomes, one per row; an unexpected error is a transient failure of each
    (retried with backoff, failed after its attempts), logged once."""
    if isinstance(result, BaseException):
        log.error("sending %d reminder(s) failed unexpectedly", len(job.parts), exc_info=result)
        error = f"unexpected {type(result).__name__}: {result}"
        return [_Outcome("transient", error=error)] * len(job.parts)
    return result


def _keep(job: _Job, still_ours: set[int]) -> _Job | None:
    """The job with only the rows still leased to this worker (None if none is)."""
    parts = tuple(part for part in job.parts if part.row_id in still_ours)
    if len(parts) == len(job.parts):
        return job
    return replace(job, parts=parts) if parts else None


def _jobs(parts: Sequence[tuple[Clinician, _Part]]) -> list[_Job]:
    """The batch's messages: each clinician's rows in claim (due) order, as few messages
    as Telegram's limits allow (QA: several reminders in the same minute, one message each)."""
    by_clinician: dict[int, list[_Part]] = defaultdict(list)  # in order of first row
    chats: dict[int, int] = {}
    for clinician, part in parts:
        by_clinician[clinician.id].append(part)
        chats[clinician.id] = clinician.chat_id
    return [
        _Job(clinician_id, chats[clinician_id], tuple(group))
        for clinician_id, mine in by_clinician.items()
        for group in pack(mine, lambda part: part.rendered)
    ]


async def _set_or_done(event: asyncio.Event, task: asyncio.Task[None]) -> None:
    """Return when ``event`` is set or ``task`` has ended, whichever comes first."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter, task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


