"""Dispatcher fixtures: the sandbox, a plain PTB Bot pointed at it, seeded outbox rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.clock import ManualClock
from bot.domain.requirements import shipped_rulebook
from bot.sandbox.server import BotApiSandbox
from bot.store import clinicians, outbox
from bot.store.db import transaction
from scheduler.dispatcher import Dispatcher
from scheduler.leader import LeaderLock
from scheduler.ratelimit import SendPacer
from scheduler.renderers import default_renderers
from tests.conftest import PG_ADMIN_URL, _pg_admin

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def pg_database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty PostgreSQL database of this test's own (PostgreSQL-only tests)."""
    template = request.getfixturevalue("pg_template")  # skips when CME_TEST_SKIP_PG=1
    name = f"cme_t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(clock=clock) as sandbox:
        yield sandbox


@pytest.fixture
async def tg_bot(sandbox: BotApiSandbox) -> AsyncIterator[Bot]:
    from telegram.request import HTTPXRequest

    bot = Bot(
        sandbox.token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=HTTPXRequest(connection_pool_size=64, pool_timeout=30),
    )
    async with bot:
        yield bot


async def seed_notices(
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: BotApiSandbox,
    count: int,
    *,
    users: int | None = None,
    due: datetime = NOW - timedelta(minutes=1),
    pad: int = 0,
) -> list[int]:
    """``count`` due notices spread over ``users`` clinicians (default: one each), each
    ``pad`` characters long at least."""
    users = users or count
    ids = []
    async with transaction(sessionmaker) as session:
        owners = []
        for index in range(users):
            telegram_id = 10_000 + index
            sandbox.add_user(telegram_id, f"User{index}", None, None, "en")
            owner, _ = await clinicians.get_or_create(
                session,
                clinicians.TelegramIdentity(telegram_id, telegram_id, f"User{index}"),
                default_timezone="UTC",
                now=NOW,
            )
            owners.append(owner)
        planned = [
            outbox.Planned(
                clinician_id=owners[index % users].id,
                kind="notice",
                target_id=None,
                step=f"n{index}",
                due_at=due,
                payload={"text": f"notice #{index}".ljust(pad, ".")},
            )
            for index in range(count)
        ]
        for start in range(0, len(planned), 500):
            await outbox.upsert_planned(session, planned[start : start + 500], NOW)
    return ids


@pytest.fixture
async def dispatchers() -> AsyncIterator[list[Dispatcher]]:
    """Dispatchers made in a test; shut down afterwards (releasing the leader lock)."""
    made: list[Dispatcher] = []
    yield made
    for dispatcher in made:
        await dispatcher.shutdown()


def make_dispatcher(
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    *,
    rate: float = 0,
    per_chat: float = 0,
    leader: LeaderLock | None = None,
    **kwargs: object,
) -> Dispatcher:
    engine = sessionmaker.kw["bind"]
    registry = kwargs.pop("registry", None)
    dispatcher = Dispatcher(
        bot=tg_bot,
        sessionmaker=sessionmaker,
        clock=clock,
        renderers=default_renderers(shipped_rulebook()),
        pacer=SendPacer(rate, per_chat_interval=per_chat),
        leader=leader or LeaderLock(engine),
        **kwargs,  # type: ignore[arg-type]
    )
    if isinstance(registry, list):
        registry.append(dispatcher)
    return dispatcher
