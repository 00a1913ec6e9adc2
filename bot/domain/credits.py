"""Credit arithmetic: what counts, what is missing, and how fast to catch up.

Plain frozen dataclasses in and out (``credit_types``), no I/O, no clock: the caller
passes ``today``. This module decides *which* cycle to show (the current one, or the
previous one while it can still be made up) and what crosses between cycles (carry-over,
make-up credits); ``tally`` does the summing. One credit entry counts toward every
licence whose window and rules accept it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from bot.domain.credit_types import (
    ActivityStatus,
    CapApplied,
    CarryOver,
    CategoryStatus,
    CreditItem,
    LicenceStatus,
    MandateStatus,
    PreviousShortfall,
)
from bot.domain.cycles import Cycle, LicenceFacts, Schedule, Window, cycle_info, schedule_for
from bot.domain.mandates import THAT_RENEWAL, THIS_RENEWAL
from bot.domain.requirements import Rule, RuleBook
from bot.domain.tally import ZERO, Entry, Row, Tally, evaluate, prepare, rows

__all__ = [
    "ActivityStatus",
    "CapApplied",
    "CarryOver",
    "CategoryStatus",
    "CreditItem",
    "LicenceFacts",
    "LicenceStatus",
    "MandateStatus",
    "PreviousShortfall",
    "Window",
    "deadline_counted",
    "latest_early_renewal",
    "licence_status",
    "next_needed",
    "status_for_all",
]

_TENTH = Decimal("0.1")
SHORTFALL_NOTICE_DAYS = 90  # how long after a short deadline the status still mentions it


def licence_status(
    facts: LicenceFacts,
    entries: Iterable[CreditItem],
    today: date,
    rulebook: RuleBook | None = None,
) -> LicenceStatus:
    """Status of one licence on ``today``; see :func:`status_for_all` for several."""
    return _status(facts, prepare(entries), today, rulebook)


def status_for_all(
    licences: Iterable[LicenceFacts],
    entries: Iterable[CreditItem],
    today: date,
    rulebook: RuleBook | None = None,
) -> list[LicenceStatus]:
    """One status per licence; each entry counts toward every licence that accepts it.

    Raises :class:`~bot.domain.cycles.MissingFactError` when a licence lacks a fact its
    rule needs (use :func:`~bot.domain.cycles.missing_facts` to ask first).
    """
    prepared = prepare(entries)
    return [_status(facts, prepared, today, rulebook) for facts in licences]


@dataclass(frozen=True, slots=True)
class NextNeeded:
    """When a mandate is next needed, as what is logged now leaves it: by ``due_by``, the
    reason as that cycle's status gives it."""

    due_by: date
    why: str


NEXT_NEEDED_HORIZON = 8  # cycles looked ahead: past every shipped cadence (FL: every third)


def next_needed(
    facts: LicenceFacts,
    entries: Iterable[CreditItem],
    today: date,
    mandate_ids: Iterable[str],
    rulebook: RuleBook | None = None,
) -> dict[str, NextNeeded]:
    """For each mandate, the first cycle after today's whose status would have it open with
    what is logged now ("when do I need to redo the pain management course?": QA round 13,
    "3 of 3 h ✓" and no date). Worked out by the status arithmetic itself, cycle by cycle,
    so every recurrence (every cycle, every third renewal, hours within N years, one-time)
    answers alike. Left out: a mandate not needed again within the horizon (a one-time
    training done), and every mandate of a rule with one window."""
    wanted = set(mandate_ids)
    rule = facts.rule(rulebook)
    info = cycle_info(rule, facts, today)
    if info.schedule.deadlines is None or not wanted:
        return {}
    prepared = prepare(entries)
    found: dict[str, NextNeeded] = {}
    for ahead in range(1, NEXT_NEEDED_HORIZON + 1):
        deadline = info.schedule.cycle(info.current.index + ahead).deadline
        status = _status(facts, prepared, deadline, rulebook)  # that cycle, on its last day
        for mandate in status.mandates:
            # Due there, even if by a date after that cycle (the law's own periods, NY)
            if mandate.mandate_id in wanted - found.keys() and mandate.due and (
                mandate.remaining > 0
            ):
                why = _of_that_cycle(mandate.why, status.renewal_number)
                found[mandate.mandate_id] = NextNeeded(mandate.due_by or deadline, why)
        if found.keys() >= wanted:
            break
    return found


def _of_that_cycle(why: str, renewal: int | None) -> str:
    """A later cycle's reason, said of that cycle: "this is renewal 3" read as today's
    cycle beside "not due this cycle" (QA round 14)."""
    if renewal is None:
        return why
    return why.replace(THIS_RENEWAL.format(n=renewal), THAT_RENEWAL.format(n=renewal))


def _status(
    facts: LicenceFacts, entries: Sequence[Entry], today: date, rulebook: RuleBook | None
) -> LicenceStatus:
    rule = facts.rule(rulebook)
    info = cycle_info(rule, facts, today)
    table = rows(rule, entries)
    schedule, previous = info.schedule, info.previous
    # A renewal date after the previous deadline says that cycle was renewed: its make-up
    # window no longer matters (the usual case, so the previous cycle is often not summed).
    moved_on = (
        previous is not None
        and facts.renewal_date is not None
        and facts.renewal_date > previous.deadline
    )
    # The previous cycle is summed for its make-up window (not renewed yet) or for what it
    # carries over: nothing logged in it carries nothing (most clinicians: their history
    # starts with this bot).
    needs_makeup = bool(rule.makeup_days) and not moved_on
    prev_tally = None
    if previous is not None and (
        needs_makeup or (rule.carry_over and _tracked(table, previous.window))
    ):
        prev_tally = evaluate(rule, facts, previous, schedule, table, previous.deadline)
    cured = None
    # The previous cycle's tally up to the end of its make-up window, once evaluated: the
    # shortfall notice below needs the same one (no make-up window: it is prev_tally).
    known = None if rule.makeup_days else prev_tally
    if previous is not None and prev_tally is not None and needs_makeup:
        prev_carry = _carry_into(rule, facts, schedule, previous, prev_tally, table)
        carried = prev_carry.applied if prev_carry else ZERO
        makeup = Window(
            previous.deadline + timedelta(days=1),
            previous.deadline + timedelta(days=rule.makeup_days),
        )
        if not prev_tally.complete(carried):
            if info.makeup_until is not None and _tracked(table, previous.window):
                made_up = known = evaluate(rule, facts, previous, schedule, table, makeup.end)
                if not made_up.complete(carried):  # makeup_until says until when (no note:
                    # QA saw the deadline and make-up date twice, in two formats)
                    return _render(rule, facts, made_up, today, overdue=True, carry=prev_carry)
            # Whether or not it is still shown, a short cycle takes make-up credits first.
            cured = _cure(table, makeup, prev_tally, prev_tally.hours_needed(carried))
    tally = evaluate(rule, facts, info.current, schedule, table, info.deadline, cured, today)
    notes = []
    if tally.reserved > 0:
        notes.append(
            f"{tally.reserved.normalize():f} credits earned in the make-up window cured the "
            "previous cycle and do not count again."
        )
    shortfall = _previous_shortfall(rule, facts, previous, schedule, table, today, known)
    return _render(
        rule,
        facts,
        tally,
        today,
        carry=_carry(rule, previous, prev_tally),
        notes=notes,
        shortfall=shortfall,
        previous_logged=previous is None or _tracked(table, previous.window),
    )


def _cure(
    table: Sequence[Row], makeup: Window, short: Tally, need: Decimal
) -> dict[str, Decimal]:
    """The make-up-window credits that cured a short cycle, and how much of each: those
    toward its short mandates and minimums first, then by date. That part counts toward
    nothing in the next cycle (QA: cured credits were out of its total yet met its ethics
    mandate and Category 1 minimum)."""
    short_mandates = {i for i, m in enumerate(short.mandates) if m.due and m.remaining > 0}
    short_categories = {i for i, c in enumerate(short.categories) if c.remaining > 0}

    def first(row: Row) -> tuple[bool, date, str]:
        fills_a_gap = short_mandates.intersection(row[7]) or short_categories.intersection(row[5])
        return not fills_a_gap, row[1], row[0]

    cured: dict[str, Decimal] = {}
    for row in sorted((r for r in table if r[1] in makeup and r[4]), key=first):
        if need <= 0:
            break
        cured[row[0]] = min(row[2], need)
        need -= cured[row[0]]
    return cured


def _previous_shortfall(
    rule: Rule,
    facts: LicenceFacts,
    previous: Cycle | None,
    schedule: Schedule,
    table: Sequence[Row],
    today: date,
    known: Tally | None = None,
) -> PreviousShortfall | None:
    """How short the cycle that just ended was (make-up credits included), for
    ``SHORTFALL_NOTICE_DAYS`` after its deadline: a status that moves on to the next cycle
    without a word hides a renewal at risk. Not once the clinician gave a later renewal
    date (renewed), nor when nothing was logged in that cycle (the shortfall is unknowable).
    """
    if previous is None or (today - previous.deadline).days > SHORTFALL_NOTICE_DAYS:
        return None
    if facts.renewal_date is not None and facts.renewal_date > previous.deadline:
        return None
    if not _tracked(table, previous.window):
        return None
    until = previous.deadline + timedelta(days=rule.makeup_days)
    tally = known or evaluate(rule, facts, previous, schedule, table, until)
    carry = _carry_into(rule, facts, schedule, previous, tally, table)
    short = tally.hours_needed(carry.applied if carry else ZERO)
    missing = max(0, tally.activities_required - tally.activities_counted)
    if short > 0 or missing > 0:
        return PreviousShortfall(previous.deadline, short, missing)
    return None


def deadline_counted(rule: Rule, renewal_date: date, today: date) -> date:
    """The deadline the status counts toward when the clinician says the licence renews on
    ``renewal_date``: the one of its cycle containing today. Later than that means the
    date typed is a renewal after the next one, which the status would contradict."""
    facts = LicenceFacts(rule_id=rule.id, renewal_date=renewal_date)
    return schedule_for(rule, facts, today).current(today).deadline


def latest_early_renewal(rule: Rule, renewal_date: date, today: date) -> date:
    """The furthest deadline a licence renewed early can have: the one after the deadline of
    the cycle containing today (on the grid ``renewal_date`` gives)."""
    facts = LicenceFacts(rule_id=rule.id, renewal_date=renewal_date)
    schedule = schedule_for(rule, facts, today)
    return schedule.cycle(schedule.index_for(today) + 1).deadline


def _carry(rule: Rule, previous: Cycle | None, prev_tally: Tally | None) -> CarryOver | None:
    """Excess of the previous cycle (its own carry-in excluded: credits carry only once).

    Mandated hours count toward the total, so the excess over the total is never the
    mandated hours themselves; carried credits count toward the next total only.
    """
    if rule.carry_over is None or previous is None or prev_tally is None:
        return None
    excess = max(ZERO, prev_tally.earned_total - prev_tally.total_required)
    applied = min(excess, rule.carry_over.max)
    if applied <= 0:
        return None
    return CarryOver(previous.window, excess, rule.carry_over.max, applied, rule.carry_over.note)


def _carry_into(
    rule: Rule,
    facts: LicenceFacts,
    schedule: Schedule,
    cycle: Cycle,
    tally: Tally,
    table: Sequence[Row],
) -> CarryOver | None:
    """What ``cycle`` itself received from the one before (looked up only when it matters)."""
    if rule.carry_over is None or tally.complete():
        return None
    before = schedule.previous(cycle)
    if before is None or not _tracked(table, before.window):  # nothing there: no excess
        return None
    return _carry(rule, before, evaluate(rule, facts, before, schedule, table, before.deadline))


def _tracked(table: Sequence[Row], window: Window) -> bool:
    """Whether anything was logged in a window; if not, a shortfall there is unknowable."""
    return any(row[1] in window for row in table)


def _pace(hours: Decimal, days_left: int) -> Decimal:
    """Credits per week to finish on time, rounded up to 0.1 (all of it when no time is left)."""
    if hours <= 0:
        return ZERO
    if days_left <= 0:
        return hours.quantize(_TENTH, rounding=ROUND_CEILING)
    return (hours * 7 / days_left).quantize(_TENTH, rounding=ROUND_CEILING)


def _render(
    rule: Rule,
    facts: LicenceFacts,
    tally: Tally,
    today: date,
    *,
    overdue: bool = False,
    carry: CarryOver | None = None,
    notes: list[str] | None = None,
    shortfall: PreviousShortfall | None = None,
    previous_logged: bool = True,
) -> LicenceStatus:
    applied = carry.applied if carry else ZERO
    cycle = tally.cycle
    makeup_until = tally.until if overdue else None
    days_left = max(0, ((makeup_until or cycle.deadline) - today).days)
    # A cycle that has not started (renewed early) is earned from its first day on.
    starts_on = cycle.window.start if cycle.window.start > today else None
    earning_days = max(0, ((makeup_until or cycle.deadline) - max(today, cycle.window.start)).days)
    # Past a deadline with no make-up window (a custom requirement's one window): the chat
    # says by how many days rather than "due today".
    days_overdue = 0 if makeup_until else max(0, (today - cycle.deadline).days)
    earned = tally.earned_total + applied
    needs = tally.needs(applied)
    needed = needs.hours
    return LicenceStatus(
        licence_id=facts.licence_id,
        rule_id=rule.id,
        rule_title=rule.title,
        window=cycle.window,
        deadline=cycle.deadline,
        renewal_number=cycle.renewal_number,
        days_left=days_left,
        overdue=overdue or today > cycle.deadline,
        makeup_until=makeup_until,
        total_required=tally.total_required,
        claimed_total=tally.claimed_total,
        earned_total=earned,
        remaining_total=max(ZERO, tally.total_required - earned),
        hours_needed=needed,
        weekly_pace=_pace(needed, earning_days),
        categories=tuple(tally.categories),
        activities=tuple(tally.activities),
        mandates=tuple(tally.mandates),
        activities_required=tally.activities_required,
        activities_counted=tally.activities_counted,
        carry_over=carry,
        caps_applied=tuple(tally.caps_applied),
        exemptions_applied=tuple(tally.exemptions),
        complete=tally.complete(applied, needed),
        uncertain=rule.uncertain,
        source=rule.source,
        citation=rule.citation,
        checked=rule.checked,
        counted_entry_ids=tuple(sorted(tally.counted)),
        total_entry_ids=tally.toward_total,
        notes=tuple(notes or ()),
        days_overdue=days_overdue,
        previous_shortfall=shortfall,
        starts_on=starts_on,
        unit=rule.unit_label or rule.unit,  # the words for it; counting is by rule.unit
        previous_logged=previous_logged,
        needed_adds_topics=needed > needs.least,
        needed_at_least=not needs.exact,
    )
