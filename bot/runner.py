"""Running the bot: checks that fail with one clear line, then PTB's polling loop."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from bot.config import Settings
from bot.errors import EXIT_UNAVAILABLE, EXIT_USAGE, CliError
from bot.store.db import create_engine, ping

log = logging.getLogger(__name__)


async def check_database(engine: AsyncEngine) -> None:
    """Fail fast with one line when the database is unreachable."""
    try:
        await asyncio.wait_for(ping(engine), timeout=10)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise CliError(f"cannot reach the database: {reason}", EXIT_UNAVAILABLE) from None


def run_polling(settings: Settings) -> int:
    """``cme-bot run``: long polling until SIGINT/SIGTERM."""
    if not settings.telegram_bot_token:
        raise CliError(
            "TELEGRAM_BOT_TOKEN is not set; get one from @BotFather, or try the bot "
            "locally with `cme-bot chat`",
            EXIT_USAGE,
        )

    async def _check() -> None:
        engine = create_engine(settings.database_url)
        try:
            await check_database(engine)
        finally:
            await engine.dispose()

    asyncio.run(_check())
    app = build_application(settings)
    log.info("starting long polling")
    # A second process polling the same token would get 409 Conflict: polling cannot
    # scale out. Run `cme-bot webhook` behind a load balancer for several processes.
    app.run_polling(allowed_updates=None, drop_pending_updates=False, close_loop=False)
    return 0
