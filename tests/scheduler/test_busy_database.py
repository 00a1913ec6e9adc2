"""A dispatcher tick while SQLite's one connection is held (an admin's very large import)."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from telegram import Bot

from bot.clock import ManualClock
from bot.store import db
from bot.store.db import create_sessionmaker, transaction
from scheduler import jobs
from tests.scheduler.conftest import make_dispatcher


async def test_a_tick_that_cannot_get_the_connection_is_skipped_with_a_warning(
    database_url: str,
    tg_bot: Bot,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """QA round 9: a 60,000-row import held the connection past the pool's wait, and each
    dispatcher tick logged a traceback."""
    monkeypatch.setattr(db, "SQLITE_POOL_TIMEOUT_S", 0.2)
    engine = db.create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock)
    context = SimpleNamespace(
        application=SimpleNamespace(bot_data=SimpleNamespace(services=SimpleNamespace(
            dispatcher=dispatcher
        )))
    )  # fmt: skip
    try:
        async with transaction(sessionmaker) as session:  # holds the one connection
            await session.execute(text("SELECT 1"))
            with caplog.at_level(logging.WARNING, logger="scheduler.jobs"):
                await jobs._dispatch_tick(context)  # type: ignore[arg-type]
    finally:
        await dispatcher.shutdown()
        await engine.dispose()
    [record] = [r for r in caplog.records if r.name == "scheduler.jobs"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "database stayed busy" in record.getMessage()
