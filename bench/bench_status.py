"""/status server-side time for a clinician with 3 licences and 500 entries.

    python -m bench.bench_status [--runs 300]

Times what the handler does between receiving the update and handing replies to
Telegram: one transaction that loads the licences and entries (two queries), computes
every status and renders the messages. Target: p99 <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import fresh_database, summary_ms, write_results
from bot.app import settle_heap
from bot.domain.requirements import shipped_rulebook
from bot.store import clinicians
from bot.store.db import create_engine, create_sessionmaker, transaction
from bot.store.models import CreditEntry, Licence
from bot.tracking import load_views
from bot.views import render_status

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
TOPICS = ["ethics", "opioid_prescribing", "texas_opioid", "medical_errors", "domestic_violence",
          "human_trafficking", "pain_management", "", "", ""]  # fmt: skip


async def seed(url: str, entries: int) -> None:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    rng = random.Random(7)
    async with transaction(sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1, 1, "Bench"), default_timezone="UTC", now=NOW
        )
        licences = [
            ("us-tx-md", "Texas Medical Board", date(2027, 6, 30), ["direct_patient_care"]),
            ("us-fl-md", "Florida Board of Medicine", date(2028, 1, 31), ["dea_registrant"]),
            ("abim-moc", "ABIM", date(2029, 12, 31), []),
        ]
        await session.execute(
            insert(Licence),
            [
                {"clinician_id": owner.id, "rule_id": rule, "label": label, "renewal_date": when,
                 "renewals_done": 3, "flags": flags, "reminders_muted": False,
                 "created_at": NOW, "updated_at": NOW}
                for rule, label, when, flags in licences
            ],
        )  # fmt: skip
        await session.execute(
            insert(CreditEntry),
            [
                {"clinician_id": owner.id,
                 "completed_on": date(2026, 11, 20) - timedelta(days=rng.randrange(1500)),
                 "amount": Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                 "category": rng.choice(["ama_pra_1", "ama_pra_1", "ama_pra_2", "moc"]),
                 "topics": [t for t in [rng.choice(TOPICS)] if t], "title": f"Activity {i}",
                 "source": "bench", "created_at": NOW}
                for i in range(entries)
            ],
        )  # fmt: skip
    await engine.dispose()


async def measure(url: str, runs: int) -> dict[str, Any]:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    rulebook = shipped_rulebook()
    settle_heap()  # as cme-bot run does after start
    timings: list[float] = []
    for _ in range(runs + 10):
        started = time.perf_counter()
        async with transaction(sessionmaker) as session:
            owner = await clinicians.find(session, 1)
            assert owner is not None
            views = await load_views(session, owner, NOW.date(), rulebook)
            texts = [render_status(view) for view in views]
        timings.append(time.perf_counter() - started)
        assert len(texts) == 3
    await engine.dispose()
    return summary_ms(timings[10:])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--entries", type=int, default=500)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for backend in ("sqlite", "postgres"):
            async with fresh_database(backend, Path(folder)) as url:
                await seed(url, args.entries)
                results[backend] = await measure(url, args.runs)
    print(f"/status, 3 licences x {args.entries} entries ({args.runs} runs)")
    for backend, figures in results.items():
        print(f"  {backend:<9} p50 {figures['p50_ms']:>6} ms  p99 {figures['p99_ms']:>6} ms"
              f"  (target p99 <= 20 ms)")  # fmt: skip
    print("written to", write_results("status", results))


if __name__ == "__main__":
    asyncio.run(main())
