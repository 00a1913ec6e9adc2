"""A fingerprint of everything one clinician's reminder plan is computed from.

The periodic pass re-plans every clinician as a safety net for changes that did not
re-plan at once. Evaluating a licence is most of its cost (0.33 ms for one Texas
licence), and on most passes nothing changed: so the pass stores this digest with each
clinician it planned and skips those whose digest is the same next time. The digest
covers every stored column the plan reads (generically, so a new column is covered the
day it is added), the rule book, and the clinician's local date: statuses depend on the
day, so every clinician is evaluated afresh at least once a local day. Time passing
within a day only drops steps that are due, which the outbox diff ignores either way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import inspect

from bot.domain.requirements import RuleBook
from bot.store.models import Base

PLAN_LOGIC_VERSION = "1"
"""Bump when the planner's logic changes, so the next pass re-plans everyone."""
_NOT_PLAN_INPUTS = frozenset({"conversation", "created_at", "updated_at"})


def inputs_digest(
    clinician: Base,
    licences: Iterable[Base],
    entries: Iterable[Base],
    courses: Iterable[Base],
    today: date,
    rulebook: RuleBook,
) -> str:
    """32 hex digits that change whenever anything planning reads may have changed."""
    parts: list[Any] = [PLAN_LOGIC_VERSION, rulebook_fingerprint(rulebook), today.isoformat()]
    parts.append(_columns(clinician))
    for group in (licences, entries, courses):
        parts.append(sorted((_columns(row) for row in group), key=lambda values: values[0]))
    text = json.dumps(parts, default=_plain, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _columns(row: Base) -> list[Any]:
    """The row's column values, primary key first, in mapper order."""
    mapper = inspect(row).mapper
    return [
        getattr(row, attribute.key)
        for attribute in mapper.column_attrs
        if attribute.key not in _NOT_PLAN_INPUTS
    ]


@lru_cache(maxsize=8)
def _rulebook_fingerprint(rulebook: RuleBook) -> str:
    rules = [dataclasses.asdict(rule) for rule in sorted(rulebook, key=lambda r: r.id)]
    text = json.dumps(rules, default=_plain, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def rulebook_fingerprint(rulebook: RuleBook) -> str:
    """Stable across processes (no ``hash()``): rule files edited means a new digest."""
    return _rulebook_fingerprint(rulebook)


def _plain(value: Any) -> Any:
    """JSON for what the columns and rules hold: sets sorted, dates and decimals as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)
