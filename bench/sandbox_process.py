"""The local Bot API in a process of its own, so a benchmark measures the bot, not both.

Usage: python -m bench.sandbox_process --users 10000 [--rate-limits] — prints
"READY <base_url>" when serving; GET /_stats returns its counters as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.server import BotApiSandbox

FIRST_USER = 10_000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rate-limits", action="store_true")
    args = parser.parse_args()
    sandbox = BotApiSandbox(rate_limits=args.rate_limits)
    for offset in range(args.users):
        sandbox.add_user(FIRST_USER + offset, f"User{offset}", None, None, "en")

    async def stats(_: Request) -> JSONResponse:
        counters = sandbox.stats
        return JSONResponse(
            {
                "sent": counters.requests.get("sendMessage", 0),
                "rate_limited": counters.rate_limited,
            }
        )

    sandbox.app.routes.insert(0, Route("/_stats", stats))
    await sandbox.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"READY {sandbox.url}", flush=True)
    await stop.wait()
    await sandbox.stop()


if __name__ == "__main__":
    asyncio.run(main())
