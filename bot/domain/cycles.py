"""Cycle windows: which dates count, when they are due, and which renewal this is.

A rule says *how* deadlines fall (a fixed date, the end of the birth month, three years
from registration...); the licence facts pin them down. Deadlines form an arithmetic
sequence of months, so any cycle is found by index without walking through history.
Windows are inclusive: a credit earned on the deadline itself counts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.domain.requirements import Rule, RuleBook, shipped_rulebook
from bot.domain.rule_memo import RuleMemo


@dataclass(frozen=True, slots=True)
class Window:
    """An inclusive date range."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class LicenceFacts:
    """What the clinician told us about one licence (or board, membership, registration).

    ``renewal_date`` is the deadline of some cycle (usually the next one) and overrides the
    rule's own derivation; ``renewals_done`` counts renewals before the cycle ending on
    ``renewal_date`` (or, without it, before the cycle containing today).
    """

    rule_id: str | None = None
    custom_rule: Rule | None = None
    licence_id: str = ""
    birth_date: date | None = None
    birth_month: int | None = None
    birth_year: int | None = None
    issued_on: date | None = None
    renewal_date: date | None = None
    renewals_done: int | None = None
    first_renewal: bool | None = None
    flags: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("flags", "specialties"):  # the store keeps lists
            value = getattr(self, name)
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))
        if (self.rule_id is None) == (self.custom_rule is None):
            raise ValueError("LicenceFacts needs exactly one of rule_id or custom_rule")
        if self.birth_month is not None and not 1 <= self.birth_month <= 12:
            raise ValueError(f"birth_month must be 1-12, got {self.birth_month}")
        if self.renewals_done is not None and self.renewals_done < 0:
            raise ValueError("renewals_done must not be negative")

    @property
    def month_of_birth(self) -> int | None:
        return self.birth_date.month if self.birth_date else self.birth_month

    @property
    def year_of_birth(self) -> int | None:
        return self.birth_date.year if self.birth_date else self.birth_year

    def rule(self, rulebook: RuleBook | None = None) -> Rule:
        if self.custom_rule is not None:
            return self.custom_rule
        assert self.rule_id is not None
        return (rulebook or shipped_rulebook()).get(self.rule_id)


class MissingFactError(ValueError):
    """The rule needs a fact the clinician has not given (the chat should ask for it)."""

    def __init__(self, rule_id: str, facts: tuple[str, ...], why: str) -> None:
        self.rule_id = rule_id
        self.facts = facts
        super().__init__(f"{rule_id}: need {' or '.join(facts)}: {why}")


@dataclass(frozen=True, slots=True)
class Cycle:
    """One cycle: its window (ending on the deadline) and which renewal it leads to."""

    index: int
    window: Window
    renewal_number: int | None

    @property
    def deadline(self) -> date:
        return self.window.end


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _on_day(year: int, month: int, day: int | None) -> date:
    """``day`` of the month, or its last day when None; Feb 29 becomes Feb 28 in common years."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Feb 29 + 12 -> Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    return _on_day(index // 12, index % 12 + 1, day.day)


@dataclass(frozen=True, slots=True)
class _Deadlines:
    """Deadlines every ``step`` months from the month ``anchor`` (year * 12 + month - 1)."""

    anchor: int
    step: int
    day: int | None

    def at(self, k: int) -> date:
        index = self.anchor + k * self.step
        return _on_day(index // 12, index % 12 + 1, self.day)

    def index_on_or_after(self, day: date) -> int:
        """The smallest k whose deadline is on or after ``day``."""
        k = -((self.anchor - (day.year * 12 + day.month - 1)) // self.step)
        while self.at(k - 1) >= day:
            k -= 1
        while self.at(k) < day:
            k += 1
        return k


def period_end_on_or_after(first_end: date, months: int, day: date) -> date:
    """The end of the period running on ``day``, of periods of ``months`` ending on
    ``first_end`` and every ``months`` after it (the first when ``day`` is before it)."""
    ends = _Deadlines(first_end.year * 12 + first_end.month - 1, months, first_end.day)
    return ends.at(max(0, ends.index_on_or_after(day)))


@dataclass(frozen=True, slots=True)
class Schedule:
    """The deadlines of one licence, with renewal numbering when the facts allow it."""

    rule: Rule
    facts: LicenceFacts
    deadlines: _Deadlines | None = None  # None: one fixed window (custom requirements)
    fixed: Window | None = None
    first_index: int | None = field(default=None)  # index of the cycle ending at renewal 1

    def index_for(self, day: date) -> int:
        """Index of the cycle whose window contains ``day`` (the next deadline on or after)."""
        return 0 if self.deadlines is None else self.deadlines.index_on_or_after(day)

    def cycle(self, k: int) -> Cycle:
        if self.deadlines is None:
            assert self.fixed is not None
            return Cycle(0, self.fixed, None)
        end = self.deadlines.at(k)
        start = self.deadlines.at(k - 1) + timedelta(days=1)
        issued = self.facts.issued_on
        if issued is not None and issued <= end:
            if start < issued:
                start = issued  # licensed mid-cycle: nothing before licensure counts
            elif k == self.first_index and add_months(start, -self.rule.cycle_months) < issued:
                start = issued  # a long first cycle (AAFP: the joining year plus three)
        return Cycle(k, Window(start, end), self.renewal_number(k))

    def renewal_number(self, k: int) -> int | None:
        return None if self.first_index is None else k - self.first_index + 1

    def current(self, today: date) -> Cycle:
        return self.cycle(self.index_for(today))

    def previous(self, cycle: Cycle) -> Cycle | None:
        """The cycle before, or None when there is none (fixed window, before licensure)."""
        if self.deadlines is None:
            return None
        if self.first_index is not None and cycle.index <= self.first_index:
            return None
        prev = self.cycle(cycle.index - 1)
        issued = self.facts.issued_on
        if issued is not None and prev.deadline < issued:
            return None
        return prev

    def deadline_of_renewal(self, number: int) -> date | None:
        """The deadline of renewal ``number`` (1 = first), when the numbering is known."""
        if self.deadlines is None or self.first_index is None:
            return None
        return self.deadlines.at(self.first_index + number - 1)


def schedule_for(rule: Rule, facts: LicenceFacts, today: date) -> Schedule:
    """Build the deadline sequence, raising :class:`MissingFactError` when a fact is needed."""
    renewal = rule.renewal
    if renewal.kind == "fixed_window":
        assert renewal.window_start is not None and renewal.window_end is not None
        return Schedule(rule, facts, fixed=Window(renewal.window_start, renewal.window_end))
    deadlines = _deadlines(rule, facts)
    return Schedule(rule, facts, deadlines, None, _first_index(rule, facts, deadlines, today))


def on_rule_day(rule: Rule, given: date) -> date:
    """The deadline a date stands for under a fixed-date rule: its month and day in that
    year (ABIM: Dec 31; "Nov 15 2025" is Dec 31, 2025, not Nov 30). Other dates as given."""
    renewal = rule.renewal
    if renewal.kind != "fixed_date" or renewal.month is None:
        return given
    return _on_day(given.year, renewal.month, renewal.day)


def _deadlines(rule: Rule, facts: LicenceFacts) -> _Deadlines:
    renewal, step = rule.renewal, rule.cycle_months
    given = facts.renewal_date
    if given is not None:
        given = on_rule_day(rule, given)
        month_based = renewal.kind in {"birth_month_end", "issue_month_end"}
        day = None if month_based else (renewal.day or given.day)
        return _Deadlines(given.year * 12 + given.month - 1, step, day)
    issued = facts.issued_on
    if renewal.kind == "explicit":
        raise MissingFactError(rule.id, ("renewal_date",), renewal.description or "no fixed rule")
    if renewal.kind == "anniversary":
        if issued is None:
            raise MissingFactError(rule.id, ("issued_on", "renewal_date"), "counted from issue")
        first = add_months(issued, step)
        return _Deadlines(first.year * 12 + first.month - 1, step, issued.day)
    day: int | None = None
    if renewal.kind == "fixed_date":
        month, day = renewal.month or 12, renewal.day
    elif renewal.kind == "issue_month_end" or (
        renewal.issue_month_from and issued and issued >= renewal.issue_month_from
    ):
        if issued is None:
            raise MissingFactError(rule.id, ("issued_on", "renewal_date"), "issue month")
        month = issued.month
    else:  # birth_month_end
        if facts.month_of_birth is None:
            raise MissingFactError(rule.id, ("birth_month", "renewal_date"), "birth month")
        month = facts.month_of_birth
    year = _anchor_year(rule, facts)
    return _Deadlines(year * 12 + month - 1, step, day)


def _anchor_year(rule: Rule, facts: LicenceFacts) -> int:
    anchor = rule.renewal.anchor
    if anchor in {"every_year", "even_year"}:
        return 2000
    if anchor == "odd_year":
        return 2001
    if anchor == "birth_year":
        if facts.year_of_birth is None:
            raise MissingFactError(rule.id, ("birth_year", "renewal_date"), "year parity")
        return facts.year_of_birth
    if anchor == "issue_year":
        if facts.issued_on is None:
            raise MissingFactError(rule.id, ("issued_on", "renewal_date"), "cycle start year")
        return facts.issued_on.year + rule.renewal.years_after_issue
    raise MissingFactError(rule.id, ("renewal_date",), rule.renewal.description or "assigned")


def _first_index(rule: Rule, facts: LicenceFacts, deadlines: _Deadlines, today: date) -> int | None:
    """Index of the cycle ending at the first renewal, from the count or the issue date."""
    done = facts.renewals_done
    if done is None and facts.first_renewal:
        done = 0
    if done is not None:
        return deadlines.index_on_or_after(facts.renewal_date or today) - done
    issued = facts.issued_on
    if issued is None:
        return None
    first = issued + timedelta(days=1)
    if rule.renewal.anchor == "issue_year":  # the first cycle runs to a set year after issue
        first = max(first, date(issued.year + rule.renewal.years_after_issue, 1, 1))
    return deadlines.index_on_or_after(first)


def renewals_done_after_move(
    rule: Rule, facts: LicenceFacts, moved_to: date, today: date
) -> int | None:
    """``renewals_done`` for the renewal date moved to ``moved_to``, numbering kept: the count
    is of renewals before the stored date, so a date moved on by whole cycles (the one the
    status already showed, typed after a rollover) counts the renewals in between (QA round
    11: Florida went back to "renewal 3" and asked for domestic violence again, and the
    ended cycle vanished from /transcript previous). A date within a cycle of the stored one
    is a correction: the count stays."""
    done = facts.renewals_done
    if done is None or facts.renewal_date is None:
        return done
    try:
        deadlines = schedule_for(rule, facts, today).deadlines
    except MissingFactError:
        return done
    if deadlines is None:
        return done
    before = deadlines.index_on_or_after(facts.renewal_date)
    after = deadlines.index_on_or_after(moved_to)
    if after > before and (moved_to - deadlines.at(after - 1)) < (deadlines.at(after) - moved_to):
        after -= 1  # nearer the deadline before it: the same cycle, a day or weeks later
    return max(0, done + after - before)


def renewals_done_said_today(
    rule: Rule, facts: LicenceFacts, said: int, today: date
) -> tuple[int, date | None]:
    """What to store for "I have renewed ``said`` times", answered ``today``: the count and
    the renewal date it is relative to (``renewals_done`` counts renewals before the cycle
    ending on the stored date, not before today).

    The question is asked as of today, so ``said`` counts renewals before the cycle the
    status shows. A stored date that cycles have since rolled past (QA round 13: Florida's
    Jan 31, 2029 after that deadline, "5" read as renewal 7) takes off the renewals in
    between; if more than ``said``, the stored date cannot be right with that count, and
    the status's own deadline replaces it (the numbering then starts from the answer)."""
    given = facts.renewal_date
    if given is None:
        return said, None  # counted before the cycle containing today already
    try:
        info = cycle_info(rule, replace(facts, renewals_done=None, first_renewal=None), today)
    except MissingFactError:
        return said, given
    deadlines = info.schedule.deadlines
    if deadlines is None:  # one window (a described requirement): no renewals to count
        return said, given
    behind = info.current.index - deadlines.index_on_or_after(on_rule_day(rule, given))
    if behind <= 0:
        return said, given
    if said >= behind:
        return said - behind, given
    return said, info.current.deadline


def missing_facts(rule: Rule, facts: LicenceFacts, today: date) -> tuple[str, ...]:
    """Facts to ask for before a status can be computed (empty when none is missing)."""
    try:
        schedule_for(rule, facts, today)
    except MissingFactError as exc:
        return exc.facts
    return ()


@dataclass(frozen=True, slots=True)
class CycleInfo:
    """The cycle containing ``today`` plus what the arithmetic needs around it."""

    current: Cycle
    previous: Cycle | None
    makeup_until: date | None  # set while today is in the previous cycle's make-up window
    schedule: Schedule

    @property
    def window(self) -> Window:
        return self.current.window

    @property
    def deadline(self) -> date:
        return self.current.deadline

    @property
    def renewal_number(self) -> int | None:
        return self.current.renewal_number


_CYCLES: RuleMemo[CycleInfo] = RuleMemo(kept=4096)


def cycle_info(rule: Rule, facts: LicenceFacts, today: date) -> CycleInfo:
    """Current and previous cycle; ``makeup_until`` when the previous one may still be cured.

    Kept per rule, day and the facts a schedule reads: licences of one board and cohort
    share it (the planner asked 200,000 times for a few hundred answers over 100,000
    clinicians, 42 µs each). Custom rules are built per request, so they are not kept.
    """
    if facts.custom_rule is not None:
        return _cycle_info(rule, facts, today)
    key = (today, facts.birth_date, facts.birth_month, facts.birth_year, facts.issued_on,
           facts.renewal_date, facts.renewals_done, facts.first_renewal, facts.flags,
           facts.specialties)  # fmt: skip
    hit = _CYCLES.get(rule, *key)
    return hit if hit is not None else _CYCLES.put(rule, _cycle_info(rule, facts, today), *key)


def _cycle_info(rule: Rule, facts: LicenceFacts, today: date) -> CycleInfo:
    schedule = schedule_for(rule, facts, today)
    current = schedule.current(today)
    given = on_rule_day(rule, facts.renewal_date) if facts.renewal_date else None
    renewed_ahead = False
    if given is not None and current.deadline < given:
        # The clinician kept a deadline after the one of the cycle containing today (asked
        # first: "renewed early?"): that cycle is renewed, the licence counts toward theirs.
        current = schedule.cycle(schedule.index_for(given))
        renewed_ahead = True
    previous = schedule.previous(current)
    makeup_until = None
    if previous is not None and rule.makeup_days and not renewed_ahead:
        until = previous.deadline + timedelta(days=rule.makeup_days)
        if today <= until:
            makeup_until = until
    return CycleInfo(current, previous, makeup_until, schedule)
