"""The real `cme-bot run` and `cme-bot webhook` processes against the local Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.sandbox.server import BotApiSandbox

SECRET = "s3cret-token-for-tests_0123"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _spawn(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env={**base, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def _env(sandbox: BotApiSandbox, tmp_path: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_URL": sandbox.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "INFO",
    }


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=15)
    assert time.monotonic() - started < 10, "SIGTERM took too long"
    return process.returncode or 0, stderr.decode()


async def test_run_answers_start_and_help_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with BotApiSandbox() as sandbox:
        process = await _spawn(["run"], _env(sandbox, tmp_path), tmp_path)
        try:
            ana = sandbox.user(1001, "Ana")
            await ana.send("/start")
            assert "Hello Ana" in (await ana.next_reply(timeout=20)).text
            assert "profession" in (await ana.next_reply(timeout=5)).text
            await ana.send("/help")
            assert "/status" in (await ana.next_reply(timeout=5)).text
        finally:
            code, log = await _stop(process)
        assert code == 0, log
        assert sandbox.token not in log and sandbox.token.split(":")[1] not in log
        assert "Traceback" not in log


async def test_second_polling_process_refuses_clearly(tmp_path: Path) -> None:
    async with BotApiSandbox() as sandbox:
        first = await _spawn(["run"], _env(sandbox, tmp_path), tmp_path)
        try:
            ana = sandbox.user(1001, "Ana")
            await ana.send("/start")
            await ana.next_reply(timeout=20)
            second = await _spawn(["run"], _env(sandbox, tmp_path / ".."), tmp_path)
            _, stderr = await asyncio.wait_for(second.communicate(), timeout=40)
            assert second.returncode != 0
            assert "another process is already polling" in stderr.decode()
        finally:
            await _stop(first)


async def test_second_poller_on_the_same_sqlite_database_refuses_before_polling(
    tmp_path: Path,
) -> None:
    """The lock file beside the database refuses at once; it is free again after a stop."""
    async with BotApiSandbox() as sandbox:
        env = _env(sandbox, tmp_path)
        first = await _spawn(["run"], env, tmp_path)
        try:
            ana = sandbox.user(1001, "Ana")
            await ana.send("/help")
            await ana.next_reply(timeout=20)
            second = await _spawn(["run"], env, tmp_path)
            _, stderr = await asyncio.wait_for(second.communicate(), timeout=20)
            assert second.returncode == 69, stderr.decode()
            assert "its lock is held" in stderr.decode() and "Traceback" not in stderr.decode()
            await ana.send("/help")
            assert "/status" in (await ana.next_reply(timeout=10)).text
        finally:
            code, _ = await _stop(first)
        assert code == 0
        third = await _spawn(["run"], env, tmp_path)
        try:
            await ana.send("/help")
            assert "/status" in (await ana.next_reply(timeout=20)).text
        finally:
            assert (await _stop(third))[0] == 0


async def test_webhook_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    async with BotApiSandbox() as sandbox:
        env = {**_env(sandbox, tmp_path), "WEBHOOK_URL": "https://bot.example/hook"}
        process = await _spawn(["webhook"], env, tmp_path)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 2
        assert "WEBHOOK_SECRET" in stderr.decode() and "Traceback" not in stderr.decode()


async def test_webhook_process_serves_updates_health_and_metrics(tmp_path: Path) -> None:
    port = _free_port()
    async with BotApiSandbox() as sandbox:
        env = {
            **_env(sandbox, tmp_path),
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/tg-hook",
            "WEBHOOK_SECRET": SECRET,
            "PORT": str(port),
        }
        process = await _spawn(["webhook"], env, tmp_path)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                for _ in range(200):
                    try:
                        if (await http.get("/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
                assert (await http.get("/healthz")).json() == {"status": "ok", "database": "ok"}
                ana = sandbox.user(1001, "Ana")
                for _ in range(100):  # the process registers its webhook after start-up
                    if sandbox.webhook_url:
                        break
                    await asyncio.sleep(0.05)
                await ana.send("/start")  # the sandbox POSTs it to the webhook with the secret
                assert "Hello Ana" in (await ana.next_reply(timeout=15)).text
                # The counter moves when the handler returns, just after its reply is sent.
                for _ in range(100):
                    metrics = (await http.get("/metrics")).text
                    if 'cme_updates_total{type="command"} 1.0' in metrics:
                        break
                    await asyncio.sleep(0.05)
                assert 'cme_updates_total{type="command"} 1.0' in metrics
                assert "cme_handler_seconds_bucket" in metrics
                assert "cme_reminders_pending" in metrics
        finally:
            code, log = await _stop(process)
        assert code == 0, log
        assert SECRET not in log and sandbox.token.split(":")[1] not in log


@pytest.mark.parametrize("args", [["run"], ["webhook"]])
async def test_bad_token_is_one_line(tmp_path: Path, args: list[str]) -> None:
    async with BotApiSandbox() as sandbox:
        env = {
            **_env(sandbox, tmp_path),
            "TELEGRAM_BOT_TOKEN": "999:WRONG",
            "WEBHOOK_URL": "https://bot.example/hook",
            "WEBHOOK_SECRET": SECRET,
        }
        process = await _spawn(args, env, tmp_path)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 2
        lines = [line for line in stderr.decode().splitlines() if line.strip()]
        assert lines and "rejected TELEGRAM_BOT_TOKEN" in lines[-1]
        assert "Traceback" not in stderr.decode()
