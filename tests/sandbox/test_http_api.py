"""The sandbox speaks the Bot API over real HTTP: shapes, long polling, validation, files."""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx
import pytest

from bot.sandbox import BotApiSandbox
from tests.sandbox.conftest import BotApi

USER = 1001


async def test_get_me_with_empty_body(sandbox: BotApiSandbox) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sandbox.base_url}{sandbox.token}/getMe")
    body = response.json()
    assert response.status_code == 200 and body["ok"]
    assert body["result"]["is_bot"] is True
    assert body["result"]["username"] == "cme_sandbox_bot"
    assert body["result"]["id"] == 123456 and body["result"]["first_name"]


async def test_wrong_token_is_401_and_unknown_method_404(sandbox: BotApiSandbox) -> None:
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{sandbox.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{sandbox.base_url}{sandbox.token}/sendTelepathy")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found"


async def test_long_poll_returns_early_when_an_update_arrives(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    update_id = sandbox.push_text("hi", user_id=USER)
    updates = await poll
    assert time.monotonic() - started < 1.0
    assert [u["update_id"] for u in updates] == [update_id]
    message = updates[0]["message"]
    assert message["text"] == "hi" and message["chat"] == {
        "id": USER,
        "type": "private",
        "first_name": f"User{USER}",
    }


async def test_long_poll_honours_timeout_when_nothing_arrives(api: BotApi) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=0.3) == []
    assert 0.25 <= time.monotonic() - started < 1.0


async def test_offset_confirms_earlier_updates_and_limit_caps(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    ids = [sandbox.push_text(f"m{i}", user_id=USER) for i in range(5)]
    assert [u["update_id"] for u in await api.ok("getUpdates", limit=2)] == ids[:2]
    assert [u["update_id"] for u in await api.ok("getUpdates")] == ids  # nothing confirmed yet
    assert [u["update_id"] for u in await api.ok("getUpdates", offset=ids[3])] == ids[3:]
    assert [u["update_id"] for u in await api.ok("getUpdates", offset=ids[1])] == ids[3:]
    assert await api.ok("getUpdates", offset=ids[-1] + 1) == []
    assert sandbox.pending_updates == []


async def test_a_newer_poll_terminates_the_older_with_409(api: BotApi) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=5))
    await asyncio.sleep(0.05)
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await first
    assert status == 409 and "terminated by other getUpdates" in body["description"]


async def test_command_entity_uses_utf16_length(sandbox: BotApiSandbox, api: BotApi) -> None:
    sandbox.push_command("status", "now", user_id=USER, mention=True)
    sandbox.push_text("😀 try /help", user_id=USER)
    first, second = await api.ok("getUpdates")
    assert first["message"]["text"] == "/status@cme_sandbox_bot now"
    assert first["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
    assert second["message"]["entities"] == [{"type": "bot_command", "offset": 7, "length": 5}]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "   "}, "Bad Request: message text is empty"),
        ({"text": "a<br>b", "parse_mode": "HTML"}, 'Unsupported start tag "br"'),
        ({"text": "<b>bold", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "<b><i>x</b></i>", "parse_mode": "HTML"}, "Unmatched end tag"),
        ({"text": "1.5 credits", "parse_mode": "MarkdownV2"}, "Character '.' is reserved"),
        ({"text": "x", "chat_id": 424242}, "Bad Request: chat not found"),
        (
            {
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "b", "callback_data": "d" * 65}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_send_message_validation(
    sandbox: BotApiSandbox, api: BotApi, params: dict[str, object], description: str
) -> None:
    sandbox.add_user(USER)
    status, body = await api.call("sendMessage", **{"chat_id": USER, **params})
    assert status == 400 and body["error_code"] == 400
    assert description in body["description"]
    assert sandbox.messages(USER) == []


async def test_html_is_parsed_into_visible_text_and_entities(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    user = sandbox.user(USER)
    html = '<b>12</b> of 50 credits &amp; <a href="https://example.org/cme">details</a> 🎉'
    result = await api.ok("sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert result["text"] == "12 of 50 credits & details 🎉"
    assert result["from"]["is_bot"] and result["chat"]["id"] == USER
    assert {"type": "bold", "offset": 0, "length": 2} in result["entities"]
    reply = await user.next_reply()
    assert reply.text == result["text"] and reply.raw_text == html and reply.parse_mode == "HTML"


async def test_form_encoded_and_json_bodies_are_equivalent(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    sandbox.add_user(USER)
    markup = {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}
    form = await api.client.post(
        "sendMessage",
        data={"chat_id": str(USER), "text": "form", "reply_markup": json.dumps(markup)},
    )
    as_json = await api.client.post(
        "sendMessage", json={"chat_id": USER, "text": "json", "reply_markup": markup}
    )
    assert form.json()["result"]["reply_markup"] == markup
    assert as_json.json()["result"]["reply_markup"] == markup
    assert [m.buttons for m in sandbox.messages(USER)] == [[["Done"]], [["Done"]]]


async def test_edit_delete_and_their_errors(sandbox: BotApiSandbox, api: BotApi) -> None:
    user = sandbox.user(USER)
    sent = await api.ok("sendMessage", chat_id=USER, text="draft")
    message_id = sent["message_id"]
    edited = await api.ok("editMessageText", chat_id=USER, message_id=message_id, text="final")
    assert edited["text"] == "final" and "edit_date" in edited
    status, body = await api.call(
        "editMessageText", chat_id=USER, message_id=message_id, text="final"
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    status, body = await api.call("editMessageText", chat_id=USER, message_id=999, text="x")
    assert body["description"] == "Bad Request: message to edit not found"
    assert (await user.next_edit()).text == "final"
    assert await api.ok("deleteMessage", chat_id=USER, message_id=message_id) is True
    status, body = await api.call("deleteMessage", chat_id=USER, message_id=message_id)
    assert body["description"] == "Bad Request: message to delete not found"
    record = user.message(message_id)
    assert (
        record.deleted
        and record.text == "final"
        and [e.previous_text for e in record.edits] == ["draft"]
    )


async def test_multipart_document_round_trip(sandbox: BotApiSandbox, api: BotApi) -> None:
    sandbox.add_user(USER)
    payload = os.urandom(3000) + b"\r\n--boundary-like--\r\n"
    response = await api.client.post(
        "sendDocument",
        data={"chat_id": str(USER), "caption": "<i>transcript</i>", "parse_mode": "HTML"},
        files={"document": ("transcript.pdf", payload, "application/pdf")},
    )
    result = response.json()["result"]
    document = result["document"]
    assert document["file_name"] == "transcript.pdf" and document["file_size"] == len(payload)
    assert result["caption"] == "transcript"
    file_info = await api.ok("getFile", file_id=document["file_id"])
    quoted_token = sandbox.token.replace(":", "%3A")
    async with httpx.AsyncClient() as client:
        download = await client.get(
            f"{sandbox.base_file_url}{quoted_token}/{file_info['file_path']}"
        )
    assert download.status_code == 200 and download.content == payload
    assert sandbox.messages(USER)[0].document is not None
    assert sandbox.messages(USER)[0].document.data == payload  # type: ignore[union-attr]


async def test_commands_chat_actions_and_location(sandbox: BotApiSandbox, api: BotApi) -> None:
    sandbox.add_user(USER)
    commands = [{"command": "status", "description": "Where you stand"}]
    assert await api.ok("setMyCommands", commands=commands) is True
    assert await api.ok("getMyCommands") == commands
    status, _ = await api.call("setMyCommands", commands=[{"command": "Bad!", "description": "x"}])
    assert status == 400
    assert await api.ok("sendChatAction", chat_id=USER, action="typing") is True
    venue = await api.ok(
        "sendVenue", chat_id=USER, latitude=42.36, longitude=-71.06, title="MGH", address="Boston"
    )
    assert venue["venue"]["title"] == "MGH" and venue["location"]["latitude"] == 42.36
    assert sandbox.chat_log(USER).actions == ["typing"]


async def test_channel_posts_profile_settings_and_unknown_methods(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    sandbox.push_text("news", user_id=USER, chat_id=-1009, chat_type="channel")
    [update] = await api.ok("getUpdates")
    assert update["channel_post"]["sender_chat"]["type"] == "channel"
    assert "from" not in update["channel_post"]
    assert await api.ok("setMyDescription", description="Tracks your CME credits")
    assert await api.ok("getMyDescription") == {"description": "Tracks your CME credits"}
    assert await api.ok("getChatMenuButton") == {"type": "commands"}
    status, _ = await api.call("sendPoll", chat_id=USER, question="?")
    assert status == 404 and sandbox.stats.unknown_methods["sendPoll"] == 1


def test_file_paths_keep_only_a_plain_extension_of_the_senders_name() -> None:
    from bot.sandbox.state import SandboxState

    state = SandboxState()
    paths = [
        state.store_file(b"x", name, None, "documents").file_path
        for name in ("cert.pdf", ".?", "a.b?c=d", "x.p/df", "noext", None)
    ]
    assert paths == [
        "documents/file_1.pdf", "documents/file_2.bin", "documents/file_3.bin",
        "documents/file_4.bin", "documents/file_5.bin", "documents/file_6.bin",
    ]  # fmt: skip
