"""Time: periodic ticks registered on PTB's JobQueue (the outbox table holds the truth)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the periodic jobs (planner, dispatcher, feed refresh) on the JobQueue."""
    from scheduler import jobs

    jobs.register(app)


async def shutdown_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Finish in-flight reminder sends and release leases (after the JobQueue stopped)."""
    from scheduler import jobs

    await jobs.shutdown_jobs(app)
