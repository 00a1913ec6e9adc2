"""A fingerprint of everything one clinician's reminder plan is computed from.

The periodic pass re-plans every clinician as a safety net for changes that did not
re-plan at once. Evaluating a licence is most of its cost (0.33 ms for one Texas
licence), and on most passes nothing changed: so the pass stores this digest with each
clinician it planned and skips those whose digest is the same next time. The digest
covers every stored column the plan reads (generically, so a new column is covered the
day it is added), the rule book, and each licence's current cycle: the day enters a
status only through the cycle it falls in (and its make-up window), while time passing
within a cycle only drops steps that are due, which the outbox diff ignores either way.
Whatever this might still miss is bounded by ``MAX_PLAN_AGE`` in the planner.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from datetime import date
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import inspect

from bot.domain.cycles import MissingFactError, cycle_info
from bot.domain.requirements import RuleBook, UnknownRuleError
from bot.store.models import Base, Clinician, Licence
from bot.tracking import facts_for

PLAN_LOGIC_VERSION = "2"  # 2: follow-ups after chosen courses
"""Bump when the planner's logic changes, so the next pass re-plans everyone."""
_NOT_PLAN_INPUTS = frozenset({"conversation", "updated_at"})


def inputs_digest(
    clinician: Base,
    licences: Iterable[Base],
    entries: Iterable[Base],
    courses: Iterable[Base],
    cycles: Iterable[Any],
    rulebook: RuleBook,
) -> str:
    """32 hex digits that change whenever anything planning reads may have changed.

    ``cycles`` stands for the day: what :func:`cycle_marks` gives for each licence."""
    parts: list[Any] = [PLAN_LOGIC_VERSION, rulebook_fingerprint(rulebook), list(cycles)]
    parts.append(_columns(clinician))
    for group in (licences, entries, courses):
        parts.append(sorted((_columns(row) for row in group), key=lambda values: values[0]))
    # repr, not JSON: the values are lists, strings, numbers, dates and Decimals, whose
    # reprs are stable across processes; json.dumps called back into Python for every date
    # and Decimal (a fifth of a full pass over 100,000 clinicians went to the digests).
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def cycle_marks(
    licence: Licence, clinician: Clinician, today: date, rulebook: RuleBook
) -> tuple[Any, ...]:
    """What of ``today`` a licence's status depends on: its cycle and make-up window."""
    try:
        facts = facts_for(licence, clinician)
        info = cycle_info(facts.rule(rulebook), facts, today)
    except (MissingFactError, UnknownRuleError, KeyError, ValueError) as exc:
        return ("unplannable", type(exc).__name__, today)  # cheap either way: re-check daily
    previous = info.previous.deadline if info.previous else None
    return (info.window.start, info.deadline, info.renewal_number, previous, info.makeup_until)


def _columns(row: Base) -> list[Any]:
    """The row's column values, primary key first, in mapper order."""
    loaded = row.__dict__  # loaded columns sit here; the descriptors cost a call each
    return [
        loaded[key] if key in loaded else getattr(row, key)
        for key in _plan_input_keys(type(row))
    ]


@cache
def _plan_input_keys(model: type[Base]) -> tuple[str, ...]:
    """Per model, not per row: the digest reads 50 entries of each of 100,000 clinicians."""
    keys = (attribute.key for attribute in inspect(model).column_attrs)
    return tuple(key for key in keys if key not in _NOT_PLAN_INPUTS)


@lru_cache(maxsize=8)
def rulebook_fingerprint(rulebook: RuleBook) -> str:
    """Stable across processes (no ``hash()``): rule files edited means a new digest."""
    rules = [dataclasses.asdict(rule) for rule in sorted(rulebook, key=lambda r: r.id)]
    text = json.dumps(rules, default=_plain, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _plain(value: Any) -> Any:
    """JSON for what the columns and rules hold: sets sorted, dates and decimals as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return str(value)
