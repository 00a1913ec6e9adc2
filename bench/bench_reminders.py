"""Reminder fan-out and planner benchmarks.

    python -m bench.bench_reminders [--count 10000] [--limited-count 10000] [--clinicians 100000]
        [--dispatch-rate R] [--at-limit-rate 29.4] [--skip limited,ceiling,planner]
        [--planner-workers 1,2]

(a) fan-out with the sandbox enforcing Telegram's limits (30 msg/s, 1/s per chat), sent by
    the Dispatcher exactly as ``cme-bot dispatch`` builds it (production settings, leader
    lock; ``--dispatch-rate`` overrides DISPATCH_RATE): achieved rate / 30 (target >= 0.97)
    and 429s (target 0);
(b) fan-out with limits off: the bot's own ceiling in msg/s (target >= 1,000), SQLite and
    PostgreSQL;
(c) the planner over many clinicians with a licence each (target <= 30 s for 100,000), in
    one process and in as many as production uses (``PLAN_WORKERS``, one per core).
The sandbox runs in its own process so the figures are the bot's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bench.common import RESULTS, SandboxProcess, fresh_database, write_results
from bench.sandbox_process import FIRST_USER
from bot.app import settle_heap
from bot.clock import SystemClock
from bot.config import Settings
from bot.domain.requirements import shipped_rulebook
from bot.store.db import create_engine, create_sessionmaker, transaction
from bot.store.models import Clinician, CreditEntry, Licence, ReminderOutbox
from bot.transport import Client, bot_api_request
from bot.worker import build_bot, build_dispatcher
from scheduler.dispatcher import SEND_CONCURRENCY, Dispatcher
from scheduler.leader import LeaderLock
from scheduler.planner import plan_everyone
from scheduler.ratelimit import SendPacer
from scheduler.renderers import default_renderers

TOKEN = "123456:SANDBOX"
NOW = datetime.now(UTC)


async def seed_clinicians(url: str, count: int, *, licences: bool, notices: bool) -> None:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    chunk = 2000
    for start in range(0, count, chunk):
        ids = range(start, min(count, start + chunk))
        async with transaction(sessionmaker) as session:
            await session.execute(
                insert(Clinician),
                [
                    {
                        "id": i + 1, "telegram_id": FIRST_USER + i, "chat_id": FIRST_USER + i,
                        "first_name": f"U{i}", "timezone": "America/New_York", "flags": [],
                        "specialties": [], "active": True, "reminders_paused": False,
                        # Fan-out runs on the real clock: a notice due in the clinician's
                        # night would wait for the morning. The planner plans around them.
                        "quiet_start_min": 0 if notices else 21 * 60,
                        "quiet_end_min": 0 if notices else 8 * 60,
                        "created_at": NOW, "updated_at": NOW,
                    }
                    for i in ids
                ],
            )  # fmt: skip
            if licences:
                await session.execute(
                    insert(Licence),
                    [
                        {
                            "clinician_id": i + 1, "rule_id": "us-tx-md",
                            "label": "Texas Medical Board", "renewal_date": date(2027, 6, 30),
                            "renewals_done": 3, "flags": ["direct_patient_care"],
                            "reminders_muted": False, "created_at": NOW, "updated_at": NOW,
                        }
                        for i in ids
                    ],
                )  # fmt: skip
                await session.execute(
                    insert(CreditEntry),
                    [
                        {
                            "clinician_id": i + 1, "completed_on": date(2026, 10, 1),
                            "amount": Decimal(10), "category": "ama_pra_1", "topics": ["ethics"],
                            "title": "Ethics", "source": "bench", "created_at": NOW,
                        }
                        for i in ids
                    ],
                )  # fmt: skip
            if notices:
                await session.execute(
                    insert(ReminderOutbox),
                    [
                        {
                            "clinician_id": i + 1, "kind": "notice", "dedupe_key": f"bench:{i}",
                            "due_at": NOW - timedelta(minutes=1), "status": "pending",
                            "attempts": 0, "payload": {"text": f"Reminder #{i}"},
                            "created_at": NOW, "updated_at": NOW,
                        }
                        for i in ids
                    ],
                )  # fmt: skip
    await engine.dispose()


def production_dispatcher(
    url: str, sandbox_url: str, engine: AsyncEngine, rate: float | None
) -> tuple[Bot, Dispatcher]:
    """The Bot and Dispatcher exactly as ``cme-bot dispatch`` makes them (bot.worker)."""
    overrides: dict[str, Any] = {} if rate is None else {"dispatch_rate": rate}
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN, telegram_api_url=f"{sandbox_url}/bot",
        database_url=url, **overrides,
    )  # fmt: skip
    bot = build_bot(settings)
    return bot, build_dispatcher(settings, engine, bot)


async def fan_out(
    url: str,
    count: int,
    *,
    limited: bool,
    dispatch_rate: float | None = None,
    latency_ms: float = 0.0,
    client: Client = "aiohttp",
) -> dict[str, Any]:
    await seed_clinicians(url, count, licences=False, notices=True)
    os.environ["CME_SANDBOX_LATENCY_MS"] = str(latency_ms)  # read by bench.sandbox_process
    try:
        sandbox = SandboxProcess(count, rate_limits=limited)
    finally:
        del os.environ["CME_SANDBOX_LATENCY_MS"]
    engine = create_engine(url, pool_size=20)
    try:
        if limited:
            bot, dispatcher = production_dispatcher(url, sandbox.url, engine, dispatch_rate)
        else:
            bot = Bot(
                TOKEN, base_url=f"{sandbox.url}/bot",
                request=bot_api_request(client, pool=SEND_CONCURRENCY, pool_timeout=30.0),
            )  # fmt: skip
            dispatcher = Dispatcher(
                bot=bot, sessionmaker=create_sessionmaker(engine), clock=SystemClock(),
                renderers=default_renderers(shipped_rulebook()),
                pacer=SendPacer(0, per_chat_interval=0), leader=LeaderLock(engine),
                batch_size=500, concurrency=SEND_CONCURRENCY, tick_budget=3600,
            )  # fmt: skip
        async with bot:
            started = time.perf_counter()
            stats = await dispatcher.drain()
            elapsed = time.perf_counter() - started
            await dispatcher.shutdown()
        async with httpx.AsyncClient() as http:
            server = (await http.get(f"{sandbox.url}/_stats")).json()
    finally:
        sandbox.close()
        await engine.dispose()
    rate = stats.sent / elapsed if elapsed else 0
    result: dict[str, Any] = {
        "messages": count, "sent": stats.sent, "seconds": round(elapsed, 2),
        "rate_per_s": round(rate, 1), "429s_seen_by_bot": dispatcher.retry_after_total,
        "429s_returned_by_sandbox": server["rate_limited"], "delivered": server["sent"],
        "client": client,
    }  # fmt: skip
    if limited:
        result["ratio_to_30"] = round(rate / 30, 3)
        result["dispatch_rate"] = dispatcher.pacer.rate
        result["batch_limit"] = dispatcher._batch_limit()
        result["concurrency"] = dispatcher.concurrency
        result["sandbox_latency_ms"] = latency_ms
    return result


async def analyze(url: str) -> None:
    """Refresh planner statistics after the bulk load, as autovacuum would in production."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))
    await engine.dispose()


async def planner(url: str, clinicians: int, workers: int = 1) -> dict[str, Any]:
    """Three passes: the first (nothing planned yet), the periodic one a day later (the
    same cycles and inputs: digests skip everyone), and one that evaluates everyone
    (``full``: what a rule-file change or a new cycle for all costs)."""
    await seed_clinicians(url, clinicians, licences=True, notices=False)
    await analyze(url)
    engine = create_engine(url, pool_size=5)
    sessionmaker = create_sessionmaker(engine)
    # The planner runs in cme-bot run, which freezes its start-up heap: without that, each
    # full collection walks every module and rule object (20,000 clinicians, first pass:
    # 21.4 s, 16.3 s with it).
    settle_heap()
    timings: dict[str, float] = {}
    passes: dict[str, Any] = {}
    later = NOW + timedelta(days=1)
    runs = (("first", NOW, False), ("next_day", later, False), ("full", later, True))
    for name, at, full in runs:
        started = time.perf_counter()
        passes[name] = await plan_everyone(
            sessionmaker, at, shipped_rulebook(), full=full, workers=workers
        )
        timings[name] = time.perf_counter() - started
        if name == "first":
            await analyze(url)
    await engine.dispose()
    return {
        "clinicians": clinicians, "workers": workers, "rows_planned": passes["first"].rows,
        "first_pass_s": round(timings["first"], 1),
        "next_day_pass_s": round(timings["next_day"], 1),
        "next_day_evaluated": passes["next_day"].replanned,
        "full_pass_s": round(timings["full"], 1),
    }  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--limited-count", type=int, default=10_000)
    parser.add_argument("--clinicians", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--skip", default="", help="comma list of: limited,ceiling,planner")
    parser.add_argument("--client", default="aiohttp", choices=["aiohttp", "httpx"],
                        help="BOT_API_CLIENT for the unlimited fan-out")  # fmt: skip
    parser.add_argument(
        "--dispatch-rate", type=float, default=None,
        help="DISPATCH_RATE for the limited run (default: the production setting)",
    )  # fmt: skip
    parser.add_argument(
        "--at-limit-rate", type=float, default=29.4,
        help="a second limited run with DISPATCH_RATE this close to the 30/s limit (0: skip); "
        "the production default leaves room for replies, this shows what the pacer can do",
    )  # fmt: skip
    parser.add_argument(
        "--latency-ms", type=float, default=0.0,
        help="round trip the sandbox adds in the limited run (the real Bot API's is not ~1 ms)",
    )  # fmt: skip
    parser.add_argument(
        "--planner-workers", default=f"1,{Settings().planner_processes}",
        help="planner runs: processes per pass (1: in the calling process; default: 1 and "
        "the production setting, PLAN_WORKERS or one per core)",
    )  # fmt: skip
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    planner_workers = sorted({int(n) for n in args.planner_workers.split(",") if n})
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            if "ceiling" not in skip:
                async with fresh_database(backend, Path(folder)) as url:
                    results[f"ceiling_{backend}"] = await fan_out(
                        url, args.count, limited=False, client=args.client
                    )
                    print(f"ceiling {backend}: {results[f'ceiling_{backend}']}", flush=True)
            for workers in [] if "planner" in skip else planner_workers:
                key = f"planner_{backend}" if workers > 1 else f"planner1_{backend}"
                async with fresh_database(backend, Path(folder)) as url:
                    results[key] = await planner(url, args.clinicians, workers)
                    print(f"{key}: {results[key]}", flush=True)
        limited_runs = [("limited_postgres", args.dispatch_rate)]
        if args.at_limit_rate:
            limited_runs.append(("limited_postgres_at_limit", args.at_limit_rate))
        for key, rate in limited_runs if "limited" not in skip else []:
            async with fresh_database("postgres", Path(folder)) as url:
                results[key] = await fan_out(
                    url, args.limited_count, limited=True, dispatch_rate=rate,
                    latency_ms=args.latency_ms,
                )  # fmt: skip
                print(f"{key}: {results[key]}", flush=True)
    print()
    print(f"{'benchmark':<22} {'figure':>14} {'target':>14}")
    for key, value in results.items():
        if key.startswith("ceiling"):
            print(f"{key:<22} {value['rate_per_s']:>10} msg/s {'>= 1000 msg/s':>14}")
        elif key.startswith("planner"):
            key = f"{key} ({value['workers']} proc)"
            for pass_name in ("first_pass_s", "next_day_pass_s", "full_pass_s"):
                label = f"{key} {pass_name.removesuffix('_s')}"
                print(f"{label:<30} {value[pass_name]:>8} s {'<= 30 s':>14}")
        else:
            print(f"{key:<22} {value['ratio_to_30']:>12} x {'>= 0.97':>14}")
            print(f"{'  429s':<22} {value['429s_seen_by_bot']:>14} {'0':>14}")
    print("written to", write_results("reminders", {**previous_results(), **results}))


def previous_results() -> dict[str, Any]:
    """Keep figures from earlier runs that skipped some benchmarks."""
    path = RESULTS / "reminders.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


if __name__ == "__main__":
    asyncio.run(main())
