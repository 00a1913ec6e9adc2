"""Webhook mode in process: the sandbox POSTs updates to our ASGI app over real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from bot.app import CMEApplication, build_application
from bot.clock import ManualClock
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.serving import BackgroundServer
from bot.webhook import SECRET_HEADER, build_webhook_app
from tests.e2e.conftest import START, make_settings

SECRET = "correct-horse-battery-staple_42"
pytestmark = pytest.mark.postgres


@dataclass
class WebhookBot:
    sandbox: BotApiSandbox
    app: CMEApplication
    url: str


@pytest.fixture
async def hooked(database_url: str) -> AsyncIterator[WebhookBot]:
    clock = ManualClock(START)
    async with BotApiSandbox(clock=clock) as sandbox:
        settings = make_settings(sandbox, database_url)
        app = build_application(settings, clock=clock, rate_limiter=False)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        server = BackgroundServer(build_webhook_app(app, secret=SECRET, path="/hook"))
        await server.start()
        try:
            await app.bot.set_webhook(f"{server.url}/hook", secret_token=SECRET)
            yield WebhookBot(sandbox, app, f"{server.url}/hook")
        finally:
            await server.stop()
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)


def _update(update_id: int, text: str = "/help") -> dict[str, object]:
    """A raw update as Telegram would POST it (the chat must be known to the sandbox)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(START.timestamp()),
            "chat": {"id": 1001, "type": "private", "first_name": "Ana"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Ana"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_updates_arrive_through_the_webhook(hooked: WebhookBot) -> None:
    ana = hooked.sandbox.user(1001, "Ana")
    await ana.send("/start")
    assert "Hello Ana" in (await ana.next_reply()).text
    assert hooked.sandbox.stats.webhook_deliveries >= 1


@pytest.mark.parametrize("header", [None, "", "wrong", SECRET + "x", SECRET.upper()])
async def test_wrong_or_missing_secret_is_403(hooked: WebhookBot, header: str | None) -> None:
    headers = {SECRET_HEADER: header} if header is not None else {}
    async with httpx.AsyncClient() as http:
        response = await http.post(hooked.url, content=b"not even json", headers=headers)
    assert response.status_code == 403
    assert hooked.sandbox.messages(1001) == []


async def test_oversized_and_malformed_bodies_are_refused(hooked: WebhookBot) -> None:
    hooked.sandbox.add_user(1001, "Ana")
    headers = {SECRET_HEADER: SECRET, "content-type": "application/json"}
    async with httpx.AsyncClient() as http:
        big = await http.post(hooked.url, content=b"{" + b" " * 2_000_000 + b"}", headers=headers)
        assert big.status_code == 413
        for body in (b"{not json", b"[]", b'{"update_id": "x"}', b"\xff\xfe", b"null"):
            response = await http.post(hooked.url, content=body, headers=headers)
            assert response.status_code == 400, body
        ok = await http.post(hooked.url, content=json.dumps(_update(77)), headers=headers)
        assert ok.status_code == 200
    reply = await hooked.sandbox.wait_for_message(1001)
    assert "/status" in (reply.text or "")


async def test_a_resent_update_is_handled_once(hooked: WebhookBot) -> None:
    hooked.sandbox.add_user(1001, "Ana")
    headers = {SECRET_HEADER: SECRET}
    body = json.dumps(_update(501))
    async with httpx.AsyncClient() as http:
        for _ in range(3):  # Telegram re-sends when an answer is slow
            assert (await http.post(hooked.url, content=body, headers=headers)).status_code == 200
    await hooked.sandbox.wait_for_message(1001)
    metrics = hooked.app.bot_data.services.metrics.render().decode()
    assert 'cme_webhook_rejected_total{reason="duplicate"} 2.0' in metrics
    assert len(hooked.sandbox.messages(1001)) == 1


async def test_health_and_metrics(hooked: WebhookBot) -> None:
    base = hooked.url.removesuffix("/hook")
    async with httpx.AsyncClient() as http:
        health = await http.get(f"{base}/healthz")
        metrics = await http.get(f"{base}/metrics")
    assert health.json() == {"status": "ok", "database": "ok"}
    assert "cme_outbox_lag_seconds 0.0" in metrics.text
