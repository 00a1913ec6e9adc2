"""/start, /help and the catch-all that makes sure no message goes unanswered."""

from __future__ import annotations

import difflib
import html

from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot import texts
from handlers.turn import Turn, clinician_handler, command_name, is_admin


def _name(turn: Turn) -> str:
    return html.escape(turn.clinician.first_name or "there")


@clinician_handler
async def start(turn: Turn) -> None:
    """Greet, explain the bot in three lines, then set up (or resume setting up)."""
    await greet(turn)


async def greet(turn: Turn) -> None:
    """/start, or "hi": a first greeting sets up; later ones welcome back."""
    from handlers import onboarding

    if turn.created or await _never_set_up(turn):
        turn.say(texts.START_NEW.format(name=_name(turn), bot=texts.BOT_NAME))
        await onboarding.begin(turn)
        return
    turn.say(texts.START_AGAIN.format(name=_name(turn), bot=texts.BOT_NAME))
    await onboarding.resume(turn)


async def _never_set_up(turn: Turn) -> bool:
    """No profession, no licence and no setup under way: /start after /help (or after
    /forget and another command) is still a first start, not a "welcome back"."""
    from bot.store import licences as licence_store
    from handlers import flows

    if turn.clinician.profession or flows.state(turn).get("onboarding"):
        return False
    return not await licence_store.list_for(turn.session, turn.clinician)


def help_text(*, admin: bool = False) -> str:
    lines = [texts.HELP_HEADER, ""]
    lines += [f"/{command} – {html.escape(description)}" for command, description in texts.COMMANDS]
    if admin:
        lines += ["", texts.HELP_ADMIN_HEADER]
        lines += [f"/{command} – {html.escape(text)}" for command, text in texts.ADMIN_COMMANDS]
        lines.append(texts.HELP_ADMIN_UPLOAD)
    lines += ["", texts.HELP_FOOTER]
    return "\n".join(lines)


@clinician_handler
async def show_help(turn: Turn) -> None:
    """Every command with one line each (and the admin ones, for an admin)."""
    turn.say(help_text(admin=is_admin(turn)))


@clinician_handler
async def unknown_command(turn: Turn) -> None:
    """A command nobody handles: name it and point to /help."""
    message = turn.update.effective_message
    command = (message.text or "").split()[0] if message and message.text else "that"
    text = texts.UNKNOWN_COMMAND.format(command=html.escape(command[:64]))
    names = [name for name, _ in texts.COMMANDS]
    if is_admin(turn):
        names += [name for name, _ in texts.ADMIN_COMMANDS]
    typed = command_name(turn.update)
    close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
    if close:  # QA round 7: "/lgo" got no hint of /log
        text = texts.UNKNOWN_COMMAND_CLOSE.format(command=html.escape(command[:64]), close=close[0])
    turn.say(text)


@clinician_handler
async def unknown_text(turn: Turn) -> None:
    """Text nothing else understood: answer with a hint, never silence."""
    turn.say(texts.UNKNOWN_TEXT)


@clinician_handler
async def unsupported_message(turn: Turn) -> None:
    """Stickers, voice notes, contacts...: say what the bot can read."""
    turn.say(texts.UNSUPPORTED_MESSAGE)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", show_help))


def register_fallbacks(app: Application) -> None:  # type: ignore[type-arg]
    """Last in line: only reached when no feature handler took the update."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private, unknown_text))
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, unsupported_message)
    )
