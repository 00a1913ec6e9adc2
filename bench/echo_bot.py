"""The framework ceiling: a minimal python-telegram-bot echo bot.

Same transport settings as the CME bot (``build_application``): concurrent updates, an
HTTP pool of ``bot.app.http_pool_size``, a separate one-connection pool for getUpdates.
One update in, one ``sendMessage`` out, no database: whatever it achieves against a
sandbox is the most any handler could achieve there.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.app import http_pool_size

EchoApp = Application[Any, Any, Any, Any, Any, Any]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back (a reply may not exceed 4096 characters)."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    await context.bot.send_message(message.chat_id, message.text[:4096])


def build_echo_app(base_url: str, token: str, concurrent_updates: int) -> EchoApp:
    """An echo Application pointed at ``base_url`` (``http://host:port/bot``)."""
    app: EchoApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .concurrent_updates(concurrent_updates)
        .connection_pool_size(http_pool_size(concurrent_updates))
        .pool_timeout(10.0)
        .get_updates_request(HTTPXRequest(connection_pool_size=1, read_timeout=30.0))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app
