"""``cme-bot chat``: the real bot and a local Bot API in one process, in a terminal.

No token, no network: a new user tries the bot as a clinician would. The clock
follows real time, and ``/advance 30d`` jumps it ahead so renewal and course
reminders can be seen firing without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from pathlib import Path

from bot.app import build_application
from bot.clock import ManualClock
from bot.config import Settings
from bot.errors import EXIT_USAGE, CliError
from bot.sandbox.ptb import polling
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.terminal import run_terminal_chat
from bot.store import schema
from bot.store.db import create_engine

log = logging.getLogger(__name__)

_DURATION_PART = re.compile(r"(\d{1,4})\s*(w|d|h|m)", re.IGNORECASE)
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
MAX_ADVANCE = timedelta(days=3 * 366)


def parse_duration(text: str) -> timedelta | None:
    """"30d", "2w", "1d 12h", "90m" → timedelta; None when not understood."""
    compact = text.strip().lower().replace(" ", "")
    if not compact or _DURATION_PART.sub("", compact):
        return None
    total = timedelta()
    for amount, unit in _DURATION_PART.findall(compact):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return total if timedelta(0) < total <= MAX_ADVANCE else None


async def run_chat(settings: Settings, *, downloads_dir: Path, user_id: int = 1001) -> int:
    """Start the sandbox and the bot, then chat until /quit."""
    clock = ManualClock(follow_real_time=True)
    async with BotApiSandbox(clock=clock) as sandbox:
        chat_settings = settings.model_copy(
            update={
                "telegram_bot_token": sandbox.token,
                "telegram_api_url": sandbox.base_url,
                "telegram_file_url": sandbox.base_file_url,
            }
        )
        app = build_application(chat_settings, clock=clock, rate_limiter=False)

        async def advance(argument: str) -> str:
            """DURATION: move the clock ahead (30d, 2w, 12h) to see reminders fire"""
            delta = parse_duration(argument)
            if delta is None:
                return "Usage: /advance 30d (units: w, d, h, m; at most 3 years)"
            moved_to = clock.advance(delta)
            from scheduler.jobs import tick_now

            await tick_now(app)
            return (
                f"Clock moved forward {argument.strip()}: it is now "
                f"{moved_to:%a %d %b %Y %H:%M} UTC."
            )

        async with polling(app, sandbox, poll_timeout=10):
            from bot.courses.sample import load_sample_if_empty

            # A new user should see results: load the sample catalogue into an empty one.
            await load_sample_if_empty(app.bot_data.services.sessionmaker, clock.now())
            user = sandbox.user(user_id, "You", username="you")
            await run_terminal_chat(
                sandbox,
                user,
                downloads_dir=downloads_dir,
                commands={"/advance": advance},
                place_resolver=_place_coordinates,
            )
    return 0


def _place_coordinates(text: str) -> tuple[float, float] | None:
    """/where Boston → coordinates from the offline place index."""
    try:
        from bot.domain.places import Resolved, resolve
    except ImportError:  # pragma: no cover - places ship with the courses feature
        return None
    result = resolve(text)
    if isinstance(result, Resolved):
        return (result.place.lat, result.place.lon)
    return None


async def _check_database(settings: Settings) -> None:
    """One line, before the sandbox starts, for a database that is down or at another
    schema (QA: an unmigrated PostgreSQL gave a traceback and unclosed sessions)."""
    engine = create_engine(settings.database_url)
    try:
        await schema.ready(engine, auto_migrate=settings.migrate_on_start)
    finally:
        await engine.dispose()


def chat_main(settings: Settings) -> int:
    # Operational INFO lines would interleave with the conversation; keep warnings only.
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))
    downloads = Path("sandbox-downloads").resolve()
    asyncio.run(_check_database(settings))
    try:
        return asyncio.run(run_chat(settings, downloads_dir=downloads))
    except OSError as exc:
        raise CliError(f"cannot start the sandbox chat: {exc}", EXIT_USAGE) from None
