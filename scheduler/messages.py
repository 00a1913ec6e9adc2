"""What a reminder says, as its renderer computes it at send time (render late)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup


@dataclass(frozen=True, slots=True)
class Rendered:
    """What to send for a reminder, computed from the data as it is at send time."""

    text: str
    reply_markup: InlineKeyboardMarkup | None = None
    supersedes: tuple[int, ...] = ()
    """Later pending rows this message makes redundant (they would say the same soon
    after): the dispatcher marks them superseded once this one is sent, not before, so a
    send that fails leaves them to come at their time."""


class Superseded:
    """A renderer's answer for a row that a newer one about the same thing replaces."""


SUPERSEDED = Superseded()
