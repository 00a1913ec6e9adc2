"""Inputs the fuzzer keeps away from while a bug it found is still open.

Each entry has a failing deterministic test in ``test_found_bugs.py``. When the fix
lands, that test passes: delete the entry here so the fuzzer covers the input again.
"""

from __future__ import annotations

# Fixed so far: invalid coordinates, NUL characters, lists past 4096 characters, keyboards
# past 100 buttons. Nothing is open: the fuzzer covers every input.
OPEN: frozenset[str] = frozenset()

# While a bug is open, the error it logs is expected (the user still gets the apology).
TOLERATED_ERRORS: dict[str, str] = {
    "message_too_long": "Message is too long",
    "keyboard_too_long": "Reply markup is too long",
}


def tolerated(error: str) -> bool:
    """An error logged by an open bug (so the fuzzer can look for new ones)."""
    return any(bug in OPEN and needle in error for bug, needle in TOLERATED_ERRORS.items())


def scrub(text: str) -> str:
    """Remove what an open bug cannot take yet (identity once every bug is fixed)."""
    return text.replace("\x00", "") if "nul_character" in OPEN else text
