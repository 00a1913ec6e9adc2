"""The planner pass in worker processes, and a pass racing a change that re-plans."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.requirements import RuleBook, shipped_rulebook
from bot.store.db import transaction
from bot.store.models import Clinician, Licence, ReminderOutbox
from scheduler import planner
from scheduler.plan_workers import _ranges, plan_in_processes
from tests.scheduler.seeding import seed_florida_clinicians

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
RULES = shipped_rulebook()
pytestmark = pytest.mark.postgres


async def _seed(sessionmaker: async_sessionmaker[AsyncSession], people: int) -> None:
    await seed_florida_clinicians(sessionmaker, people, NOW, ("America/Chicago", "Europe/Berlin"))


async def _outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> set[tuple[object, ...]]:
    async with transaction(sessionmaker) as session:
        rows = await session.execute(
            select(
                ReminderOutbox.id, ReminderOutbox.clinician_id, ReminderOutbox.dedupe_key,
                ReminderOutbox.due_at, ReminderOutbox.status,
            )
        )  # fmt: skip
        return {tuple(row) for row in rows.all()}


def test_ranges_cover_every_id_once() -> None:
    ids = [3, 5, 8, 9, 20, 21, 22]
    assert _ranges(ids, 3) == [(0, 8), (8, 21), (21, None)]
    assert _ranges(ids, 10) == [(0, None)]
    covered = [i for i in ids for after, upto in _ranges(ids, 2) if after < i <= (upto or i)]
    assert covered == ids


async def test_worker_processes_plan_what_one_process_would(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker, people=23)
    done = await plan_in_processes(
        sessionmaker, NOW, RULES, workers=2, batch_size=4, full=False,
        parallel_min=1, range_size=5,
    )  # fmt: skip
    assert done == planner.PlanPass(23, 23, 23 * 8)  # 7 ladder steps and the deadline note
    planned = await _outbox(sessionmaker)
    assert len(planned) == 23 * 8
    # The same pass in this process finds nothing to change: not a row added, moved or
    # cancelled, and every digest the workers stored is the one it computes.
    assert await planner.plan_everyone(sessionmaker, NOW, RULES) == planner.PlanPass(23, 0, 0)
    full = await planner.plan_everyone(sessionmaker, NOW, RULES, full=True)
    assert full == planner.PlanPass(23, 23, 23 * 8)
    assert await _outbox(sessionmaker) == planned


async def test_too_few_clinicians_are_planned_in_this_process(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _seed(sessionmaker, people=2)
    assert await plan_in_processes(
        sessionmaker, NOW, RULES, workers=2, batch_size=4, full=False, parallel_min=3
    ) is None  # fmt: skip
    done = await planner.plan_everyone(sessionmaker, NOW, RULES, workers=2)
    assert done == planner.PlanPass(2, 2, 16)


async def test_a_pass_does_not_overwrite_a_plan_made_after_it_read(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A licence muted (and re-planned at once) while a pass is between reading and
    writing: the pass's plan, from before the mute, must not revive the reminders."""
    await _seed(sessionmaker, people=2)
    batch = await planner._read_batch(sessionmaker, 0, None, 10, NOW)
    assert batch is not None
    async with transaction(sessionmaker) as session:
        first = (await session.execute(select(Clinician).order_by(Clinician.id))).scalars().first()
        assert first is not None
        licence = (
            await session.execute(select(Licence).where(Licence.clinician_id == first.id))
        ).scalar_one()
        licence.reminders_muted = True
        await planner.plan_clinician(session, first, NOW, RULES)
    plans = {cid: planner.plan_rows(data, NOW, RULES) for cid, data in batch.data.items()}
    digests = {cid: planner._digest(data, NOW, RULES) for cid, data in batch.data.items()}
    assert len(plans[first.id]) == 8, "the stale plan still has the muted licence's rows"
    async with transaction(sessionmaker) as session:
        written = await planner._write_batch(session, batch, plans, digests, NOW)
    assert written == [cid for cid in batch.data if cid != first.id]
    statuses = {row[4] for row in await _outbox(sessionmaker) if row[1] == first.id}
    assert statuses <= {"cancelled"}, "the muted licence stays quiet"
    # The next pass evaluates that clinician again (the re-plan left a mark, no digest).
    assert (await planner.plan_everyone(sessionmaker, NOW, RULES)).replanned == 1


class _UnreadableInWorkers(RuleBook):
    """Rules a worker process fails to load: its pool breaks before planning anyone."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rules_here_only, (os.getpid(), list(self)))


def _rules_here_only(parent: int, rules: list[Any]) -> RuleBook:
    if os.getpid() != parent:
        raise RuntimeError("a worker that cannot start")
    return RuleBook(rules)


async def test_a_broken_worker_pool_leaves_the_pass_to_this_process(
    sessionmaker: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    await _seed(sessionmaker, people=6)
    rules = _UnreadableInWorkers(list(RULES))
    assert await plan_in_processes(
        sessionmaker, NOW, rules, workers=2, batch_size=4, full=False, parallel_min=1,
        range_size=3,
    ) is None  # fmt: skip
    assert "planning in this process" in caplog.text
    done = await planner.plan_everyone(sessionmaker, NOW, RULES)
    assert done == planner.PlanPass(6, 6, 6 * 8)


async def test_a_failing_batch_leaves_the_batch_before_it_written(
    sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that fails part way keeps the batches it wrote, and says why."""
    await _seed(sessionmaker, people=6)
    real_read = planner._read_batch
    reads = 0

    async def second_read_fails(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        if reads == 2:
            raise RuntimeError("the database went away")
        return await real_read(*args, **kwargs)

    monkeypatch.setattr(planner, "_read_batch", second_read_fails)
    with pytest.raises(RuntimeError, match="went away"):
        await planner.plan_range(sessionmaker, NOW, RULES, batch_size=4)
    assert len({row[1] for row in await _outbox(sessionmaker)}) == 4  # the first batch
    monkeypatch.undo()
    done = await planner.plan_everyone(sessionmaker, NOW, RULES)
    assert done == planner.PlanPass(6, 2, 16)  # the next pass plans only the other two
