"""Clinicians with a Florida licence and one credit, as the planner tests need them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store import clinicians, credits, licences
from bot.store.db import transaction


async def seed_florida_clinicians(
    sessionmaker: async_sessionmaker[AsyncSession],
    people: int,
    now: datetime,
    zones: tuple[str, ...] = ("America/Chicago",),
) -> None:
    """``people`` clinicians (time zones in turn from ``zones``), each with a Florida MD
    licence renewing on 31 Jan 2028 and 3 credits logged on 1 Oct 2026."""
    async with transaction(sessionmaker) as session:
        for index in range(people):
            owner, _ = await clinicians.get_or_create(
                session, clinicians.TelegramIdentity(100 + index, 100 + index, f"U{index}"),
                default_timezone=zones[index % len(zones)], now=now,
            )  # fmt: skip
            await licences.add(
                session, owner, label="Florida", rule_id="us-fl-md",
                renewal_date=date(2028, 1, 31), renewals_done=2, now=now,
            )  # fmt: skip
            await credits.add(
                session, owner, completed_on=date(2026, 10, 1), amount=Decimal(3),
                category="ama_pra_1", title="x", now=now,
            )  # fmt: skip
