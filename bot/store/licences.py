"""Licences and certifications, always read through their owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Clinician, Licence


async def add(
    session: AsyncSession,
    owner: Clinician,
    *,
    label: str,
    now: datetime,
    rule_id: str | None = None,
    jurisdiction: str | None = None,
    profession: str | None = None,
    number: str | None = None,
    issued_on: date | None = None,
    renewal_date: date | None = None,
    renewals_done: int | None = None,
    flags: Sequence[str] = (),
    custom_rule: dict[str, Any] | None = None,
) -> Licence:
    licence = Licence(
        clinician_id=owner.id,
        rule_id=rule_id,
        label=label,
        jurisdiction=jurisdiction,
        profession=profession,
        number=number,
        issued_on=issued_on,
        renewal_date=renewal_date,
        renewals_done=renewals_done,
        flags=list(flags),
        custom_rule=custom_rule,
        created_at=now,
        updated_at=now,
    )
    session.add(licence)
    await session.flush()
    return licence


async def list_for(session: AsyncSession, owner: Clinician) -> list[Licence]:
    result = await session.execute(
        select(Licence).where(Licence.clinician_id == owner.id).order_by(Licence.id)
    )
    return list(result.scalars())


async def get(session: AsyncSession, owner: Clinician, licence_id: int) -> Licence | None:
    """The owner's licence with this id, or None (also when it belongs to someone else)."""
    result = await session.execute(
        select(Licence).where(Licence.id == licence_id, Licence.clinician_id == owner.id)
    )
    return result.scalar_one_or_none()


async def find_by_rule(session: AsyncSession, owner: Clinician, rule_id: str) -> Licence | None:
    """The owner's first licence under this shipped rule, or None."""
    result = await session.execute(
        select(Licence)
        .where(Licence.clinician_id == owner.id, Licence.rule_id == rule_id)
        .order_by(Licence.id)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def remove(session: AsyncSession, owner: Clinician, licence_id: int) -> bool:
    result = await session.execute(
        delete(Licence).where(Licence.id == licence_id, Licence.clinician_id == owner.id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
