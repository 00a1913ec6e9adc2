"""`cme-bot chat` in a pseudo-terminal: the real bot, the sandbox, a person typing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from bot.chat import parse_duration


def _spawn(tmp_path: Path) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    env["COLUMNS"] = "120"
    env["NO_COLOR"] = "1"  # plain text to match on; rich honours NO_COLOR
    return pexpect.spawn(
        sys.executable,
        ["-m", "bot.cli", "chat"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


def test_start_in_the_terminal_chat_shows_the_reply(tmp_path: Path) -> None:
    chat = _spawn(tmp_path)
    try:
        chat.expect("Nothing leaves this machine")
        chat.sendline("/start")
        chat.expect("Hello You!")
        chat.expect("remind you before renewal deadlines")
        chat.sendline("/forget")
        chat.expect(r"\[2\][^\n]*Keep my data")
        chat.sendline("2")
        chat.expect("Nothing was deleted")
        chat.sendline("/advance 30d")
        chat.expect("Clock moved forward 30d")
        chat.sendline("/advance soon")
        chat.expect("Usage: /advance")
        chat.sendline("/quit")
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0
    assert (tmp_path / "chat.db").exists()


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("30d", 720),
        ("2w", 336),
        ("1d 12h", 36),
        ("90m", 1.5),
        ("0d", None),
        ("soon", None),
        ("5y", None),
        ("", None),
        ("3000d", None),
    ],
)
def test_parse_duration(text: str, hours: float | None) -> None:
    delta = parse_duration(text)
    assert (delta.total_seconds() / 3600 if delta else None) == hours
