"""Benchmark course search on a large catalogue, on SQLite and PostgreSQL.

Loads N generated courses (default 200,000: the sample generator, ~65 % at venues in 45
US cities, the rest online), then times three kinds of query through the real
``search_courses``: nearby (80 km, next 90 days), nearby + topic, online + topic (next
30 days). Each is compared with the *same* query run as a full table scan (SQLite
``NOT INDEXED``; PostgreSQL with index scans disabled), followed by the same Python
filtering. Prints a table and writes bench/results/search.json.

    .venv/bin/python bench/bench_search.py                      # both databases
    .venv/bin/python bench/bench_search.py --n 20000 --backends sqlite
    CME_BENCH_PG_URL=postgresql+asyncpg://user@host:5432/db .venv/bin/python bench/bench_search.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import settle_heap
from bot.clock import SystemClock
from bot.courses.records import validate
from bot.courses.sample import CITIES, generate_templates, materialise
from bot.domain import geo
from bot.store import courses as store
from bot.store import migrate
from bot.store.db import create_engine, create_sessionmaker

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PG_URL = os.environ.get("CME_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
RESULTS = Path(__file__).resolve().parent / "results" / "search.json"
TOPICS = (
    "opioid_prescribing", "ethics", "implicit_bias", "pain_management",
    "controlled_substance_prescribing", "sepsis", "end_of_life_care", "child_abuse",
)  # fmt: skip
Query = dict[str, Any]


def build_rows(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` validated courses as column dicts (validated once, loaded into both DBs)."""
    rows = []
    for template in generate_templates(n, seed):
        record = validate(materialise(template, NOW.date()), source="bench").record
        assert record is not None
        rows.append(store.course_row(record, NOW))
    return rows


def make_queries(kind: str, count: int, rng: random.Random) -> list[Query]:
    queries = []
    for _ in range(count):
        city = rng.choice(CITIES)
        start = NOW + timedelta(days=rng.randint(0, 200))
        near = geo.destination(city.lat, city.lon, rng.uniform(0, 360), rng.uniform(0, 20))
        if kind == "nearby":
            q: Query = {"near": near, "radius_km": 80.0, "starts_before": start + timedelta(90)}
        elif kind == "nearby+topic":
            q = {"near": near, "radius_km": 80.0, "starts_before": start + timedelta(90),
                 "topics": [rng.choice(TOPICS)]}  # fmt: skip
        else:
            q = {"online": True, "starts_before": start + timedelta(30),
                 "topics": [rng.choice(TOPICS)]}  # fmt: skip
        queries.append({**q, "starts_after": start})
    return queries


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[AsyncEngine]:
    """A throwaway, migrated database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
            try:
                await migrate.upgrade(engine)
                yield engine
            finally:
                await engine.dispose()
        return
    admin = make_url(PG_URL).set(drivername="postgresql").render_as_string(False)
    name = f"cme_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    engine = create_engine(make_url(PG_URL).set(database=name).render_as_string(False))
    try:
        await migrate.upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        connection = await asyncpg.connect(admin)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def load(engine: AsyncEngine, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    sessionmaker = create_sessionmaker(engine)
    for start in range(0, len(rows), 10_000):
        async with sessionmaker() as session, session.begin():
            await store.insert_course_rows(session, rows[start : start + 10_000])
    async with sessionmaker() as session, session.begin():
        await session.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def indexed(session: AsyncSession, q: Query) -> int:
    result = await store.search_courses(session, limit=10, **q)
    return result.total


async def full_scan(session: AsyncSession, q: Query) -> int:
    """The same search with the database forbidden to use an index."""
    query = store.build_query(**q)
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            await session.execute(text(f"SET LOCAL {setting} = off"))
    rows: list[Any] = []
    for statement in store.prefilter_statements(query):
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "sqlite":
            sql = sql.replace("FROM courses", "FROM courses NOT INDEXED", 1)
            sql = sql.replace("FROM course_topics", "FROM course_topics NOT INDEXED")
        typed = text(sql).columns(*statement.selected_columns)  # same result types
        rows.extend((await session.execute(typed)).all())
    result = await store.page_of(session, query, rows, limit=10, offset=0)
    return result.total


async def timed(
    engine: AsyncEngine, fn: Callable[[AsyncSession, Query], Any], queries: Sequence[Query]
) -> tuple[list[float], list[int]]:
    sessionmaker = create_sessionmaker(engine)
    latencies, totals = [], []
    for q in queries:
        async with sessionmaker() as session, session.begin():
            started = time.perf_counter()
            totals.append(await fn(session, q))
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies, totals


def pct(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_backend(
    backend: str, rows: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    async with database(backend) as engine:
        load_s = await load(engine, rows)
        print(f"{backend}: loaded {len(rows):,} courses in {load_s:.1f} s", flush=True)
        # The 200,000 generated rows stay in memory for the next database; frozen, the
        # cyclic GC stops walking them in the middle of timed queries (a bot holds no
        # such list: it freezes its start-up heap the same way, bot.app.settle_heap).
        settle_heap()
        out: dict[str, Any] = {"load_seconds": round(load_s, 2), "queries": {}}
        for kind in ("nearby", "nearby+topic", "online+topic"):
            queries = make_queries(kind, args.queries, rng)
            await timed(engine, indexed, queries[:10])  # warm caches
            fast, totals = await timed(engine, indexed, queries)
            slow, slow_totals = await timed(engine, full_scan, queries[: args.scan_queries])
            assert slow_totals == totals[: args.scan_queries], "full scan disagrees"
            out["queries"][kind] = {
                "n": len(fast), "mean_matches": round(sum(totals) / len(totals), 1),
                "p50_ms": round(pct(fast, 0.5), 2), "p95_ms": round(pct(fast, 0.95), 2),
                "p99_ms": round(pct(fast, 0.99), 2),
                "full_scan_n": len(slow), "full_scan_p50_ms": round(pct(slow, 0.5), 2),
                "full_scan_p95_ms": round(pct(slow, 0.95), 2),
                "speedup_p50": round(pct(slow, 0.5) / pct(fast, 0.5), 1),
            }  # fmt: skip
        return out


def print_table(results: dict[str, Any]) -> None:
    print(f"\n{'backend':9} {'query':13} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'scan p50':>9} {'scan p95':>9} {'speedup':>8}")  # fmt: skip
    for backend, data in results["backends"].items():
        for kind, r in data["queries"].items():
            print(f"{backend:9} {kind:13} {r['mean_matches']:8.1f} {r['p50_ms']:8.2f} "
                  f"{r['p95_ms']:8.2f} {r['p99_ms']:8.2f} {r['full_scan_p50_ms']:9.1f} "
                  f"{r['full_scan_p95_ms']:9.1f} {r['speedup_p50']:7.1f}x")  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="courses to load")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per kind")
    parser.add_argument("--scan-queries", type=int, default=20, help="full-scan queries per kind")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = build_rows(args.n, args.seed)
    print(f"generated and validated {len(rows):,} courses in {time.perf_counter() - started:.1f} s")
    results: dict[str, Any] = {
        "courses": args.n, "queries_per_kind": args.queries, "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "measured_at_utc": SystemClock().now().isoformat(timespec="seconds"),
        "backends": {},
    }  # fmt: skip
    for backend in args.backends.split(","):
        results["backends"][backend] = await run_backend(backend.strip(), rows, args)
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
