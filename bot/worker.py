"""``cme-bot dispatch``: a process that only sends due reminders.

For deployments with several webhook processes: they all plan, and any of them can
dispatch, but a dedicated sender keeps the reply path free. It shares the same outbox,
leases and leader lock, so running it beside bots that also dispatch is safe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot
from telegram.error import TelegramError

from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import EXIT_USAGE, CliError, telegram_start_error
from bot.store import schema
from bot.store.db import create_engine, create_sessionmaker
from bot.transport import bot_api_request
from scheduler.dispatcher import SEND_CONCURRENCY, Dispatcher
from scheduler.leader import LeaderLock
from scheduler.ratelimit import SendPacer
from scheduler.renderers import default_renderers

log = logging.getLogger(__name__)


class _AlwaysLeader(LeaderLock):
    """No shared budget: for measuring the ceiling with Telegram's limits switched off."""

    async def acquire(self) -> bool:
        return True


def build_bot(settings: Settings) -> Bot:
    """The Bot a dispatcher sends with (a pool wide enough for a chunk of sends)."""
    if not settings.telegram_bot_token:
        raise CliError("TELEGRAM_BOT_TOKEN is not set", EXIT_USAGE)
    return Bot(
        settings.telegram_bot_token,
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url or "",
        request=bot_api_request(settings.bot_api_client, pool=SEND_CONCURRENCY, pool_timeout=30.0),
    )


def build_dispatcher(
    settings: Settings, engine: AsyncEngine, bot: Bot, *, share_budget: bool = True
) -> Dispatcher:
    """The Dispatcher exactly as ``cme-bot dispatch`` runs it (benchmarks use this too)."""
    from bot.domain.requirements import load_rules

    rulebook = load_rules(settings.rules_dirs)
    leader = LeaderLock(engine) if share_budget else _AlwaysLeader(engine)
    return Dispatcher(
        bot=bot,
        sessionmaker=create_sessionmaker(engine),
        clock=SystemClock(),
        renderers=default_renderers(rulebook),
        pacer=SendPacer(settings.dispatch_rate, per_chat_interval=1.0),
        leader=leader,
        lease=timedelta(seconds=settings.dispatch_lease),
    )


async def serve_dispatcher(settings: Settings, *, share_budget: bool = True) -> int:
    """Tick until SIGTERM/SIGINT; then finish the chunk in hand and release the rest."""
    bot = build_bot(settings)
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        await schema.ready(engine, auto_migrate=settings.migrate_on_start)
    except CliError:
        await engine.dispose()
        raise
    dispatcher = build_dispatcher(settings, engine, bot, share_budget=share_budget)
    stop = asyncio.Event()

    def on_signal() -> None:
        stop.set()
        dispatcher.stop()  # a tick may run for seconds: stop claiming now, not after it

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    try:
        await bot.initialize()  # getMe: a bad token or no network is one line, as in `run`
    except TelegramError as exc:
        await bot.shutdown()
        await engine.dispose()
        raise telegram_start_error(exc) from None
    log.info("dispatch started: it sends due reminders while it holds the dispatcher lock")
    async with bot:
        try:
            while not stop.is_set():
                stats = await dispatcher.tick()
                if stats.claimed:
                    log.info("dispatched %s", stats)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=settings.dispatch_interval)
        finally:
            await dispatcher.shutdown()
            await engine.dispose()
    log.info("dispatch stopped")
    return 0


def run_dispatcher(settings: Settings, *, share_budget: bool = True) -> int:
    return asyncio.run(serve_dispatcher(settings, share_budget=share_budget))
