"""What a reminder says, and several said as one message (pure, no I/O).

Reminders of one clinician that fall due together (two licences renewing on one day, a
deadline and a chosen course, everything caught up after downtime) go out as one message
(QA: several messages arrived in the same minute). Their texts follow each other;
their buttons share one keyboard. A button two parts both carry (the same action: "Courses
that fit") is kept once; buttons that read alike but act differently ("Snooze 1 day" of
two licences) get their part's number, and so does the part's text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts

MAX_TEXT = 4000  # Telegram takes 4096 visible characters (HTML tags are not counted)
MAX_BUTTONS = 100  # per inline keyboard
PART_BREAK = "\n\n"
MARK_ROOM = 5  # a part's number and its space, when it gets one ("1️⃣ " is 4 characters)
T = TypeVar("T")


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


def pack(items: Sequence[T], rendered: Callable[[T], Rendered]) -> list[list[T]]:
    """``items`` (in order) grouped into as few messages as Telegram's limits allow."""
    groups: list[list[T]] = []
    size = buttons = 0
    for item in items:
        part = rendered(item)
        part_size = len(part.text) + len(PART_BREAK) + MARK_ROOM
        part_buttons = _button_count(part)
        if groups and size + part_size <= MAX_TEXT and buttons + part_buttons <= MAX_BUTTONS:
            groups[-1].append(item)
            size, buttons = size + part_size, buttons + part_buttons
        else:
            groups.append([item])
            size, buttons = part_size, part_buttons
    return groups


def merged(parts: Sequence[Rendered]) -> Rendered:
    """One message saying every part, in order (a single part as it is)."""
    if len(parts) == 1:
        return parts[0]
    ambiguous = _ambiguous_labels(parts)
    marks = _marks(parts, ambiguous)
    text = PART_BREAK.join(
        texts.MERGED_PART.format(mark=marks[index], text=part.text) if index in marks else part.text
        for index, part in enumerate(parts)
    )
    return Rendered(
        text,
        _keyboard(parts, marks, ambiguous),
        tuple(row for part in parts for row in part.supersedes),
    )


def _button_count(part: Rendered) -> int:
    markup = part.reply_markup
    return sum(len(row) for row in markup.inline_keyboard) if markup else 0


def _action(button: InlineKeyboardButton) -> tuple[str | None, str | None]:
    return (button.url, str(button.callback_data) if button.callback_data is not None else None)


def _ambiguous_labels(parts: Sequence[Rendered]) -> set[str]:
    """Labels that buttons with different actions carry ("Snooze 1 day" of two licences)."""
    actions: dict[str, set[tuple[str | None, str | None]]] = defaultdict(set)
    for part in parts:
        for button in _buttons(part):
            actions[button.text].add(_action(button))
    return {label for label, kinds in actions.items() if len(kinds) > 1}


def _marks(parts: Sequence[Rendered], ambiguous: set[str]) -> dict[int, str]:
    """The number of each part (by index) that owns a button with an ambiguous label."""
    owners = [
        index
        for index, part in enumerate(parts)
        if any(button.text in ambiguous for button in _buttons(part))
    ]
    return {index: _mark(number) for number, index in enumerate(owners, start=1)}


def _mark(number: int) -> str:
    return texts.MERGED_MARKS[number - 1] if number <= len(texts.MERGED_MARKS) else f"{number}."


def _buttons(part: Rendered) -> list[InlineKeyboardButton]:
    markup = part.reply_markup
    return [button for row in markup.inline_keyboard for button in row] if markup else []


def _keyboard(
    parts: Sequence[Rendered], marks: dict[int, str], ambiguous: set[str]
) -> InlineKeyboardMarkup | None:
    """Each part's rows in turn, a repeated action kept once, an ambiguous label marked."""
    seen: set[tuple[str | None, str | None]] = set()
    rows: list[list[InlineKeyboardButton]] = []
    for index, part in enumerate(parts):
        for row in part.reply_markup.inline_keyboard if part.reply_markup else ():
            kept = []
            for button in row:
                if _action(button) in seen:
                    continue
                seen.add(_action(button))
                if button.text in ambiguous and index in marks:
                    button = _relabelled(button, marks[index])
                kept.append(button)
            if kept:
                rows.append(kept)
    return InlineKeyboardMarkup(rows) if rows else None


def _relabelled(button: InlineKeyboardButton, mark: str) -> InlineKeyboardButton:
    """The same button (whatever it does: a link, a callback) under a numbered label."""
    data = button.to_dict()
    data["text"] = texts.MERGED_BUTTON.format(mark=mark, label=button.text)
    relabelled = InlineKeyboardButton.de_json(data, None)
    assert relabelled is not None
    return relabelled
