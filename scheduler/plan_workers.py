"""A large planner pass split over worker processes.

Evaluating licences is most of a pass and is pure Python: one process uses one core.
Here ranges of clinician ids go to a pool of processes, each with its own database
connection, running the same :func:`~scheduler.planner.plan_range` as a single process
would. Writes stay correct with any number of them: each batch is written in its own
transaction, skips clinicians re-planned since it read them, and on SQLite waits for the
one write lock like any other writer. The bot's own event loop only waits for the pool.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.requirements import RuleBook
from bot.store.db import create_engine, create_sessionmaker, transaction
from bot.store.models import Clinician
from scheduler.planner import PlanPass, plan_range

PARALLEL_MIN = 5_000
"""Fewer clinicians are planned in the calling process: starting a worker (about a second
of imports) costs more than it saves."""
RANGE_SIZE = 2_000
"""Clinicians per task: small enough to keep every worker busy to the end."""

log = logging.getLogger(__name__)
_worker: dict[str, Any] = {}


async def plan_in_processes(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    rulebook: RuleBook,
    *,
    workers: int,
    batch_size: int,
    full: bool,
    parallel_min: int = PARALLEL_MIN,
    range_size: int = RANGE_SIZE,
) -> PlanPass | None:
    """The pass over everyone in ``workers`` processes; None when it is better done here
    (too few clinicians, or an in-memory database no other process can open)."""
    engine = sessionmaker.kw["bind"]
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    async with transaction(sessionmaker) as session:
        ids = list((await session.execute(select(Clinician.id).order_by(Clinician.id))).scalars())
    if len(ids) < max(parallel_min, 1):
        return None
    ranges = _ranges(ids, range_size)
    loop = asyncio.get_running_loop()
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(ranges)),
        mp_context=multiprocessing.get_context("spawn"),  # never fork a running event loop
        initializer=_start_worker,
        initargs=(url.render_as_string(hide_password=False), rulebook),
    )
    try:
        futures = [
            loop.run_in_executor(pool, _plan_range, after, upto, now, batch_size, full)
            for after, upto in ranges
        ]
        done = PlanPass()
        for part in await asyncio.gather(*futures):
            done = done.plus(part)
        return done
    except BrokenProcessPool as error:
        # A worker died (killed, out of memory) or none could start: the pass is done in
        # this process instead; batches the workers wrote are skipped by their digests.
        log.warning("planner workers failed (%s); planning in this process", error)
        return None
    finally:
        # Cancelled (shutdown) or failed: drop the queued ranges; a worker finishes the
        # batch it is writing (each batch is its own transaction) and exits.
        pool.shutdown(wait=False, cancel_futures=True)


def _ranges(ids: list[int], size: int) -> list[tuple[int, int | None]]:
    """(after, upto] id ranges of ``size`` clinicians; the last is open-ended, for
    clinicians who joined since the ids were read."""
    bounds = [0] + [ids[i - 1] for i in range(size, len(ids), size)]
    return [(after, upto) for after, upto in zip(bounds, [*bounds[1:], None], strict=True)]


def _start_worker(url: str, rulebook: RuleBook) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the bot, which stops us
    _worker.update(url=url, rulebook=rulebook)
    gc.freeze()  # as the bot does after start-up: collections skip the imported modules


def _plan_range(
    after_id: int, upto_id: int | None, now: datetime, batch_size: int, full: bool
) -> PlanPass:
    return asyncio.run(_plan_range_async(after_id, upto_id, now, batch_size, full))


async def _plan_range_async(
    after_id: int, upto_id: int | None, now: datetime, batch_size: int, full: bool
) -> PlanPass:
    engine = create_engine(_worker["url"], pool_size=1)
    try:
        return await plan_range(
            create_sessionmaker(engine), now, _worker["rulebook"],
            after_id=after_id, upto_id=upto_id, batch_size=batch_size, full=full,
        )  # fmt: skip
    finally:
        await engine.dispose()
