"""Benchmark: status of 3 licences over 500 credit entries (pure domain, no I/O).

Run: .venv/bin/python bench/bench_status_domain.py [runs]
Prints median and p99 of ``status_for_all`` and the same per licence.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.credits import CreditItem, LicenceFacts, status_for_all
from bot.domain.requirements import shipped_rulebook

TODAY = date(2026, 11, 24)
TOPICS = [
    "ethics",
    "texas_opioid",
    "pain_management",
    "patient_safety",
    "medical_errors",
    "pennsylvania_child_abuse",
    "human_trafficking",
    "geriatrics",
    "infection_control",
]
CATEGORIES = ["ama_pra_1", "ama_pra_2", "aoa_1a", "aafp_prescribed", "aafp_elective", "moc"]
ACTIVITIES = [None, "live_course", "rss", "enduring", "teaching", "journal", "scholarly"]


def entries(n: int, seed: int = 7) -> list[CreditItem]:
    rng = random.Random(seed)
    start = TODAY - timedelta(days=6 * 365)
    return [
        CreditItem(
            entry_id=str(i),
            completed_on=start + timedelta(days=rng.randrange(6 * 365 + 30)),
            amount=Decimal(rng.randrange(1, 17)) / 2,
            category=rng.choice(CATEGORIES),
            topics=frozenset(rng.sample(TOPICS, rng.randrange(0, 3))),
            activity_type=rng.choice(ACTIVITIES),
            title=f"Course {i}",
        )
        for i in range(n)
    ]


LICENCES = [
    LicenceFacts(rule_id="us-tx-md", licence_id="tx", renewal_date=date(2027, 8, 31),
                 renewals_done=4, flags=frozenset({"direct_patient_care"})),
    LicenceFacts(rule_id="us-pa-md", licence_id="pa", issued_on=date(2012, 6, 1)),
    LicenceFacts(rule_id="aafp-membership", licence_id="aafp", issued_on=date(2015, 3, 1)),
]  # fmt: skip


def measure(runs: int, licences: list[LicenceFacts], items: list[CreditItem]) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        status_for_all(licences, items, TODAY)
        times.append((time.perf_counter() - t0) * 1000)
    return sorted(times)


def report(name: str, times: list[float]) -> None:
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"{name:<34} median {statistics.median(times):6.3f} ms   p99 {p99:6.3f} ms")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    shipped_rulebook()  # load the rules outside the timing: it happens once per process
    items = entries(500)
    status_for_all(LICENCES, items, TODAY)  # warm the vocabulary caches
    print(f"{runs} runs, {len(items)} entries, today {TODAY}")
    report("3 licences x 500 entries", measure(runs, LICENCES, items))
    for facts in LICENCES:
        report(f"  {facts.licence_id} alone", measure(runs, [facts], items))


if __name__ == "__main__":
    main()
