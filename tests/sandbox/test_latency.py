"""PTB round trips against the sandbox take about a millisecond, thanks to TCP_NODELAY."""

from __future__ import annotations

import statistics
import time

from bot.sandbox import BotApiSandbox
from bot.sandbox.ptb import sandbox_builder


async def median_round_trip(nodelay: bool, count: int) -> float:
    async with BotApiSandbox(nodelay=nodelay) as sandbox:
        sandbox.add_user(1001)
        app = sandbox_builder(sandbox).build()
        await app.initialize()
        try:
            await app.bot.send_message(1001, "warm-up")
            times = []
            for _ in range(count):
                started = time.perf_counter()
                await app.bot.send_message(1001, "ping")
                times.append(time.perf_counter() - started)
        finally:
            await app.shutdown()
    return statistics.median(times)


async def test_round_trip_is_milliseconds_not_nagle_delays() -> None:
    fast = await median_round_trip(nodelay=True, count=30)
    slow = await median_round_trip(nodelay=False, count=5)
    print(f"PTB sendMessage round trip: {fast * 1000:.2f} ms with TCP_NODELAY, "
          f"{slow * 1000:.1f} ms without")  # fmt: skip
    assert fast < 0.015
    assert slow > fast
