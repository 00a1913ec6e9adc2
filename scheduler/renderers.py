"""Reminder texts, rendered at send time from the data as it is then ("render late")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Clinician, ReminderOutbox
from scheduler.dispatcher import Rendered, Renderer


async def render_notice(
    session: AsyncSession, row: ReminderOutbox, clinician: Clinician, now: datetime
) -> Rendered | None:
    """A fixed text queued earlier (announcements, course changes): sent as it was written."""
    text = (row.payload or {}).get("text")
    return Rendered(text) if isinstance(text, str) and text else None


def default_renderers() -> dict[str, Renderer]:
    return {"notice": render_notice}
