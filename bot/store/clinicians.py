"""Clinician rows: the only lookup by Telegram id, everything else hangs off the row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Clinician, ReminderOutbox


@dataclass(frozen=True, slots=True)
class TelegramIdentity:
    """Who sent an update, as Telegram says (never taken from message text)."""

    telegram_id: int
    chat_id: int
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


async def find(session: AsyncSession, telegram_id: int) -> Clinician | None:
    """The clinician for this Telegram user, if they have used the bot."""
    result = await session.execute(select(Clinician).where(Clinician.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def get_or_create(
    session: AsyncSession, who: TelegramIdentity, *, default_timezone: str, now: datetime
) -> tuple[Clinician, bool]:
    """Return the sender's clinician row, creating it on first contact."""
    clinician = await find(session, who.telegram_id)
    if clinician is not None:
        changed = False
        for field in ("first_name", "last_name", "username", "chat_id"):
            value = getattr(who, field)
            if value is not None and getattr(clinician, field) != value:
                setattr(clinician, field, value)
                changed = True
        if not clinician.active:
            clinician.active = True  # writing to us again means they unblocked the bot
            changed = True
        if changed:
            clinician.updated_at = now
        return clinician, False
    clinician = Clinician(
        telegram_id=who.telegram_id,
        chat_id=who.chat_id,
        first_name=who.first_name or "",
        last_name=who.last_name,
        username=who.username,
        language_code=who.language_code,
        timezone=default_timezone,
        flags=[],
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(clinician)
    await session.flush()
    return clinician, True


HELD = "held"


async def set_conversation(
    session: AsyncSession, clinician: Clinician, state: dict[str, Any] | None, now: datetime
) -> None:
    """Store (or clear) the clinician's multi-step chat state.

    ``state[HELD]`` holds decisions that wait for a button however many other questions
    come and go (an admin's "cancel the courses the new catalogue dropped?"): carried over
    unless the new state names ``HELD`` itself (empty: released)."""
    held = (clinician.conversation or {}).get(HELD)
    state = dict(state) if state is not None else None
    if state is not None and HELD in state:
        held = state.pop(HELD)
    if held:
        state = {**(state or {}), HELD: held}
    clinician.conversation = state or None
    clinician.updated_at = now


async def mark_inactive(session: AsyncSession, clinician_id: int, now: datetime) -> None:
    """The clinician blocked the bot: stop messaging them and cancel what was queued."""
    await session.execute(
        update(Clinician).where(Clinician.id == clinician_id).values(active=False, updated_at=now)
    )
    await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.clinician_id == clinician_id, ReminderOutbox.status == "pending")
        .values(status="cancelled", last_error="clinician blocked the bot", updated_at=now)
    )


async def forget(session: AsyncSession, clinician: Clinician) -> None:
    """Delete the clinician and, by cascade, every row they own."""
    await session.delete(clinician)
    await session.flush()
