"""Real ``cme-bot dispatch`` processes against real databases and the sandbox.

The sandbox runs in the test process; dispatchers are child processes started the way
an operator starts them, stopped with SIGTERM or killed with SIGKILL. The tests poll
the database and the sandbox (no fixed sleeps). PostgreSQL proves concurrent claims
(``FOR UPDATE SKIP LOCKED``) and the leader lock; SIGKILL proves a crash loses nothing
and that duplicates stay within the rows that were ``sending`` at the kill.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, func, insert, select, text, update
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from telegram import Bot

from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.server import BotApiSandbox
from bot.store import outbox
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.dispatcher import Dispatcher, worker_name
from tests.scheduler.conftest import make_dispatcher, seed_notices

pytestmark = pytest.mark.slow

FIRST_CHAT = 10_000
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
PRODUCTION_RATE = float(Settings.model_fields["dispatch_rate"].default)


def notice_text(index: int) -> str:
    return f"process notice #{index}"


# -- child processes ------------------------------------------------------------------------
@dataclass
class DispatchProcess:
    """One ``cme-bot dispatch`` child process and its log file."""

    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    async def stop(self, within: float = 15.0) -> None:
        """SIGTERM, wait (asynchronously: the sandbox shares this loop), expect a clean exit."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), within)
        assert code == 0 and "Traceback" not in self.output(), self.output()[-3000:]


Spawn = Callable[..., Awaitable[DispatchProcess]]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("cme-bot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


@pytest.fixture
async def spawn(tmp_path: Path) -> AsyncIterator[Spawn]:
    """Start dispatcher processes; any still running at the end are killed."""
    started: list[DispatchProcess] = []

    async def start(
        url: str,
        sandbox: BotApiSandbox,
        *,
        shared_budget: bool = False,
        rate: float = 0.0,
        lease: float = 120.0,
    ) -> DispatchProcess:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": url,
            "DISPATCH_RATE": str(rate),
            "DISPATCH_INTERVAL": "0.2",
            "DISPATCH_LEASE": str(lease),
            "LOG_LEVEL": "WARNING",
        }
        args = ["dispatch"] if shared_budget else ["dispatch", "--no-shared-budget"]
        log = tmp_path / f"dispatch-{len(started)}.log"
        with log.open("wb") as sink:  # cwd=tmp_path: no developer .env is read
            process = await asyncio.create_subprocess_exec(
                *_command(), *args, cwd=tmp_path, env=env, stdout=sink, stderr=sink
            )
        started.append(DispatchProcess(process, log))
        return started[-1]

    yield start
    for child in started:
        if child.process.returncode is None:
            child.kill()
            await child.process.wait()


async def until(
    check: Callable[[], Any],
    what: str,
    *,
    within: float,
    watch: Sequence[DispatchProcess] = (),
    interval: float = 0.05,
) -> Any:
    """Poll ``check`` (sync or async) until it is truthy; fail fast if a watched child dies."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        for child in watch:
            if child.process.returncode is not None:
                pytest.fail(
                    f"dispatcher {child.pid} exited ({child.process.returncode}) while waiting "
                    f"for {what}:\n{child.output()[-3000:]}"
                )
        if time.monotonic() > deadline:
            logs = "".join(f"\n--- {child.pid}:\n{child.output()[-2000:]}" for child in watch)
            pytest.fail(f"timed out after {within} s waiting for {what}{logs}")
        await asyncio.sleep(interval)


# -- database and sandbox helpers -----------------------------------------------------------
@pytest.fixture
async def reader() -> AsyncIterator[Callable[[str], AsyncEngine]]:
    """Engines for the test's own reads and seeding: no pooled idle connections."""
    made: list[AsyncEngine] = []

    def make(url: str) -> AsyncEngine:
        made.append(create_async_engine(url, poolclass=NullPool))
        return made[-1]

    yield make
    for engine in made:
        await engine.dispose()


async def seed(engine: AsyncEngine, sandbox: BotApiSandbox, count: int, *, due: datetime) -> None:
    """``count`` clinicians with one notice each: row id ``i + 1`` ↔ chat and text ``i``."""
    now = datetime.now(UTC)
    for index in range(count):
        sandbox.add_user(FIRST_CHAT + index, f"User{index}", None, None, "en")
    async with engine.begin() as connection:
        await connection.execute(
            insert(Clinician),
            [
                {
                    "id": i + 1, "telegram_id": FIRST_CHAT + i, "chat_id": FIRST_CHAT + i,
                    "first_name": f"User{i}", "timezone": "UTC", "flags": [], "specialties": [],
                    # No quiet hours: these processes run on the real clock, and a notice
                    # due in a clinician's night waits for the morning.
                    "active": True, "reminders_paused": False, "quiet_start_min": 0,
                    "quiet_end_min": 0, "created_at": now, "updated_at": now,
                }
                for i in range(count)
            ],
        )  # fmt: skip
        await connection.execute(
            insert(ReminderOutbox),
            [
                {
                    "id": i + 1, "clinician_id": i + 1, "kind": "notice",
                    "dedupe_key": f"proc:{i}", "due_at": due, "status": "pending",
                    "attempts": 0, "payload": {"text": notice_text(i)},
                    "created_at": now, "updated_at": now,
                }
                for i in range(count)
            ],
        )  # fmt: skip


async def make_all_due(engine: AsyncEngine) -> None:
    """Every row becomes due at once (one commit), so running dispatchers race for them."""
    async with engine.begin() as connection:
        await connection.execute(
            update(ReminderOutbox).values(due_at=datetime.now(UTC) - timedelta(minutes=1))
        )


async def other_backends(engine: AsyncEngine) -> int:
    """PostgreSQL connections to this database other than ours (the dispatchers')."""
    async with engine.connect() as connection:
        return int(
            await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
            )
            or 0
        )


async def with_status(engine: AsyncEngine, *statuses: str) -> set[int]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(ReminderOutbox.id).where(ReminderOutbox.status.in_(statuses))
        )
        return set(result.scalars())


async def in_flight_of(engine: AsyncEngine, pid: int) -> set[int]:
    """Rows a process still holds as ``claimed`` or ``sending``."""
    async with engine.connect() as connection:
        result = await connection.execute(
            select(ReminderOutbox.id, ReminderOutbox.leased_by).where(
                ReminderOutbox.status.in_(("claimed", "sending"))
            )
        )
        return {row_id for row_id, owner in result.all() if pid_of(owner) == pid}


async def count_sent(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).where(ReminderOutbox.status == "sent"))
            or 0
        )


async def all_rows(engine: AsyncEngine) -> list[Row[Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(
                ReminderOutbox.id, ReminderOutbox.status, ReminderOutbox.telegram_message_id,
                ReminderOutbox.leased_by, ReminderOutbox.attempts, ReminderOutbox.last_error,
            ).order_by(ReminderOutbox.id)
        )  # fmt: skip
        return list(result.all())


async def pids_leasing(engine: AsyncEngine) -> set[int]:
    """The process ids (from ``leased_by``) of every dispatcher that has claimed a row."""
    async with engine.connect() as connection:
        result = await connection.execute(
            select(ReminderOutbox.leased_by).where(ReminderOutbox.leased_by.is_not(None)).distinct()
        )
        return {pid_of(name) for name in result.scalars()}


def pid_of(worker: str | None) -> int:
    """``leased_by`` is ``host:pid:nonce``."""
    return int((worker or "::").rsplit(":", 2)[1] or 0)


def sends(sandbox: BotApiSandbox) -> int:
    """sendMessage requests the sandbox has received (refused ones included)."""
    return sandbox.stats.requests["sendMessage"]


def deliveries(sandbox: BotApiSandbox, count: int) -> Counter[str]:
    """Messages that reached the chats, by text."""
    return Counter(
        message.text or ""
        for chat_id in range(FIRST_CHAT, FIRST_CHAT + count)
        for message in sandbox.messages(chat_id)
    )


def check_delivery(
    sandbox: BotApiSandbox, rows: list[Row[Any]], count: int, *, may_repeat: set[int]
) -> set[int]:
    """No loss; repeats only among ``may_repeat`` row ids; each row records its message id.

    Returns the ids of the rows delivered more than once.
    """
    delivered = deliveries(sandbox, count)
    lost = [i for i in range(count) if delivered[notice_text(i)] == 0]
    assert lost == [], f"{len(lost)} reminders lost"
    repeated = {i + 1 for i in range(count) if delivered[notice_text(i)] > 1}
    assert repeated <= may_repeat, f"duplicates outside the rows in flight: {repeated - may_repeat}"
    assert len(rows) == count and {row.status for row in rows} == {"sent"}
    for row in rows:
        chat_messages = {m.message_id for m in sandbox.messages(FIRST_CHAT + row.id - 1)}
        assert row.telegram_message_id in chat_messages
    return repeated


# -- two processes, PostgreSQL --------------------------------------------------------------
async def test_two_processes_deliver_10000_reminders_exactly_once(
    pg_database_url: str,
    sandbox: BotApiSandbox,
    spawn: Spawn,
    reader: Callable[[str], AsyncEngine],
) -> None:
    count = 10_000
    engine = reader(pg_database_url)
    await seed(engine, sandbox, count, due=FAR_FUTURE)
    first = await spawn(pg_database_url, sandbox)
    second = await spawn(pg_database_url, sandbox)
    pair = [first, second]
    # Both running (one idle connection each) before anything is due: they really race.
    await until(
        lambda: _at_least(other_backends(engine), 2), "both dispatchers up", within=30, watch=pair
    )
    await make_all_due(engine)
    started = time.monotonic()
    await until(
        lambda: _at_least(count_sent(engine), count),
        "every row sent",
        within=80,
        watch=pair,
        interval=0.2,
    )
    elapsed = time.monotonic() - started
    await first.stop()
    await second.stop()

    rows = await all_rows(engine)
    assert check_delivery(sandbox, rows, count, may_repeat=set()) == set()
    # No row was claimed twice. The one legitimate second attempt is a send that failed
    # on the network (e.g. a keep-alive connection closed as it was reused): it says so.
    again = [row for row in rows if row.attempts != 1]
    assert all((row.last_error or "").startswith("NetworkError") for row in again), again[:5]
    assert count <= sends(sandbox) <= count + len(again)
    shares = Counter(pid_of(row.leased_by) for row in rows)
    assert set(shares) == {first.pid, second.pid}
    assert min(shares.values()) >= count // 10, shares
    # Claims interleaved: in due order the rows alternate between the two owners many times.
    switches = sum(1 for a, b in pairwise(rows) if a.leased_by != b.leased_by)
    assert switches >= 4, switches
    print(
        f"\ntwo processes: {count} sent in {elapsed:.1f} s ({count / elapsed:.0f} msg/s), "
        f"shares {sorted(shares.values())}, owner switches in due order {switches}, "
        f"network retries {len(again)}"
    )


async def test_shared_budget_stays_under_the_limit_and_a_standby_takes_over(
    pg_database_url: str,
    sandbox: BotApiSandbox,
    spawn: Spawn,
    reader: Callable[[str], AsyncEngine],
) -> None:
    count = 300
    sandbox.rate_limiter.enabled = True
    sandbox.rate_limiter.per_second = 30
    sandbox.rate_limiter.per_chat = (1, 1.0)
    sandbox.rate_limiter.reset()
    engine = reader(pg_database_url)
    await seed(engine, sandbox, count, due=FAR_FUTURE)
    # Production pacing in each: two senders at once would exceed 30/s and meet 429s.
    pair = [
        await spawn(pg_database_url, sandbox, shared_budget=True, rate=PRODUCTION_RATE, lease=2)
        for _ in range(2)
    ]
    # The leader holds its lock connection and a session one; the standby one pooled.
    await until(
        lambda: _at_least(other_backends(engine), 3), "leader and standby up", within=30,
        watch=pair,
    )  # fmt: skip
    await make_all_due(engine)
    await until(lambda: sends(sandbox) >= 60, "60 sends", within=20, watch=pair)
    owners = await pids_leasing(engine)
    assert len(owners) == 1, f"more than one active sender: {owners}"
    active, standby = pair if pair[0].pid in owners else pair[::-1]

    active.kill()
    killed_at = time.monotonic()
    await active.process.wait()
    sending_at_kill = await with_status(engine, "sending")
    claimed_at_kill = await with_status(engine, "claimed")
    sent_at_kill = sends(sandbox)
    await until(
        lambda: _has_owner(engine, standby.pid),
        "the standby's first claim",
        within=15,
        watch=[standby],
        interval=0.02,
    )
    takeover = time.monotonic() - killed_at
    await until(
        lambda: _at_least(count_sent(engine), count), "every row sent", within=40, watch=[standby]
    )
    finished = time.monotonic() - killed_at
    await standby.stop()

    rows = await all_rows(engine)
    repeated = check_delivery(sandbox, rows, count, may_repeat=sending_at_kill)
    assert sandbox.stats.rate_limited == 0
    assert takeover < 3.0
    print(
        f"\nleader killed after {sent_at_kill} sends: sending {len(sending_at_kill)}, claimed "
        f"{len(claimed_at_kill)}; standby's first claim after {takeover:.2f} s, all {count} sent "
        f"{finished:.1f} s after the kill; duplicates {len(repeated)}; 429s 0"
    )


async def _has_owner(engine: AsyncEngine, pid: int) -> bool:
    return pid in await pids_leasing(engine)


async def _at_least(value: Awaitable[int], minimum: int) -> bool:
    return await value >= minimum


# -- SIGKILL mid-batch, restart: SQLite and PostgreSQL --------------------------------------
@pytest.mark.postgres
async def test_sigkill_mid_batch_then_restart_loses_nothing(
    database_url: str,
    sandbox: BotApiSandbox,
    spawn: Spawn,
    reader: Callable[[str], AsyncEngine],
    backend: str,
) -> None:
    count = 1500
    engine = reader(database_url)
    await seed(engine, sandbox, count, due=datetime.now(UTC) - timedelta(minutes=1))
    victim = await spawn(database_url, sandbox, lease=2)
    await until(
        lambda: sends(sandbox) >= 300, "300 sends", within=30, watch=[victim],
        interval=0.002,
    )  # fmt: skip
    victim.kill()
    await victim.process.wait()
    sent_at_kill = sends(sandbox)
    sending_at_kill = await with_status(engine, "sending")
    claimed_at_kill = await with_status(engine, "claimed")
    assert sending_at_kill or claimed_at_kill, "the kill did not land mid-batch"
    assert await count_sent(engine) < count

    # The restarted process is then stopped gracefully mid-run: SIGTERM finishes the chunk
    # in hand, gives back what it claimed, and exits at once; a third process finishes.
    survivor = await spawn(database_url, sandbox, lease=2)
    await until(
        lambda: sends(sandbox) >= 900, "900 sends", within=30, watch=[survivor], interval=0.002
    )
    asked = time.monotonic()
    await survivor.stop()
    stop_seconds = time.monotonic() - asked
    left = await with_status(engine, "pending")
    assert left and not await in_flight_of(engine, survivor.pid)
    finisher = await spawn(database_url, sandbox, lease=2)
    await until(
        lambda: _at_least(count_sent(engine), count), "every row sent", within=40,
        watch=[finisher], interval=0.1,
    )  # fmt: skip
    await finisher.stop()

    rows = await all_rows(engine)
    repeated = check_delivery(sandbox, rows, count, may_repeat=sending_at_kill)
    flagged = {row.id for row in rows if row.last_error == outbox.POSSIBLE_DUPLICATE}
    assert repeated <= flagged <= sending_at_kill  # every repeat is marked on its row
    assert stop_seconds < 5
    delivered = sum(deliveries(sandbox, count).values())
    print(
        f"\n{backend}: killed after {sent_at_kill} sends; in flight at the kill: sending "
        f"{len(sending_at_kill)}, claimed {len(claimed_at_kill)}; delivered {delivered} for "
        f"{count} reminders: lost 0, duplicates {len(repeated)} (flagged {len(flagged)}); "
        f"SIGTERM stop {stop_seconds:.2f} s with {len(left)} left pending"
    )


# -- answers lost after delivery (drop_after) -----------------------------------------------
@pytest.mark.postgres
async def test_lost_answers_are_retried_and_their_duplicates_are_recorded(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """Telegram delivered, the answer never came: the row is retried (a duplicate) and says so.

    In process with the injectable clock: the retry backoff is 30 s of real time otherwise.
    """
    count = 300
    await seed_notices(sessionmaker, sandbox, count)
    sandbox.faults.drop_after_rate = 0.05
    sandbox.faults.reseed(5)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    first = await dispatcher.drain()
    dropped = sandbox.stats.faults["drop_after"]
    assert dropped > 0 and first.retried == dropped and first.sent == count - dropped

    async with transaction(sessionmaker) as session:
        retrying = list(
            (
                await session.execute(
                    select(ReminderOutbox).where(ReminderOutbox.status == "pending")
                )
            ).scalars()
        )
    assert len(retrying) == dropped
    assert all((row.last_error or "").startswith("NetworkError") for row in retrying)
    assert all(row.due_at > clock.now() for row in retrying)  # backed off, not hammered

    sandbox.faults.drop_after_rate = 0
    clock.advance(timedelta(minutes=5))
    second = await dispatcher.drain()
    assert second.sent == dropped

    async with transaction(sessionmaker) as session:
        rows = list((await session.execute(select(ReminderOutbox))).scalars())
    assert {row.status for row in rows} == {"sent"}
    delivered = Counter(
        message.text or ""
        for chat_id in range(FIRST_CHAT, FIRST_CHAT + count)
        for message in sandbox.messages(chat_id)
    )
    texts = {row.id: (row.payload or {})["text"] for row in rows}
    repeated = {row_id for row_id, body in texts.items() if delivered[body] > 1}
    possible = {row.id for row in rows if (row.last_error or "").startswith("NetworkError")}
    assert all(delivered[body] >= 1 for body in texts.values())  # nothing lost
    assert repeated == possible == {row.id for row in retrying}
    print(
        f"\ndrop_after: {dropped} answers lost of {count}; retried {first.retried}, "
        f"duplicates {len(repeated)}, rows recording the network error {len(possible)}"
    )


@pytest.mark.postgres
async def test_a_long_hostname_still_fits_the_lease_owner_column(
    sandbox: BotApiSandbox,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pod names run to 63 characters; ``leased_by`` is VARCHAR(64) (PostgreSQL enforces it)."""
    monkeypatch.setattr(socket, "gethostname", lambda: "cme-bot-dispatch-" + "x" * 46)
    name = worker_name()
    assert pid_of(name) == os.getpid()
    await seed_notices(sessionmaker, sandbox, 1)
    async with transaction(sessionmaker) as session:
        claimed = await outbox.claim_due(
            session, now=clock.now(), limit=1, worker=name, lease=timedelta(minutes=1)
        )
    assert [row.leased_by for row in claimed] == [name]
