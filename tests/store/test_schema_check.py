"""Every command that uses the database stops in one line when its schema is not this
code's (QA round 11: "bot ready", then a traceback on every update; tracebacks from
Alembic on a database a newer cme-bot had migrated)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.store import migrate
from bot.store.db import create_engine
from tests.unit.test_cli import _run

TOKEN = {"TELEGRAM_BOT_TOKEN": "123456:not-used-before-the-check"}
COMMANDS = [["run"], ["webhook"], ["dispatch"], ["chat"], ["courses", "import", "c.csv"]]
WEBHOOK = {
    "WEBHOOK_URL": "https://bot.example/hook",
    "WEBHOOK_SECRET": "s3cret-token-for-tests_0123",
}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def _migrate(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine, revision)
    finally:
        await engine.dispose()


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def behind(tmp_path: Path) -> tuple[str, str]:
    """A SQLite database two migrations behind the code: (its URL, its revision)."""
    revision = _revisions()[-3]
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    asyncio.run(_migrate(url, revision))
    (tmp_path / "c.csv").write_text("title,credits,start\nA,1,2031-01-01\n", encoding="utf-8")
    return url, revision


@pytest.fixture
def newer(tmp_path: Path) -> str:
    """A SQLite database a newer cme-bot migrated (its revision unknown to this code)."""
    path = tmp_path / "newer.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_migrate(url, "head"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '0099'")
    (tmp_path / "c.csv").write_text("title,credits,start\nA,1,2031-01-01\n", encoding="utf-8")
    return url


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_database_newer_than_the_code_stops_every_command(
    newer: str, tmp_path: Path, args: list[str]
) -> None:
    result = _run(args, {**TOKEN, **WEBHOOK, "DATABASE_URL": newer}, tmp_path)
    line = _one_line(result.stderr)
    assert result.returncode == 78
    head = migrate.head_revision()
    assert f"the database is newer (0099) than this code ({head}): upgrade the code" in line


@pytest.mark.parametrize("args", [["run"], ["dispatch"], ["courses", "import", "c.csv"]],
                         ids=lambda a: a[0])  # fmt: skip
def test_a_database_behind_the_code_says_run_db_upgrade(
    behind: tuple[str, str], tmp_path: Path, args: list[str]
) -> None:
    url, revision = behind
    env = {**TOKEN, "DATABASE_URL": url, "AUTO_MIGRATE": "false"}
    result = _run(args, env, tmp_path)
    line = _one_line(result.stderr)
    assert result.returncode == 78
    head = migrate.head_revision()
    assert (
        f"the database is at revision {revision}, this version needs {head}: "
        "run `cme-bot db upgrade`" in line
    )


def test_auto_migrate_brings_a_database_behind_up_to_date_first(
    behind: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = behind
    result = _run(["courses", "import", "c.csv"], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    current = _run(["db", "current"], {"DATABASE_URL": url}, tmp_path)
    assert current.stdout.strip() == f"{migrate.head_revision()} (up to date)"


def test_db_current_says_what_is_pending_and_creates_nothing(
    behind: tuple[str, str], newer: str, tmp_path: Path
) -> None:
    url, revision = behind
    head = migrate.head_revision()
    result = _run(["db", "current"], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{revision}: 2 migrations pending (head is {head}): run `cme-bot db upgrade`"
    )
    result = _run(["db", "current"], {"DATABASE_URL": newer}, tmp_path)
    assert result.stdout.strip() == (
        f"0099: newer than this code (its head is {head}): upgrade the code"
    )
    upgrade = _run(["db", "upgrade"], {"DATABASE_URL": newer}, tmp_path)
    assert upgrade.returncode == 78 and "newer (0099)" in _one_line(upgrade.stderr)

    missing = tmp_path / "typo" / "cme.db"
    (tmp_path / "typo").mkdir()
    result = _run(["db", "current"], {"DATABASE_URL": f"sqlite+aiosqlite:///{missing}"}, tmp_path)
    assert result.returncode == 2
    assert f"no SQLite database at {missing}" in _one_line(result.stderr)
    assert not missing.exists()
    result = _run(["db", "current"], {}, tmp_path / "typo")  # the default: cme.db here
    assert result.returncode == 2 and "no SQLite database at cme.db" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("args", [["chat"], ["run"]], ids=lambda a: a[0])
def test_an_unmigrated_postgresql_says_run_db_upgrade(
    fresh_pg_database: str, tmp_path: Path, args: list[str]
) -> None:
    result = _run(args, {**TOKEN, "DATABASE_URL": fresh_pg_database}, tmp_path)
    line = _one_line(result.stderr)
    assert result.returncode == 78
    assert "the database has no tables yet" in line and "run `cme-bot db upgrade`" in line
