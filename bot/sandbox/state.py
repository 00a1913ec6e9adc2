"""The sandbox's memory: users, chats, the update queue, what the bot sent, stored files.

Why: one source of truth for the HTTP methods (the bot's side) and the push/wait API (the
user's side, :mod:`incoming`); everything runs in one event loop, so no locks are needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.clock import Clock
from bot.sandbox.limits import FaultInjector, RateLimiter
from bot.sandbox.records import (
    CallbackAnswer,
    ChatEvent,
    Edit,
    SandboxStats,
    SentFile,
    SentMessage,
    bad_request,
)

T = TypeVar("T")
CHAT_TYPES = ("private", "group", "supergroup", "channel")


class Signal:
    """Wakes every waiter when something changes: a lock-free condition variable."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, limit: float | None) -> None:
        """Until the next :meth:`fire` or ``limit`` seconds (None: no limit)."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), limit)

    async def wait_until(self, predicate: Callable[[], T | None], limit: float) -> T:
        """Return ``predicate()`` once it is not None; TimeoutError after ``limit`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            result = predicate()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            await self.wait(remaining)


@dataclass
class ChatLog:
    """One chat: its Telegram object, message-id sequence and everything that happened."""

    chat: dict[str, Any]
    next_message_id: int = 1
    sent: list[SentMessage] = field(default_factory=list)
    by_id: dict[int, SentMessage] = field(default_factory=dict)
    incoming: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    push_mark: int = 0

    @property
    def is_group(self) -> bool:
        return self.chat["type"] in ("group", "supergroup")

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


def image_size(data: bytes) -> tuple[int, int]:
    """Pixel size of an image, (0, 0) if Pillow cannot read it."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return 0, 0


class SandboxState:
    """What the sandbox knows, shared by the HTTP methods and the waits of tests."""

    def __init__(
        self,
        token: str = "123456:SANDBOX",
        bot_username: str = "cme_sandbox_bot",
        bot_first_name: str = "CME Sandbox",
        *,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rate_limiter: RateLimiter | None = None,
        faults: FaultInjector | None = None,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<digits>:<secret>'")
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock = clock
        self.monotonic = monotonic
        self.rate_limiter = rate_limiter or RateLimiter(time_fn=monotonic)
        self.faults = faults or FaultInjector()
        self.blocked_chats: set[int] = set()
        self.stats = SandboxStats()
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.bot_settings: dict[str, Any] = {}
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_last_error: tuple[int, str] | None = None
        self.updates_signal = Signal()
        self.chat_signal = Signal()
        self.poll_signal = Signal()
        self.parked_polls = 0
        self.poll_generation = 0
        self.closing = False
        self.pending_updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._chats: dict[int, ChatLog] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._files: dict[str, SentFile] = {}
        self._files_by_path: dict[str, SentFile] = {}
        self._callback_ids: dict[int, str] = {}
        self.open_callbacks: set[str] = set()

    # -- identity -------------------------------------------------------------------------
    @property
    def bot_id(self) -> int:
        return int(self.bot_user["id"])

    @property
    def bot_username(self) -> str:
        return str(self.bot_user["username"])

    def now_date(self) -> int:
        """Unix time for Message.date, from the injected clock when there is one."""
        return int(self.clock.now().timestamp() if self.clock else time.time())

    # -- users and chats ------------------------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Register (or update) a human user and their private chat (chat id == user id)."""
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or f"User{user_id}",
        }
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value:
                user[key] = value
        self._users[user_id] = user
        private = {k: v for k, v in user.items() if k in ("first_name", "last_name", "username")}
        self.add_chat(user_id, "private", **private)
        return user

    def add_chat(self, chat_id: int, chat_type: str = "private", **fields: Any) -> dict[str, Any]:
        """Register a chat (title/username/first_name… as keyword fields); keeps its history."""
        if chat_type not in CHAT_TYPES:
            raise ValueError(f"chat_type must be one of {CHAT_TYPES}")
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = fields.pop("title", None) or f"Chat {chat_id}"
        chat.update({k: v for k, v in fields.items() if v is not None})
        if chat_id in self._chats:
            self._chats[chat_id].chat = chat
        else:
            self._chats[chat_id] = ChatLog(chat)
        return chat

    def user_info(self, user_id: int) -> dict[str, Any]:
        return self._users.get(user_id) or self.add_user(user_id)

    def chat_log(self, chat_id: int) -> ChatLog:
        """The log of a known chat (KeyError if the chat was never seen)."""
        return self._chats[chat_id]

    def find_chat(self, chat_ref: int | str | None) -> ChatLog | None:
        """Resolve a Bot API chat_id (number or @username) to a known chat."""
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            name = chat_ref[1:].lower()
            return next(
                (
                    log
                    for log in self._chats.values()
                    if str(log.chat.get("username", "")).lower() == name
                ),
                None,
            )
        try:
            return self._chats.get(int(chat_ref)) if chat_ref is not None else None
        except (TypeError, ValueError):
            return None

    # -- files ----------------------------------------------------------------------------
    def store_file(
        self, data: bytes, file_name: str | None, mime_type: str | None, kind: str
    ) -> SentFile:
        """Keep bytes under a fresh file_id and file_path so getFile + download return them."""
        seq = len(self._files) + 1
        # Telegram's paths are its own ("documents/file_3.pdf"): only a plain extension
        # of the sender's name survives, so "?" or "/" in a name never reach a URL.
        extension = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else ""
        if not re.fullmatch(r"[A-Za-z0-9]{1,10}", extension):
            extension = "bin"
        if kind == "photos":
            extension = "jpg"
        width, height = image_size(data) if kind == "photos" else (0, 0)
        stored = SentFile(
            file_id=f"{kind[:3].upper()}{seq:06d}{self.bot_id:x}",
            file_unique_id=f"U{seq:06d}",
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{kind}/file_{seq}.{extension}",
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_by_id(self, file_id: str) -> SentFile | None:
        return self._files.get(file_id)

    def file_by_path(self, file_path: str) -> SentFile | None:
        return self._files_by_path.get(file_path)

    # -- the update queue -----------------------------------------------------------------
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is assigned) and wake pollers/webhook."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self.pending_updates.append({"update_id": update_id, **update})
        self.updates_signal.fire()
        return update_id

    def confirm_updates(self, offset: int | None) -> None:
        """getUpdates offset semantics: forget updates below it (negative: keep the last -n)."""
        if offset is None:
            return
        if offset < 0:
            del self.pending_updates[: max(0, len(self.pending_updates) + offset)]
        else:
            self.pending_updates[:] = [u for u in self.pending_updates if u["update_id"] >= offset]

    def callback_query_id(self, update_id: int) -> str:
        return self._callback_ids[update_id]

    def webhook_changed(self) -> None:
        """Hook: setWebhook/deleteWebhook ran (the server starts or stops delivery)."""

    # -- what the bot did (recorded by the methods) -----------------------------------------
    def emit(self, log: ChatLog, event: ChatEvent) -> None:
        log.events.append(event)
        if event.kind == "edit" and event.edit is not None:
            log.edits.append(event.edit)
        self.chat_signal.fire()

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to ``chat_id`` (live records), oldest first."""
        log = self._chats.get(chat_id)
        return list(log.sent) if log else []

    def chat_events(self, chat_id: int) -> list[ChatEvent]:
        log = self._chats.get(chat_id)
        return list(log.events) if log else []

    def describe_chat(self, chat_id: int) -> str:
        sent = self.messages(chat_id)
        return "; ".join(m.describe() for m in sent) if sent else "nothing"

    async def wait_for_message(
        self,
        chat_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109
        after: int | None = None,
    ) -> SentMessage:
        """The first bot message in ``chat_id`` with id > ``after``.

        ``after`` defaults to the chat's state when the user last did something there
        (sent a message or pressed a button), i.e. "the reply to what the user just did";
        without a new user action it returns the same message again. To read replies one
        after another, use :meth:`SandboxUser.next_reply`.
        """

        def find() -> SentMessage | None:
            log = self._chats.get(chat_id)
            if log is None:
                return None
            mark = log.push_mark if after is None else after
            return next((m for m in log.sent if m.message_id > mark), None)

        try:
            return await self.chat_signal.wait_until(find, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no bot message in chat {chat_id} within {timeout}s; "
                f"sent there: {self.describe_chat(chat_id)}"
            ) from None

    async def wait_for_event(
        self,
        chat_id: int,
        index: int,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> ChatEvent:
        """The ``index``-th thing the bot did in ``chat_id``, waiting for it to happen."""

        def find() -> ChatEvent | None:
            log = self._chats.get(chat_id)
            return log.events[index] if log and len(log.events) > index else None

        return await self.chat_signal.wait_until(find, timeout if timeout is not None else 1e9)

    async def wait_for_callback_answer(
        self,
        update_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for the press pushed as ``update_id``."""
        query_id = self._callback_ids[update_id]
        try:
            return await self.chat_signal.wait_until(
                lambda: self.callback_answers.get(query_id), timeout
            )
        except TimeoutError:
            raise TimeoutError(
                f"callback query {query_id} was not answered in {timeout}s"
            ) from None

    async def wait_for_parked_poll(self, timeout: float = 1.0) -> bool:  # noqa: ASYNC109
        """Wait until the bot has fetched every update and sits in a long poll.

        Stop PTB only then: cancelling its polling task while a getUpdates answer is being
        closed leaves httpcore's one-connection pool busy, and the final getUpdates of
        ``Updater.stop()`` then fails after a 1 s pool timeout.
        """

        def parked() -> bool | None:
            return True if self.parked_polls and not self.pending_updates else None

        try:
            return await self.poll_signal.wait_until(parked, timeout)
        except TimeoutError:
            return False

    def require_chat(self, chat_ref: Any) -> ChatLog:
        log = self.find_chat(chat_ref)
        if log is None:
            raise bad_request("chat not found")
        return log


def photo_size(stored: SentFile) -> dict[str, Any]:
    """A PhotoSize object for a stored image."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width,
        "height": stored.height,
        "file_size": stored.size,
    }
