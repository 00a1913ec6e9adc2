"""Benchmark offline place resolution (and the date parser next to it).

Prints index build time, resident memory before/after, and p50/p95/p99 latencies of
``resolve()`` per kind of input (found, ambiguous, ZIP, typo) and of
``place_from_coordinates()``. The goal it checks: found cases under 1 ms at p95.

    .venv/bin/python bench/bench_places.py                # isolated build (production)
    .venv/bin/python bench/bench_places.py --in-process   # build in this process
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import geo, places

FOUND = [
    "Boston", "Zurich", "Zürich", "Sao Paulo", "Portland, ME", "Portland, Maine",
    "San Diego, California", "San Diego CA", "New York City", "NYC", "Cologne", "Chicago",
    "Houston", "Paris", "Munich", "Ft Worth", "Hanover, NH", "Paris, Texas", "Seattle",
    "Washington DC", "Cambridge, MA", "Toronto", "Miami", "Denver",
]  # fmt: skip
AMBIGUOUS = ["Portland", "Springfield", "London", "Texas", "Kansas City", "Rochester"]
TYPOS_FIXED = ["Bostn", "Zurik", "San Deigo", "Chicgo", "Sao Palo", "Seatle", "Hustn"]


def rss_mb() -> float:
    """Resident set size of this process from /proc (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(samples_ns: Sequence[int]) -> str:
    ordered = sorted(samples_ns)
    n = len(ordered)

    def pick(q: float) -> float:
        return ordered[min(n - 1, int(q * n))] / 1000

    mean = statistics.fmean(ordered) / 1000
    return (
        f"n={n:5d}  p50={pick(0.50):8.1f} µs  p95={pick(0.95):8.1f} µs  "
        f"p99={pick(0.99):8.1f} µs  mean={mean:8.1f} µs"
    )


def timed(fn: Callable[[object], object], inputs: Sequence[object], rounds: int) -> list[int]:
    samples: list[int] = []
    for _ in range(rounds):
        for item in inputs:
            start = time.perf_counter_ns()
            fn(item)
            samples.append(time.perf_counter_ns() - start)
    return samples


def report(label: str, fn: Callable[[object], object], inputs: Sequence[object], rounds: int,
           ) -> list[int]:  # fmt: skip
    samples = timed(fn, inputs, rounds)
    print(f"  {label:<20}{percentiles(samples)}")
    return samples


def typo_of(name: str, rng: random.Random) -> str:
    """Drop, double or swap one letter: what fingers do."""
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--in-process", action="store_true", help="build without a child")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(42)

    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    build = places.PlaceIndex.build if args.in_process else places.PlaceIndex.build_isolated
    index = build()
    build_s = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    print(f"build ({'in-process' if args.in_process else 'isolated'}): {build_s:.2f} s")
    print(f"RSS: {before:.1f} MB before, {after:.1f} MB after (+{after - before:.1f} MB)")
    print(f"index: {index.stats}")

    # Inputs: real ZIPs and realistic typos of big cities, drawn from the index itself.
    zips = [f"{index._zip[rng.randrange(len(index._zip))]:05d}" for _ in range(200)]
    big = [name for name in index._names[:3000] if len(name) >= 5]
    typos = TYPOS_FIXED + [typo_of(rng.choice(big), rng) for _ in range(100)]

    first = time.perf_counter()
    index.place_from_coordinates(42.36, -71.06)
    first_coord_ms = (time.perf_counter() - first) * 1000
    gc.collect()
    with_tz = rss_mb()
    print(f"first place_from_coordinates: {first_coord_ms:.1f} ms (loads tzfpy), "
          f"RSS now {with_tz:.1f} MB (+{with_tz - after:.1f} MB)")  # fmt: skip

    for text in FOUND:
        assert isinstance(index.resolve(text), places.Resolved), text
    for text in AMBIGUOUS:
        assert isinstance(index.resolve(text), places.Ambiguous), text

    print("\nresolve():")
    found = report("found", index.resolve, FOUND, args.rounds)
    report("ambiguous", index.resolve, AMBIGUOUS, args.rounds)
    report("zip", index.resolve, zips, args.rounds // 4 or 1)
    report("typo", index.resolve, typos, 2)
    found_p95_ms = sorted(found)[int(0.95 * len(found))] / 1e6
    verdict = "OK" if found_p95_ms < 1.0 else "OVER BUDGET"
    print(f"  found p95 = {found_p95_ms:.3f} ms (goal < 1 ms): {verdict}")

    cities = [(index._lat[i], index._lon[i]) for i in rng.sample(range(len(index._names)), 300)]
    near_city = [
        geo.destination(lat, lon, rng.uniform(0, 360), rng.uniform(0, 30)) for lat, lon in cities
    ]
    anywhere = [(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(300)]
    edges = [(90.0, 0.0), (-90.0, 0.0), (0.0, 180.0), (0.0, -180.0), (-16.5, 179.99)]
    print("\nplace_from_coordinates():")

    def coords(p: object) -> object:
        return index.place_from_coordinates(*p)  # type: ignore[misc]

    report("near a city", coords, near_city, 3)
    report("anywhere", coords, anywhere, 3)
    report("poles/antimeridian", coords, edges, 20)
    report("nearest_cities(n=5)", lambda p: index.nearest_cities(*p, 5), near_city, 1)  # type: ignore[misc]

    bench_dates(rng)


def bench_dates(rng: random.Random) -> None:
    """Import and per-call cost of the date parser, grammar path vs dateparser fallback."""
    print("\ndates:")
    start = time.perf_counter()
    from bot.domain import dates

    print(f"  import bot.domain.dates: {(time.perf_counter() - start) * 1000:.1f} ms")
    now = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    tz = "America/Los_Angeles"
    grammar = ["yesterday", "Nov 3", "on friday", "3 days ago", "11/03/2026", "2026-11-03",
               "last week", "3 Nov"]  # fmt: skip
    future = ["next month", "before March", "between Jan 10 and Feb 2", "this weekend",
              "in 3 wks", "end of month", "a week from today", "tomorrow"]  # fmt: skip
    start = time.perf_counter()
    dates.parse_past_date("the 3rd of last month", now, tz)
    print(f"  first dateparser fallback (lazy import + English data): "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")  # fmt: skip

    def past(text: object) -> object:
        return dates.parse_past_date(str(text), now, tz)

    def future_range(text: object) -> object:
        return dates.parse_future_range(str(text), now, tz)

    report("past, grammar", past, grammar, 50)
    report("future, grammar", future_range, future, 50)
    report("dateparser path", past, ["the 3rd of last month", "3 fortnights ago"], 50)
    garbage = ["".join(rng.choice("abc xyz,.-/0123") for _ in range(30)) for _ in range(200)]
    report("garbage", past, garbage, 2)
    sentences = ["I did 3 credits of ethics on Nov 3", "courses near Boston next month"]
    report("extract phrase", lambda t: dates.extract_date_phrase(str(t)), sentences, 200)


if __name__ == "__main__":
    main()
