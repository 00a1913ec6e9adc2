"""The unchanged PTB Application against the sandbox: commands, buttons, files, errors."""

from __future__ import annotations

import datetime as dtm
import hashlib
import io
from typing import Any

import pytest
from PIL import Image
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application

from bot.sandbox import BotApiSandbox
from tests.sandbox.echo_bot import REPORT

App = Application[Any, Any, Any, Any, Any, Any]


async def test_command_gets_an_html_answer(sandbox: BotApiSandbox, echo_bot: App) -> None:
    user = sandbox.user(1001, "Ana")
    await user.send("/start now")
    reply = await user.next_reply()
    assert reply.text == "Hello Ana, args=['now']"
    assert reply.raw_text == "Hello <b>Ana</b>, args=['now']"
    assert reply.entities == [{"type": "bold", "offset": 6, "length": 3}]


async def test_button_press_edits_the_message_and_answers(
    sandbox: BotApiSandbox, echo_bot: App
) -> None:
    user = sandbox.user(1001)
    await user.send("/menu")
    menu = await user.next_reply()
    assert menu.buttons == [["Snooze 1 week", "Done"], ["Send a file"]]
    assert menu.button_data == [["snooze:7", "done"], ["file"]]
    with pytest.raises(LookupError, match=r"available: .*Snooze 1 week"):
        await user.press("Snooze forever")
    await user.press("Snooze 1 week")
    edit = await user.next_edit()
    assert edit.text == "You chose snooze:7" and edit.message is menu
    assert menu.text == "You chose snooze:7" and menu.buttons == []  # keyboard removed
    assert (await user.callback_answer()).text == "Noted: snooze:7"


async def test_bot_sends_a_document(sandbox: BotApiSandbox, echo_bot: App) -> None:
    user = sandbox.user(1001)
    await user.send("/menu")
    await user.next_reply()
    await user.press("Send a file")
    reply = await user.next_reply()
    assert reply.document is not None
    assert (reply.document.file_name, reply.document.data) == ("transcript.pdf", REPORT)
    assert reply.caption == "Your file"


async def test_uploaded_document_is_downloaded_by_the_bot(
    sandbox: BotApiSandbox, echo_bot: App
) -> None:
    user = sandbox.user(1001)
    data = bytes(range(256)) * 40
    await user.upload("certificate.pdf", data)
    reply = await user.next_reply()
    digest = hashlib.sha256(data).hexdigest()[:12]
    assert reply.text == f"got certificate.pdf: {len(data)} bytes sha {digest}"


async def test_photo_location_and_edited_message(sandbox: BotApiSandbox, echo_bot: App) -> None:
    user = sandbox.user(1001)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(png, format="PNG")
    await user.send_photo(png.getvalue())
    assert (await user.next_reply()).text == f"photo {len(png.getvalue())} bytes"
    await user.share_location(42.36, -71.06)
    assert (await user.next_reply()).text == "you are at 42.36, -71.06"
    await user.send("frist")
    assert (await user.next_reply()).text == "echo: frist"
    user_message_id = max(sandbox.chat_log(user.chat_id).incoming)
    await user.edit(user_message_id, "first")
    assert (await user.next_reply()).text == "you edited to: first"


async def test_long_and_emoji_only_messages_reach_the_handler(
    sandbox: BotApiSandbox, echo_bot: App
) -> None:
    user = sandbox.user(1001)
    long_text = "CME " * 1250
    await user.send(long_text)
    await user.send("😀🎉")
    replies = await user.replies_until_quiet(quiet=0.2)
    assert [r.text for r in replies] == ["got 5000 chars", "echo: 😀🎉"]
    assert echo_bot.bot_data["texts"] == [long_text, "😀🎉"]


async def test_group_command_addressed_to_the_bot(sandbox: BotApiSandbox, echo_bot: App) -> None:
    sandbox.push_command("start", user_id=1001, chat_id=-500, chat_type="group", mention=True)
    reply = await sandbox.wait_for_message(-500)
    assert reply.text == "Hello User1001, args=[]" and reply.chat_id == -500
    with pytest.raises(TimeoutError, match="Hello User1001"):
        await sandbox.wait_for_message(-500, timeout=0.1, after=reply.message_id)


def _seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_ptb_error_types_map(sandbox: BotApiSandbox, echo_bot: App) -> None:
    bot = echo_bot.bot
    sandbox.add_user(1001)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(31337, "hi")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_message(1001, "<b>oops", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    sandbox.block(1001)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "hi")
    sandbox.unblock(1001)
    sandbox.rate_limiter.enabled = True
    await bot.send_message(1001, "first")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1001, "second")
    assert _seconds(flood.value.retry_after) == 1
    sandbox.rate_limiter.enabled = False
    for kind in ("error_rate", "drop_rate"):
        setattr(sandbox.faults, kind, 1.0)
        with pytest.raises(NetworkError):
            await bot.send_message(1001, "unlucky")
        setattr(sandbox.faults, kind, 0.0)
    assert (await bot.send_message(1001, "fine")).text == "fine"
