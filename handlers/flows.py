"""Multi-step conversations whose state lives in the database (any process can continue).

A flow step is a name stored in ``clinician.conversation["step"]`` plus whatever data
the step needs. The next plain text the clinician sends goes to that step's handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.store.clinicians import HELD, set_conversation
from handlers.turn import Turn

# A step handler may return False to decline text that is not an answer to its question
# (the text is then routed as if no question were pending); None or True mean "taken".
TextStep = Callable[[Turn, str], Awaitable[bool | None]]
_steps: dict[str, TextStep] = {}


def step(name: str) -> Callable[[TextStep], TextStep]:
    """Register the handler for text that answers the question asked at step ``name``."""

    def decorator(fn: TextStep) -> TextStep:
        if name in _steps:
            raise ValueError(f"two handlers for step {name!r}")
        _steps[name] = fn
        return fn

    return decorator


def state(turn: Turn) -> dict[str, Any]:
    return dict(turn.clinician.conversation or {})


def held(turn: Turn, key: str) -> Any:
    """A decision held for a later button press (see ``set_conversation``), or None."""
    return dict(state(turn).get(HELD) or {}).get(key)


async def hold(turn: Turn, key: str, value: Any) -> None:
    """Keep ``value`` until released, whatever questions are asked meanwhile."""
    kept = {**dict(state(turn).get(HELD) or {}), key: value}
    await set_conversation(turn.session, turn.clinician, {**state(turn), HELD: kept}, turn.now)


async def release(turn: Turn, key: str) -> None:
    kept = {k: v for k, v in dict(state(turn).get(HELD) or {}).items() if k != key}
    await set_conversation(turn.session, turn.clinician, {**state(turn), HELD: kept}, turn.now)


SETUP = "setup"
"""Held: the set-up question a detour (a certificate sent, a /log) took the place of, so
the set-up continues after it (QA: a certificate sent during /start lost the set-up)."""


LOG_DRAFT = "log"
"""Held: a log draft waiting for its Save when another question took its place (QA round
7: /courses asked "Where?", the draft vanished and "save" was searched as a place)."""


async def expect(turn: Turn, step_name: str, **data: Any) -> None:
    """The clinician's next text answers ``step_name``; keep ``data`` for it."""
    if step_name not in _steps:
        raise ValueError(f"unknown step {step_name!r}")
    current = state(turn)
    if current.get("onboarding") and not data.get("onboarding"):
        await hold(turn, SETUP, {k: v for k, v in current.items() if k != HELD})
    if isinstance(current.get("log"), dict) and "log" not in data:
        await hold(turn, LOG_DRAFT, current["log"])
    await set_conversation(turn.session, turn.clinician, {"step": step_name, **data}, turn.now)


async def update_state(turn: Turn, **data: Any) -> None:
    await set_conversation(turn.session, turn.clinician, {**state(turn), **data}, turn.now)


async def clear(turn: Turn) -> None:
    if turn.clinician.conversation is not None:
        await set_conversation(turn.session, turn.clinician, None, turn.now)


async def route_text(turn: Turn, text: str) -> bool:
    """Send the text to the pending step, if any; True when a step took it."""
    name = state(turn).get("step")
    handler = _steps.get(name) if isinstance(name, str) else None
    if handler is None:
        return False
    return await handler(turn, text) is not False
