"""Handlers under load, the framework ceiling, and the effect of CONCURRENT_UPDATES.

    python -m bench.bench_load                      # quick: 2,000 clinicians, 8 s windows
    python -m bench.bench_load --full               # 100,000 clinicians x 50 entries x 3 licences

The Bot API sandbox runs in its own process (``bench.sandbox_process``); a closed-loop
load generator *inside that process* (``POST /_load``, added by :func:`add_load_routes`)
plays many clinicians at once: each sends a message, waits for every reply it expects,
then sends the next. The bot runs in this process, polling, exactly as ``cme-bot run``
builds it (rate limiter off: the sandbox enforces no flood limits here).

Figures:
* ceiling: the echo bot (bench/echo_bot.py), updates/s and round trip p50/p99;
* one-query ceiling: the echo bot plus one transaction looking the sender up, the least any
  command does: the most a handler touching the database can reach with this stack;
* handlers: ``/status``, a course search and ``/log`` interleaved, updates/s as a ratio of
  the ceiling (target >= 0.5) and server-side time per command (target p99 <= 20 ms for
  /status): "total" is what ``cme_handler_seconds`` measures (incl. sending the replies),
  "compute" stops at the commit (the replies excluded), "solo" is one clinician alone;
* concurrency: updates/s for CONCURRENT_UPDATES 1, 16, 64, 256 with 50 ms Bot API latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.transport import Client

FIRST_USER = 10_000  # bench.sandbox_process registers users from here
TOKEN = "123456:SANDBOX"
NOW = datetime.now(UTC).replace(microsecond=0)
Script = list[tuple[str, int]]  # (text, replies expected)

CME_SCRIPT: Script = [
    ("/status", 1),
    ("/courses ethics near Boston next month", 1),
    ('/log 2.5 ethics "Bench activity" yesterday', 1),
]
ECHO_SCRIPT: Script = [("hello, echo", 1)]
LOCATION_PREFIX = "@location "


# =================================================================== sandbox side
class _FirstSeen(Counter[str]):
    """The sandbox's per-method request counter, remembering when each method first came."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.first: dict[str, float] = {}

    def __setitem__(self, key: str, value: int) -> None:
        self.first.setdefault(key, time.time())
        super().__setitem__(key, value)


def add_load_routes(sandbox: Any) -> None:
    """POST /_load runs a closed-loop load; GET /_first says when each method first came."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    sandbox.stats.requests = _FirstSeen(sandbox.stats.requests)
    waiters: dict[int, tuple[int, asyncio.Future[None]]] = {}
    original_emit = sandbox.emit

    def emit(log: Any, event: Any) -> None:  # wake only the one waiting user
        original_emit(log, event)
        chat_id = int(log.chat["id"])
        waiting = waiters.get(chat_id)
        if waiting is not None and len(log.sent) >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(None)

    sandbox.emit = emit

    async def load(request: Request) -> JSONResponse:
        spec = await request.json()
        result = await closed_loop(
            sandbox, waiters, [int(u) for u in spec["users"]],
            [(str(t), int(n)) for t, n in spec["script"]],
            seconds=float(spec.get("seconds", 5)), warmup=float(spec.get("warmup", 1)),
            rounds=spec.get("rounds"), wait_limit=float(spec.get("timeout", 30)),
            pause=float(spec.get("pause", 0)),
        )  # fmt: skip
        return JSONResponse(result)

    async def first(_: Request) -> JSONResponse:
        requests = sandbox.stats.requests
        return JSONResponse({"first": requests.first, "counts": dict(requests)})

    sandbox.app.routes.insert(0, Route("/_load", load, methods=["POST"]))
    sandbox.app.routes.insert(0, Route("/_first", first))


async def closed_loop(
    sandbox: Any,
    waiters: dict[int, tuple[int, asyncio.Future[None]]],
    users: list[int],
    script: Script,
    *,
    seconds: float,
    warmup: float,
    rounds: int | None,
    wait_limit: float,
    pause: float = 0.0,
) -> dict[str, Any]:
    """Each user: send, wait for the expected replies, pause, repeat (script round-robin).

    With no pause a few users saturate the bot; a pause gives a load below saturation,
    where server-side times are the handlers' own and not the queue in front of them.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    window_start = started + (0 if rounds else warmup)
    window_end = window_start + seconds
    done: list[tuple[int, float, float]] = []  # (script index, first reply s, all replies s)
    lost: Counter[str] = Counter()

    async def one_user(user_id: int, offset: int) -> None:
        log = sandbox.chat_log(user_id) if user_id in sandbox._chats else None
        count = 0
        if pause:  # users who pause start out of step, as people do
            await asyncio.sleep(random.uniform(0, pause))
        while (rounds is None and loop.time() < window_end) or (rounds and count < rounds):
            index = (offset + count) % len(script)
            count += 1
            text, expected = script[index]
            if log is None:
                sandbox.user_info(user_id)
                log = sandbox.chat_log(user_id)
            mark = len(log.sent)
            future: asyncio.Future[None] = loop.create_future()
            waiters[user_id] = (mark + expected, future)
            sent_at = loop.time()
            if text.startswith(LOCATION_PREFIX):  # "@location 42.36 -71.06": a shared pin
                latitude, longitude = (float(v) for v in text.split()[1:3])
                sandbox.push_location(latitude, longitude, user_id=user_id)
            else:
                sandbox.push_text(text, user_id=user_id)
            try:
                await asyncio.wait_for(future, wait_limit)
            except TimeoutError:
                lost[text] += 1
                continue
            finally:
                waiters.pop(user_id, None)
            finished = loop.time()
            if rounds or window_start <= finished <= window_end:  # finished in the window
                done.append((index, log.sent[mark].sent_at - sent_at, finished - sent_at))
            if pause:  # think time: exponential around ``pause``, so arrivals don't lock step
                await asyncio.sleep(random.expovariate(1 / pause))

    await asyncio.gather(*(one_user(user, k) for k, user in enumerate(users)))
    elapsed = (loop.time() - started) if rounds else seconds
    by_text: dict[str, Any] = {}
    for index, (text, _) in enumerate(script):
        mine = [d for d in done if d[0] == index]
        by_text[text] = {"count": len(mine), **_ms([d[2] for d in mine], "rtt")}
    return {
        "completed": len(done), "seconds": round(elapsed, 3),
        "updates_per_s": round(len(done) / elapsed, 1) if elapsed else 0.0,
        **_ms([d[1] for d in done], "first_reply"), **_ms([d[2] for d in done], "rtt"),
        "lost": dict(lost), "by_text": by_text, "users": len(users),
    }  # fmt: skip


def _pct(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _ms(values: Sequence[float], name: str) -> dict[str, float | None]:
    if not values:
        return {f"{name}_p50_ms": None, f"{name}_p99_ms": None}
    return {
        f"{name}_p50_ms": round(statistics.median(values) * 1000, 2),
        f"{name}_p99_ms": round(_pct(values, 0.99) * 1000, 2),
    }


# =================================================================== bot side
class SandboxChild:
    """``bench.sandbox_process`` in a child process (optionally with latency)."""

    def __init__(self, *, latency_ms: float = 0.0, users: int = 0) -> None:
        import subprocess
        import sys

        args = [sys.executable, "-m", "bench.sandbox_process", "--users", str(users)]
        if latency_ms:
            args += ["--latency-ms", str(latency_ms)]
        self.process = subprocess.Popen(
            args, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().split()
        if not line or line[0] != "READY":
            self.process.kill()
            raise RuntimeError("sandbox process did not start")
        self.url = line[1]

    async def load(self, users: Sequence[int], script: Script, **spec: Any) -> dict[str, Any]:
        import httpx

        body = {"users": list(users), "script": script, **spec}
        async with httpx.AsyncClient(timeout=None) as http:
            answer = await http.post(f"{self.url}/_load", json=body)
            answer.raise_for_status()
            return dict(answer.json())

    def cpu_seconds(self) -> float:
        """CPU time the sandbox process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        import os

        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def measured_load(
        self, users: Sequence[int], script: Script, **spec: Any
    ) -> dict[str, Any]:
        """:meth:`load`, plus the CPU both processes used (who is the bottleneck?)."""
        bot_cpu, sandbox_cpu, wall = time.process_time(), self.cpu_seconds(), time.perf_counter()
        result = await self.load(users, script, **spec)
        wall = time.perf_counter() - wall
        result["bot_cpu_share"] = round((time.process_time() - bot_cpu) / wall, 2)
        result["sandbox_cpu_share"] = round((self.cpu_seconds() - sandbox_cpu) / wall, 2)
        return result

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def sandbox_child(*, latency_ms: float = 0.0) -> Any:
    child = SandboxChild(latency_ms=latency_ms)
    try:
        yield child
    finally:
        child.close()


@contextlib.asynccontextmanager
async def polling(app: Any, *, keep_jobs: tuple[str, ...] = ("dispatcher",)) -> AsyncIterator[None]:
    """Start ``app`` like ``cme-bot run`` does; drop periodic jobs a benchmark must not run.

    The planner would re-plan the whole population in the middle of the measurement.
    """
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    if app.job_queue is not None:
        for job in app.job_queue.jobs():
            if job.name not in keep_jobs:
                job.schedule_removal()
    await app.start()
    from bot.app import settle_heap

    settle_heap()  # as cme-bot run does after start
    await app.updater.start_polling(poll_interval=0, timeout=10)
    try:
        yield
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


# ------------------------------------------------------------------- population
@dataclass(frozen=True)
class Population:
    clinicians: int
    entries: int
    licences: int = 3
    courses: int = 320


TOPICS = ["ethics", "opioid_prescribing", "texas_opioid", "medical_errors", "pain_management",
          "human_trafficking", "domestic_violence", "", "", ""]  # fmt: skip
LICENCES = [
    ("us-tx-md", "Texas Medical Board", date(2027, 6, 30), ["direct_patient_care"]),
    ("us-fl-md", "Florida Board of Medicine", date(2028, 1, 31), ["dea_registrant"]),
    ("abim-moc", "ABIM", date(2029, 12, 31), []),
]


def _population_rows(
    first: int, last: int, entries: int, licences: int, rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    from decimal import Decimal

    people, owned, credits = [], [], []
    for i in range(first, last):
        people.append({
            "id": i + 1, "telegram_id": FIRST_USER + i, "chat_id": FIRST_USER + i,
            "first_name": f"U{i}", "language_code": "en", "profession": "md",
            "timezone": "America/New_York", "flags": [], "specialties": [], "active": True,
            "reminders_paused": False, "quiet_start_min": 21 * 60, "quiet_end_min": 8 * 60,
            "created_at": NOW, "updated_at": NOW,
        })  # fmt: skip
        for rule, label, when, flags in LICENCES[:licences]:
            owned.append({
                "clinician_id": i + 1, "rule_id": rule, "label": label, "renewal_date": when,
                "renewals_done": 3, "flags": flags, "reminders_muted": False,
                "created_at": NOW, "updated_at": NOW,
            })  # fmt: skip
        for k in range(entries):
            topic = rng.choice(TOPICS)
            credits.append({
                "clinician_id": i + 1,
                "completed_on": NOW.date() - timedelta(days=rng.randrange(1, 1500)),
                "amount": Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                "category": rng.choice(["ama_pra_1", "ama_pra_1", "ama_pra_2", "moc"]),
                "topics": [topic] if topic else [], "title": f"Activity {k}",
                "source": "bench", "created_at": NOW,
            })  # fmt: skip
    return people, owned, credits


async def seed_population(url: str, population: Population, *, chunk: int = 2000) -> float:
    """Bulk-insert the population (executemany on SQLite, COPY on PostgreSQL); seconds."""
    from sqlalchemy import insert, text

    from bot.store.db import create_engine, create_sessionmaker
    from bot.store.models import Clinician, CreditEntry, Licence

    started = time.perf_counter()
    rng = random.Random(7)
    engine = create_engine(url)
    is_pg = engine.dialect.name == "postgresql"
    raw_pg = await _asyncpg_connect(url) if is_pg else None
    try:
        sessionmaker = create_sessionmaker(engine)
        for first in range(0, population.clinicians, chunk):
            last = min(population.clinicians, first + chunk)
            people, owned, credits = _population_rows(
                first, last, population.entries, population.licences, rng
            )
            if raw_pg is not None:
                await _copy(raw_pg, "clinicians", people)
                await _copy(raw_pg, "licences", owned)
                await _copy(raw_pg, "credit_entries", credits)
                continue
            async with sessionmaker() as session, session.begin():
                await session.execute(insert(Clinician), people)
                await session.execute(insert(Licence), owned)
                await session.execute(insert(CreditEntry), credits)
        if raw_pg is not None:
            await raw_pg.execute(
                "SELECT setval(pg_get_serial_sequence('clinicians', 'id'), "
                "(SELECT max(id) FROM clinicians))"
            )
        await _load_courses(sessionmaker, population.courses)
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    finally:
        if raw_pg is not None:
            await raw_pg.close()
        await engine.dispose()
    return time.perf_counter() - started


async def _asyncpg_connect(url: str) -> Any:
    import asyncpg
    from sqlalchemy.engine import make_url

    return await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))


async def _copy(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """COPY rows into ``table``, converting values as the column types would."""
    from decimal import Decimal

    if not rows:
        return
    columns = list(rows[0])

    def value(v: Any) -> Any:
        if isinstance(v, list):
            return json.dumps(v)
        if isinstance(v, Decimal):
            return int(v * 100)  # Hundredths
        return v

    records = [tuple(value(row[c]) for c in columns) for row in rows]
    await connection.copy_records_to_table(table, records=records, columns=columns)


async def _load_courses(sessionmaker: Any, count: int) -> None:
    """The sample catalogue (320), or that many generated courses (bench_search's generator)."""
    from bot.courses.sample import load_sample_if_empty

    if count <= 320:
        await load_sample_if_empty(sessionmaker, NOW)
        return
    from bench.bench_search import build_rows
    from bot.store.courses import insert_course_rows

    rows = build_rows(count, 42)
    for start in range(0, len(rows), 10_000):
        async with sessionmaker() as session, session.begin():
            await insert_course_rows(session, rows[start : start + 10_000])


# ------------------------------------------------------------------- timing the handlers
_delivering: ContextVar[list[float] | None] = ContextVar("_delivering", default=None)


class HandlerClock:
    """Times every update in the bot: total (as cme_handler_seconds) and before delivery."""

    def __init__(self) -> None:
        self.total: dict[str, list[float]] = defaultdict(list)
        self.compute: dict[str, list[float]] = defaultdict(list)

    def install(self, app: Any) -> Callable[[], None]:
        import handlers.turn as turn_module

        processor = app.update_processor
        measured = processor._measured
        deliver = turn_module.deliver

        async def timed_measured(update: Any, coroutine: Any) -> None:
            spent: list[float] = []
            _delivering.set(spent)
            started = time.perf_counter()
            try:
                await measured(update, coroutine)
            finally:
                total = time.perf_counter() - started
                label = _label(update)
                self.total[label].append(total)
                self.compute[label].append(total - sum(spent))

        async def timed_deliver(turn: Any) -> None:
            started = time.perf_counter()
            try:
                await deliver(turn)
            finally:
                spent = _delivering.get()
                if spent is not None:
                    spent.append(time.perf_counter() - started)

        processor._measured = timed_measured
        turn_module.deliver = timed_deliver

        def uninstall() -> None:
            processor._measured = measured
            turn_module.deliver = deliver

        return uninstall

    def summary(self) -> dict[str, Any]:
        return {
            label: {
                "count": len(values),
                **_ms(values, "total"),
                **_ms(self.compute[label], "compute"),
            }
            for label, values in sorted(self.total.items())
        }

    def reset(self) -> None:
        self.total.clear()
        self.compute.clear()


def _label(update: Any) -> str:
    message = getattr(update, "effective_message", None)
    text = getattr(message, "text", None) or ""
    return text.split()[0] if text.startswith("/") else "other"


def cme_settings(
    url: str, sandbox_url: str, concurrency: int, pool: int, client: Client = "aiohttp"
) -> Any:
    from bot.config import load_settings

    return load_settings(
        telegram_bot_token=TOKEN, telegram_api_url=f"{sandbox_url}/bot",
        telegram_file_url=f"{sandbox_url}/file/bot", database_url=url, auto_migrate=False,
        concurrent_updates=concurrency, db_pool_size=pool, log_level="WARNING",
        bot_api_client=client,
    )  # fmt: skip


def pick_users(population: int, count: int, seed: int = 11) -> list[int]:
    rng = random.Random(seed)
    return [FIRST_USER + i for i in rng.sample(range(population), min(count, population))]


async def run_echo(
    child: SandboxChild, users: int, seconds: float, concurrency: int, client: Client = "aiohttp"
) -> dict[str, Any]:
    from bench.echo_bot import build_echo_app

    app = build_echo_app(f"{child.url}/bot", TOKEN, concurrency, client)
    async with polling(app):
        ids = [900_000 + i for i in range(users)]
        return await child.measured_load(ids, ECHO_SCRIPT, seconds=seconds, warmup=1.0)


async def run_one_query(
    child: SandboxChild, url: str, population: Population, users: int, seconds: float,
    concurrency: int, *, pool: int = 10, client: Client = "aiohttp",
) -> dict[str, Any]:  # fmt: skip
    """The one-query ceiling (``bench.echo_bot.one_query_handler``) on the seeded database, with
    the bot's engine settings and the same clinicians as the mix."""
    from bench.echo_bot import build_echo_app
    from bot.store.db import create_engine, create_sessionmaker

    engine = create_engine(url, pool_size=pool)
    try:
        app = build_echo_app(
            f"{child.url}/bot", TOKEN, concurrency, client, create_sessionmaker(engine)
        )
        async with polling(app):
            ids = pick_users(population.clinicians, users)
            return await child.measured_load(ids, ECHO_SCRIPT, seconds=seconds, warmup=1.0)
    finally:
        await engine.dispose()


async def run_cme(
    child: SandboxChild, url: str, population: Population, users: int, seconds: float,
    concurrency: int, *, pool: int = 10, profile: Path | None = None, solo: int = 0,
    light: int = 0, light_pause: float = 0.0, light_seconds: float = 0.0,
    client: Client = "aiohttp",
) -> dict[str, Any]:  # fmt: skip
    """The real Application under the interleaved script; handler times per command.

    ``solo``: that many /status by one clinician alone first; ``light``: the mix from that
    many clinicians, each pausing about ``light_pause`` s
    (exponential think time, out of step) between messages (below saturation),
    before the saturating run with ``users``.
    """
    from bot.app import build_application

    settings = cme_settings(url, child.url, concurrency, pool, client)
    app = build_application(settings, rate_limiter=False)
    clock = HandlerClock()
    uninstall = clock.install(app)
    result: dict[str, Any] = {}
    try:
        async with polling(app):
            ids = pick_users(population.clinicians, users)
            await child.load(ids[:50], CME_SCRIPT, rounds=1)  # warm caches, place index
            if solo:
                clock.reset()
                await child.load(ids[-1:], [("/status", 1)], rounds=solo)
                result["solo"] = clock.summary()
            if light:
                clock.reset()
                light_ids = ids[:light]
                loaded = await child.measured_load(
                    light_ids, CME_SCRIPT, seconds=light_seconds or seconds, pause=light_pause
                )
                result["light"] = {"load": loaded, "handlers": clock.summary()}
            clock.reset()
            profiler = _start_profiler() if profile else None
            result["load"] = await child.measured_load(ids, CME_SCRIPT, seconds=seconds, warmup=1.0)
            if profiler is not None and profile is not None:
                _stop_profiler(profiler, profile)
            result["handlers"] = clock.summary()
    finally:
        uninstall()
    return result


def _start_profiler() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile

        profiler: Any = cProfile.Profile()
        profiler.enable()
        return profiler
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    return profiler


def _stop_profiler(profiler: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(profiler, "output_text"):
        profiler.stop()
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        full = path.with_name(path.stem + "_all.txt")
        full.write_text(profiler.output_text(unicode=True, color=False, show_all=True))
        return
    import io
    import pstats

    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    path.write_text(out.getvalue())


@contextlib.asynccontextmanager
async def database(
    backend: str, population: Population, folder: Path
) -> AsyncIterator[tuple[str, float]]:
    from bench.common import fresh_database

    async with fresh_database(backend, folder) as url:
        seconds = await seed_population(url, population)
        yield url, seconds


# ------------------------------------------------------------------- the whole benchmark
async def measure(args: argparse.Namespace) -> dict[str, Any]:
    population = Population(args.clinicians, args.entries, courses=args.courses)
    results: dict[str, Any] = {
        "population": population.__dict__, "users": args.users, "seconds": args.seconds,
        "concurrent_updates": args.concurrency, "client": args.client,
    }  # fmt: skip
    with sandbox_child() as child:
        first = await run_echo(child, args.users, args.seconds, args.concurrency, args.client)
        results["ceiling"] = first
        print(f"ceiling ({args.client}): {first['updates_per_s']} updates/s", flush=True)
        if args.client != "httpx":  # python-telegram-bot's own transport, for comparison
            default = await run_echo(child, args.users, args.seconds, args.concurrency, "httpx")
            results["ceiling_ptb_httpx"] = default
            print(f"ceiling (httpx): {default['updates_per_s']} updates/s", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            for backend in args.backends.split(","):
                async with database(backend, population, Path(folder)) as (url, seed_s):
                    print(f"{backend}: seeded in {seed_s:.1f} s", flush=True)
                    profile = (
                        Path(args.profile) / f"profile_{backend}.txt" if args.profile else None
                    )
                    run = await run_cme(
                        child, url, population, args.users, args.seconds, args.concurrency,
                        pool=args.pool, profile=profile, solo=args.solo, light=args.light,
                        light_pause=args.light_pause, light_seconds=args.light_seconds,
                        client=args.client,
                    )  # fmt: skip
                    run["seed_seconds"] = round(seed_s, 1)
                    results[backend] = run
                    print(f"{backend}: {run['load']['updates_per_s']} updates/s", flush=True)
                    run["one_query"] = await run_one_query(
                        child, url, population, args.users, args.seconds, args.concurrency,
                        pool=args.pool, client=args.client,
                    )  # fmt: skip
                    print(f"{backend} one query: {run['one_query']['updates_per_s']} updates/s",
                          flush=True)  # fmt: skip
                    if args.table and backend == args.table_backend:
                        results["concurrency"] = await concurrency_table(url, population, args)
        # The echo rate varies by up to a third between runs on this machine: measure it
        # again after the handlers and divide by the better of the two (the harder ratio).
        again = await run_echo(child, args.users, args.seconds, args.concurrency, args.client)
        results["ceiling"] = max(first, again, key=lambda run: run["updates_per_s"])
        results["ceiling"]["runs_updates_per_s"] = [first["updates_per_s"], again["updates_per_s"]]
        print(f"ceiling again: {again['updates_per_s']} updates/s", flush=True)
        for backend in args.backends.split(","):
            run = results[backend]
            run["ratio_to_ceiling"] = round(
                run["load"]["updates_per_s"] / results["ceiling"]["updates_per_s"], 3
            )
            one_query = run["one_query"]["updates_per_s"]
            run["one_query_ratio_to_ceiling"] = round(
                one_query / results["ceiling"]["updates_per_s"], 3
            )
            run["ratio_to_one_query"] = round(run["load"]["updates_per_s"] / one_query, 3)
            print(f"{backend}: x{run['ratio_to_ceiling']} of the ceiling, one query "
                  f"x{run['one_query_ratio_to_ceiling']}, mix x{run['ratio_to_one_query']} of it",
                  flush=True)  # fmt: skip
            if "ceiling_ptb_httpx" in results:
                run["ratio_to_ptb_httpx_echo"] = round(
                    run["load"]["updates_per_s"] / results["ceiling_ptb_httpx"]["updates_per_s"], 3
                )
    return results


async def concurrency_table(
    url: str, population: Population, args: argparse.Namespace
) -> dict[str, Any]:
    """updates/s for each CONCURRENT_UPDATES value with the Bot API ``--latency-ms`` away."""
    table: dict[str, Any] = {}
    with sandbox_child(latency_ms=args.latency_ms) as child:
        for concurrency in [int(c) for c in args.table.split(",")]:
            users = max(2 * concurrency, 32)
            echo = await run_echo(child, users, args.table_seconds, concurrency, args.client)
            cme = await run_cme(
                child, url, population, users, args.table_seconds, concurrency,
                pool=max(args.pool, min(concurrency, 40)), client=args.client,
            )  # fmt: skip
            table[str(concurrency)] = {
                "users": users, "echo_updates_per_s": echo["updates_per_s"],
                "cme_updates_per_s": cme["load"]["updates_per_s"],
                "echo_rtt_p50_ms": echo["rtt_p50_ms"], "cme_rtt_p50_ms": cme["load"]["rtt_p50_ms"],
                "cme_lost": cme["load"]["lost"],
            }  # fmt: skip
            print(f"concurrency {concurrency}: echo {echo['updates_per_s']}/s, "
                  f"cme {cme['load']['updates_per_s']}/s", flush=True)  # fmt: skip
    return table


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full", action="store_true", help="100,000 clinicians, longer windows")
    p.add_argument("--clinicians", type=int)
    p.add_argument("--entries", type=int, default=50)
    p.add_argument("--courses", type=int)
    p.add_argument("--users", type=int, default=256, help="simulated clinicians at once")
    p.add_argument("--seconds", type=float)
    p.add_argument("--concurrency", type=int, default=64, help="CONCURRENT_UPDATES")
    p.add_argument("--pool", type=int, default=10, help="DB_POOL_SIZE")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--solo", type=int, default=200, help="/status runs by one clinician alone")
    p.add_argument("--light", type=int, default=8, help="clinicians in the below-saturation run")
    p.add_argument("--light-pause", type=float, default=0.2,
                   help="mean seconds each of them waits between messages")  # fmt: skip
    p.add_argument("--light-seconds", type=float, default=15.0,
                   help="window of the below-saturation run (~190 /status in 15 s)")  # fmt: skip
    p.add_argument("--table", default="1,16,64,256", help="CONCURRENT_UPDATES values ('' = skip)")
    p.add_argument("--table-backend", default="postgres")
    p.add_argument("--table-seconds", type=float, default=5.0)
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--profile", default="", help="folder for profiles of the load phase")
    p.add_argument("--client", default="aiohttp", choices=["aiohttp", "httpx"],
                   help="BOT_API_CLIENT of the bot and of its echo ceiling")  # fmt: skip
    return p


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    args.clinicians = args.clinicians or (100_000 if args.full else 2_000)
    args.courses = args.courses or (20_000 if args.full else 320)
    args.seconds = args.seconds or (15.0 if args.full else 6.0)
    return args


def main() -> None:
    from bench.common import write_results

    args = resolve(parser().parse_args())
    results = asyncio.run(measure(args))
    print(json.dumps(results, indent=2, default=str))
    print("written to", write_results("load", results))


if __name__ == "__main__":
    main()
