"""Errors an operator can fix, printed by the CLI as one line."""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_IMPORT_PARTIAL = 3  # courses import: some rows were rejected, the others imported
EXIT_IMPORT_REFUSED = 4  # courses import: it would cancel too much; nothing was changed
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: a service (the database) cannot be reached
EXIT_CONFIG = 78  # EX_CONFIG: the deployment must change first (schema, token use); a
# restart alone will not help, so deploy/*.service does not restart on it


class CliError(Exception):
    """A problem the operator can fix; printed as one line with this exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def telegram_start_error(exc: BaseException) -> CliError:
    """The one line for a failed first Bot API call (getMe) of run, webhook and dispatch;
    never the token (PTB's InvalidToken message quotes it)."""
    from telegram.error import InvalidToken

    from bot.logs import redact

    if isinstance(exc, InvalidToken):
        return CliError("Telegram rejected TELEGRAM_BOT_TOKEN (401): check it", EXIT_USAGE)
    reason = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
    return CliError(f"cannot reach the Telegram Bot API: {redact(reason)}", EXIT_UNAVAILABLE)
