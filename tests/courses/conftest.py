"""Fixtures for catalogue tests: a fixed "now"; the local HTTP server is tests.feed_server."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.feed_server import FeedServer, Reply, Route

__all__ = ["NOW", "FeedServer", "Reply", "Route", "no_sleep"]

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def no_sleep(_seconds: float) -> None:
    """Injected instead of asyncio.sleep so backoff tests do not wait."""
