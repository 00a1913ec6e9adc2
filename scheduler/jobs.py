"""Registration of the periodic ticks; each tick reads the truth from the database."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """No periodic jobs yet: the planner and dispatcher land with reminders."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
