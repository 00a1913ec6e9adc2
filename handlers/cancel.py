"""/cancel, or "cancel" / "never mind" typed at a question: stop asking, keep nothing of it.

Without this, "cancel" typed at "When does it next expire?" was read as a date, and at
"How many credits?" as an amount.
"""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import Application, CommandHandler

from bot import texts
from handlers import credits, flows
from handlers.turn import Turn, clinician_handler

_CANCEL = re.compile(
    r"\s*(?:cancel|stop|never\s*mind|nvm|quit|exit|abort|forget\s+it|no\s+thanks?)\s*[.!]*\s*",
    re.IGNORECASE,
)


def is_cancel(text: str) -> bool:
    return bool(_CANCEL.fullmatch(text))


async def cancel_pending(turn: Turn, pending: dict[str, Any] | None) -> None:
    """Drop the pending question (and a certificate uploaded for it, never logged)."""
    if pending and pending.get("onboarding") == "profession":
        # The profession question is buttons only: "nothing to cancel" was wrong (QA).
        await flows.clear(turn)
        turn.say(texts.ONBOARDING_CANCELLED)
        return
    if not pending or not pending.get("step"):
        turn.say(texts.NOTHING_TO_CANCEL)
        return
    if pending["step"] == "forget_confirm":
        await flows.clear(turn)
        turn.say(texts.FORGET_CANCELLED)
        return
    draft = pending.get("log")
    if str(pending["step"]).startswith("log_fix_") and isinstance(draft, dict):
        await flows.expect(turn, "log_confirm", log=draft)  # only the change is dropped
        turn.say(texts.LOG_FIX_CANCELLED)
        return
    await flows.clear(turn)
    await credits.discard_pending_upload(turn, pending, tell=False)
    turn.say(texts.CANCELLED)


@clinician_handler
async def cancel_command(turn: Turn) -> None:
    """/cancel: the command itself already dropped the question; say so and tidy up."""
    await cancel_pending(turn, turn.abandoned or flows.state(turn))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("cancel", cancel_command))
