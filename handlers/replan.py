"""Re-plan the clinician's reminders after any change that affects them."""

from __future__ import annotations

from handlers.turn import Turn
from scheduler.planner import plan_clinician


async def replan(turn: Turn) -> None:
    """Same transaction as the change: the plan and the data never disagree (snoozes
    included: a new time zone or quiet hours move them to the new time of their day)."""
    await turn.session.flush()
    await plan_clinician(turn.session, turn.clinician, turn.now, turn.context.services.rulebook)
