"""Shared benchmark plumbing: throwaway databases, percentiles, result files."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bot.store import migrate
from bot.store.db import create_engine

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = os.environ.get("CME_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
    }


@asynccontextmanager
async def fresh_database(backend: str, folder: Path) -> AsyncIterator[str]:
    """A migrated, empty database that is removed afterwards."""
    if backend == "sqlite":
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite+aiosqlite:///{path}"
    else:
        name = f"cme_bench_{uuid.uuid4().hex[:10]}"
        admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
        connection = await asyncpg.connect(admin)
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()
        url = make_url(PG_URL).set(database=name).render_as_string(False)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        if backend == "sqlite":
            await asyncio.to_thread(_remove_sqlite_files, path)
        else:
            connection = await asyncpg.connect(admin)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


class SandboxProcess:
    """bench.sandbox_process as a child process."""

    def __init__(self, users: int, *, rate_limits: bool) -> None:
        args = [sys.executable, "-m", "bench.sandbox_process", "--users", str(users)]
        if rate_limits:
            args.append("--rate-limits")
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError("sandbox process did not start")
        self.url = line[1]

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)
