"""Pacing sends to Telegram's limits: ~30 messages/s per bot, ~1 message/s per chat.

PTB's AIORateLimiter limits only the overall and group rates, not private chats, and a
429 pauses everything; this limiter paces both, and a 429's ``retry_after`` pauses it.
Time comes from the event loop's monotonic clock: pacing is about real seconds.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict


class SendPacer:
    """Global token bucket plus a minimum interval per chat."""

    def __init__(
        self, rate_per_second: float, *, per_chat_interval: float = 1.0, burst: int = 1
    ) -> None:
        self.rate = rate_per_second
        self.per_chat_interval = per_chat_interval
        self._burst = max(burst, 1)
        self._tokens = float(self._burst)
        self._updated: float | None = None
        self._paused_until = 0.0
        self._chat_next: OrderedDict[int, float] = OrderedDict()
        self._lock = asyncio.Lock()

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until ``retry_after`` has passed."""
        loop_now = asyncio.get_running_loop().time()
        self._paused_until = max(self._paused_until, loop_now + seconds)

    async def wait(self, chat_id: int) -> None:
        """Return when a message to ``chat_id`` may be sent."""
        loop = asyncio.get_running_loop()
        while True:
            async with self._lock:
                now = loop.time()
                delay = self._delay(chat_id, now)
                if delay <= 0:
                    self._take(chat_id, now)
                    return
            await asyncio.sleep(delay)

    def _delay(self, chat_id: int, now: float) -> float:
        delay = self._paused_until - now
        chat_ready = self._chat_next.get(chat_id, 0.0)
        delay = max(delay, chat_ready - now)
        if not self.unlimited:
            self._refill(now)
            if self._tokens < 1:
                delay = max(delay, (1 - self._tokens) / self.rate)
        return delay

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def _take(self, chat_id: int, now: float) -> None:
        if not self.unlimited:
            self._tokens -= 1
        if self.per_chat_interval > 0:
            self._chat_next[chat_id] = now + self.per_chat_interval
            self._chat_next.move_to_end(chat_id)
            while self._chat_next and next(iter(self._chat_next.values())) <= now:
                self._chat_next.popitem(last=False)  # forget chats whose interval passed
