"""Re-plan the clinician's reminders after any change that affects them."""

from __future__ import annotations

from datetime import date

from bot.domain.reminders import daily_slots
from bot.store import outbox
from handlers.turn import Turn
from scheduler.planner import SNOOZE_MARK, plan_clinician, quiet_hours


async def replan(turn: Turn, *, slot_changed: bool = False) -> None:
    """Same transaction as the change: the plan and the data never disagree.

    ``slot_changed``: the time zone or quiet hours changed, so snoozed reminders (the
    user's, which re-planning keeps) move to the new time of their local day too."""
    await turn.session.flush()
    await plan_clinician(turn.session, turn.clinician, turn.now, turn.context.services.rulebook)
    if slot_changed:
        await _reslot_snoozes(turn)


async def _reslot_snoozes(turn: Turn) -> None:
    """A snooze is "remind me on <local day>" (the day ends its key): it kept the old
    zone's time, 09:00 New York becoming 06:00 for a clinician who moved to Los Angeles."""
    rows = await outbox.pending_with_mark(turn.session, turn.clinician, SNOOZE_MARK, turn.now)
    if not rows:
        return
    slot = daily_slots(turn.tz, quiet_hours(turn.clinician), str(turn.clinician.id))
    for row in rows:
        try:
            day = date.fromisoformat(row.dedupe_key.rsplit(SNOOZE_MARK, 1)[1])
        except ValueError:
            continue  # not a key this code wrote: leave it
        row.due_at = max(slot(day), turn.now)
        row.updated_at = turn.now
