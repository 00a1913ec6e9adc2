"""The application factory: one place that wires settings, store, handlers and jobs."""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
import scheduler
from bot import texts
from bot.clock import Clock, SystemClock
from bot.concurrency import PerUserOrderedProcessor
from bot.config import Settings
from bot.context import BotData, CMEContext, Services
from bot.domain.requirements import load_rules
from bot.polling import PollingRequest
from bot.store import migrate
from bot.store.db import create_engine, create_sessionmaker
from bot.transport import Client, bot_api_request, tls_context

log = logging.getLogger(__name__)

CMEApplication = Application[Any, CMEContext, dict[Any, Any], dict[Any, Any], BotData, Any]


class MissingTokenError(RuntimeError):
    """No TELEGRAM_BOT_TOKEN: only the sandbox chat can run."""


def settle_heap() -> None:
    """Take what start-up left alive (rules, SQLAlchemy and PTB internals) out of the
    garbage collector's view, so full collections walk only what handlers allocate.

    Measured (bench.bench_status, SQLite, 3 licences x 500 entries): /status p99 41 ms
    with the default collector, 17 ms after this; p50 unchanged. Called once, by the
    processes that serve (not in tests, where apps come and go).
    """
    gc.collect()
    gc.freeze()


def http_pool_size(concurrent_updates: int) -> int:
    """Connections for Bot API calls (getUpdates has its own).

    On httpx more is slower: httpcore checks every pooled connection on each request. With
    64 concurrent updates, 8 connections against 32 (measured, local sandbox): echo bot
    515-530 against 315-480 updates/s, this bot 136-152 against 126-137 (not re-measured
    on aiohttp). Telegram takes ~30 messages/s per bot, which 8 connections carry even
    at 250 ms round trips.
    """
    return max(8, concurrent_updates // 8)


def bot_api_requests(client: Client, concurrent_updates: int) -> tuple[BaseRequest, BaseRequest]:
    """(Bot API calls, getUpdates): the transport the bot and its echo benchmark share."""
    calls = bot_api_request(client, pool=http_pool_size(concurrent_updates), pool_timeout=10.0)
    return calls, bot_api_request(client, pool=1, read_timeout=30.0)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    rate_limiter: bool = True,
) -> CMEApplication:
    """Build the bot. Resources open in ``post_init`` and close in ``post_shutdown``."""
    if not settings.telegram_bot_token:
        raise MissingTokenError("TELEGRAM_BOT_TOKEN is not set")
    bot_data = BotData()
    bot_data.services = Services(
        settings=settings, clock=clock or SystemClock(), rulebook=load_rules(settings.rules_dirs)
    )
    calls, polls = bot_api_requests(settings.bot_api_client, settings.concurrent_updates)
    bot_data.services.polling_request = PollingRequest(polls)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url or "")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=CMEContext, bot_data=lambda: bot_data))
        .concurrent_updates(
            PerUserOrderedProcessor(settings.concurrent_updates, bot_data.services.metrics)
        )
        .request(calls)
        .get_updates_request(bot_data.services.polling_request)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if rate_limiter:
        # max_retries >= 1: with the default 0 a single 429 loses the message (measured).
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app: CMEApplication = builder.build()  # type: ignore[assignment]
    handlers.register_all(app)
    return app


async def open_services(services: Services) -> None:
    """Open the engine (migrating if configured) and the shared HTTP client."""
    settings = services.settings
    services.engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    services.sessionmaker = create_sessionmaker(services.engine)
    if settings.migrate_on_start:
        await migrate.upgrade(services.engine)
    services.http = httpx.AsyncClient(
        timeout=httpx.Timeout(10.0), follow_redirects=True, verify=tls_context()
    )


async def close_services(services: Services) -> None:
    if services.http is not None:
        await services.http.aclose()
        services.http = None
    if services.engine is not None:
        await services.engine.dispose()
        services.engine = None


async def _post_init(app: CMEApplication) -> None:
    services = app.bot_data.services
    await open_services(services)
    # Build the place index and load dateparser off the event loop, so the first
    # "courses near Boston next month" does not wait ~2 s for them.
    services.extras["warm_up"] = asyncio.get_running_loop().run_in_executor(None, _warm_up)
    scheduler.register_jobs(app)
    await app.bot.set_my_commands([BotCommand(name, desc) for name, desc in texts.COMMANDS])
    log.info("bot ready", extra={"bot_username": app.bot.username})


WARM_UP_MOMENT = datetime(2026, 1, 5, 12, tzinfo=UTC)  # any moment: only loads the parser


def _warm_up() -> None:
    from bot.domain import dates, places

    try:
        places.warm_up()
        dates.parse_future_range("the week after next", WARM_UP_MOMENT, "UTC")
    except Exception:  # a failed warm-up only costs the first user a wait
        log.warning("warm-up failed", exc_info=True)


async def _post_stop(app: CMEApplication) -> None:
    await scheduler.shutdown_jobs(app)


async def _post_shutdown(app: CMEApplication) -> None:
    await close_services(app.bot_data.services)
