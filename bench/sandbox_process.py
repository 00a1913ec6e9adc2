"""The local Bot API in a process of its own, so a benchmark measures the bot, not both.

Usage: python -m bench.sandbox_process --users 10000 [--rate-limits] [--latency-ms 100] —
prints "READY <base_url>" when serving; GET /_stats returns its counters as JSON.
``--latency-ms`` (default: $CME_SANDBOX_LATENCY_MS or 0) adds a round trip like the real
Bot API's, half before the request is handled and half before the answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.server import BotApiSandbox

FIRST_USER = 10_000
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def with_latency(app: App, seconds: float) -> App:
    """Wrap an ASGI app so every HTTP exchange takes ``seconds`` longer, split in two."""
    half = seconds / 2

    async def delayed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        await asyncio.sleep(half)

        async def send_later(message: Message) -> None:
            if message["type"] == "http.response.start":
                await asyncio.sleep(half)
            await send(message)

        await app(scope, receive, send_later)

    return delayed


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rate-limits", action="store_true")
    parser.add_argument(
        "--latency-ms", type=float, default=float(os.environ.get("CME_SANDBOX_LATENCY_MS", 0))
    )
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
    from bench.bench_load import add_load_routes  # POST /_load, GET /_first (bench_load)

    add_load_routes(sandbox)
    if args.latency_ms > 0:
        sandbox.app = with_latency(sandbox.app, args.latency_ms / 1000)  # type: ignore[assignment]
    await sandbox.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(f"READY {sandbox.url}", flush=True)
    await stop.wait()
    await sandbox.stop()


if __name__ == "__main__":
    asyncio.run(main())
