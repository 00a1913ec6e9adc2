"""Registration of the periodic ticks; each tick reads the truth from the database."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the periodic jobs (planner, dispatcher, feed refresh) on the JobQueue."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")


async def tick_now(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run every periodic job once, now (the sandbox's /advance uses this)."""


async def shutdown_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Finish the dispatcher's in-flight sends and release its leases."""
