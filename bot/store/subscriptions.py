"""Course subscriptions ("remind me about this course"), read through their owner."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Clinician, Course, CourseSubscription


async def subscribe(session: AsyncSession, owner: Clinician, course_id: int, now: datetime) -> bool:
    """Subscribe; True if new. Idempotent (a second press changes nothing)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(CourseSubscription)
        .values(clinician_id=owner.id, course_id=course_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["clinician_id", "course_id"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_for(
    session: AsyncSession, owner: Clinician
) -> list[tuple[CourseSubscription, Course]]:
    result = await session.execute(
        select(CourseSubscription, Course)
        .join(Course, Course.id == CourseSubscription.course_id)
        .where(CourseSubscription.clinician_id == owner.id)
        .order_by(Course.starts_at)
    )
    return [(row[0], row[1]) for row in result.all()]


async def unsubscribe(session: AsyncSession, owner: Clinician, course_id: int) -> bool:
    result = await session.execute(
        delete(CourseSubscription).where(
            CourseSubscription.clinician_id == owner.id, CourseSubscription.course_id == course_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
