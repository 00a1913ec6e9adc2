"""Reports: the progress chart (a button press) and the transcript PDF (an audit export).

    python -m bench.bench_reports [--runs N]

Each licence of ``bench_status_domain`` (3 licences, 500 entries) is rendered as a chart
``--runs`` times; the transcript of all three (every counted entry listed) a tenth as
often. Both run in a worker thread in the bot (``asyncio.to_thread``): the figures are
what one press or one /transcript costs, not event-loop time.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from bench.bench_status_domain import LICENCES, TODAY, entries
from bench.common import summary_ms, write_results
from bot.domain.credits import status_for_all
from bot.domain.requirements import shipped_rulebook
from bot.reports.chart import render_progress_png
from bot.reports.model import transcript_licence
from bot.reports.transcript import render_transcript_pdf


def timed(runs: int, work: Any) -> tuple[list[float], int]:
    seconds, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(work())
        seconds.append(time.perf_counter() - started)
    return seconds, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    shipped_rulebook()
    items = entries(500)
    statuses = status_for_all(LICENCES, items, TODAY)
    render_progress_png(statuses[0], TODAY)  # fonts loaded once per process
    chart_seconds: list[float] = []
    for status in statuses:
        seconds, chart_bytes = timed(args.runs, lambda s=status: render_progress_png(s, TODAY))
        chart_seconds += seconds
    licences = [transcript_licence(status, items) for status in statuses]
    listed = sum(len(licence.entries) for licence in licences)
    now = datetime.now(UTC)
    pdf_seconds, pdf_bytes = timed(
        max(3, args.runs // 10),
        lambda: render_transcript_pdf("Bench Clinician", licences, now, "America/New_York"),
    )
    results = {
        "chart": {**summary_ms(chart_seconds), "renders": len(chart_seconds),
                  "png_bytes": chart_bytes},
        "transcript": {**summary_ms(pdf_seconds), "renders": len(pdf_seconds),
                       "entries_listed": listed, "pdf_bytes": pdf_bytes},
    }  # fmt: skip
    chart, pdf = results["chart"], results["transcript"]
    print(f"chart (one licence):        p50 {chart['p50_ms']} ms, p99 {chart['p99_ms']} ms")
    print(f"transcript ({listed} entries): p50 {pdf['p50_ms']} ms, p99 {pdf['p99_ms']} ms, "
          f"{pdf_bytes // 1024} KiB")  # fmt: skip
    print("written to", write_results("reports", results))


if __name__ == "__main__":
    main()
