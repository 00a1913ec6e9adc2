"""The poller lock survives a PostgreSQL restart, or the process stops for whoever took it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.polling import PollerLock
from bot.sandbox.server import BotApiSandbox
from tests.e2e.test_processes import _spawn

TOKEN = "123456:SANDBOX-lock-test"


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _cut_every_other_session(connection: asyncpg.Connection) -> None:
    """What a restart does to the bot: every session of the database ends.

    ``pg_terminate_backend`` only signals; a backend lets go of its advisory locks
    when it has exited, so wait until the signalled ones are gone."""
    pids = await connection.fetch(
        "SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    cut = [row["pid"] for row in pids]
    await connection.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", cut)
    for _ in range(500):
        alive = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", cut
        )
        if not alive:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"sessions {cut} outlived pg_terminate_backend by 5 s")


async def test_a_dropped_lock_is_taken_again_or_reported_lost(fresh_pg_database: str) -> None:
    first, second = PollerLock(fresh_pg_database, TOKEN), PollerLock(fresh_pg_database, TOKEN)
    admin = await asyncpg.connect(_dsn(fresh_pg_database))
    try:
        assert await first.acquire()
        await _cut_every_other_session(admin)
        assert await first.still_held(), "nobody else wanted it: the lock is taken again"
        assert not await second.acquire()
        await _cut_every_other_session(admin)
        assert await second.acquire(), "the restart freed the lock for the other poller"
        assert not await first.still_held()
    finally:
        await first.release()
        await second.release()
        await admin.close()


async def test_a_poller_that_lost_its_lock_stops_with_a_clear_line(
    fresh_pg_database: str, tmp_path: Path
) -> None:
    async with BotApiSandbox() as sandbox:
        env = {
            "TELEGRAM_BOT_TOKEN": sandbox.token, "TELEGRAM_API_URL": sandbox.base_url,
            "DATABASE_URL": fresh_pg_database, "LOG_LEVEL": "WARNING",
            "POLLER_LOCK_CHECK_SECONDS": "1", "AUTO_MIGRATE": "true",
        }  # fmt: skip
        process = await _spawn(["run"], env, tmp_path)
        admin = await asyncpg.connect(_dsn(fresh_pg_database))
        try:
            ana = sandbox.user(1001, "Ana")
            await ana.send("/help")
            await ana.next_reply(timeout=30)
            key = PollerLock(fresh_pg_database, sandbox.token).key
            for _ in range(5):  # the bot may re-take the lock first: then cut again
                await _cut_every_other_session(admin)
                if await admin.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    break
            else:
                raise AssertionError("the bot re-took the lock after five restarts")
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
            await admin.close()
        log = stderr.decode()
        assert process.returncode == 69, log
        assert "took the lock in the database" in log and "Traceback" not in log


pytestmark = pytest.mark.postgres


async def test_a_probe_sees_a_poller_without_taking_its_lock(
    fresh_pg_database: str, tmp_path: Path
) -> None:
    """`cme-bot webhook` asks whether a poller runs: two replicas asking together must not
    take the lock and see each other as pollers (review), on either database."""
    for url in (fresh_pg_database, f"sqlite+aiosqlite:///{tmp_path / 'cme.db'}"):
        poller, probe, other = (PollerLock(url, TOKEN) for _ in range(3))
        assert not await probe.held_elsewhere()  # nobody polls; no lock file yet on SQLite
        assert await poller.acquire()
        try:
            assert await probe.held_elsewhere() and await other.held_elsewhere()
        finally:
            await poller.release()
        assert not await probe.held_elsewhere() and not await other.held_elsewhere()
        assert await other.acquire(), "probing took nothing"
        await other.release()
