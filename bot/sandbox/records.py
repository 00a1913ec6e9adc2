"""What the sandbox remembers about the bot's output, in a shape tests can assert on.

Why: end-to-end tests read the bot's replies the way a user sees them (visible text, buttons,
files, later edits), not as raw HTTP payloads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's 'Bad Request: ' prefix."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class InlineButton:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SentFile:
    """A file the bot sent (or a user uploaded), with its bytes."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str = ""
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Edit:
    """One change the bot made to a message it had sent."""

    message: SentMessage
    method: str
    text: str | None
    reply_markup: dict[str, Any] | None
    previous_text: str | None
    at: float

    @property
    def buttons(self) -> list[list[str]]:
        return [[b.text for b in row] for row in keyboard_rows(self.reply_markup)]


def keyboard_rows(markup: dict[str, Any] | None) -> list[list[InlineButton]]:
    """Inline keyboard rows from a parsed reply_markup (empty for other markups)."""
    rows = (markup or {}).get("inline_keyboard") or []
    return [
        [InlineButton(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
        for row in rows
    ]


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent; live: edits and deletion update it in place.

    ``text`` is the visible text (entities parsed away); ``raw_text`` is what the bot sent.
    For media, ``caption``/``raw_caption`` play those roles.
    """

    message_id: int
    chat_id: int
    method: str
    date: int
    sent_at: float
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    document_file: SentFile | None = None
    photo_file: SentFile | None = None
    location: tuple[float, float] | None = None
    venue: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def inline_buttons(self) -> list[InlineButton]:
        return [button for row in keyboard_rows(self.reply_markup) for button in row]

    @property
    def buttons(self) -> list[list[str]]:
        """Rows of button texts of the current inline keyboard."""
        return [[b.text for b in row] for row in keyboard_rows(self.reply_markup)]

    @property
    def button_data(self) -> list[list[str | None]]:
        """Rows of callback_data, parallel to :attr:`buttons` (None for URL buttons)."""
        return [[b.callback_data for b in row] for row in keyboard_rows(self.reply_markup)]

    @property
    def reply_keyboard(self) -> list[list[str]]:
        """Rows of a reply keyboard's button texts (the keyboard under the input field)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    @property
    def document(self) -> SentFile | None:
        return self.document_file

    @property
    def photo(self) -> bytes | None:
        return self.photo_file.data if self.photo_file else None

    @property
    def shown_text(self) -> str:
        """Text or caption, whichever the message has (for logs and errors)."""
        return self.text if self.text is not None else (self.caption or "")

    def describe(self) -> str:
        """One line for error messages: id, kind and a text excerpt."""
        kind = self.method.removeprefix("send").lower()
        excerpt = self.shown_text.replace("\n", " ")
        excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "..."
        flags = " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {kind}{flags}: {excerpt!r}"


@dataclass(frozen=True)
class ChatEvent:
    """Something the bot did in a chat, in order: a new message, an edit, a deletion."""

    kind: Literal["message", "edit", "delete"]
    message: SentMessage
    edit: Edit | None = None


@dataclass
class CallbackAnswer:
    """The bot's answerCallbackQuery for a button press (the toast or alert)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class SandboxStats:
    """Counters tests read to check rate limiting, faults and traffic."""

    requests: Counter[str] = field(default_factory=Counter)
    unknown_methods: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    rate_limited_by_chat: Counter[int] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    forbidden: int = 0
    webhook_deliveries: int = 0
    webhook_failures: int = 0
