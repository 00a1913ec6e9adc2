"""The last line of defence: log the failure, tell the user without leaking internals."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot import texts
from bot.context import CMEContext
from handlers.turn import RepliesUndelivered

log = logging.getLogger(__name__)


async def on_error(update: object, context: CMEContext) -> None:
    """Log with the update id and user id; answer the user in their private chat."""
    error = context.error
    update_id = getattr(update, "update_id", None)
    user = update.effective_user if isinstance(update, Update) else None
    log.error(
        "handler failed",
        exc_info=error,
        extra={"update_id": update_id, "user_id": getattr(user, "id", None)},
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    try:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # deliver() may have answered it already
                await update.callback_query.answer()
        # After an outage the turn's writes are committed: say so, not "nothing changed".
        apology = texts.REPLY_UNDELIVERED if isinstance(error, RepliesUndelivered) else texts.ERROR
        await context.bot.send_message(chat.id, apology)
    except Exception:  # the apology itself failed (network down): nothing more to do
        log.warning("could not send the error reply", extra={"update_id": update_id})
