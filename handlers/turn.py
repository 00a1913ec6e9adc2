"""One update, one database transaction, replies sent after the commit.

Handlers receive a :class:`Turn`: the sender's clinician row (created on first
contact), an open session scoped to this update, the clock's "now", and a list of
outgoing actions. Replies are sent only after the transaction commits, so a failed
write never produces a "saved!" message and the SQLite write lock is never held
across a network call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot import texts
from bot.context import CMEContext
from bot.store import clinicians
from bot.store.db import connection_failed, transaction
from bot.store.models import Clinician
from scheduler.ratelimit import retry_after_seconds

log = logging.getLogger(__name__)
T = TypeVar("T")

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback_data)
MAX_MESSAGE = 4000  # Telegram allows 4096 visible characters; keep a margin
MAX_BUTTONS = 100  # per inline keyboard


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in _within_limit(buttons)
        ]
    )


def _within_limit(buttons: Buttons) -> list[Sequence[tuple[str, str]]]:
    """Telegram refuses more than 100 buttons: keep the first rows and the last one (the
    navigation or "Add" row) so a very long list still gets a working keyboard."""
    rows = list(buttons)
    if sum(len(row) for row in rows) <= MAX_BUTTONS:
        return rows
    last = rows[-1]
    kept: list[Sequence[tuple[str, str]]] = []
    count = len(last)
    for row in rows[:-1]:
        if count + len(row) > MAX_BUTTONS:
            break
        kept.append(row)
        count += len(row)
    return [*kept, last]


@dataclass(slots=True)
class _Send:
    text: str
    buttons: Buttons | None = None
    reply_markup: Any = None


@dataclass(slots=True)
class _Edit:
    text: str
    buttons: Buttons | None = None


@dataclass(slots=True)
class _Document:
    data: bytes
    filename: str
    caption: str | None = None


@dataclass(slots=True)
class _Photo:
    data: bytes
    caption: str | None = None


@dataclass(slots=True)
class Turn:
    """What a handler works with: who, their data, now, and what to answer."""

    update: Update
    context: CMEContext
    session: AsyncSession
    clinician: Clinician
    created: bool
    now: datetime
    actions: list[_Send | _Edit | _Document | _Photo] = field(default_factory=list)
    callback_answer: str | None = None
    abandoned: dict[str, Any] | None = None  # the question a new command just dropped

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.clinician.timezone)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    def say(self, text: str, buttons: Buttons | None = None, *, reply_markup: Any = None) -> None:
        self.actions.append(_Send(text, buttons, reply_markup))

    def edit(self, text: str, buttons: Buttons | None = None) -> None:
        """Replace the message whose button was pressed (falls back to a new message)."""
        self.actions.append(_Edit(text, buttons))

    def document(self, data: bytes, filename: str, caption: str | None = None) -> None:
        self.actions.append(_Document(data, filename, caption))

    def photo(self, data: bytes, caption: str | None = None) -> None:
        self.actions.append(_Photo(data, caption))

    def answer(self, text: str) -> None:
        """Short toast shown on a button press."""
        self.callback_answer = text


TurnHandler = Callable[[Turn], Awaitable[None]]


def is_admin(turn: Turn) -> bool:
    """The sender is in ADMIN_IDS (checked on every admin command and button press)."""
    user = turn.update.effective_user
    return user is not None and user.id in turn.context.services.settings.admin_ids


def identity_of(update: Update) -> clinicians.TelegramIdentity | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    return clinicians.TelegramIdentity(
        telegram_id=user.id,
        chat_id=chat.id,
        first_name=user.first_name or "",
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


WAITS_FOR_A_BUTTON = frozenset({"log_confirm", "log_ceus"})
"""Steps that wait for a button rather than typed text: a command meanwhile (a look at
/status) leaves them waiting, since their step takes no text for an answer but a new
log line (QA: Save said "expired" after /status). A command that asks its own question
replaces them, as any new question does."""


ASKS_NOTHING = frozenset(
    {"status", "help", "privacy", "credits", "mycourses", "reminders", "export", "transcript"}
)
"""Commands that only show something: the question pending before them stays asked (QA
round 7: /status in the middle of the set-up's renewal date lost the licence chosen)."""


def command_name(update: Update) -> str:
    message = update.effective_message
    word = (message.text or "").split(maxsplit=1)[0] if message and message.text else ""
    return word.removeprefix("/").split("@", 1)[0].lower()


def clinician_handler(fn: TurnHandler) -> Callable[[Update, CMEContext], Awaitable[None]]:
    """Wrap a Turn handler as a PTB callback: private chats only, one transaction."""

    @functools.wraps(fn)
    async def callback(update: Update, context: CMEContext) -> None:
        who = identity_of(update)
        chat = update.effective_chat
        if who is None or chat is None:
            return  # channel posts and service messages: nobody to answer
        if chat.type != ChatType.PRIVATE:
            await _redirect_to_private(update, context)
            return
        turn = await _run_in_transaction(fn, update, context, who)
        await deliver(turn)

    return callback


async def _run_in_transaction(
    fn: TurnHandler, update: Update, context: CMEContext, who: clinicians.TelegramIdentity
) -> Turn:
    """Run ``fn`` in one transaction, re-running it while the database is unreachable.

    Only a turn whose commit never started is re-run: its writes were rolled back, so the
    second run is the first that counts. A failure during the commit is ambiguous (it may
    have landed) and goes to the error handler like any other.
    """
    services = context.services
    now = services.clock.now()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.db_retry_seconds
    delay = 0.25
    while True:
        committing = False
        try:
            async with transaction(services.sessionmaker) as session:
                clinician, created = await clinicians.get_or_create(
                    session, who, default_timezone=services.settings.default_timezone, now=now
                )
                turn = Turn(update, context, session, clinician, created, now)
                step = (clinician.conversation or {}).get("step")
                if (
                    _is_command(update)
                    and step
                    and step not in WAITS_FOR_A_BUTTON
                    and command_name(update) not in ASKS_NOTHING
                ):
                    # A new command abandons a question left unanswered, so the next plain
                    # text is not mistaken for its answer.
                    turn.abandoned = dict(clinician.conversation or {})
                    # The set-up's stage stays, for /start to resume it.
                    stage = turn.abandoned.get("onboarding")
                    kept = {"onboarding": stage} if stage else None
                    await clinicians.set_conversation(session, clinician, kept, now)
                await fn(turn)
                if step and _is_command(update) and command_name(update) in ASKS_NOTHING:
                    await _hint_setup_still_open(turn)
                if turn.abandoned:
                    await _discard_abandoned_upload(turn)
                await _continue_setup(turn)
                committing = True
            return turn
        except Exception as error:
            if committing or not connection_failed(error) or loop.time() + delay > deadline:
                raise
            log.warning("database unreachable (%s); re-running the update in %.2f s",
                        type(error).__name__, delay)  # fmt: skip
        await asyncio.sleep(delay)
        delay = min(delay * 2, 4.0)


_SETUP_HINTED = "setup_hinted"


async def _hint_setup_still_open(turn: Turn) -> None:
    """Say once per question that the set-up still waits for its answer (QA round 8:
    /status mid-set-up gave no hint; the next question asked clears the mark)."""
    conversation = dict(turn.clinician.conversation or {})
    waiting = conversation.get("step") and conversation.get("onboarding")
    if waiting and not conversation.get(_SETUP_HINTED):
        turn.say(texts.SETUP_STILL_OPEN)
        conversation[_SETUP_HINTED] = True
        await clinicians.set_conversation(turn.session, turn.clinician, conversation, turn.now)


async def _continue_setup(turn: Turn) -> None:
    from handlers.onboarding import continue_after_detour  # onboarding builds on this module

    await continue_after_detour(turn)


async def _discard_abandoned_upload(turn: Turn) -> None:
    """A certificate whose question a command dropped was never logged: not kept unseen
    (QA: a photo sent, then /licences, stayed in /export and nowhere else)."""
    from handlers.credits import discard_pending_upload  # credits builds on this module

    await discard_pending_upload(turn, turn.abandoned or {})


def _is_command(update: Update) -> bool:
    message = update.effective_message
    return bool(message and message.text and message.text.startswith("/"))


async def _redirect_to_private(update: Update, context: CMEContext) -> None:
    """In groups, never show personal data: point to a private chat instead."""
    message = update.effective_message
    if update.callback_query is not None:
        await update.callback_query.answer("Please use a private chat with me.", show_alert=True)
        return
    if message is None:
        return
    link = f"https://t.me/{context.bot.username}?start=from_group"
    await message.reply_text(texts.GROUP_ONLY_PRIVATE.format(link=link))


class RepliesUndelivered(NetworkError):
    """The turn's writes committed, but the Bot API would not take its replies in time."""


async def patiently(call: Callable[[], Awaitable[T]], budget: float) -> T:
    """Run one Bot API call, riding out an outage of up to ``budget`` seconds.

    5xx answers and dropped connections (``NetworkError``) are retried with backoff, a
    429 after its ``retry_after``; a refusal (``BadRequest``, ``Forbidden``) is final.
    The turn's data is already committed, so a late reply beats a lost one; a timed-out
    send may have arrived, so a retry can duplicate it (only that in-flight message).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    delay = 0.25
    while True:
        try:
            return await call()
        except BadRequest:
            raise
        except RetryAfter as exc:
            wait = retry_after_seconds(exc.retry_after)
            error: Exception = exc
        except NetworkError as exc:
            wait, delay, error = delay, min(delay * 2, 4.0), exc
        if loop.time() + wait > deadline:
            raise RepliesUndelivered(f"gave up after {budget:.0f} s: {error}") from error
        log.warning("Bot API call failed (%s); retrying in %.2f s", error, wait)
        await asyncio.sleep(wait)


async def deliver(turn: Turn) -> None:
    """Send a turn's actions in order, after its transaction committed."""
    budget = turn.context.services.settings.reply_retry_seconds
    bot = _PatientBot(turn.context.bot, budget)
    chat_id = turn.clinician.chat_id
    query = turn.update.callback_query
    if query is not None:
        # Telegram expires a press after ~15 s: a late answer is refused, the replies
        # below still matter.
        with contextlib.suppress(BadRequest):
            await patiently(lambda: query.answer(turn.callback_answer), budget)
    for action in turn.actions:
        if isinstance(action, _Send):
            markup = action.reply_markup or keyboard(action.buttons)
            *first, last = split_for_telegram(action.text)
            for part in first:
                await bot.send_message(chat_id, part)
            await bot.send_message(chat_id, last, reply_markup=markup)
        elif isinstance(action, _Edit):
            markup = keyboard(action.buttons)
            head, *rest = split_for_telegram(action.text)
            if query is not None and query.message is not None:
                await _edit_or_send(
                    bot, chat_id, query.message.message_id, head, None if rest else markup
                )
            else:
                await bot.send_message(chat_id, head, reply_markup=None if rest else markup)
            for index, part in enumerate(rest, start=1):
                await bot.send_message(
                    chat_id, part, reply_markup=markup if index == len(rest) else None
                )
        elif isinstance(action, _Document):
            await bot.send_document(
                chat_id, InputFile(action.data, filename=action.filename), caption=action.caption
            )
        else:
            await bot.send_photo(chat_id, InputFile(action.data), caption=action.caption)


def split_for_telegram(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Cut a long reply into messages Telegram accepts, at line breaks.

    Our HTML keeps tags within a line, so cutting between lines keeps every part well
    formed; a single overlong line is cut hard (a list item never is that long).
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


class _PatientBot:
    """The Bot methods ``deliver`` uses, each call made :func:`patiently`."""

    def __init__(self, bot: Any, budget: float) -> None:
        self._bot = bot
        self._budget = budget

    async def _call(self, method: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        return await patiently(lambda: method(*args, **kwargs), self._budget)

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self._bot.send_message, *args, **kwargs)

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self._bot.edit_message_text, *args, **kwargs)

    async def send_document(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self._bot.send_document, *args, **kwargs)

    async def send_photo(self, *args: Any, **kwargs: Any) -> Any:
        return await self._call(self._bot.send_photo, *args, **kwargs)


async def _edit_or_send(
    bot: _PatientBot, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        await bot.send_message(chat_id, text, reply_markup=markup)
