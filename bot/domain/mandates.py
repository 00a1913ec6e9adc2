"""Whether a topic mandate is due in a cycle, which dates count toward it, and why.

Kept apart from the arithmetic because the "why" is what clinicians ask about most
("why do I need domestic violence this time and not last time?"), and each recurrence
kind deserves its own readable branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.cycles import (
    Cycle,
    LicenceFacts,
    Schedule,
    add_months,
    period_end_on_or_after,
)
from bot.domain.requirements import Mandate
from bot.domain.topics import vocabulary

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
_UNKNOWN = ", renewal number unknown: tell me your licence issue date to be sure"


def ordinal(n: int) -> str:
    return _ORDINALS.get(n, f"{n}th")


@dataclass(frozen=True, slots=True)
class MandatePlan:
    """A mandate as it applies to one cycle."""

    due: bool  # required for this cycle's renewal (or by ``due_by``)
    why: str
    count_from: date  # first date whose credits count (date.min: any time before)
    count_to: date
    due_by: date | None = None  # when earlier or later than the cycle deadline
    # A one-time mandate whose registration or renewal is behind this cycle: shown (done,
    # or still to log) in every later cycle, never dropped as "not required" (QA: DEA).
    past_due: bool = False


def plan(
    mandate: Mandate,
    facts: LicenceFacts,
    cycle: Cycle,
    schedule: Schedule,
    until: date,
    today: date | None = None,
) -> MandatePlan:
    """Due or not, with the counting window and a one-line reason.

    ``until`` is the last day credits count (the deadline, or the end of a make-up window).
    ``today``, for the cycle containing it: a mandate on the law's own periods shows the
    period running today (else the one running at the cycle's deadline).
    """
    base = MandatePlan(True, "", cycle.window.start, until)
    if mandate.recurrence.kind == "fixed_periods":
        on = cycle.deadline if today is None else max(today, cycle.window.start)
        recurrence_plan = _fixed_period(mandate, min(on, cycle.deadline))
    else:
        recurrence_plan = _by_recurrence(mandate, facts, cycle, schedule, base)
    blocked = _condition_blocks(mandate, facts)
    if blocked:  # still counted (the clinician may ask), but not required
        return _with(recurrence_plan, False, blocked)
    conditions = _conditions_text(mandate)
    if conditions:
        return _with(recurrence_plan, recurrence_plan.due, f"{recurrence_plan.why}; {conditions}")
    return recurrence_plan


def _with(p: MandatePlan, due: bool, why: str) -> MandatePlan:
    """``dataclasses.replace`` without its introspection (the planner calls this per licence)."""
    return MandatePlan(due, why, p.count_from, p.count_to, p.due_by, p.past_due)


def _labels(ids: frozenset[str], kind: str) -> str:
    terms = getattr(vocabulary(), kind)
    return ", ".join(sorted(terms.label(i) for i in ids))


def _conditions_text(mandate: Mandate) -> str:
    parts = []
    if mandate.when_flags:
        parts.append(f"for {_labels(mandate.when_flags, 'flags')}")
    if mandate.only_specialties:
        parts.append(f"for {_labels(mandate.only_specialties, 'specialties')}")
    return " ".join(parts)


NOT_DUE = "not due this cycle: "
DOES_NOT_APPLY = "does not apply: "
"""How a reason starts for a mandate not required now (the status lists those apart)."""


def _condition_blocks(mandate: Mandate, facts: LicenceFacts) -> str:
    """Why the mandate does not apply to this clinician, or "" when it does."""
    missing = mandate.when_flags - facts.flags
    if missing:
        return f"{DOES_NOT_APPLY}only for {_labels(missing, 'flags')}"
    if mandate.only_specialties and not (mandate.only_specialties & facts.specialties):
        return f"{DOES_NOT_APPLY}only for {_labels(mandate.only_specialties, 'specialties')}"
    exempt = mandate.exempt_specialties & facts.specialties
    if exempt:
        return f"not required for {_labels(exempt, 'specialties')}"
    return ""


THIS_RENEWAL = ", this is renewal {n}"
"""The cycle a reason is about, by its renewal (a later cycle's reason says "that")."""
THAT_RENEWAL = ", that will be renewal {n}"


def _by_recurrence(
    mandate: Mandate, facts: LicenceFacts, cycle: Cycle, schedule: Schedule, base: MandatePlan
) -> MandatePlan:
    r = mandate.recurrence
    n = cycle.renewal_number
    # Commas, not brackets: the status shows the reason in brackets already (QA: nested).
    this = THIS_RENEWAL.format(n=n) if n is not None else _UNKNOWN

    def gated(due: bool, text: str) -> MandatePlan:
        if n is None:
            return MandatePlan(True, text + _UNKNOWN, base.count_from, base.count_to)
        why = text + this if due else f"{NOT_DUE}{text}{this}"
        return MandatePlan(due, why, base.count_from, base.count_to)

    if r.kind == "every_cycle":
        # A requirement the clinician described has one window, no renewals.
        why = "in your requirement" if facts.custom_rule is not None else "every renewal"
        return MandatePlan(True, why, base.count_from, base.count_to)
    if r.kind == "first_renewal":
        return gated(n == 1, "first renewal only")
    if r.kind == "every_nth_renewal":
        every = ordinal(r.every)
        if r.starting_at == 1:
            text = f"at the first renewal, then every {every} renewal"
        elif r.starting_at == r.every:
            text = f"every {every} renewal"
        else:
            text = f"every {every} renewal from the {ordinal(r.starting_at)}"
        due = n is not None and n >= r.starting_at and (n - r.starting_at) % r.every == 0
        return gated(due, text)
    if r.kind == "renewals":
        listed = r.renewals
        if listed == tuple(range(1, len(listed) + 1)) and len(listed) > 1:
            count = _NUMBERS.get(len(listed), str(len(listed)))
            text = f"in each of the first {count} renewal periods"
        else:
            text = "at renewal " + " and ".join(str(x) for x in listed)
        return gated(n in listed, text)
    if r.kind == "every_n_years":
        start = add_months(cycle.deadline, -12 * r.years) + timedelta(days=1)
        text = f"once every {r.years} years, counting credits since {start:%b %-d, %Y}"
        if r.after_renewal:
            text += f", after the first {_NUMBERS.get(r.after_renewal, r.after_renewal)} renewals"
        if n is None:
            return MandatePlan(True, text + _UNKNOWN, start, base.count_to)
        due = n > r.after_renewal
        why = text + this if due else f"{NOT_DUE}{text}{this}"
        return MandatePlan(due, why, start, base.count_to)
    if r.kind == "at_licensure":
        return MandatePlan(
            False, "once, before your first licence; shown for reference", date.min, base.count_to
        )
    return _once(mandate, facts, cycle, schedule, base)


def _fixed_period(mandate: Mandate, on: date) -> MandatePlan:
    """Once within each period the law sets, whatever the licence's own dates (NY pain,
    palliative care and addiction: by July 1, 2017, then within each three years after;
    QA round 13: it followed the registration's dates). The period shown is the one
    running ``on``: due by its end, which may fall after this cycle's deadline (then it is
    shown with its own date, not owed at this renewal)."""
    r = mandate.recurrence
    assert r.period_end is not None
    end = period_end_on_or_after(r.period_end, 12 * r.years, on)
    start = add_months(end, -12 * r.years) + timedelta(days=1)
    why = f"once in each {r.years}-year period the law sets, this one {_day(start)} – {_day(end)}"
    if end == r.period_end:  # the first: any earlier training counts
        return MandatePlan(True, f"due by {_day(end)} under the law", date.min, end, end)
    return MandatePlan(True, why, start, end, end)


def _once(
    mandate: Mandate, facts: LicenceFacts, cycle: Cycle, schedule: Schedule, base: MandatePlan
) -> MandatePlan:
    """One-time mandates: any credit before the due date counts, whenever it was earned."""
    r = mandate.recurrence
    n = cycle.renewal_number
    due_by = cycle.deadline
    clauses = []
    if r.by_renewal is not None:
        by = schedule.deadline_of_renewal(r.by_renewal)
        if by is not None:
            due_by = by
        clauses.append(f"by your {ordinal(r.by_renewal)} renewal")
    if r.within_months_of_issue is not None:
        if facts.issued_on is not None:
            due_by = min(due_by, add_months(facts.issued_on, r.within_months_of_issue))
        clauses.append(f"within {r.within_months_of_issue} months of licensure")
    text = "one-time requirement"
    if clauses:
        text += ", due " + " or ".join(clauses)
        if len(clauses) > 1:
            text += ", whichever comes first"
    if r.first_deadline_on_or_after is not None:
        return _first_deadline_after(r.first_deadline_on_or_after, facts, cycle, schedule, base)
    if r.by_renewal is not None and n is not None and n > r.by_renewal:
        why = f"{NOT_DUE}{text}{THIS_RENEWAL.format(n=n)}"  # commas: shown in brackets
        return MandatePlan(False, why, date.min, due_by, due_by)
    if n is None and (r.by_renewal is not None or r.within_months_of_issue is not None):
        text += _UNKNOWN
    elif r.within_months_of_issue is not None and facts.issued_on is None:
        text += " (tell me your licence issue date for the exact date)"
    return MandatePlan(True, text, date.min, due_by, due_by)


def _first_deadline_after(
    since: date, facts: LicenceFacts, cycle: Cycle, schedule: Schedule, base: MandatePlan
) -> MandatePlan:
    """Due once, at the first registration or renewal on or after ``since`` (DEA MATE Act).

    Done once, it is done for good: a training of any date counts in every cycle. Once the
    registration or renewal it was due at is behind this cycle it stays shown, done or still
    to log, and open until logged (QA: "Complete … not required this cycle" with nothing
    logged; a training logged and then gone from the next cycle's status).
    """
    text = f"one-time, at your first registration or renewal on or after {_day(since)}"
    due_on, at = _due_at(since, facts, schedule)
    if cycle.deadline < due_on:
        return MandatePlan(False, f"not in force yet: {text}", date.min, base.count_to)
    if due_on == cycle.deadline:
        return MandatePlan(True, text, date.min, base.count_to, cycle.deadline)
    return MandatePlan(True, f"one-time, was due {at}", date.min, base.count_to, past_due=True)


def _due_at(since: date, facts: LicenceFacts, schedule: Schedule) -> tuple[date, str]:
    """When a training due at the first registration or renewal on or after ``since`` was
    (or is) due, and how to say it. A registration first taken out after ``since`` owed it
    then; one older, at its first renewal from ``since`` (with the numbering unknown: the
    first deadline from ``since``, as if registered long before)."""
    issued = facts.issued_on
    if issued is not None and issued >= since:
        return issued, f"when you first registered, on {_day(issued)}"
    before_first = schedule.deadline_of_renewal(0)
    if issued is None and before_first is not None and before_first >= since:
        # Renewed n times (counted back from the renewal date): registered after it.
        return before_first + timedelta(days=1), "when you first registered"
    first = schedule.cycle(schedule.index_for(since)).deadline
    if issued is None and schedule.first_index is None:
        # Neither the issue date nor the renewals are known (the set-up does not ask: the
        # count changes nothing but this sentence): registered later, it was due then.
        return first, f"at your renewal on {_day(first)}, or when you first registered if later"
    return first, f"at your renewal on {_day(first)}"


def _day(value: date) -> str:
    return f"{value:%b %-d, %Y}"
