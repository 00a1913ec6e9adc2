"""Webhook mode: setWebhook/deleteWebhook/getWebhookInfo and the pusher that POSTs updates.

Why: production may run PTB's webhook server; the sandbox delivers updates the same way
Telegram does (JSON POST, secret header, in order, retried until the bot answers 2xx).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

import httpx

from bot.sandbox.params import Params
from bot.sandbox.records import bad_request
from bot.sandbox.registry import method
from bot.sandbox.state import SandboxState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
log = logging.getLogger(__name__)


@method("setWebhook")
def set_webhook(core: SandboxState, p: Params) -> bool:
    url = p.string("url") or ""
    if not url:
        return delete_webhook(core, p)
    if not re.match(r"^https?://[^\s/]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.string("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if p.flag("drop_pending_updates"):
        core.pending_updates.clear()
    core.webhook_url, core.webhook_secret = url, secret
    core.webhook_last_error = None
    core.webhook_changed()
    return True


@method("deleteWebhook")
def delete_webhook(core: SandboxState, p: Params) -> bool:
    if p.flag("drop_pending_updates"):
        core.pending_updates.clear()
    core.webhook_url = core.webhook_secret = None
    core.webhook_changed()
    return True


@method("getWebhookInfo")
def get_webhook_info(core: SandboxState, p: Params) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": core.webhook_url or "",
        "has_custom_certificate": False,
        "pending_update_count": len(core.pending_updates),
    }
    if core.webhook_url:
        info["max_connections"] = 40
    if core.webhook_last_error:
        info["last_error_date"], info["last_error_message"] = core.webhook_last_error
    return info


class WebhookPusher:
    """Delivers pending updates one at a time to the webhook URL, retrying with backoff."""

    def __init__(self, core: SandboxState, *, retry_delay: float = 0.05, max_delay: float = 1.0):
        self.core = core
        self.retry_delay = retry_delay
        self.max_delay = max_delay
        self._task: asyncio.Task[None] | None = None

    def sync(self) -> None:
        """Start or stop delivery to match the current webhook setting."""
        if self.core.webhook_url and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        elif not self.core.webhook_url and self._task is not None:
            self._task.cancel()
            self._task = None

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        core = self.core
        delay = self.retry_delay
        async with httpx.AsyncClient(timeout=10.0) as client:
            while core.webhook_url:
                if not core.pending_updates:
                    await core.updates_signal.wait(None)
                    continue
                update = core.pending_updates[0]
                error = await self._deliver(client, core.webhook_url, update)
                if error is None:
                    core.confirm_updates(update["update_id"] + 1)
                    core.stats.webhook_deliveries += 1
                    delay = self.retry_delay
                    continue
                core.stats.webhook_failures += 1
                core.webhook_last_error = (core.now_date(), error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay)

    async def _deliver(
        self, client: httpx.AsyncClient, url: str, update: dict[str, Any]
    ) -> str | None:
        headers = {SECRET_HEADER: self.core.webhook_secret} if self.core.webhook_secret else {}
        try:
            response = await client.post(url, json=update, headers=headers)
        except httpx.HTTPError as exc:
            log.debug("webhook delivery failed: %r", exc)
            return f"Connection failed: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
