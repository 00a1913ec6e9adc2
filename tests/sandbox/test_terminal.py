"""The terminal chat: in-process (recorded console) and as a person uses it, in a pty."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
from rich.console import Console
from telegram.ext import Application

from bot.sandbox import BotApiSandbox
from bot.sandbox.render import styled_text
from bot.sandbox.terminal import TerminalChat
from tests.sandbox.echo_bot import REPORT

ROOT = Path(__file__).resolve().parents[2]
App = Application[Any, Any, Any, Any, Any, Any]


def test_entities_become_rich_styles() -> None:
    text = styled_text("😀 bold and link", [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://example.org"},
    ])  # fmt: skip
    spans = {(text.plain[s.start : s.end], str(s.style)) for s in text.spans}
    assert ("bold", "bold") in spans
    assert any(plain == "link" and "example.org" in style for plain, style in spans)


async def test_chat_session_in_process(
    sandbox: BotApiSandbox, echo_bot: App, tmp_path: Path
) -> None:
    output = io.StringIO()
    console = Console(file=output, width=100, color_system=None)
    user = sandbox.user(1001, "Ana")

    async def advance(argument: str) -> str:
        """Move the clock."""
        return f"moved {argument}"

    chat = TerminalChat(
        sandbox, user, downloads_dir=tmp_path, console=console, commands={"/advance": advance}
    )
    chat.banner()
    assert "/advance" in output.getvalue() and "Move the clock." in output.getvalue()
    await chat.handle_line("/menu")
    chat.show(await sandbox.wait_for_event(user.chat_id, 0, 5))
    assert "[1] Snooze 1 week" in output.getvalue() and chat.keyboard_is_latest
    await chat.handle_line("3")  # presses "Send a file"
    chat.show(await sandbox.wait_for_event(user.chat_id, 1, 5))
    assert (tmp_path / "transcript.pdf").read_bytes() == REPORT
    assert "transcript.pdf" in output.getvalue()
    await chat.handle_line("3")  # the latest message has no keyboard: sent as text
    chat.show(await sandbox.wait_for_event(user.chat_id, 2, 5))
    assert "echo: 3" in output.getvalue()
    await chat.handle_line("/ask")  # a reply keyboard: a number sends the button's text
    chat.show(await sandbox.wait_for_event(user.chat_id, 3, 5))
    assert "keyboard:" in output.getvalue() and user.messages[-1].reply_keyboard[0] == ["Yes", "No"]
    await chat.handle_line("2")
    chat.show(await sandbox.wait_for_event(user.chat_id, 4, 5))
    assert "echo: No" in output.getvalue() and chat.reply_keyboard == []  # one-time keyboard
    await chat.handle_line("/advance 30d")
    assert "moved 30d" in output.getvalue()
    assert await chat.handle_line("/quit") is False


def test_terminal_chat_in_a_pty(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tests.sandbox.chat_demo", str(tmp_path)],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=(40, 120),
    )
    try:
        child.expect("Local commands")
        child.expect("saved in")
        child.sendline("hello there")
        child.expect("echo: hello there")
        child.sendline("/menu")
        child.expect("What now")
        child.expect("Send a file")
        child.sendline("2")
        child.expect(r"\(popup\) Noted: done")  # the handler answers the press first
        child.expect("You chose done")
        child.sendline("/where Boston")
        child.expect(r"you are at 42\.36, -71\.06")
        child.sendline("/later")
        child.expect("A reminder from the scheduler")  # printed while waiting for input
        child.sendline("/quit")
        child.expect("bye")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
