"""Results computed from a rule, kept for every licence of that board."""

from __future__ import annotations

from typing import Generic, TypeVar

from bot.domain.requirements import Rule

V = TypeVar("V")


class RuleMemo(Generic[V]):
    """Values keyed by the rule object plus whatever else they read, at most ``kept``.

    Python may give a new rule the id of a collected one (custom requirements are built
    per request), so a hit counts only for the very same rule. Full means cleared: the
    working set is a few boards and cohorts, and a custom rule's entries are garbage.
    """

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._values: dict[tuple[object, ...], tuple[Rule, V]] = {}

    def get(self, rule: Rule, *key: object) -> V | None:
        hit = self._values.get((id(rule), *key))
        return hit[1] if hit is not None and hit[0] is rule else None

    def put(self, rule: Rule, value: V, *key: object) -> V:
        if len(self._values) >= self._kept:
            self._values.clear()
        self._values[(id(rule), *key)] = (rule, value)
        return value
