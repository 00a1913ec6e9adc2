"""Telegram's flood limits and injected failures, switchable per test at run time.

Why: the reminder dispatcher must survive 429s, 5xx and lost responses; these make them
happen on demand, reproducibly (seeded RNG, injectable monotonic time, no sleeps needed).
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bot.sandbox.records import ApiError

FaultKind = Literal["error", "drop", "drop_after"]


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._times: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        """Seconds until one more event would fit (0 if it fits now)."""
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[len(self._times) - self.limit] + self.window - now

    def record(self, now: float) -> None:
        self._times.append(now)


@dataclass
class RateLimiter:
    """Telegram's documented limits: ~30 msg/s overall, ~1 msg/s per chat, 20/min per group.

    Off by default; flip ``enabled`` (and :meth:`reset`) at run time. Only successful checks
    consume capacity, as a refused message was never sent.
    """

    enabled: bool = False
    per_second: int = 30
    per_chat: tuple[int, float] = (1, 1.0)
    per_group: tuple[int, float] = (20, 60.0)
    time_fn: Callable[[], float] = time.monotonic
    _overall: SlidingWindow = field(init=False)
    _chats: dict[int, SlidingWindow] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget past traffic (e.g. after changing the limits)."""
        self._overall = SlidingWindow(self.per_second, 1.0)
        self._chats = {}

    def check(self, chat_id: int | None, is_group: bool) -> None:
        """Record one message to ``chat_id`` or raise 429 with ``retry_after``."""
        if not self.enabled:
            return
        now = self.time_fn()
        windows = [self._overall]
        if chat_id is not None:
            if chat_id not in self._chats:
                limit, window = self.per_group if is_group else self.per_chat
                self._chats[chat_id] = SlidingWindow(limit, window)
            windows.append(self._chats[chat_id])
        wait = max(w.wait_time(now) for w in windows)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for w in windows:
            w.record(now)


@dataclass
class FaultInjector:
    """Make a fraction of calls fail: 502, dropped connection, or dropped *after* sending.

    ``drop_after`` is the nasty one: the message reaches the chat but the bot never hears so,
    which is what idempotent sending has to cope with. ``methods`` (lowercase) defaults to
    every ``send*`` method.
    """

    error_rate: float = 0.0
    drop_rate: float = 0.0
    drop_after_rate: float = 0.0
    methods: frozenset[str] | None = None
    seed: int | None = 0
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.reseed(self.seed)

    def reseed(self, seed: int | None) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def applies_to(self, method: str) -> bool:
        method = method.lower()
        return method in self.methods if self.methods is not None else method.startswith("send")

    def roll(self, method: str) -> FaultKind | None:
        """Decide this call's fate; consumes one random draw per eligible call."""
        if not self.applies_to(method):
            return None
        if not (self.error_rate or self.drop_rate or self.drop_after_rate):
            return None
        draw = self._rng.random()
        if draw < self.error_rate:
            return "error"
        if draw < self.error_rate + self.drop_rate:
            return "drop"
        if draw < self.error_rate + self.drop_rate + self.drop_after_rate:
            return "drop_after"
        return None
