"""A tiny PTB bot used by the sandbox tests and the terminal-chat script.

Why: the sandbox must be proven against the real, unchanged PTB Application: commands,
buttons, file downloads, long and emoji texts, edits.
"""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

MENU = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Snooze 1 week", callback_data="snooze:7"),
            InlineKeyboardButton("Done", callback_data="done"),
        ],
        [InlineKeyboardButton("Send a file", callback_data="file")],
    ]
)
REPORT = b"%PDF-1.4\n% sandbox test transcript\n"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with HTML, so the sandbox validates and the terminal renders it."""
    assert update.effective_message and update.effective_user
    await update.effective_message.reply_text(
        f"Hello <b>{update.effective_user.first_name}</b>, args={context.args}",
        parse_mode=ParseMode.HTML,
    )


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer an inline keyboard."""
    assert update.effective_message
    await update.effective_message.reply_text("What now?", reply_markup=MENU)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer a reply keyboard (under the input field), one of whose buttons asks for location."""
    assert update.effective_message
    keyboard: list[list[str | KeyboardButton]] = [
        ["Yes", "No"],
        [KeyboardButton("Share location", request_location=True)],
    ]
    markup = ReplyKeyboardMarkup(keyboard, one_time_keyboard=True)
    await update.effective_message.reply_text("Did you attend?", reply_markup=markup)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press, then edit the message or send a document."""
    query = update.callback_query
    assert query and query.message
    await query.answer(f"Noted: {query.data}")
    if query.data == "file":
        await context.bot.send_document(
            query.message.chat.id, REPORT, filename="transcript.pdf", caption="Your file"
        )
    else:
        await query.edit_message_text(f"You chose {query.data}")


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download an uploaded document through getFile + the file URL."""
    message = update.effective_message
    assert message and message.document
    data = await (await context.bot.get_file(message.document.file_id)).download_as_bytearray()
    digest = hashlib.sha256(data).hexdigest()[:12]
    await message.reply_text(f"got {message.document.file_name}: {len(data)} bytes sha {digest}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message and message.photo
    data = await (await context.bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    await message.reply_text(f"photo {len(data)} bytes")


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message and message.location
    await message.reply_text(
        f"you are at {message.location.latitude}, {message.location.longitude}"
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo short texts; long ones are acknowledged by length (a reply may not exceed 4096)."""
    message = update.effective_message
    assert message and message.text is not None
    context.bot_data.setdefault("texts", []).append(message.text)
    reply = (
        f"echo: {message.text}" if len(message.text) <= 200 else f"got {len(message.text)} chars"
    )
    await message.reply_text(reply)


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.edited_message
    assert message
    await message.reply_text(f"you edited to: {message.text}")


def add_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the echo bot's handlers on ``app``."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(MessageHandler(filters.LOCATION, location))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
