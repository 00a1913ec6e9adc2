"""SIGTERM during a broadcast loses no message: the outbox survives, leases are released."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.server import BotApiSandbox

ADMIN = 9001
USERS = range(20_000, 20_060)


async def _spawn(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env={**base, **env}, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _daytime_zone() -> str:
    """A zone where it is about noon now: the bot runs on the real clock, and broadcasts
    wait for the end of quiet hours (this failed whenever New York was past 21:00)."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # UTC-12 .. UTC+11
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # Etc/GMT-5 is UTC+5


def _delivered(sandbox: BotApiSandbox, text: str) -> Counter[int]:
    return Counter(chat for chat in USERS for m in sandbox.messages(chat) if (m.text or "") == text)


async def test_sigterm_mid_broadcast_loses_nothing(tmp_path: Path) -> None:
    async with BotApiSandbox() as sandbox:
        env = {
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "ADMIN_IDS": str(ADMIN),
            "DEFAULT_TIMEZONE": _daytime_zone(),
            "DISPATCH_RATE": "20",  # slow enough to stop it half way
            "DISPATCH_INTERVAL": "0.2",
        }
        process = await _spawn(env, tmp_path)
        for user_id in [*USERS, ADMIN]:  # /help registers each clinician with one reply
            user = sandbox.user(user_id, f"U{user_id}")
            await user.send("/help")
            await user.next_reply(timeout=20)
        boss = sandbox.user(ADMIN)
        await boss.send("/broadcast Registration for the spring course is open")
        assert "61" in (await boss.next_reply(timeout=10)).text
        await boss.press("Send to 61")
        text = "Registration for the spring course is open"
        deadline = time.monotonic() + 20
        while sum(_delivered(sandbox, text).values()) < 10 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
        assert process.returncode == 0, stderr.decode()[-2000:]
        assert time.monotonic() - started < 10
        part = sum(_delivered(sandbox, text).values())
        assert 0 < part < len(USERS)

        process = await _spawn(env, tmp_path)  # restart: the rest goes out
        try:
            deadline = time.monotonic() + 30
            while sum(_delivered(sandbox, text).values()) < len(USERS):
                assert time.monotonic() < deadline, "broadcast not finished after restart"
                await asyncio.sleep(0.1)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.communicate(), timeout=20)
        counts = _delivered(sandbox, text)
        assert set(counts) == set(USERS)
        assert max(counts.values()) == 1, "a graceful stop must not duplicate anything"
