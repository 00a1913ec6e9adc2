"""A local stand-in for the Telegram Bot API, plus a terminal chat client.

Why: nobody can reach Telegram from dev machines or CI. The unchanged PTB ``Application``
talks HTTP to :class:`BotApiSandbox`; tests drive it through :class:`SandboxUser`::

    async with BotApiSandbox() as sandbox:
        app = sandbox_builder(sandbox).build()          # bot.sandbox.ptb
        add_handlers(app)
        async with polling(app, sandbox):               # bot.sandbox.ptb
            ana = sandbox.user(1001, "Ana")
            await ana.send("/status")
            reply = await ana.next_reply()
            await ana.press("Snooze 1 week")
"""

from bot.sandbox.limits import FaultInjector, RateLimiter
from bot.sandbox.records import (
    ApiError,
    CallbackAnswer,
    ChatEvent,
    Edit,
    InlineButton,
    SandboxStats,
    SentFile,
    SentMessage,
)
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.user import SandboxUser

__all__ = [
    "ApiError",
    "BotApiSandbox",
    "CallbackAnswer",
    "ChatEvent",
    "Edit",
    "FaultInjector",
    "InlineButton",
    "RateLimiter",
    "SandboxStats",
    "SandboxUser",
    "SentFile",
    "SentMessage",
]
