"""`cme-bot dispatch` fails at start in one line, without the token, as `run` does (QA round
11: a 60-line traceback quoting "The token `999:WRONG` was rejected")."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.server import BotApiSandbox
from tests.e2e.test_processes import _free_port, _spawn


async def _dispatch(env: dict[str, str], tmp_path: Path) -> tuple[int, str]:
    process = await _spawn(["dispatch"], env, tmp_path)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, stdout.decode() + stderr.decode()


def _base(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "LOG_LEVEL": "DEBUG"}


@pytest.mark.parametrize("token", ["999:WRONG", "999888777:AAbbCCddEEffGGhhIIjjKKll-0123"])
async def test_a_rejected_token_is_one_line_without_the_token(tmp_path: Path, token: str) -> None:
    async with BotApiSandbox() as sandbox:
        env = {**_base(tmp_path), "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": sandbox.base_url}
        code, output = await _dispatch(env, tmp_path)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2, output
    assert "rejected TELEGRAM_BOT_TOKEN" in lines[-1]
    assert "Traceback" not in output
    assert token not in output and token.split(":")[1] not in output


@pytest.mark.parametrize(
    ("token", "api"),
    [("123456:SANDBOX-unreachable", "/bot"), ("4242:short", "/")],  # the second: no pattern
)
async def test_an_unreachable_bot_api_is_one_line_without_the_token(
    tmp_path: Path, token: str, api: str
) -> None:
    """With LOG_LEVEL=DEBUG PTB logs the API URL, token included: it is scrubbed even
    when it does not look like a token (no "bot" before it, a short secret)."""
    env = {
        **_base(tmp_path),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{_free_port()}{api}",
    }
    code, output = await _dispatch(env, tmp_path)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 69, output
    assert lines[-1].startswith("cme-bot: cannot reach the Telegram Bot API")
    assert "Traceback" not in output and "[token]" in output
    assert token not in output and token.split(":")[1] not in output
