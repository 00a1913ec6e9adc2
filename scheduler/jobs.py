"""The periodic ticks on PTB's JobQueue; each reads the truth from the database.

APScheduler (inside the JobQueue) holds nothing durable: it only says "now is a good
time to look". What is due lives in the outbox table, so restarts, crashes and
several processes are safe.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram.ext import Application, CallbackContext

from bot.context import Services
from scheduler.dispatcher import Dispatcher
from scheduler.feeds import refresh_tick
from scheduler.leader import LeaderLock, LockRole
from scheduler.planner import plan_everyone
from scheduler.ratelimit import SendPacer
from scheduler.renderers import default_renderers

log = logging.getLogger(__name__)
AnyApp = Application[Any, Any, Any, Any, Any, Any]

# Re-planning after each change keeps rows current; the periodic pass catches what time
# alone changes (a cycle rolling over, a course feed moving a date).
PLAN_INTERVAL = timedelta(hours=6)
PLANNER_LOCK_KEY = 0x434D4503  # one process plans everyone at a time
PLANNER = LockRole("planner", "re-plans everyone's reminders", quiet=True)
FEED_INTERVAL = timedelta(hours=1)  # conditional requests: an unchanged feed costs one 304
# Several runs of one job never overlap; a tick missed while busy is simply skipped.
_JOB_KWARGS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 60}


def _services(app: AnyApp) -> Services:
    return app.bot_data.services  # type: ignore[no-any-return]


def register(app: AnyApp) -> None:
    """Create the dispatcher and register the periodic jobs."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    services = _services(app)
    settings = services.settings
    assert services.engine is not None
    services.dispatcher = Dispatcher(
        bot=app.bot,
        sessionmaker=services.sessionmaker,
        clock=services.clock,
        renderers=default_renderers(services.rulebook),
        pacer=SendPacer(settings.dispatch_rate, per_chat_interval=1.0),
        leader=LeaderLock(services.engine),
        lease=timedelta(seconds=settings.dispatch_lease),
        on_outcome=services.metrics.reminder_outcome,
    )
    app.job_queue.run_repeating(
        _dispatch_tick,
        interval=settings.dispatch_interval,
        first=1.0,
        name="dispatcher",
        job_kwargs=_JOB_KWARGS,
    )
    app.job_queue.run_repeating(
        _plan_tick, interval=PLAN_INTERVAL, first=5.0, name="planner", job_kwargs=_JOB_KWARGS
    )
    app.job_queue.run_repeating(
        _feeds_tick, interval=FEED_INTERVAL, first=30.0, name="feeds", job_kwargs=_JOB_KWARGS
    )
    app.job_queue.run_repeating(
        _housekeeping,
        interval=timedelta(hours=6),
        first=60,
        name="housekeeping",
        job_kwargs=_JOB_KWARGS,
    )


async def _dispatch_tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    dispatcher = _services(context.application).dispatcher
    if dispatcher is None:
        return
    try:
        await dispatcher.tick()
    except PoolTimeout:
        # SQLite's one connection held longer than the pool waits (an admin's very large
        # catalogue import): not a fault, the next tick sends (QA round 9: two tracebacks).
        log.warning("dispatcher tick skipped: the database stayed busy; the next tick retries")
    except Exception:  # a failed tick must not kill the job; the next one retries
        log.exception("dispatcher tick failed")


async def _plan_tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    services = _services(context.application)
    assert services.engine is not None
    lock = services.extras.get("planner_lock")
    if lock is None:  # kept, so that "stands by" is logged once, not every pass
        lock = services.extras["planner_lock"] = LeaderLock(
            services.engine, PLANNER_LOCK_KEY, PLANNER
        )
    try:
        if not await lock.acquire():
            return  # another process is planning right now
        try:
            done = await plan_everyone(
                services.sessionmaker, services.clock.now(), services.rulebook,
                workers=services.settings.planner_processes,
            )  # fmt: skip
            log.info(
                "planner pass: %d clinicians, %d evaluated (the rest unchanged), %d reminders",
                done.clinicians, done.replanned, done.rows,
            )  # fmt: skip
        finally:
            await lock.release()
    except Exception:
        log.exception("planner tick failed")


async def _feeds_tick(context: CallbackContext[Any, Any, Any, Any]) -> None:
    try:
        await refresh_tick(_services(context.application))
    except Exception:
        log.exception("course feed refresh failed")


async def _housekeeping(context: CallbackContext[Any, Any, Any, Any]) -> None:
    from bot.webhook import forget_old_updates

    try:
        await forget_old_updates(_services(context.application))
    except Exception:
        log.exception("housekeeping failed")


async def tick_now(app: AnyApp) -> None:
    """Run the periodic work once, now (the sandbox's /advance uses this)."""
    services = _services(app)
    await refresh_tick(services)
    await plan_everyone(services.sessionmaker, services.clock.now(), services.rulebook)
    if services.dispatcher is not None:
        await services.dispatcher.tick()


async def shutdown_jobs(app: AnyApp) -> None:
    """Stop claiming, finish in-flight sends (the JobQueue is already stopped), release leases."""
    dispatcher = _services(app).dispatcher
    if dispatcher is not None:
        await dispatcher.shutdown()
