"""What the periodic planner last planned each clinician from (``clinician_plans``).

A row holds the digest of the inputs the pass planned from (see
:mod:`scheduler.plan_digest`). Re-planning one clinician after a change replaces it with
a one-off mark, so a pass that read the clinician before that change can tell, when it
comes to write, that its plan is out of date.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import ClinicianPlan

REPLANNED_MARK = "r"
"""Starts a mark left by a one-clinician re-plan: 31 characters, never a 32-digit digest."""


async def stored(session: AsyncSession, clinician_ids: Iterable[int]) -> dict[int, str]:
    """The digest or mark stored for each of these clinicians that has one."""
    rows = await session.execute(
        select(ClinicianPlan.clinician_id, ClinicianPlan.inputs_digest).where(
            ClinicianPlan.clinician_id.in_(list(clinician_ids))
        )
    )
    return {clinician_id: digest for clinician_id, digest in rows.all()}


async def mark_replanned(session: AsyncSession, clinician_id: int, now: datetime) -> None:
    """Say that this clinician was re-planned outside the pass (a new mark each time)."""
    await remember(session, {clinician_id: REPLANNED_MARK + secrets.token_hex(15)}, now)


async def remember(session: AsyncSession, digests: Mapping[int, str], now: datetime) -> None:
    """Store each clinician's digest (or mark), replacing what was there.

    An upsert: a pass and a change re-planning the same clinician at once must not fail
    one of them on the primary key."""
    if not digests:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ClinicianPlan)
    statement = statement.on_conflict_do_update(
        index_elements=["clinician_id"],
        set_={
            "inputs_digest": statement.excluded.inputs_digest,
            "planned_at": statement.excluded.planned_at,
        },
    )
    # Parameters beside the statement (an executemany), not .values([...]): compiling
    # a VALUES list of 500 rows cost more than storing them.
    rows = [
        {"clinician_id": cid, "inputs_digest": digest, "planned_at": now}
        for cid, digest in digests.items()
    ]
    await session.execute(statement, rows)
