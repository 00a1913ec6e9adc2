"""Run many updates at once, but one user's updates strictly in order.

PTB processes updates one at a time by default (about 20 updates/s at 50 ms Bot API
latency). Full concurrency would let a user's "/log" and the button press that
confirms it race each other; this processor keeps per-user order while different
users run in parallel.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.logs import current_update_id, current_user_id
from bot.metrics import Metrics, update_type


class PerUserOrderedProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` at once; same user (or chat) sequential."""

    def __init__(self, max_concurrent_updates: int, metrics: Metrics | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self.metrics = metrics

    @staticmethod
    def _key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            await self._measured(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await self._measured(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # forget idle users so the dict stays small
                del self._waiting[key]
                self._locks.pop(key, None)

    async def _measured(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update):
            current_update_id.set(update.update_id)
            current_user_id.set(update.effective_user.id if update.effective_user else None)
        if self.metrics is None:
            await coroutine
            return
        kind = update_type(update)
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            self.metrics.updates.labels(kind).inc()
            self.metrics.handler_seconds.labels(kind).observe(time.perf_counter() - started)

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""
