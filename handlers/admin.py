"""Operator commands (/stats, /broadcast), only for ADMIN_IDS.

Everyone else gets the ordinary unknown-command reply: the commands' existence is not
advertised. The check uses ``from_user.id``; Telegram's anonymous group admin is never
an admin (settings drop its id, and groups are refused before this point anyway).
"""

from __future__ import annotations

import html
import secrets

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.store import admin as admin_store
from bot.store.clinicians import set_conversation
from handlers.callbacks import Press, encode, route
from handlers.turn import Turn, clinician_handler, is_admin

MAX_BROADCAST_CHARS = 3500


def _not_for_you(turn: Turn) -> None:
    message = turn.update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "that"
    turn.say(texts.UNKNOWN_COMMAND.format(command=html.escape(command[:64])))


@clinician_handler
async def stats(turn: Turn) -> None:
    """Counts an operator watches."""
    if not is_admin(turn):
        _not_for_you(turn)
        return
    numbers = await admin_store.stats(turn.session, turn.now)
    feed_lines = [
        texts.STATS_FEED.format(
            url=html.escape(url),
            when=f"{ok_at:%Y-%m-%d %H:%M} UTC" if ok_at else "never",
            # Long enough for a refused feed's "how to accept it" (the command and its URL).
            error=f" — last error: {html.escape(error[:400])}" if error else "",
        )
        for url, ok_at, error in numbers.feeds
    ]
    # COURSE_FEEDS not fetched yet have no row: "none configured" was said until the
    # first refresh, 30 s after start (QA round 11).
    known = {url for url, _, _ in numbers.feeds}
    feed_lines += [
        texts.STATS_FEED_NOT_FETCHED.format(url=html.escape(url))
        for url in turn.context.services.settings.course_feeds
        if url not in known
    ]
    feeds = "\n".join(feed_lines)
    catalogues = "\n".join(  # QA round 9: which catalogue lists what, not one total
        texts.STATS_CATALOGUE.format(
            source=html.escape(source[:80]),
            count=count,
            when=f"{changed:%Y-%m-%d %H:%M} UTC" if changed else "never",
        )
        for source, count, changed in numbers.catalogues
    )
    text = texts.STATS.format(
        s=numbers,
        feeds=feeds or texts.STATS_NO_FEEDS,
        catalogues=catalogues or texts.STATS_NO_CATALOGUES,
    )
    turn.say(text)


@clinician_handler
async def broadcast(turn: Turn) -> None:
    """Preview an announcement to every active clinician; a button confirms it."""
    if not is_admin(turn):
        _not_for_you(turn)
        return
    message = turn.update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message else ""
    if not text:
        turn.say(texts.BROADCAST_USAGE)
        return
    if len(text) > MAX_BROADCAST_CHARS:
        turn.say(texts.BROADCAST_TOO_LONG.format(limit=MAX_BROADCAST_CHARS))
        return
    numbers = await admin_store.stats(turn.session, turn.now)
    draft_id = secrets.token_hex(4)
    await set_conversation(
        turn.session, turn.clinician, {"flow": "broadcast", "id": draft_id, "text": text}, turn.now
    )
    turn.say(
        texts.BROADCAST_PREVIEW.format(count=numbers.clinicians_active, text=html.escape(text)),
        [
            [
                (
                    texts.BROADCAST_SEND.format(count=numbers.clinicians_active),
                    encode("bcast", "send", draft_id),
                ),
                (texts.CANCEL, encode("bcast", "cancel", draft_id)),
            ]
        ],
    )


@route("bcast")
async def broadcast_pressed(turn: Turn, press: Press) -> None:
    """Queue the confirmed announcement in the outbox (rate-limited, survives restarts)."""
    if not is_admin(turn):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    draft = turn.clinician.conversation or {}
    if draft.get("flow") != "broadcast" or draft.get("id") != press.arg(1):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await set_conversation(turn.session, turn.clinician, None, turn.now)
    if press.arg(0) != "send":
        turn.edit(texts.BROADCAST_CANCELLED)
        return
    queued = await admin_store.enqueue_broadcast(
        turn.session,
        broadcast_id=str(draft["id"]),
        text=html.escape(str(draft["text"])),
        now=turn.now,
    )
    turn.edit(texts.BROADCAST_QUEUED.format(count=queued))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CommandHandler("broadcast", broadcast))
