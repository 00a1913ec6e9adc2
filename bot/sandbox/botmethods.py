"""Bot-level methods: getMe, getUpdates (long polling), files, commands, profile settings.

Why: PTB calls these to start (getMe, deleteWebhook), to poll, and to download files; they
must behave like Telegram's, including getUpdates' offset and conflict rules.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from bot.sandbox.messages import target_chat
from bot.sandbox.params import Params
from bot.sandbox.records import ApiError, CallbackAnswer, bad_request
from bot.sandbox.registry import Method, method
from bot.sandbox.state import SandboxState

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@method("getMe")
def get_me(core: SandboxState, p: Params) -> dict[str, Any]:
    return core.bot_user


@method("getUpdates")
async def get_updates(core: SandboxState, p: Params) -> list[dict[str, Any]]:
    """Long polling; a newer call ends an older one with 409, as Telegram does."""
    if core.webhook_url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    core.confirm_updates(p.integer("offset"))
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = max(p.number("timeout") or 0.0, 0.0)
    core.poll_generation += 1
    generation = core.poll_generation
    core.updates_signal.fire()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if generation != core.poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if core.pending_updates or core.closing:
            return core.pending_updates[:limit]
        remaining = deadline - loop.time()
        if remaining <= 0:
            return []
        core.parked_polls += 1
        core.poll_signal.fire()
        try:
            await core.updates_signal.wait(remaining)
        finally:
            core.parked_polls -= 1


@method("getChat")
def get_chat(core: SandboxState, p: Params) -> dict[str, Any]:
    return target_chat(core, p).chat


@method("answerCallbackQuery")
def answer_callback_query(core: SandboxState, p: Params) -> bool:
    query_id = p.string(
        "callback_query_id",
        missing="query is too old and response timeout expired or query ID is invalid",
    )
    if query_id not in core.open_callbacks:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.string("text")
    if text and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    core.open_callbacks.discard(query_id)
    core.callback_answers[query_id] = CallbackAnswer(
        query_id, text, p.flag("show_alert"), p.string("url")
    )
    core.chat_signal.fire()
    return True


@method("getFile")
def get_file(core: SandboxState, p: Params) -> dict[str, Any]:
    stored = core.file_by_id(p.string("file_id", missing="invalid file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


def _commands_key(p: Params) -> str:
    scope = p.json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (p.string("language_code") or "")


@method("setMyCommands")
def set_my_commands(core: SandboxState, p: Params) -> bool:
    commands = p.json("commands", error="can't parse commands JSON object")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 BotCommand")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND_NAME.match(
            str(command.get("command", ""))
        ):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    core.commands[_commands_key(p)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@method("getMyCommands")
def get_my_commands(core: SandboxState, p: Params) -> list[dict[str, Any]]:
    return core.commands.get(_commands_key(p), [])


@method("deleteMyCommands")
def delete_my_commands(core: SandboxState, p: Params) -> bool:
    core.commands.pop(_commands_key(p), None)
    return True


def _setting(name: str, default: Any) -> tuple[Method, Method]:
    """A setter/getter pair for a per-language bot profile setting (description, name...)."""

    def key(p: Params) -> str:
        return f"{name}|{p.string('language_code') or ''}"

    def setter(core: SandboxState, p: Params) -> bool:
        core.bot_settings[key(p)] = p.json(name) if name == "menu_button" else p.string(name)
        return True

    def getter(core: SandboxState, p: Params) -> Any:
        value = core.bot_settings.get(key(p))
        if name == "menu_button":
            return value or default
        return {name: value or ""}

    return setter, getter


for _name, _field, _default in (
    ("MyDescription", "description", None),
    ("MyShortDescription", "short_description", None),
    ("MyName", "name", None),
    ("ChatMenuButton", "menu_button", {"type": "commands"}),
):
    _set, _get = _setting(_field, _default)
    method(f"set{_name}")(_set)
    method(f"get{_name}")(_get)
