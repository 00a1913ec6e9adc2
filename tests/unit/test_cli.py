"""The CLI fails with one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "code", "needle"),
    [
        (["run"], {"DATABASE_URL": "nonsense"}, 2, "invalid setting DATABASE_URL"),
        (["run"], {}, 2, "cme-bot chat"),
        (["frobnicate"], {}, 2, "invalid choice"),
        ([], {}, 2, "required"),
        (
            ["run"],
            {
                "TELEGRAM_BOT_TOKEN": "1:abc",
                "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
            },
            69,
            "cannot reach the database",
        ),
        (["db", "upgrade"], {"ADMIN_IDS": "x"}, 2, "ADMIN_IDS"),
        (["run"], {"CERTIFICATES_DIR": "/proc/nonexistent/x"}, 2, "setting CERTIFICATES_DIR"),
        (["db", "upgrade", "nonsense-rev"], {}, 2, "cannot upgrade to 'nonsense-rev'"),
    ],
)
def test_bad_invocations_fail_in_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, needle: str
) -> None:
    result = _run(args, env, tmp_path)
    assert result.returncode == code, result.stderr
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1


def test_version_and_help(tmp_path: Path) -> None:
    assert _run(["version"], {}, tmp_path).stdout.startswith("cme-bot ")
    for args in (["--help"], ["run", "--help"], ["db", "--help"], ["db", "upgrade", "--help"]):
        result = _run(args, {}, tmp_path)
        assert result.returncode == 0 and "usage:" in result.stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    result = _run(["db", "upgrade"], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at" in result.stdout
    assert _run(["db", "current"], {"DATABASE_URL": url}, tmp_path).stdout.strip() != ""


def test_db_backup_copies_a_live_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    assert _run(["db", "upgrade"], {"DATABASE_URL": url}, tmp_path).returncode == 0
    result = _run(["db", "backup", str(tmp_path / "copy.db")], {"DATABASE_URL": url}, tmp_path)
    assert result.returncode == 0, result.stderr
    import sqlite3

    copy = sqlite3.connect(tmp_path / "copy.db")
    tables = {row[0] for row in copy.execute("select name from sqlite_master where type='table'")}
    assert {"clinicians", "credit_entries", "reminder_outbox"} <= tables
    again = _run(["db", "backup", str(tmp_path / "copy.db")], {"DATABASE_URL": url}, tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
