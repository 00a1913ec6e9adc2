"""Pollers and webhooks sharing one token, as real processes against the local Bot API
(QA round 11: two pollers on two databases fought for good; a poller silently deleted the
webhook processes' webhook; a webhook left set was reported as "another process polls")."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path

import httpx

from bot.sandbox.server import BotApiSandbox
from bot.sandbox.user import SandboxUser
from tests.e2e.test_processes import _free_port, _spawn


def _env(sandbox: BotApiSandbox, database: Path) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": sandbox.token,
        "TELEGRAM_API_URL": sandbox.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "INFO",
        "POLL_CONFLICT_SECONDS": "2",
    }


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    """SIGTERM and its exit code and log (how fast is test_processes' concern)."""
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, stderr.decode()


async def _set_webhook(sandbox: BotApiSandbox, url: str) -> None:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{sandbox.base_url}{sandbox.token}/setWebhook", data={"url": url})
        assert answer.json()["ok"], answer.text


async def _answers(ana: SandboxUser, wait: float = 15) -> None:
    ana.mark_all_read()
    await ana.send("/help")
    assert "/status" in (await ana.next_reply(timeout=wait)).text


async def test_of_two_pollers_on_two_databases_the_newcomer_stops(tmp_path: Path) -> None:
    """Both polls succeed at first (updates keep coming), so both are incumbents to the old
    rule; now the newcomer stops after POLL_CONFLICT_SECONDS and the first one goes on."""
    async with BotApiSandbox() as sandbox:
        first = await _spawn(["run"], _env(sandbox, tmp_path / "a.db"), tmp_path)
        chatter: asyncio.Task[None] | None = None
        try:
            ana = sandbox.user(1001, "Ana")
            await _answers(ana, wait=30)
            await asyncio.sleep(2.5)  # it has now polled alone for POLL_CONFLICT_SECONDS

            async def chat() -> None:  # pending updates: the newcomer's polls succeed too
                while True:
                    await sandbox.user(2002, "Ben").send("/help")
                    await asyncio.sleep(0.2)

            chatter = asyncio.create_task(chat())
            started = time.monotonic()
            second = await _spawn(["run"], _env(sandbox, tmp_path / "b.db"), tmp_path)
            _, stderr = await asyncio.wait_for(second.communicate(), timeout=60)
            log = stderr.decode()
            assert second.returncode == 78, log
            assert "stopped after" in log.splitlines()[-1] and "409 Conflict" in log
            assert "Traceback" not in log
            assert time.monotonic() - started < 30
            chatter.cancel()
            await _answers(ana)
        finally:
            if chatter is not None:
                chatter.cancel()
            code, log = await _stop(first)
        assert code == 0, log
        assert log.count("another process is polling with this token") == 1, log


async def test_run_refuses_while_a_webhook_is_set_unless_told_to_take_over(
    tmp_path: Path,
) -> None:
    async with BotApiSandbox() as sandbox:
        hook = f"http://127.0.0.1:{_free_port()}/tg"
        await _set_webhook(sandbox, hook)
        env = _env(sandbox, tmp_path / "a.db")
        refused = await _spawn(["run"], env, tmp_path)
        _, stderr = await asyncio.wait_for(refused.communicate(), timeout=30)
        lines = [line for line in stderr.decode().splitlines() if line.strip()]
        assert refused.returncode == 78, stderr.decode()
        assert len(lines) == 1 and f"a webhook is set for this token ({hook})" in lines[0]
        assert "--take-over-webhook" in lines[0]
        assert sandbox.webhook_url == hook, "the webhook processes keep their updates"

        taker = await _spawn(["run", "--take-over-webhook"], env, tmp_path)
        try:
            await _answers(sandbox.user(1001, "Ana"), wait=30)
            assert not sandbox.webhook_url
        finally:
            code, log = await _stop(taker)
        assert code == 0 and f"deleting the webhook {hook}" in log, log


async def test_a_webhook_set_while_polling_is_named_as_such(tmp_path: Path) -> None:
    async with BotApiSandbox() as sandbox:
        poller = await _spawn(["run"], _env(sandbox, tmp_path / "a.db"), tmp_path)
        try:
            await _answers(sandbox.user(1001, "Ana"), wait=30)
            hook = f"http://127.0.0.1:{_free_port()}/tg"
            await _set_webhook(sandbox, hook)  # as a `cme-bot webhook` process would
            _, stderr = await asyncio.wait_for(poller.communicate(), timeout=30)
        finally:
            if poller.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    poller.kill()
                await poller.wait()
        log = stderr.decode()
        assert poller.returncode == 78, log
        assert f"a webhook was set for this token while this process polled ({hook}" in log
        assert "another process is polling" not in log and "Traceback" not in log


async def test_webhook_refuses_to_start_while_a_poller_runs(tmp_path: Path) -> None:
    """Setting the webhook would end the poller's updates (it stops at the next 409):
    `cme-bot webhook` says so in one line instead, and the poller goes on answering."""
    async with BotApiSandbox() as sandbox:
        env = _env(sandbox, tmp_path / "a.db")
        poller = await _spawn(["run"], env, tmp_path)
        try:
            ana = sandbox.user(1001, "Ana")
            await _answers(ana, wait=30)
            port = _free_port()
            hook = {"WEBHOOK_URL": f"http://127.0.0.1:{port}/tg", "WEBHOOK_SECRET": "s" * 32,
                    "PORT": str(port)}  # fmt: skip
            refused = await _spawn(["webhook"], {**env, **hook}, tmp_path)
            _, stderr = await asyncio.wait_for(refused.communicate(), timeout=30)
            lines = [line for line in stderr.decode().splitlines() if line.strip()]
            assert refused.returncode == 78, stderr.decode()
            assert len(lines) == 1 and "a `cme-bot run` process is polling" in lines[-1], lines
            assert not sandbox.webhook_url
            await _answers(ana)
        finally:
            code, log = await _stop(poller)
        assert code == 0, log
