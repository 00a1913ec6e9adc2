"""The planner against a real database: idempotent, moves, cancels and revives rows."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.requirements import RuleBook, shipped_rulebook
from bot.store import credits, outbox
from bot.store.db import transaction
from bot.store.models import Clinician, Licence, ReminderOutbox
from scheduler.planner import PlanPass, plan_everyone
from tests.scheduler.seeding import seed_florida_clinicians

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
RULES = shipped_rulebook()
pytestmark = pytest.mark.postgres


async def _seed(sessionmaker: async_sessionmaker[AsyncSession], people: int = 3) -> None:
    await seed_florida_clinicians(sessionmaker, people, NOW)


async def _statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with transaction(sessionmaker) as session:
        rows = (await session.execute(select(ReminderOutbox.status))).scalars()
        return Counter(rows)


async def test_replanning_is_idempotent_and_follows_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker)
    # Each licence: 7 ladder steps and the note the day after its deadline.
    assert await plan_everyone(sessionmaker, NOW, RULES) == PlanPass(3, 3, 24)
    assert await plan_everyone(sessionmaker, NOW, RULES) == PlanPass(3, 0, 0), "nothing changed"
    assert await plan_everyone(sessionmaker, NOW, RULES, full=True) == PlanPass(3, 3, 24)
    assert await _statuses(sessionmaker) == {"pending": 24}

    async with transaction(sessionmaker) as session:  # mute one licence: its 8 rows cancel
        licence = (
            await session.execute(select(Licence).order_by(Licence.id).limit(1))
        ).scalar_one()
        licence.reminders_muted = True
    await plan_everyone(sessionmaker, NOW, RULES)
    assert await _statuses(sessionmaker) == {"pending": 16, "cancelled": 8}

    async with transaction(sessionmaker) as session:  # unmute: the same rows come back
        licence = (
            await session.execute(select(Licence).order_by(Licence.id).limit(1))
        ).scalar_one()
        licence.reminders_muted = False
    await plan_everyone(sessionmaker, NOW, RULES)
    assert await _statuses(sessionmaker) == {"pending": 24}

    async with transaction(sessionmaker) as session:  # time zone change moves due times
        person = (
            await session.execute(select(Clinician).order_by(Clinician.id).limit(1))
        ).scalar_one()
        before = {
            r.dedupe_key: r.due_at
            for r in (await session.execute(select(ReminderOutbox))).scalars()
            if r.clinician_id == person.id
        }
        person.timezone = "Asia/Tokyo"
    await plan_everyone(sessionmaker, NOW, RULES)
    async with transaction(sessionmaker) as session:
        after = {
            r.dedupe_key: r.due_at
            for r in (await session.execute(select(ReminderOutbox))).scalars()
            if r.dedupe_key in before
        }
    assert before.keys() == after.keys()
    assert all(after[key] != before[key] for key in before)
    assert await _statuses(sessionmaker) == {"pending": 24}


async def test_due_rows_are_left_for_the_dispatcher(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker, people=1)
    await plan_everyone(sessionmaker, NOW, RULES)
    later = NOW + timedelta(days=400)  # past several steps
    await plan_everyone(sessionmaker, later, RULES)
    statuses = await _statuses(sessionmaker)
    # Due-but-unsent rows are not cancelled by planning (7 ladder steps, the deadline note).
    assert statuses == {"pending": 8}


async def test_the_periodic_pass_evaluates_only_clinicians_whose_inputs_changed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Any column planning reads, a new cycle, other rules or a week gone: evaluated again."""
    await _seed(sessionmaker, people=4)
    await plan_everyone(sessionmaker, NOW, RULES)
    async with transaction(sessionmaker) as session:
        people = list((await session.execute(select(Clinician).order_by(Clinician.id))).scalars())
        people[0].quiet_end_min = 9 * 60
        people[1].conversation = {"step": "anything"}  # chat state is no plan input
        owned = (
            await session.execute(select(Licence).where(Licence.clinician_id == people[2].id))
        ).scalar_one()
        owned.renewals_done = 3
        await credits.add(
            session, people[3], completed_on=date(2026, 11, 2), amount=Decimal(1),
            category="ama_pra_1", title="y", now=NOW,
        )  # fmt: skip
    assert (await plan_everyone(sessionmaker, NOW, RULES)).replanned == 3

    next_day = await plan_everyone(sessionmaker, NOW + timedelta(days=1), RULES)
    assert next_day.replanned == 0, "same cycle, same inputs"
    others = RuleBook([rule for rule in RULES if rule.id != "us-tx-md"])
    assert (await plan_everyone(sessionmaker, NOW + timedelta(days=1), others)).replanned == 4
    a_week_on = NOW + timedelta(days=8)
    assert (await plan_everyone(sessionmaker, a_week_on, others)).replanned == 4, "MAX_PLAN_AGE"

    before_deadline = datetime(2028, 1, 30, 15, tzinfo=UTC)  # Florida renews on Jan 31
    await plan_everyone(sessionmaker, before_deadline, others)
    assert (await plan_everyone(sessionmaker, before_deadline, others)).replanned == 0
    rolled = await plan_everyone(sessionmaker, before_deadline + timedelta(days=2), others)
    assert rolled.replanned == 4, "the cycle rolled over"
    assert rolled.rows > 0, "the next cycle's ladder"


async def test_insert_new_stores_every_field_and_leaves_existing_keys_alone(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """PostgreSQL inserts through arrays (unnest), SQLite through an executemany: same rows."""
    await _seed(sessionmaker, people=1)
    due = NOW + timedelta(days=3, minutes=7)
    first = [
        outbox.Planned(1, "renewal", 5, "2027-01-31:30", due),
        outbox.Planned(1, "notice", None, "x", due, payload={"text": "Zoë ✓"}),
    ]
    again = [outbox.Planned(1, "renewal", 5, "2027-01-31:30", due + timedelta(hours=1))]
    async with transaction(sessionmaker) as session:
        await outbox.insert_new(session, first, NOW)
        await outbox.insert_new(session, again, NOW)  # the same key: left as it was
    async with transaction(sessionmaker) as session:
        rows = (await session.execute(select(ReminderOutbox).order_by(ReminderOutbox.id))).scalars()
        stored = [
            (r.dedupe_key, r.kind, r.target_id, r.due_at, r.payload, r.status, r.attempts,
             r.created_at)
            for r in rows
        ]  # fmt: skip
        # Stored in the form SQLAlchemy binds: SQLite compares timestamps as text.
        matched = await session.scalar(
            select(func.count()).where(
                ReminderOutbox.due_at == due, ReminderOutbox.created_at == NOW
            )
        )
    assert matched == 2
    assert stored == [
        ("1:renewal:5:2027-01-31:30", "renewal", 5, due, None, "pending", 0, NOW),
        ("1:notice:-:x", "notice", None, due, {"text": "Zoë ✓"}, "pending", 0, NOW),
    ]
