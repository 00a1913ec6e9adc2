"""The framework ceiling: a minimal python-telegram-bot echo bot.

Same transport settings as the CME bot (``build_application``): the same HTTP client
library (``client``: aiohttp by default, or PTB's own httpx), concurrent updates, an HTTP
pool of ``bot.app.http_pool_size``, a separate one-connection pool for getUpdates.
One update in, one ``sendMessage`` out, no database: whatever it achieves against a
sandbox is the most any handler could achieve there.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import http_pool_size
from bot.transport import Client, bot_api_request

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
    pool = http_pool_size(concurrent_updates)
    app: EchoApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .concurrent_updates(concurrent_updates)
        .request(bot_api_request(client, pool=pool, pool_timeout=10.0))
        .get_updates_request(bot_api_request(client, pool=1, read_timeout=30.0))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app
