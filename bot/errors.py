"""Errors an operator can fix, printed by the CLI as one line."""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_IMPORT_REFUSED = 4  # courses import: it would cancel too much; nothing was changed
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: a service (the database) cannot be reached


class CliError(Exception):
    """A problem the operator can fix; printed as one line with this exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
