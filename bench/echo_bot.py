"""The framework ceiling: a minimal python-telegram-bot echo bot.

Same transport settings as the CME bot (``build_application``): the same HTTP client
library (``client``: aiohttp by default, or PTB's own httpx), concurrent updates, an HTTP
pool and a one-connection pool for getUpdates (``bot.app.bot_api_requests``).
One update in, one ``sendMessage`` out, no database: whatever it achieves against a
sandbox is the most any handler could achieve there.

The *one-query ceiling* (:func:`one_query_handler`) adds the least any CME command does: one
transaction looking the sender up (``clinicians.find``) through the same engine and
session helpers as the bot. What it achieves is the most a handler that touches the
database at all could achieve with this stack (SQLAlchemy async over aiosqlite/asyncpg).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import bot_api_requests
from bot.transport import Client

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

EchoApp = Application[Any, Any, Any, Any, Any, Any]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back (a reply may not exceed 4096 characters)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await context.bot.send_message(message.chat_id, message.text[:4096])


def one_query_handler(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]:
    """Echo after one transaction that looks the sender up, as every CME command starts."""
    from bot.store import clinicians
    from bot.store.db import transaction

    async def looked_up_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or message.text is None or user is None:
            return
        async with transaction(sessionmaker) as session:
            await clinicians.find(session, user.id)
        await context.bot.send_message(message.chat_id, message.text[:4096])

    return looked_up_echo


def build_echo_app(
    base_url: str,
    token: str,
    concurrent_updates: int,
    client: Client = "aiohttp",
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> EchoApp:
    """An echo Application pointed at ``base_url`` (``http://host:port/bot``); with a
    ``sessionmaker``, the one-query ceiling instead."""
    calls, polls = bot_api_requests(client, concurrent_updates)
    app: EchoApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .concurrent_updates(concurrent_updates)
        .request(calls)
        .get_updates_request(polls)
        .build()
    )
    handler = echo if sessionmaker is None else one_query_handler(sessionmaker)
    app.add_handler(MessageHandler(filters.TEXT, handler))
    return app
