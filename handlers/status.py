"""/status and "how many credits do I still need?": the exact answer per licence."""

from __future__ import annotations

import asyncio
import html
import re

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.tracking import LicenceView, load_views
from bot.views import render_status
from handlers.callbacks import Press, encode, route
from handlers.turn import Turn, clinician_handler

_STATUS_QUESTION = re.compile(
    r"\b(?:how\s+many|how\s+much|still\s+need|left|remaining|status|progress|"
    r"when\s+is\s+my|when\s+do\s+i|deadline|renewal|where\s+am\s+i|am\s+i\s+(?:done|complete))\b",
    re.IGNORECASE,
)


def is_status_question(text: str) -> bool:
    """ "how many credits do I still need?", "when is my renewal?", "what's left for Texas?"."""
    return bool(_STATUS_QUESTION.search(text))


async def views(turn: Turn) -> list[LicenceView]:
    return await load_views(
        turn.session, turn.clinician, turn.local_now.date(), turn.context.services.rulebook
    )


def _matching(all_views: list[LicenceView], text: str) -> list[LicenceView]:
    """Licences named in the question ("what's left for Texas?"), else all of them."""
    words = {word for word in re.findall(r"[a-z]{3,}", text.lower())}
    named = [
        view
        for view in all_views
        if words
        & set(re.findall(r"[a-z]{3,}", view.licence.label.lower()))
        - {"board", "medical", "medicine", "licence", "license", "state"}
    ]
    return named or all_views


async def say_status(turn: Turn, question: str = "") -> None:
    """Every licence asked about in one message: one notification, not one per licence,
    with a chart button per licence and one "courses that fit" button."""
    found = await views(turn)
    if not found:
        turn.say(texts.STATUS_NO_LICENCES, [[(texts.LICENCE_ADD, encode("lic", "add"))]])
        return
    shown = _matching(found, question)
    buttons = [
        [(texts.STATUS_CHART_BUTTON.format(label=view.licence.label[:24]),
          encode("chart", view.licence.id))]
        for view in shown
        if view.status is not None
    ]  # fmt: skip
    if any(view.status is not None and not view.status.complete for view in shown):
        buttons.append([(texts.STATUS_COURSES_BUTTON, encode("gaps"))])
    turn.say(texts.STATUS_SEPARATOR.join(render_status(view) for view in shown), buttons)


@clinician_handler
async def status(turn: Turn) -> None:
    """Earned, remaining by category and topic, deadline and pace for every licence."""
    message = turn.update.effective_message
    question = (message.text or "").partition(" ")[2] if message else ""
    await say_status(turn, question)


@route("chart")
async def chart_pressed(turn: Turn, press: Press) -> None:
    """A picture of one licence's progress (earned vs required, per mandated topic)."""
    from bot.reports.chart import render_progress_png

    licence_id = press.int_arg(0)
    found = [view for view in await views(turn) if view.licence.id == licence_id]
    if not found or found[0].status is None:
        turn.answer(texts.LICENCE_GONE)
        return
    view = found[0]
    png = await asyncio.to_thread(render_progress_png, view.status, turn.local_now.date())
    turn.photo(png, caption=html.escape(view.licence.label))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("status", status))
