"""Errors an operator can fix, printed by the CLI as one line."""

from __future__ import annotations

EXIT_USAGE = 2
EXIT_IMPORT_REFUSED = 4  # courses import: it would cancel too much; nothing was changed
EXIT_UNAVAILABLE = 69  # EX_UNAVAILABLE: a service (the database) cannot be reached
EXIT_CONFIG = 78  # EX_CONFIG: the deployment must change first (schema, token use); a
# restart alone will not help, so deploy/*.service does not restart on it


class CliError(Exception):
    """A problem the operator can fix; printed as one line with this exit code."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
