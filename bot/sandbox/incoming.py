"""What users do, pushed as updates: messages, commands, button presses, files, locations.

Why: tests and the terminal chat act as Telegram clients would, producing the exact update
shapes PTB parses (``bot_command`` entities in UTF-16, chat id == user id in private chats).
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.markup import utf16_len
from bot.sandbox.state import ChatLog, SandboxState, photo_size

DEFAULT_USER_ID = 1001
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities for every /command in ``text``, as Telegram clients add them."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0])}
        for m in _COMMAND.finditer(text)
    ]


class SandboxCore(SandboxState):
    """The state plus the user-side push API; the HTTP layer lives in :mod:`server`."""

    def _chat_for(self, user_id: int, chat_id: int | None, chat_type: str) -> ChatLog:
        self.user_info(user_id)
        if chat_type == "private":
            if chat_id not in (None, user_id):
                raise ValueError("a private chat's id is the user's id")
            return self._chats[user_id]
        if chat_id is None:
            raise ValueError(f"chat_id is required for {chat_type} chats")
        if chat_id not in self._chats or self._chats[chat_id].chat["type"] != chat_type:
            self.add_chat(chat_id, chat_type)
        return self._chats[chat_id]

    def _existing_chat(self, user_id: int, chat_id: int | None) -> ChatLog:
        self.user_info(user_id)
        log = self._chats.get(user_id if chat_id is None else chat_id)
        if log is None:
            raise ValueError(f"chat {chat_id} is unknown to the sandbox")
        return log

    def _push_message(
        self, content: dict[str, Any], user_id: int, chat_id: int | None, chat_type: str
    ) -> int:
        log = self._chat_for(user_id, chat_id, chat_type)
        message: dict[str, Any] = {
            "message_id": log.take_message_id(),
            "date": self.now_date(),
            "chat": log.chat,
            **content,
        }
        if chat_type == "channel":
            message["sender_chat"] = log.chat
        else:
            message["from"] = self.user_info(user_id)
        log.incoming[message["message_id"]] = message
        log.push_mark = message["message_id"]
        key = "channel_post" if chat_type == "channel" else "message"
        return self.push_update({key: message})

    def push_text(
        self,
        text: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A text message from a user; /commands get ``bot_command`` entities automatically."""
        content: dict[str, Any] = {"text": text}
        found = command_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        if reply_to_message_id is not None:
            log = self._chat_for(user_id, chat_id, chat_type)
            target = log.incoming.get(reply_to_message_id) or (
                log.by_id[reply_to_message_id].payload if reply_to_message_id in log.by_id else None
            )
            if target is None:
                raise ValueError(f"no message {reply_to_message_id} to reply to")
            content["reply_to_message"] = target
        return self._push_message(content, user_id, chat_id, chat_type)

    def push_command(
        self,
        command: str,
        args: str = "",
        *,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
        mention: bool = False,
    ) -> int:
        """``/command[@bot] args`` with the entity at offset 0 (UTF-16 length)."""
        word = "/" + command.lstrip("/") + (f"@{self.bot_username}" if mention else "")
        text = f"{word} {args}".rstrip()
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(word)}
        return self.push_text(
            text, user_id=user_id, chat_id=chat_id, chat_type=chat_type, entities=[entity]
        )

    def push_callback(
        self,
        message_id: int,
        data: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
    ) -> int:
        """A button press on the bot's message ``message_id`` carrying ``data`` (unchecked)."""
        log = self._existing_chat(user_id, chat_id)
        message = log.by_id.get(message_id)
        if message is None or message.deleted:
            sent = ", ".join(m.describe() for m in log.sent) or "nothing"
            raise ValueError(
                f"no live bot message {message_id} in chat {log.chat['id']}; sent: {sent}"
            )
        query_id = f"{self._next_update_id}{self.bot_id % 1000:03d}"
        query = {
            "id": query_id,
            "from": self.user_info(user_id),
            "message": message.payload,
            "chat_instance": str(log.chat["id"]),
            "data": data,
        }
        log.push_mark = log.next_message_id - 1
        self.open_callbacks.add(query_id)
        update_id = self.push_update({"callback_query": query})
        self._callback_ids[update_id] = query_id
        return update_id

    def push_location(
        self,
        latitude: float,
        longitude: float,
        *,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """A shared location pin."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._push_message({"location": location}, user_id, chat_id, chat_type)

    def push_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """A document upload; the bytes are served back by getFile + download."""
        stored = self.store_file(data, file_name, mime_type, "documents")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "file_size": stored.size,
        }
        if mime_type:
            document["mime_type"] = mime_type
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return self._push_message(content, user_id, chat_id, chat_type)

    def push_photo(
        self,
        data: bytes,
        *,
        caption: str | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """A photo (one size); the bytes are served back by getFile + download."""
        stored = self.store_file(data, None, "image/jpeg", "photos")
        content: dict[str, Any] = {"photo": [photo_size(stored)]}
        if caption:
            content["caption"] = caption
        return self._push_message(content, user_id, chat_id, chat_type)

    def push_edited_message(
        self,
        message_id: int,
        text: str,
        *,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
    ) -> int:
        """The user edits one of their earlier text messages."""
        log = self._existing_chat(user_id, chat_id)
        original = log.incoming.get(message_id)
        if original is None:
            raise ValueError(f"user message {message_id} not found in chat {log.chat['id']}")
        edited = {**original, "text": text, "edit_date": self.now_date()}
        edited.pop("entities", None)
        if found := command_entities(text):
            edited["entities"] = found
        log.incoming[message_id] = edited
        key = "edited_channel_post" if log.chat["type"] == "channel" else "edited_message"
        return self.push_update({key: edited})
