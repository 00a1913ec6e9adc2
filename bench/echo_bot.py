"""The framework ceiling: a minimal python-telegram-bot echo bot.

Same transport settings as the CME bot (``build_application``): the same HTTP client
library (``client``: aiohttp by default, or PTB's own httpx), concurrent updates, an HTTP
pool and a one-connection pool for getUpdates (``bot.app.bot_api_requests``).
One update in, one ``sendMessage`` out, no database: whatever it achieves against a
sandbox is the most any handler could achieve there.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import bot_api_requests
from bot.transport import Client

EchoApp = Application[Any, Any, Any, Any, Any, Any]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back (a reply may not exceed 4096 characters)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await context.bot.send_message(message.chat_id, message.text[:4096])


def build_echo_app(
    base_url: str, token: str, concurrent_updates: int, client: Client = "aiohttp"
) -> EchoApp:
    """An echo Application pointed at ``base_url`` (``http://host:port/bot``)."""
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
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app
