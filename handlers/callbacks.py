"""Button presses: compact, validated callback data and one router.

Callback data is ``action:arg:arg`` (at most 64 bytes). It comes from the client, so
it is parsed strictly (known action, integer or short-token arguments) and every
handler looks rows up through the presser's own scope: a forged id simply finds
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram.ext import Application, CallbackQueryHandler

from bot import texts
from handlers.turn import Turn, clinician_handler

MAX_CALLBACK_BYTES = 64
_ACTION = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
_ARG = re.compile(r"^[A-Za-z0-9_.\-]{0,40}$")

ButtonHandler = Callable[[Turn, "Press"], Awaitable[None]]
_routes: dict[str, ButtonHandler] = {}


MAX_ID = 2**31 - 1
"""The largest value of an ``INTEGER`` column (ids, and every number in callback data)."""


@dataclass(frozen=True, slots=True)
class Press:
    """A parsed button press."""

    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int | None:
        """The argument as a non-negative int, or None if absent, malformed, or beyond
        the database's integer ids (a forged "cred:del:2147483648" failed the update on
        PostgreSQL: found by the fuzz suite)."""
        if index >= len(self.args):
            return None
        value = self.args[index]
        if not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
            return None
        return int(value)

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default


def encode(action: str, *args: object) -> str:
    """Build callback data; raises if it would break Telegram's 64-byte limit."""
    parts = [action, *(str(arg) for arg in args)]
    if not _ACTION.match(action) or not all(_ARG.match(part) for part in parts[1:]):
        raise ValueError(f"bad callback parts: {parts!r}")
    data = ":".join(parts)
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def decode(data: str | None) -> Press | None:
    """Parse callback data strictly; None for anything unexpected."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    action, *args = data.split(":")
    if not _ACTION.match(action) or not all(_ARG.match(arg) for arg in args):
        return None
    return Press(action, tuple(args))


def route(action: str) -> Callable[[ButtonHandler], ButtonHandler]:
    """Register the handler for one button action."""

    def decorator(fn: ButtonHandler) -> ButtonHandler:
        if action in _routes:
            raise ValueError(f"two handlers for button action {action!r}")
        _routes[action] = fn
        return fn

    return decorator


@clinician_handler
async def on_button(turn: Turn) -> None:
    """Dispatch a button press to its action's handler, or say it has expired."""
    query = turn.update.callback_query
    press = decode(query.data if query else None)
    handler = _routes.get(press.action) if press else None
    if press is None or handler is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await handler(turn, press)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(on_button))
