"""Topics a state's approval makes its own: an infection-control course "NYSDOH approved"
is New York's infection control, the course its mandate asks for.

The narrower topic is what a state's mandate counts (``new_york_infection_control``);
the broader one alone counts toward nothing there. A certificate or a log line that
names the approving department says which it is (QA round 13: a NYSDOH-approved
certificate's infection control "doesn't count toward your licences").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_APPROVALS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(
            r"\bNYS\s*DOH\b|\bNew\s+York\s+State\s+(?:Department|Dept\.?)\s+of\s+Health\b"
            r"|\bNYS\s+(?:Department|Dept\.?)\s+of\s+Health\b",
            re.IGNORECASE,
        ),
        "infection_control",
        "new_york_infection_control",
    ),
    (
        re.compile(
            r"\b(?:PA|Pennsylvania)\s+(?:DHS|Department\s+of\s+Human\s+Services)\b"
            r"|\bDHS[-\s]+approved\b",
            re.IGNORECASE,
        ),
        "child_abuse",
        "pennsylvania_child_abuse",
    ),
)


def state_approved(found: Sequence[str], text: str) -> tuple[str, ...]:
    """``found`` with a broad topic replaced by the state's own when ``text`` names the
    department that approves it; unchanged otherwise."""
    result = list(found)
    for pattern, broad, narrow in _APPROVALS:
        if broad in result and narrow not in result and pattern.search(text):
            result[result.index(broad)] = narrow
    return tuple(result)
