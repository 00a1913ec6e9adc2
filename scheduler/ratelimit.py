"""Pacing sends to Telegram's limits: ~30 messages/s per bot, ~1 message/s per chat.

PTB's AIORateLimiter limits only the overall and group rates, not private chats, and a
429 pauses everything; this limiter paces both, and a 429's ``retry_after`` pauses it.
Time comes from the event loop's monotonic clock: pacing is about real seconds.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import timedelta


class SendPacer:
    """Sends on a schedule (one every ``1/rate`` s) plus a minimum interval per chat.

    The schedule, not the moment a waiter wakes up, sets the next slot: the event loop's
    wake-up latency (~1 ms a message, 2-3 % of 30/s with a capped token bucket) is not
    lost, while ``slack`` bounds how much lateness may be caught up (never a burst).
    """

    def __init__(
        self, rate_per_second: float, *, per_chat_interval: float = 1.0, slack: float = 0.002
    ) -> None:
        self.rate = rate_per_second
        self.per_chat_interval = per_chat_interval
        self._slack = slack
        self._next_slot = 0.0
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
            delay = max(delay, self._next_slot - now)
        return delay

    def _take(self, chat_id: int, now: float) -> None:
        if not self.unlimited:
            self._next_slot = max(self._next_slot, now - self._slack) + 1 / self.rate
        if self.per_chat_interval > 0:
            self._chat_next[chat_id] = now + self.per_chat_interval
            self._chat_next.move_to_end(chat_id)
            while self._chat_next and next(iter(self._chat_next.values())) <= now:
                self._chat_next.popitem(last=False)  # forget chats whose interval passed


def retry_after_seconds(value: int | timedelta) -> float:
    """A 429's ``retry_after`` in seconds (PTB gives an int or a timedelta)."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
