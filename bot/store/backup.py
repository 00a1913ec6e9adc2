"""``cme-bot db backup PATH``: a consistent copy of a live SQLite database.

SQLite's online backup API copies page by page while other connections keep writing;
copying the file (with its -wal beside it) could capture a torn state. PostgreSQL
deployments use pg_dump instead (see the README).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import EXIT_USAGE, CliError


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the database to ``target``; returns the number of pages written."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise CliError("db backup is for SQLite; for PostgreSQL use pg_dump", EXIT_USAGE)
    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise CliError(f"no SQLite database at {source_path}", EXIT_USAGE)
    if target.exists():
        raise CliError(f"{target} exists already; choose a new file name", EXIT_USAGE)
    if not target.parent.is_dir():
        raise CliError(f"folder {target.parent} does not exist", EXIT_USAGE)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    pages = 0

    def progress(_status: int, _remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    try:
        with destination:
            source.backup(destination, pages=1024, progress=progress)
    finally:
        destination.close()
        source.close()
    return pages
