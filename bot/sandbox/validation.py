"""Telegram's checks on message text and inline keyboards, with its error wording.

Why: a stray ``<br>``, a 65-byte callback_data or a 4,097-character text is a 400 in
production; the sandbox must fail the same way so tests catch it.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.markup import ParseError, parse_text, utf16_len
from bot.sandbox.params import Params
from bot.sandbox.records import bad_request

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def visible_text(
    p: Params, field: str, *, limit: int, required: bool
) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(visible text, raw text, entities) for a text/caption field, validated like Telegram."""
    raw = p.string(field)
    empty = "message text is empty" if field == "text" else "message caption is empty"
    if raw is None or not raw.strip():
        if required:
            raise bad_request(empty)
        return None, None, []
    parse_mode = p.string("parse_mode")
    entities_field = "entities" if field == "text" else "caption_entities"
    try:
        text, entities = parse_text(raw, parse_mode)
    except ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc
    except ValueError as exc:
        raise bad_request(f"unsupported parse_mode {parse_mode}") from exc
    if not parse_mode and entities_field in p:
        given = p.json(entities_field, error="can't parse entities JSON object")
        entities = given if isinstance(given, list) else []
    if not text.strip():
        raise bad_request(empty)
    if utf16_len(text) > limit:
        raise bad_request(
            "message is too long" if field == "text" else "message caption is too long"
        )
    return text, raw, entities


def reply_markup(p: Params) -> dict[str, Any] | None:
    """The parsed reply_markup, with inline keyboards checked like Telegram checks them."""
    markup = p.json("reply_markup", error="can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > 100:
        raise bad_request("reply markup is too long")
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"^(https?|tg)://[^\s/$.?#][^\s]*$", str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")
