"""Every benchmark, one table: ``python -m bench [--full] [--only load,footprint,...]``.

Runs each benchmark in a fresh interpreter (so one's memory and GC state cannot colour
another's), reads what it wrote to bench/results/, and prints one table of figures with
their targets and ratio (figure / target: >= 1 is good for a floor, <= 1 for a ceiling).
Everything lands in bench/results/all.json.

Quick (default, a few minutes): 2,000 clinicians, 20,000 courses, small fan-outs.
``--full``: the sizes the issues name (100,000 clinicians x 50 entries x 3 licences,
200,000 courses, 10,000-message fan-outs, a 100,000-clinician planner); ~28 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = RESULTS.parent.parent


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    name: str
    figure: float | None
    unit: str
    target: float | None = None
    floor: bool = True  # target is a minimum (else a maximum)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.target:
            return None
        return self.figure / self.target

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return ""
        return "ok" if (self.ratio >= 1 if self.floor else self.ratio <= 1) else "MISS"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "figure": self.figure,
            "unit": self.unit,
            "target": self.target,
            "target_is": "min" if self.floor else "max",
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "verdict": self.verdict,
            "note": self.note,
        }


def _run(args: list[str], name: str) -> float:
    """Run ``python -m bench.<...>`` with args; stream its output; seconds taken."""
    started = time.perf_counter()
    print(f"\n=== {name}: {' '.join(args)}", flush=True)
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"!!! {name} exited with {done.returncode}", flush=True)
    return time.perf_counter() - started


def _json(name: str) -> dict[str, Any]:
    path = RESULTS / f"{name}.json"
    return dict(json.loads(path.read_text())) if path.exists() else {}


# ------------------------------------------------------------------------------ steps
def step_load(full: bool) -> list[Row]:
    args = ["bench.bench_load"] + (["--full"] if full else [])
    _run(args, "handlers under load, ceiling, concurrency")
    data = _json("load")
    rows: list[Row] = []
    ceiling = data.get("ceiling", {})
    echo_rate = ceiling.get("updates_per_s")
    rows.append(
        Row(
            "echo ceiling (PTB echo bot, same client)",
            echo_rate,
            "updates/s",
            note=f"{data.get('client')}, {ceiling.get('users')} users, CONCURRENT_UPDATES "
            f"{data.get('concurrent_updates')}",
        )
    )
    rows.append(Row("  echo round trip p50", ceiling.get("rtt_p50_ms"), "ms"))
    rows.append(Row("  echo round trip p99", ceiling.get("rtt_p99_ms"), "ms"))
    default = data.get("ceiling_ptb_httpx")
    if default:
        rows.append(Row("echo ceiling (PTB's default httpx)", default.get("updates_per_s"),
                        "updates/s", note="for comparison"))  # fmt: skip
    population = data.get("population", {})
    for backend in ("sqlite", "postgres"):
        run = data.get(backend)
        if not run:
            continue
        load = run["load"]
        rows.append(
            Row(
                f"{backend}: /status+/courses+/log mix",
                load["updates_per_s"],
                "updates/s",
                note=f"{population.get('clinicians'):,} clinicians x {population.get('entries')} "
                f"entries x 3 licences, {load.get('users')} at once",
            )
        )
        rows.append(
            Row(
                f"  {backend}: mix / echo ceiling",
                run.get("ratio_to_ceiling"),
                "x",
                target=0.5,
            )
        )
        one_query = run.get("one_query")
        if one_query:
            rows.append(Row(f"  {backend}: one-query ceiling", one_query.get("updates_per_s"),
                            "updates/s", note="echo + one transaction looking the sender up"))
            rows.append(Row(f"  {backend}: one query / echo", run.get("one_query_ratio_to_ceiling"),
                            "x", target=0.5, note="the most a handler using the database gets: "
                            "the x0.5 target is out of its reach"))
            rows.append(Row(f"  {backend}: mix / one-query ceiling",
                            run.get("ratio_to_one_query"), "x",
                            note="3-6 queries and a reply with buttons vs 1 query"))  # fmt: skip
        if run.get("ratio_to_ptb_httpx_echo") is not None:
            rows.append(Row(f"  {backend}: mix / httpx echo", run["ratio_to_ptb_httpx_echo"], "x",
                            note="the ceiling of a default PTB bot"))  # fmt: skip
        rows.append(Row(f"  {backend}: mix round trip p99", load.get("rtt_p99_ms"), "ms"))
        light = run.get("light") or {}
        light_load = light.get("load") or {}
        phases = [
            ("alone", run.get("solo", {}), "1 clinician, /status only", 20),
            ("light", light.get("handlers", {}),
             f"{light_load.get('users')} clinicians pausing between messages: "
             f"{light_load.get('updates_per_s')} updates/s", 20),
            # Saturated, 64 handlers share one core: the time is the queue, not the handler,
            # so no target; throughput above is the figure for that phase.
            ("saturated", run["handlers"], "queueing for the CPU included", None),
        ]  # fmt: skip
        for phase, handlers, note, target in phases:
            status = handlers.get("/status", {})
            for kind in ("total", "compute"):
                rows.append(
                    Row(
                        f"  {backend}: /status p99 {phase} ({kind})",
                        status.get(f"{kind}_p99_ms"),
                        "ms",
                        target=target,
                        floor=False,
                        note=note if kind == "total" else "until the commit",
                    )
                )
        for command in ("/courses", "/log"):
            timing = (run.get("light") or {}).get("handlers", {}).get(command, {})
            rows.append(
                Row(f"  {backend}: {command} p99 light (total)", timing.get("total_p99_ms"), "ms")
            )
    for concurrency, cell in (data.get("concurrency") or {}).items():
        rows.append(
            Row(
                f"CONCURRENT_UPDATES={concurrency}, 50 ms API: echo",
                cell["echo_updates_per_s"],
                "updates/s",
                note=f"{cell['users']} users; transport as the bot's (bot.app.bot_api_requests)",
            )
        )
        rows.append(
            Row(
                f"CONCURRENT_UPDATES={concurrency}, 50 ms API: cme mix",
                cell["cme_updates_per_s"],
                "updates/s",
            )
        )
    return rows


def step_footprint(full: bool) -> list[Row]:
    _run(["bench.bench_footprint", "--courses", "20000" if full else "320"], "footprint")
    data = _json("footprint")
    process = data.get("process", {})
    imports = data.get("imports", {})
    return [
        Row(
            "cme-bot run: start to first getUpdates",
            process.get("start_to_first_getupdates_s"),
            "s",
            target=3.0,
            floor=False,
        ),
        Row(
            "cme-bot run: peak RSS (warmed up)",
            process.get("peak_rss_mb"),
            "MB",
            target=200,
            floor=False,
            note="place index, tz, dates, PDF exercised",
        ),
        Row(
            "  peak RSS of the process tree",
            process.get("peak_tree_rss_mb"),
            "MB",
            target=200,
            floor=False,
            note="incl. the short-lived place-index builder",
        ),
        Row("  RSS at first getUpdates", process.get("rss_at_first_poll_mb"), "MB"),
        Row(
            "  import bot.app",
            (imports.get("bot.app") or {}).get("seconds"),
            "s",
            note="lazy candidates: " + ", ".join(imports.get("make_lazy", [])),
        ),
    ]


def step_reminders(full: bool) -> list[Row]:
    sizes = (
        ["--count", "10000", "--limited-count", "10000", "--clinicians", "100000"]
        if full
        else ["--count", "2000", "--limited-count", "600", "--clinicians", "10000"]
    )
    _run(["bench.bench_reminders", *sizes], "reminders fan-out and planner")
    data = _json("reminders")
    rows: list[Row] = []
    for key, value in data.items():
        if not isinstance(value, dict):
            continue
        if key.startswith("ceiling"):
            rows.append(
                Row(
                    f"reminders fan-out ceiling ({key.split('_')[-1]})",
                    value.get("rate_per_s"),
                    "msg/s",
                    target=1000,
                    note=f"{value.get('messages')} messages, no flood limits",
                )
            )
        elif key.startswith("planner"):
            target = 30 * value.get("clinicians", 100_000) / 100_000
            workers = value.get("workers", 1)
            backend = f"{key.split('_')[-1]}, {workers} process{'es' if workers > 1 else ''}"
            for figure, label, note in (
                ("first_pass_s", "first pass", "nothing planned yet"),
                ("next_day_pass_s", "periodic pass", "a day on, nothing changed: digests skip"),
                ("full_pass_s", "full pass", "everyone evaluated (new rules, new cycles)"),
            ):
                rows.append(
                    Row(
                        f"planner {label} ({backend})",
                        value.get(figure),
                        "s",
                        target=target,
                        floor=False,
                        note=f"{value.get('clinicians'):,} clinicians, {note}; 30 s per 100,000"
                        + ("; incl. ~1 s starting the workers" if workers > 1 else ""),
                    )
                )
        elif key.startswith("limited"):
            at_limit = key.endswith("at_limit")
            rows.append(
                Row(
                    "fan-out at Telegram's limits / 30 msg/s"
                    + (" (pacer near the limit)" if at_limit else " (production default)"),
                    value.get("ratio_to_30"),
                    "x",
                    target=0.97,
                    note=f"{value.get('messages')} messages, DISPATCH_RATE "
                    f"{value.get('dispatch_rate')}"
                    + ("" if at_limit else ": the rest of 30/s is kept for replies"),
                )
            )
            rows.append(
                Row(
                    "  429s seen by the bot",
                    value.get("429s_seen_by_bot"),
                    "",
                    target=None,
                    note="target 0",
                )
            )
    return rows


def step_search(full: bool) -> list[Row]:
    sizes = ["--n", "200000"] if full else ["--n", "20000", "--queries", "100"]
    _run(["bench.bench_search", *sizes], "course search")
    data = _json("search")
    rows: list[Row] = []
    for backend, result in (data.get("backends") or {}).items():
        for kind, figures in result.get("queries", {}).items():
            rows.append(
                Row(
                    f"search {backend} {kind} p95",
                    figures.get("p95_ms"),
                    "ms",
                    note=f"{data.get('courses'):,} courses; full scan "
                    f"{figures.get('full_scan_p50_ms')} ms p50, "
                    f"x{figures.get('speedup_p50')} faster",
                )
            )
    return rows


def step_status(full: bool) -> list[Row]:
    _run(["bench.bench_status", "--runs", "300" if full else "100"], "/status store+domain")
    data = _json("status")
    return [
        Row(
            f"/status 3 licences x 500 entries ({backend}) p99",
            figures.get("p99_ms"),
            "ms",
            target=20,
            floor=False,
        )
        for backend, figures in data.items()
    ]


def step_reports(full: bool) -> list[Row]:
    _run(["bench.bench_reports", "--runs", "300" if full else "60"], "chart and transcript")
    data = _json("reports")
    chart, pdf = data.get("chart", {}), data.get("transcript", {})
    return [
        Row("progress chart (one licence) p99", chart.get("p99_ms"), "ms", target=100,
            floor=False, note=f"PNG {chart.get('png_bytes', 0) // 1024} KiB"),
        Row("transcript PDF, 3 licences p99", pdf.get("p99_ms"), "ms", target=2000,
            floor=False, note=f"{pdf.get('entries_listed')} entries listed, "
            f"{pdf.get('pdf_bytes', 0) // 1024} KiB"),
    ]  # fmt: skip


def step_places(full: bool) -> list[Row]:
    """Place resolution p95 and the /status domain arithmetic, in a fresh interpreter."""
    code = (
        "import json, random, statistics, time\n"
        "from bench import bench_places as bp, bench_status_domain as sd\n"
        "from bot.domain import places\n"
        "index = places.PlaceIndex.build_isolated()\n"
        "found = sorted(bp.timed(index.resolve, bp.FOUND, 20))\n"
        "coords = sorted(bp.timed(lambda p: index.place_from_coordinates(*p),"
        " [(42.36, -71.06), (90.0, 0.0), (-16.5, 179.99), (0.0, -180.0)], 50))\n"
        "sd.shipped_rulebook(); items = sd.entries(500)\n"
        "times = sd.measure(300, sd.LICENCES, items)\n"
        "print(json.dumps({'resolve_found_p95_ms': found[int(0.95 * len(found))] / 1e6,"
        " 'coordinates_p95_ms': coords[int(0.95 * len(coords))] / 1e6,"
        " 'status_domain_p99_ms': times[int(0.99 * len(times))]}))\n"
    )
    print("\n=== places and status domain (in a fresh interpreter)", flush=True)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return []
    data = json.loads(done.stdout.strip().splitlines()[-1])
    (RESULTS / "places.json").write_text(json.dumps(data, indent=2))
    return [
        Row(
            "place resolution p95 (found)",
            round(data["resolve_found_p95_ms"], 3),
            "ms",
            target=1.0,
            floor=False,
        ),
        Row("place from coordinates p95", round(data["coordinates_p95_ms"], 3), "ms"),
        Row(
            "status domain 3 licences x 500 entries p99",
            round(data["status_domain_p99_ms"], 2),
            "ms",
            target=20,
            floor=False,
            note="pure arithmetic, no I/O",
        ),
    ]


def step_transport(full: bool) -> list[Row]:
    """Bot CPU per Bot API call on each HTTP client (what bounds every other figure)."""
    _run(["bench.bench_transport", "--calls", "10000" if full else "4000"], "Bot API client")
    data = _json("transport")
    return [
        Row(f"sendMessage via PTB on {client}: bot CPU", figures.get("bot_cpu_ms_per_call"),
            "ms/call", note=f"{figures.get('calls_per_s')} calls/s, "
            f"x{figures.get('cpu_ratio_to_httpx')} of httpx's CPU")
        for client, figures in data.items()
    ]  # fmt: skip


STEPS: dict[str, Callable[[bool], list[Row]]] = {
    "transport": step_transport,
    "load": step_load,
    "footprint": step_footprint,
    "reminders": step_reminders,
    "search": step_search,
    "status": step_status,
    "places": step_places,
    "reports": step_reports,
}


def _cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def print_table(rows: list[Row]) -> None:
    width = max(len(row.name) for row in rows) + 2
    print(f"\n{'figure'.ljust(width)}{'value':>12} {'unit':<10}{'target':>12}{'ratio':>8}  ")
    print("-" * (width + 50))
    for row in rows:
        target = "-" if row.target is None else ("≥ " if row.floor else "≤ ") + _cell(row.target)
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        print(
            f"{row.name.ljust(width)}{_cell(row.figure):>12} {row.unit:<10}{target:>12}"
            f"{ratio:>8}  {row.verdict:<5} {row.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the sizes the issues name")
    parser.add_argument("--only", default=",".join(STEPS), help=f"comma list of {list(STEPS)}")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[Row] = []
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        try:
            rows += STEPS[name](args.full)
        except Exception as exc:  # one broken benchmark must not hide the others
            print(f"!!! {name} failed: {exc!r}", flush=True)
            rows.append(Row(f"{name}: FAILED", None, "", note=repr(exc)[:80]))
    print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    summary = {
        "full": args.full,
        "seconds": round(time.perf_counter() - started, 1),
        "table": [row.as_dict() for row in rows],
        "details": {name: _json(name) for name in STEPS},
    }
    path = RESULTS / "all.json"
    path.write_text(json.dumps(summary, indent=2, default=str))
    print(f"\nwritten to {path} ({summary['seconds']} s)")


if __name__ == "__main__":
    main()
