"""Rendering domain results as chat messages (HTML); the sentences live in bot/texts.py."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from bot import texts
from bot.domain import topics
from bot.domain.credit_types import PreviousShortfall
from bot.domain.credits import LicenceStatus, MandateStatus, NextNeeded
from bot.domain.custom_requirements import CUSTOM_SOURCE
from bot.domain.mandates import DOES_NOT_APPLY, NOT_DUE
from bot.domain.pace import Standing, verdict
from bot.tracking import LicenceView

BAR_WIDTH = 10


def number(value: Decimal) -> str:
    """2.50 → "2.5", 48.00 → "48"."""
    text = f"{value.normalize():f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def progress_bar(earned: Decimal, required: Decimal) -> str:
    if required <= 0:
        return "▰" * BAR_WIDTH
    filled = min(BAR_WIDTH, int(earned / required * BAR_WIDTH))
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def percent(earned: Decimal, required: Decimal) -> int:
    if required <= 0:
        return 100
    return min(100, int(earned * 100 / required))


def day(value: date) -> str:
    return value.strftime("%b %-d, %Y")


def licence_label(view: LicenceView) -> str:
    return html.escape(view.licence.label)


def render_status(view: LicenceView) -> str:
    """Everything a clinician needs about one licence, in one message."""
    label = licence_label(view)
    if view.status is None:
        if view.missing:
            facts = " or ".join(texts.FACT_NAMES.get(f, f) for f in view.missing)
            return texts.STATUS_MISSING.format(label=label, facts=facts)
        return texts.STATUS_PROBLEM.format(label=label, problem=html.escape(view.problem[:120]))
    status = view.status
    rule_title = status.rule_title
    if rule_title.startswith(view.licence.label):  # "Texas Medical Board: physician ..."
        lines = [f"<b>{html.escape(rule_title)}</b>"]
    else:
        lines = [texts.STATUS_HEADER.format(label=label, rule=html.escape(rule_title))]
    if (view.licence.custom_rule or {}).get("every_months"):  # its title says no dates
        lines[0] += texts.STATUS_CYCLE.format(
            start=day(status.window.start), end=day(status.window.end)
        )
    if status.total_required > 0:  # no general hours (New York, a waived first renewal):
        # "0 / 0 credits (100%)" above "Still needed: 4" read as a contradiction
        lines.append(_progress_line(status))
    if status.starts_on is not None:
        lines.append(texts.STATUS_STARTS_LATER.format(start=day(status.starts_on)))
    if status.overdue and status.makeup_until:
        lines.append(
            texts.STATUS_OVERDUE.format(
                deadline=day(status.deadline),
                remaining=number(status.hours_needed),
                makeup_until=day(status.makeup_until),
                unit=status.unit,
            )
        )
    elif status.complete:
        lines.append(texts.STATUS_COMPLETE.format(deadline=day(status.deadline)))
    else:
        lines.append(deadline_line(status))
        if only_past_due_left(status) and status.days_left > 1:
            lines.append(texts.STATUS_PAST_DUE_NOT_TIED)
        lines.append(_still_needed(status))
        if weekly_pace_shown(status):
            pace = number(status.weekly_pace)
            unit = unit_word(status.weekly_pace, status.unit)
            lines.append(texts.STATUS_PACE.format(pace=pace, unit=unit))
    if view.licence.custom_rule and status.days_overdue:
        # A described requirement has one window: past it, nothing moves on by itself (QA
        # round 9: "complete for this cycle" a year after its deadline, no word of the next).
        lines.append(texts.STATUS_ONE_WINDOW_PASSED)
    if (shortfall := status.previous_shortfall) is not None:
        short, short_unit = shortfall_said(shortfall, status.unit)
        lines.append(
            texts.STATUS_PREVIOUS_SHORT.format(
                deadline=day(shortfall.deadline), short=short, unit=short_unit
            )
        )
    lines += _requirement_lines(status)
    lines += _explanations(status)
    if status.uncertain:
        lines.append(texts.STATUS_UNCERTAIN.format(note=html.escape(_shorten(status.uncertain))))
    if status.source == CUSTOM_SOURCE:  # not "entered by you (checked …)" (QA)
        lines.append(texts.STATUS_SOURCE_CUSTOM.format(checked=day(status.checked)))
    else:
        lines.append(
            texts.STATUS_SOURCE.format(
                citation=html.escape(status.citation or status.source),
                checked=day(status.checked),
            )
        )
    return "\n".join(lines)


WEEK = 7


def weekly_pace_shown(status: LicenceStatus) -> bool:
    """A weekly pace means something a week or more before the deadline, not in the last
    days (QA: "290.5 credits a week" the day before: "Still needed" says it) nor past it,
    nor for a one-time training due long ago that only needs logging."""
    return (
        status.weekly_pace > 0
        and not status.days_overdue
        and status.days_left >= WEEK
        and not only_past_due_left(status)
    )


def only_past_due_left(status: LicenceStatus) -> bool:
    """Whether all that is open is one-time mandates whose due date has passed (DEA: the
    training attested at a renewal long ago, not logged)."""
    open_mandates = [m for m in status.mandates if m.blocking and m.remaining > 0]
    minimums = (*status.categories, *status.activities)
    return (
        bool(open_mandates)
        and all(m.past_due for m in open_mandates)
        and status.remaining_total <= 0
        and all(m.remaining <= 0 for m in minimums)
    )


def _progress_line(status: LicenceStatus) -> str:
    earned, required = status.earned_total, status.total_required
    values = {"earned": number(earned), "required": number(required), "unit": status.unit}
    if earned >= required and status.hours_needed > 0:
        # QA: a full bar at "48 / 48 (100%)" above "Still needed: 2.5" (Category 1 short):
        # the bar shows what counts, and the line says why it is not full.
        counted = max(Decimal(0), required - status.hours_needed)  # topics may exceed it
        bar = progress_bar(counted, required)
        return texts.STATUS_PROGRESS_MINIMUMS_SHORT.format(bar=bar, **values)
    bar = progress_bar(earned, required)
    return texts.STATUS_PROGRESS.format(bar=bar, percent=percent(earned, required), **values)


def open_licence_verdicts(views: list[LicenceView], today: date) -> list[str]:
    """Where each licence still open stands, a line each (after reminders were held back:
    a pause, a pause until a day). Muted and complete licences are left out."""
    return [
        line
        for view in views
        if view.status is not None and not view.status.complete
        and not view.licence.reminders_muted
        and (line := render_verdict(view, today, pace=False)) is not None
    ]  # fmt: skip


def render_verdict(view: LicenceView, today: date, *, pace: bool) -> str | None:
    """ "Am I on track?" (``pace``) or "am I done?" for one licence: yes or no in a line
    (None without a status)."""
    status = view.status
    if status is None:
        return None
    found = verdict(status, today)
    label = licence_label(view)
    unit = status.unit
    if found.standing is Standing.COMPLETE:
        return texts.VERDICT_COMPLETE.format(label=label)
    if found.standing is Standing.NOT_STARTED:
        return texts.VERDICT_NOT_STARTED.format(label=label, start=day(status.window.start))
    if found.standing is Standing.OVERDUE and (previous := status.previous_shortfall):
        short, short_unit = shortfall_said(previous, unit)
        return texts.VERDICT_PREVIOUS_SHORT.format(
            label=label, deadline=day(previous.deadline), short=short, unit=short_unit
        )
    remaining, remaining_unit = still_needed(status)
    if found.standing is Standing.OVERDUE:
        return texts.VERDICT_OVERDUE.format(
            label=label, deadline=day(status.deadline), remaining=remaining, unit=remaining_unit
        )
    if not pace:
        return texts.VERDICT_NOT_YET.format(
            label=label, remaining=remaining, unit=remaining_unit, deadline=day(status.deadline)
        )
    figures = {
        "label": label, "counted": number(found.counted), "required": number(found.required),
        "unit": unit, "elapsed": found.elapsed_percent, "expected": number(found.expected),
    }  # fmt: skip
    if found.required == 0 and status.activities_required:
        # ABIM's activity every 2 years: no pace to keep, one activity by the deadline (QA
        # round 10: "behind — a steady pace would have 0 of 1 activity by now").
        return texts.VERDICT_NOT_YET.format(
            label=label, remaining=remaining, unit=remaining_unit, deadline=day(status.deadline)
        )
    if found.standing is Standing.ON_TRACK:
        return texts.VERDICT_ON_TRACK.format(**figures)
    line = texts.VERDICT_BEHIND.format(**figures)
    if weekly_pace_shown(status):
        pace = status.weekly_pace
        line += texts.VERDICT_BEHIND_PACE.format(
            pace=number(pace), unit=unit_word(pace, unit), deadline=day(status.deadline)
        )
    return line


def deadline_line(status: LicenceStatus) -> str:
    if only_past_due_left(status) and status.days_left > 1:
        # What is open was due at an earlier registration or renewal: the date ahead is
        # only the next renewal (QA round 13: "Due May 31, 2027" beside "was due at your
        # renewal on May 31, 2024").
        return texts.STATUS_RENEWS.format(deadline=day(status.deadline), days=status.days_left)
    if status.days_overdue == 1:
        return texts.STATUS_PAST_DUE_ONE_DAY.format(deadline=day(status.deadline))
    if status.days_overdue > 1:
        return texts.STATUS_PAST_DUE.format(days=status.days_overdue, deadline=day(status.deadline))
    if status.days_left <= 0:
        return texts.STATUS_DEADLINE_TODAY.format(deadline=day(status.deadline))
    if status.days_left == 1:
        return texts.STATUS_DEADLINE_TOMORROW.format(deadline=day(status.deadline))
    return texts.STATUS_DEADLINE.format(deadline=day(status.deadline), days=status.days_left)


def unit_word(value: Decimal, unit: str) -> str:
    """ "credits", or "credit" for exactly one (likewise points, hours)."""
    return unit.removesuffix("s") if value == 1 else unit


def credits_amount(amount: Decimal, category: str = "") -> str:
    """ "1 credit", "1.5 credits", "10 points" (ABIM MOC), "2 contact hours" (ANCC)."""
    unit = topics.category_says(category) if category else "credits"
    return texts.AMOUNT.format(amount=number(amount), unit=unit_word(amount, unit))


def activities_word(count: Decimal | int) -> str:
    return "activity" if count == 1 else "activities"


def still_needed(status: LicenceStatus) -> tuple[str, str]:
    """What remains and its unit: hours while hours remain; else the activities an activity
    count still asks for (ABIM: one every two years), not "0 points" while it is open."""
    missing = status.activities_required - status.activities_counted
    if status.hours_needed == 0 and missing > 0:
        return str(missing), activities_word(missing)
    remaining = number(status.hours_needed)
    if status.needed_at_least:
        remaining = texts.NEEDED_AT_LEAST.format(remaining=remaining)
    return remaining, unit_word(status.hours_needed, status.unit)


def shortfall_said(shortfall: PreviousShortfall, unit: str) -> tuple[str, str]:
    """How short a cycle ended: in credits, or in activities when only those were missing."""
    if shortfall.short == 0 and shortfall.activities:
        return str(shortfall.activities), activities_word(shortfall.activities)
    return number(shortfall.short), unit_word(shortfall.short, unit)


def required_said(status: LicenceStatus) -> tuple[str, str]:
    """What a cycle asks for: its total, or the activities a rule without hours counts."""
    if status.total_required == 0 and status.activities_required:
        return str(status.activities_required), activities_word(status.activities_required)
    return number(status.total_required), unit_word(status.total_required, status.unit)


def _still_needed(status: LicenceStatus) -> str:
    remaining, unit = still_needed(status)
    if status.needed_adds_topics and not status.needed_at_least:
        # Not only the largest open topic (QA: a lower bound read as exact): say they add up.
        return texts.STATUS_REMAINING_TOPICS.format(remaining=remaining, unit=unit)
    return texts.STATUS_REMAINING.format(remaining=remaining, unit=unit)


def _rest(remaining: Decimal) -> str:
    if remaining > 0:
        return texts.STATUS_LEFT.format(remaining=number(remaining))
    return texts.STATUS_DONE_MARK


def _requirement_lines(status: LicenceStatus) -> list[str]:
    """Category and activity-type minimums (not those waived this renewal), the count of
    activities, then the mandated topics."""
    lines = [
        texts.STATUS_CATEGORY.format(
            label=html.escape(minimum.label),
            earned=number(min(minimum.earned, minimum.required)),
            required=number(minimum.required),
            rest=_rest(minimum.remaining),
        )
        for minimum in (*status.categories, *status.activities)
        if minimum.required > 0
    ]
    if status.activities_required:
        missing = status.activities_required - status.activities_counted
        lines.append(
            texts.STATUS_ACTIVITY_COUNT.format(
                counted=min(status.activities_counted, status.activities_required),
                required=status.activities_required,
                rest=_rest(Decimal(max(0, missing))),
            )
        )
    not_due = []
    for mandate in status.mandates:
        if not mandate.due:
            not_due.append(_not_due(mandate))
            continue
        lines += _mandate_lines(mandate)
    if not_due:
        lines.append(texts.STATUS_NOT_DUE.format(titles="; ".join(not_due)))
    return lines


def _not_due(mandate: MandateStatus) -> str:
    """"Controlled substances (only for DEA registrants)": with why, so a clinician can
    tell a topic that skips this renewal from one that would apply with another answer."""
    reason = mandate.why
    for said in (NOT_DUE, DOES_NOT_APPLY):  # listed under "Not required this cycle" already
        reason = reason.removeprefix(said)
    title = html.escape(mandate.title)
    if not reason:
        return title
    return texts.STATUS_NOT_DUE_ITEM.format(title=title, why=html.escape(reason))


def _mandate_lines(mandate: MandateStatus) -> list[str]:
    why = html.escape(mandate.why)
    if mandate.remaining <= 0 and mandate.done_on is not None:  # one-time: when (QA: DEA)
        why += texts.STATUS_MANDATE_DONE_ON.format(day=day(mandate.done_on))
    lines = [
        texts.STATUS_MANDATE.format(
            title=html.escape(mandate.title),
            earned=number(min(mandate.earned, mandate.required)),
            required=number(mandate.required),
            rest=_rest(mandate.remaining),
            why=why,
        )
    ]
    if mandate.remaining > 0 and mandate.past_due:
        # Due at a registration or renewal already behind: most likely done and attested,
        # only not logged here (QA: "Complete" said instead, with nothing logged). Part of
        # it logged is said as such (QA round 13: "3 of 8 h" above "No training is logged").
        lines.append(
            texts.STATUS_MANDATE_PART_LOGGED.format(
                earned=number(mandate.earned), required=number(mandate.required)
            ) if mandate.earned > 0 else texts.STATUS_MANDATE_NOT_LOGGED
        )  # fmt: skip
    if mandate.remaining > 0 and mandate.notes:  # e.g. only a Florida-approved course counts
        lines.append(texts.STATUS_MANDATE_NOTE.format(notes=html.escape(mandate.notes)))
    return lines


def topic_mandates(view: LicenceView, asked: frozenset[str]) -> list[MandateStatus]:
    """The licence's mandates on the topics asked about (through the hierarchy)."""
    if view.status is None:
        return []
    wanted = topics.expand(asked)  # an opioid question meets Florida's controlled substances
    return [m for m in view.status.mandates if not wanted.isdisjoint(topics.expand(m.topics))]


def render_topic_status(
    view: LicenceView, asked: frozenset[str], later: Mapping[str, NextNeeded] | None = None
) -> str | None:
    """One licence's requirements on the topics asked about ("how many ethics hours do I
    need?"), with its deadline; None when it has none on them. ``later``: when each is next
    needed, for those done or not due now (QA round 13: "when do I need to redo the pain
    management training?" got "3 of 3 h ✓" and no date)."""
    status = view.status
    if status is None:
        return None
    later = later or {}
    lines = []
    for mandate in topic_mandates(view, asked):
        after = later.get(mandate.mandate_id)
        if mandate.due:
            lines += _mandate_lines(mandate)
            if mandate.remaining <= 0 and after is not None:
                lines.append(texts.STATUS_TOPIC_NEXT.format(day=day(after.due_by),
                                                            why=html.escape(after.why)))
            elif mandate.remaining <= 0 and mandate.one_time:
                lines.append(texts.STATUS_TOPIC_ONCE_DONE)
        else:
            line = texts.STATUS_TOPIC_NOT_DUE.format(title=html.escape(mandate.title))
            if after is not None:
                line += texts.STATUS_TOPIC_NOT_DUE_NEXT.format(day=day(after.due_by),
                                                               why=html.escape(after.why))
            lines.append(line)
    if not lines:
        return None
    deadline = day(status.deadline)
    head = texts.STATUS_TOPIC_HEADER.format(label=licence_label(view), deadline=deadline)
    return "\n".join([head, *lines])


def _explanations(status: LicenceStatus) -> list[str]:
    lines = [
        texts.STATUS_CAPPED.format(
            counted=number(cap.counted),
            claimed=number(cap.claimed),
            label=html.escape(cap.label),
            limit=number(cap.limit),
        )
        for cap in status.caps_applied
    ]
    if status.carry_over and status.carry_over.applied > 0:
        applied = number(status.carry_over.applied)
        lines.append(texts.STATUS_CARRY.format(applied=applied, unit=status.unit))
    lines += [html.escape(note) for note in (*status.exemptions_applied, *status.notes)]
    return lines


NOTE_LIMIT = 320


def note_is_cut(status: LicenceStatus) -> bool:
    """The status shows the rule's "worth checking" note shortened: offer the whole one."""
    return len(_one_line(status.uncertain)) > NOTE_LIMIT


def render_rule_notes(view: LicenceView) -> str:
    """The whole of what to check about a licence's rule, with its source."""
    status = view.status
    assert status is not None
    return texts.RULE_NOTES.format(
        label=licence_label(view),
        note=html.escape(_one_line(status.uncertain)),
        source=html.escape(status.source),
        citation=html.escape(status.citation or status.source),
        checked=day(status.checked),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = NOTE_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word (notes cite "Tex. Occ. Code": no
    sentence splitting)."""
    text = _one_line(text)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def next_cycle_said(status: LicenceStatus) -> str:
    """The day-after note's sentence on the cycle now running: what it asks, with any
    carry-over. A registration that asks only one-time training says whether that is done
    and when the registration renews (QA, DEA: "The next cycle runs …: 0 credits. What you
    log from now counts toward it." with the training done)."""
    one_time = _one_time_only(status)
    if one_time:
        return _one_time_next(status, one_time)
    unit = status.unit
    carried = status.carry_over.applied if status.carry_over else Decimal(0)
    carry = (
        texts.CYCLE_NEXT_CARRY.format(applied=number(carried), unit=unit_word(carried, unit))
        if carried > 0
        else ""
    )
    required, required_unit = required_said(status)
    return texts.CYCLE_NEXT.format(
        start=day(status.window.start), deadline=day(status.deadline),
        required=required, unit=required_unit, carry=carry,
    )  # fmt: skip


def asks_only_one_time(status: LicenceStatus) -> bool:
    """Whether all a status asks is one-time training (DEA): no cycle of its own runs short."""
    return bool(_one_time_only(status))


def _one_time_only(status: LicenceStatus) -> list[MandateStatus]:
    """The mandates shown, when the rule asks nothing else and all are one-time (DEA)."""
    shown = [m for m in status.mandates if m.due]
    minimums = (*status.categories, *status.activities)
    if (
        not shown
        or status.total_required > 0
        or status.activities_required
        or any(m.required > 0 for m in minimums)
        or not all(m.one_time for m in shown)
    ):
        return []
    return shown


def _one_time_next(status: LicenceStatus, mandates: list[MandateStatus]) -> str:
    titles = "; ".join(
        texts.CYCLE_NEXT_ONE_TIME_ITEM.format(title=html.escape(m.title), hours=number(m.required))
        for m in mandates
    )
    deadline = day(status.deadline)
    if all(m.remaining <= 0 for m in mandates):
        dates = [m.done_on for m in mandates if m.done_on is not None]
        done = texts.CYCLE_NEXT_ONE_TIME_DONE_ON.format(day=day(max(dates))) if dates else ""
        return texts.CYCLE_NEXT_ONE_TIME_DONE.format(titles=titles, done=done, deadline=deadline)
    open_past = [m for m in mandates if m.past_due and m.remaining > 0]
    if open_past:
        logged = sum((min(m.earned, m.required) for m in open_past), Decimal(0))
        if logged > 0:  # QA round 13: "none is logged" with 3 of 8 hours logged
            return texts.CYCLE_NEXT_ONE_TIME_PART.format(
                titles=titles, logged=number(logged), deadline=deadline,
                required=number(sum((m.required for m in open_past), Decimal(0))),
            )  # fmt: skip
        return texts.CYCLE_NEXT_ONE_TIME_OPEN.format(titles=titles, deadline=deadline)
    return texts.CYCLE_NEXT_ONE_TIME_DUE.format(titles=titles, deadline=deadline)


def mandate_gaps(status: LicenceStatus) -> list[tuple[str, Decimal]]:
    """Mandated topics still short this cycle: (title, hours remaining)."""
    return [
        (mandate.title, mandate.remaining)
        for mandate in status.mandates
        if mandate.due and mandate.blocking and mandate.remaining > 0
    ]
