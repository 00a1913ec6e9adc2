"""Plain text: the answer to a pending question, or a request in the clinician's words.

Order matters: a pending question first (its answer may look like anything), then the
intents from most to least specific, then a hint — never silence.
"""

from __future__ import annotations

import re

from telegram.ext import Application, MessageHandler, filters

from bot import texts
from handlers import basic, courses, credits, flows, licences, onboarding, phrases, status
from handlers.cancel import cancel_pending, is_cancel
from handlers.intents import is_log
from handlers.turn import Turn, clinician_handler

MAX_TEXT = 4096
_GREETING = re.compile(
    r"\s*(?:hi|hello|hey|hiya|good\s+(?:morning|afternoon|evening)|start|help\s+me)\W*",
    re.IGNORECASE,
)


_THANKS = re.compile(
    r"\s*(?:[👍🙏😊🙂]\s*)*(?:thanks?(?:\s+you)?|thank\s+you(?:\s+so\s+much)?|thx|ty|cheers|👍|🙏)"
    r"(?:\s*(?:!|\.|👍|🙏|😊|🙂|very\s+much|a\s+lot))*\s*",
    re.IGNORECASE,
)


@clinician_handler
async def on_text(turn: Turn) -> None:
    """Route free text to the step or feature it belongs to."""
    message = turn.update.effective_message
    text = ((message.text or "") if message else "").strip()[:MAX_TEXT]
    if not text:
        turn.say(texts.UNKNOWN_TEXT)
        return
    if is_cancel(text) and (pending := flows.state(turn)).get("step"):
        await cancel_pending(turn, pending)
        return
    if (specialty := phrases.specialty_said(text)) is not None:  # before the profession
        await licences.specialty_said(turn, specialty)
        return
    if (profession := phrases.profession_said(text)) is not None:
        # Whatever was asked ("Where do you practise?"), "I'm actually a pharmacist" is not
        # its answer (QA round 7: it became a licence's name, then a place).
        await onboarding.change_profession(turn, profession)
        return
    if await credits.save_set_aside(turn, text) or await flows.route_text(turn, text):
        return
    if licences.looks_like_custom_requirement(text):
        await licences.add_custom(turn, text)
    elif await credits.edit_request(turn, text):  # "change the wound care entry to 2.5"
        return
    elif is_log(text, turn.now, turn.tz):
        await credits.log_text(turn, text)
    elif status.is_topic_due_question(text):  # before courses: "… course due again?"
        await status.say_status(turn, text)
    elif (
        await phrases.maybe_handle(turn, text)
        or await courses.maybe_handle_text(turn, text)
        or await licences.deadline_said(turn, text)
        or await credits.earned_question(turn, text)
    ):
        return
    elif status.is_status_question(text):
        await status.say_status(turn, text)
    elif _GREETING.fullmatch(text):
        await basic.greet(turn)
    elif _THANKS.fullmatch(text):  # QA: "thanks! 👍" got "Sorry, I didn't understand that"
        turn.say(texts.YOU_ARE_WELCOME)
    else:
        turn.say(texts.UNKNOWN_TEXT)


def register(app: Application) -> None:  # type: ignore[type-arg]
    private_text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private_text, on_text))
