"""The one clock: every "now" in the product comes from here.

Tests, benchmarks and the sandbox swap in a :class:`ManualClock` so time can move
without sleeping (``/advance 30d`` in the sandbox chat).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; optionally anchored to real time.

    With ``follow_real_time=True`` it ticks with the wall clock plus an offset,
    which is what the sandbox chat uses: time flows, and ``advance`` jumps ahead.
    """

    def __init__(self, start: datetime | None = None, *, follow_real_time: bool = False) -> None:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._follow = follow_real_time
        self._offset = start - datetime.now(UTC) if follow_real_time else timedelta(0)
        self._fixed = start.astimezone(UTC)

    def now(self) -> datetime:
        if self._follow:
            return datetime.now(UTC) + self._offset
        return self._fixed

    def advance(self, delta: timedelta) -> datetime:
        """Move time forward by ``delta`` and return the new now."""
        if self._follow:
            self._offset += delta
        else:
            self._fixed += delta
        return self.now()

    def set(self, when: datetime) -> None:
        """Jump to an absolute moment."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        if self._follow:
            self._offset = when - datetime.now(UTC)
        else:
            self._fixed = when.astimezone(UTC)
