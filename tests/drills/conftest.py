"""Fault drills on PostgreSQL: the real Application (or process) while things break.

Each drill keeps a :class:`Ledger` of every update it pushed and what came of it: a real
answer, the apology (texts.ERROR), or nothing; and checks the database against the
answers. It prints a one-line report (lost, apologised, duplicated) and asserts the
targets: nothing lost, at most the in-flight rows duplicated.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bot import texts
from bot.app import build_application
from bot.clock import ManualClock
from bot.sandbox.ptb import polling
from bot.sandbox.server import BotApiSandbox
from tests.conftest import PG_ADMIN_URL, _pg_admin
from tests.drills.tcp_proxy import CuttableProxy
from tests.e2e.conftest import START, BotUnderTest, make_settings

PG_VERSIONS = Path("/etc/postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "drill: fault drill (PostgreSQL, real faults)")
    config.addinivalue_line(
        "markers", "production_rate_limiter: build the bot with its AIORateLimiter"
    )


@pytest.fixture
def drill_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated PostgreSQL database of this drill's own (cloned from the template)."""
    template = request.getfixturevalue("pg_template")
    name = f"cme_drill_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def drill_bot(
    drill_database: str, settings_overrides: dict[str, Any], request: pytest.FixtureRequest
) -> AsyncIterator[BotUnderTest]:
    """Sandbox + real Application on PostgreSQL; ``rate_limiter`` as production when marked."""
    production = request.node.get_closest_marker("production_rate_limiter") is not None
    clock = ManualClock(START)
    async with BotApiSandbox(clock=clock) as sandbox:
        settings = make_settings(sandbox, drill_database, **settings_overrides)
        app = build_application(settings, clock=clock, rate_limiter=production)
        async with polling(app, sandbox, poll_timeout=1):
            yield BotUnderTest(sandbox, app, clock, settings)


def restart_postgres() -> None:
    """``pg_ctlcluster <version> main restart`` (fast mode: every session is cut)."""
    if shutil.which("pg_ctlcluster") is None or not PG_VERSIONS.is_dir():
        pytest.skip("pg_ctlcluster is not available to restart PostgreSQL")
    version = sorted(p.name for p in PG_VERSIONS.iterdir())[0]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=60,
    )


# ------------------------------------------------------------------------ accounting
@pytest.fixture
async def database_proxy() -> AsyncIterator[CuttableProxy]:
    """A cuttable TCP path to PostgreSQL (the bot's only way to its database)."""
    url = make_url(PG_ADMIN_URL)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def proxied_drill_bot(
    drill_database: str, database_proxy: CuttableProxy, settings_overrides: dict[str, Any]
) -> AsyncIterator[BotUnderTest]:
    """Like ``drill_bot``, but its database connections go through ``database_proxy``."""
    database_url = make_url(drill_database).set(host="127.0.0.1", port=database_proxy.port)
    clock = ManualClock(START)
    async with BotApiSandbox(clock=clock) as sandbox:
        settings = make_settings(
            sandbox, database_url.render_as_string(hide_password=False), **settings_overrides
        )
        app = build_application(settings, clock=clock, rate_limiter=False)
        async with polling(app, sandbox, poll_timeout=1):
            yield BotUnderTest(sandbox, app, clock, settings)


@dataclass
class Entry:
    """One pushed update and what the user saw for it."""

    update_id: int
    user_id: int
    key: str  # what the update should have written (to find it in the database)
    replies: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if not self.replies:
            return "lost"
        if any(texts.ERROR in reply for reply in self.replies):
            return "apology"
        return "ok"


@dataclass
class Ledger:
    """Every update a drill pushed, with its outcome and what the database holds."""

    name: str
    entries: list[Entry] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # key -> rows found

    def outcomes(self) -> dict[str, int]:
        counts = {"ok": 0, "apology": 0, "lost": 0}
        for entry in self.entries:
            counts[entry.outcome] += 1
        return counts

    def problems(self) -> dict[str, list[str]]:
        """Writes that vanished, apologies that still wrote, duplicated rows."""
        lost_writes, half_done, duplicated = [], [], []
        for entry in self.entries:
            found = self.rows.get(entry.key, 0)
            if entry.outcome == "ok" and found == 0:
                lost_writes.append(entry.key)
            if entry.outcome == "apology" and found:
                half_done.append(entry.key)
            if found > 1:
                duplicated.append(entry.key)
        return {"lost_writes": lost_writes, "apology_but_written": half_done,
                "duplicated": duplicated}  # fmt: skip

    def report(self) -> str:
        outcomes = self.outcomes()
        problems = {k: len(v) for k, v in self.problems().items()}
        line = (
            f"drill {self.name}: {len(self.entries)} updates -> {outcomes['ok']} answered, "
            f"{outcomes['apology']} apologised, {outcomes['lost']} lost; "
            f"writes lost {problems['lost_writes']}, duplicated {problems['duplicated']}, "
            f"apology-but-written {problems['apology_but_written']}"
        )
        print("\n" + line)
        return line
