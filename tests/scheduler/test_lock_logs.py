"""Each lock's log lines name that lock and what its holder does; a standby says so once;
a process says when it lets a lock go (QA round 11: "this process is now the active
dispatcher" was logged for four different locks, standbys were silent, nobody said stop)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.sandbox.server import BotApiSandbox
from bot.store.db import create_engine
from scheduler.feeds import FEEDS, FEEDS_LOCK_KEY
from scheduler.jobs import PLANNER, PLANNER_LOCK_KEY
from scheduler.leader import LeaderLock


async def test_a_per_pass_lock_names_itself_and_its_standby_says_so_once(
    fresh_pg_database: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(fresh_pg_database)
    caplog.set_level(logging.DEBUG, logger="scheduler.leader")
    holder = LeaderLock(engine, PLANNER_LOCK_KEY, PLANNER)
    other = LeaderLock(engine, PLANNER_LOCK_KEY, PLANNER)
    feeds = LeaderLock(engine, FEEDS_LOCK_KEY, FEEDS)
    try:
        assert await holder.acquire() and await feeds.acquire()
        assert not await other.acquire() and not await other.acquire()
        await holder.release()
        assert await other.acquire()
        await other.release()
        await feeds.release()
    finally:
        await engine.dispose()
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert lines == [
        ("DEBUG", "took the planner lock: this process now re-plans everyone's reminders"),
        ("DEBUG", "took the feeds lock: this process now refreshes the course feeds"),
        ("INFO", "the planner lock is held by another process, which re-plans everyone's "
                 "reminders: this one stands by"),
        ("DEBUG", "released the planner lock: this process no longer re-plans everyone's "
                  "reminders"),
        ("DEBUG", "took the planner lock: this process now re-plans everyone's reminders"),
        ("DEBUG", "released the planner lock: this process no longer re-plans everyone's "
                  "reminders"),
        ("DEBUG", "released the feeds lock: this process no longer refreshes the course feeds"),
    ]  # fmt: skip


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


async def _wait_for(path: Path, text: str) -> None:
    for _ in range(300):
        if text in _read(path):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} never logged:\n{_read(path)}")


async def test_two_dispatch_processes_say_who_sends_who_stands_by_and_when_they_stop(
    fresh_pg_database: str, tmp_path: Path
) -> None:
    async with BotApiSandbox() as sandbox:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": sandbox.token, "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": fresh_pg_database, "AUTO_MIGRATE": "true",
            "DISPATCH_INTERVAL": "0.2", "LOG_LEVEL": "INFO",
        }  # fmt: skip
        logs = [tmp_path / "first.log", tmp_path / "second.log"]
        processes = []
        try:
            for log in logs:
                with log.open("wb") as sink:
                    command = [sys.executable, "-m", "bot.cli", "dispatch"]
                    processes.append(
                        await asyncio.create_subprocess_exec(
                            *command, env=env, cwd=tmp_path, stdout=sink, stderr=sink
                        )
                    )
                await _wait_for(log, "dispatch started")
            taken = "took the dispatcher lock: this process now sends the reminders"
            await _wait_for(logs[0], taken)
            standby = "the dispatcher lock is held by another process, which sends the reminders"
            await _wait_for(logs[1], standby)
            await asyncio.sleep(1)  # five ticks: the standby line is not repeated
            assert _read(logs[1]).count(standby) == 1
            processes[0].send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(processes[0].wait(), 30) == 0
            first = _read(logs[0])
            assert "released the dispatcher lock: this process no longer sends" in first
            assert first.rstrip().endswith("dispatch stopped"), first
            await _wait_for(logs[1], taken)
        finally:
            for process in processes:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(process.wait(), 30)
        for log in logs:
            assert "active dispatcher" not in _read(log) and "Traceback" not in _read(log)
