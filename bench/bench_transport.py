"""What one Bot API call costs the bot, per HTTP client library.

    python -m bench.bench_transport [--calls 4000] [--concurrency 16]

``sendMessage`` to the sandbox (in its own process, limits off), ``--concurrency`` calls
in flight, through python-telegram-bot's ``Bot.send_message`` on each client
(``BOT_API_CLIENT``): bot CPU per call (this process's CPU time / calls) and calls per
second. Every reply, reminder and ``getUpdates`` pays this, so it bounds the echo
ceiling, the handlers and the reminder fan-out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from telegram import Bot

from bench.common import SandboxProcess, write_results
from bench.sandbox_process import FIRST_USER
from bot.transport import Client, bot_api_request

TOKEN = "123456:SANDBOX"
CLIENTS: tuple[Client, ...] = ("httpx", "aiohttp")


async def measure(client: Client, url: str, calls: int, concurrency: int) -> dict[str, Any]:
    bot = Bot(TOKEN, base_url=f"{url}/bot", request=bot_api_request(client, pool=8))
    gate = asyncio.Semaphore(concurrency)

    async def send(i: int) -> None:
        async with gate:
            await bot.send_message(FIRST_USER + i % 1000, f"Reminder {i}")

    async with bot:
        await asyncio.gather(*(send(i) for i in range(200)))  # warm the pool
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(send(i) for i in range(calls)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "calls": calls,
        "calls_per_s": round(calls / wall, 1),
        "bot_cpu_ms_per_call": round(cpu / calls * 1000, 3),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    sandbox = SandboxProcess(1000, rate_limits=False)
    try:
        results = {c: await measure(c, sandbox.url, args.calls, args.concurrency) for c in CLIENTS}
    finally:
        sandbox.close()
    base = results["httpx"]["bot_cpu_ms_per_call"]
    for figures in results.values():
        figures["cpu_ratio_to_httpx"] = round(figures["bot_cpu_ms_per_call"] / base, 3)
    return results


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    results = asyncio.run(main(args))
    print(f"{'client':<10} {'calls/s':>10} {'CPU ms/call':>12} {'x httpx':>8}")
    for client, figures in results.items():
        print(
            f"{client:<10} {figures['calls_per_s']:>10} {figures['bot_cpu_ms_per_call']:>12} "
            f"{figures['cpu_ratio_to_httpx']:>8}"
        )
    print(json.dumps(results))
    print("written to", write_results("transport", results))


if __name__ == "__main__":
    cli()
