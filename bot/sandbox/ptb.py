"""Wiring an unchanged python-telegram-bot Application to a sandbox.

Why: every end-to-end test and ``cme-bot chat`` needs the same three builder calls and the
same careful start/stop order (PTB's Updater.stop() makes a final getUpdates call, so the
sandbox must outlive the application).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.sandbox.server import BotApiSandbox


def sandbox_builder(sandbox: BotApiSandbox) -> ApplicationBuilder:  # type: ignore[type-arg]
    """An ApplicationBuilder pointed at the sandbox (token, base_url, base_file_url)."""
    return (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
    )


@asynccontextmanager
async def polling(
    app: Application[Any, Any, Any, Any, Any, Any],
    sandbox: BotApiSandbox | None = None,
    *,
    poll_timeout: int = 1,
) -> AsyncIterator[None]:
    """Run ``app`` with long polling for the duration of the block, then stop it cleanly.

    Runs ``post_init``/``post_stop``/``post_shutdown`` like ``run_polling`` would. With
    ``sandbox``, stopping first waits (≤0.5 s) for PTB to sit in a long poll, which avoids
    an httpcore cancellation race that costs a 1 s pool timeout and an error log.
    """
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None, "build the application with an Updater"
    await app.updater.start_polling(poll_interval=0, timeout=poll_timeout)
    try:
        yield
    finally:
        if sandbox is not None and app.updater.running:
            await sandbox.wait_for_parked_poll(0.5)
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
