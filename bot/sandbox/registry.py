"""The Bot API method registry: name → implementation, case-insensitive like Telegram.

Why: the HTTP layer dispatches by name without knowing the methods; each method module
registers itself with :func:`method`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.sandbox.params import Params

if TYPE_CHECKING:
    from bot.sandbox.state import SandboxState

Method = Callable[["SandboxState", Params], Any | Awaitable[Any]]
M = TypeVar("M", bound=Method)
METHODS: dict[str, Method] = {}
CANONICAL: dict[str, str] = {}
#: Methods that put a message in a chat: subject to flood limits.
MESSAGE_METHODS = {"sendmessage", "senddocument", "sendphoto", "sendlocation", "sendvenue"}


def method(name: str) -> Callable[[M], M]:
    """Register a Bot API method (names are case-insensitive, as in Telegram)."""

    def register(func: M) -> M:
        METHODS[name.lower()] = func
        CANONICAL[name.lower()] = name
        return func

    return register
