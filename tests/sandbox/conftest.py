"""Fixtures: a running sandbox, an HTTP client for raw Bot API calls, a polling PTB echo bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram.ext import Application

from bot.sandbox import BotApiSandbox
from bot.sandbox.ptb import polling, sandbox_builder
from tests.sandbox.echo_bot import add_handlers


class BotApi:
    """Raw Bot API calls over HTTP, returning (status, decoded JSON)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def call(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.client.post(method, json=params or None)
        return response.status_code, response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        """The result of a call that must succeed."""
        status, body = await self.call(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox() as running:
        yield running


@pytest.fixture
async def api(sandbox: BotApiSandbox) -> AsyncIterator[BotApi]:
    base = f"{sandbox.base_url}{sandbox.token}/"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield BotApi(client)


@pytest.fixture
async def echo_bot(
    sandbox: BotApiSandbox,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The echo bot, polling the sandbox until the test ends."""
    app = sandbox_builder(sandbox).build()
    add_handlers(app)
    async with polling(app, sandbox, poll_timeout=1):
        yield app
