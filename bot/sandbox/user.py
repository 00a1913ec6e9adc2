"""SandboxUser: a clinician in a private chat, as end-to-end tests drive one.

Why: tests should read like a conversation (send, read the reply, press a button) and stay
race-free: each user keeps cursors into the chat's history, so "the next reply" means the
next message not yet read, however fast the bot answered.
"""

from __future__ import annotations

import asyncio
import mimetypes
from typing import TYPE_CHECKING

from bot.sandbox.records import CallbackAnswer, Edit, SentMessage

if TYPE_CHECKING:
    from bot.sandbox.incoming import SandboxCore

REPLY_WAIT = 15.0
"""How long to wait for a reply that must come. Only a failing test waits it out; on a
loaded machine (tests on every core) a chart or transcript can take over 5 s. Silence is
judged by ``replies_until_quiet``, not by this."""


class SandboxUser:
    """A human user; their private chat id equals their user id, as in Telegram."""

    def __init__(self, sandbox: SandboxCore, user_id: int) -> None:
        self.sandbox = sandbox
        self.user_id = user_id
        self.chat_id = user_id
        log = sandbox.chat_log(self.chat_id)
        self._reply_cursor = len(log.sent)
        self._edit_cursor = len(log.edits)
        self.last_update_id: int | None = None

    def __repr__(self) -> str:
        return f"SandboxUser({self.user_id})"

    # -- acting -----------------------------------------------------------------------------
    async def send(self, text: str) -> int:
        """Type a message; /commands get their ``bot_command`` entities."""
        self.last_update_id = self.sandbox.push_text(text, user_id=self.user_id)
        return self.last_update_id

    async def press(self, button_text: str, *, message_id: int | None = None) -> int:
        """Press the button labelled ``button_text`` on ``message_id`` (default: the latest
        bot message that has an inline keyboard)."""
        message = self._keyboard_message(message_id)
        buttons = message.inline_buttons
        button = next((b for b in buttons if b.text == button_text), None)
        if button is None:
            folded = button_text.strip().casefold()
            button = next((b for b in buttons if b.text.strip().casefold() == folded), None)
        if button is None:
            raise LookupError(
                f"no button {button_text!r} on message #{message.message_id}; "
                f"available: {message.buttons}"
            )
        if button.callback_data is None:
            raise LookupError(
                f"button {button_text!r} opens {button.url!r}; it has no callback data"
            )
        return await self.press_data(button.callback_data, message.message_id)

    async def press_data(self, data: str, message_id: int) -> int:
        """Send raw (possibly forged) callback data as if a button on ``message_id`` was pressed."""
        self.last_update_id = self.sandbox.push_callback(message_id, data, user_id=self.user_id)
        return self.last_update_id

    async def share_location(self, latitude: float, longitude: float) -> int:
        self.last_update_id = self.sandbox.push_location(latitude, longitude, user_id=self.user_id)
        return self.last_update_id

    async def upload(
        self,
        filename: str,
        data: bytes,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
    ) -> int:
        """Send a document (mime type guessed from the name when not given)."""
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.last_update_id = self.sandbox.push_document(
            data, filename, mime, caption=caption, user_id=self.user_id
        )
        return self.last_update_id

    async def send_photo(self, data: bytes, *, caption: str | None = None) -> int:
        self.last_update_id = self.sandbox.push_photo(data, caption=caption, user_id=self.user_id)
        return self.last_update_id

    async def edit(self, message_id: int, text: str) -> int:
        """Edit one of this user's earlier messages."""
        self.last_update_id = self.sandbox.push_edited_message(
            message_id, text, user_id=self.user_id
        )
        return self.last_update_id

    # -- reading ----------------------------------------------------------------------------
    @property
    def messages(self) -> list[SentMessage]:
        """Everything the bot sent to this user (live records), read or not."""
        return self.sandbox.messages(self.chat_id)

    def message(self, message_id: int) -> SentMessage:
        """A bot message by id, in its current (possibly edited) state."""
        log = self.sandbox.chat_log(self.chat_id)
        if message_id not in log.by_id:
            raise LookupError(
                f"no bot message #{message_id}; sent: {self.sandbox.describe_chat(self.chat_id)}"
            )
        return log.by_id[message_id]

    async def next_reply(self, timeout: float = REPLY_WAIT) -> SentMessage:  # noqa: ASYNC109
        """The next bot message this user has not read yet (each call consumes one)."""
        log = self.sandbox.chat_log(self.chat_id)

        def unread() -> SentMessage | None:
            return log.sent[self._reply_cursor] if len(log.sent) > self._reply_cursor else None

        try:
            message = await self.sandbox.chat_signal.wait_until(unread, timeout)
        except TimeoutError:
            read = log.sent[: self._reply_cursor]
            raise TimeoutError(
                f"{self}: no new bot message within {timeout}s; already read: "
                + ("; ".join(m.describe() for m in read[-5:]) or "nothing")
            ) from None
        self._reply_cursor += 1
        return message

    async def replies_until_quiet(
        self,
        quiet: float = 0.3,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Read replies until none arrives for ``quiet`` seconds (may be empty)."""
        replies: list[SentMessage] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            try:
                replies.append(await self.next_reply(min(quiet, deadline - loop.time())))
            except TimeoutError:
                break
        return replies

    async def next_edit(self, timeout: float = REPLY_WAIT) -> Edit:  # noqa: ASYNC109
        """The next edit the bot made to a message in this chat (each call consumes one)."""
        log = self.sandbox.chat_log(self.chat_id)

        def unseen() -> Edit | None:
            return log.edits[self._edit_cursor] if len(log.edits) > self._edit_cursor else None

        try:
            edit = await self.sandbox.chat_signal.wait_until(unseen, timeout)
        except TimeoutError:
            raise TimeoutError(f"{self}: the bot edited nothing within {timeout}s") from None
        self._edit_cursor += 1
        return edit

    async def callback_answer(
        self,
        update_id: int | None = None,
        timeout: float = REPLY_WAIT,  # noqa: ASYNC109
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for a press (default: this user's last action)."""
        target = update_id if update_id is not None else self.last_update_id
        if target is None:
            raise LookupError(f"{self} pressed nothing yet")
        return await self.sandbox.wait_for_callback_answer(target, timeout)

    def mark_all_read(self) -> None:
        """Skip every reply and edit so far (e.g. after onboarding)."""
        log = self.sandbox.chat_log(self.chat_id)
        self._reply_cursor, self._edit_cursor = len(log.sent), len(log.edits)

    def _keyboard_message(self, message_id: int | None) -> SentMessage:
        if message_id is not None:
            return self.message(message_id)
        for message in reversed(self.messages):
            if message.inline_buttons and not message.deleted:
                return message
        raise LookupError(
            f"{self}: no bot message with an inline keyboard; sent: "
            f"{self.sandbox.describe_chat(self.chat_id)}"
        )
