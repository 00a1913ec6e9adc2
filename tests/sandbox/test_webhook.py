"""Webhook mode: getUpdates conflicts, pushes are POSTed with the secret and retried."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.sandbox import BotApiSandbox
from bot.sandbox.serving import BackgroundServer
from tests.sandbox.conftest import BotApi


async def test_webhook_delivery_with_secret_and_retry(sandbox: BotApiSandbox, api: BotApi) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    arrived = asyncio.Event()
    failures_left = [1]

    async def receive(request: Request) -> Response:
        if failures_left[0]:
            failures_left[0] -= 1
            return Response(status_code=500)
        received.append(
            (request.headers.get("x-telegram-bot-api-secret-token"), await request.json())
        )
        arrived.set()
        return Response()

    receiver = BackgroundServer(Starlette(routes=[Route("/hook", receive, methods=["POST"])]))
    await receiver.start()
    try:
        assert await api.ok("setWebhook", url=f"{receiver.url}/hook", secret_token="s3cret-_")
        status, body = await api.call("getUpdates")
        assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
        update_id = sandbox.push_text("via webhook", user_id=1001)
        await asyncio.wait_for(arrived.wait(), 5)
        [(secret, update)] = received
        assert secret == "s3cret-_"
        assert update["update_id"] == update_id and update["message"]["text"] == "via webhook"
        info = await api.ok("getWebhookInfo")
        assert info["url"].endswith("/hook") and info["pending_update_count"] == 0
        assert "500" in info["last_error_message"]
        assert sandbox.stats.webhook_failures == 1 and sandbox.stats.webhook_deliveries == 1
        assert await api.ok("deleteWebhook")
        sandbox.push_text("via polling", user_id=1001)
        [polled] = await api.ok("getUpdates")
        assert polled["message"]["text"] == "via polling"
    finally:
        await receiver.stop()
