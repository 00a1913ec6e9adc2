"""The plain data a transcript or chart is drawn from, and how to build it from a status.

Renderers take these dataclasses rather than ``LicenceStatus`` plus raw entries so the
store can add what the arithmetic does not know (provider, whether a certificate is on
file) and so the PDF, CSV and chart agree on labels and figures.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from bot.domain.activity_format import format_label
from bot.domain.credit_types import CreditItem, LicenceStatus
from bot.domain.topics import category_label
from bot.domain.topics import label as topic_label

LineKind = Literal["total", "mandate", "category", "activity"]
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ProgressLine:
    """One requirement: the total, a mandated topic or a category/activity minimum."""

    kind: LineKind
    label: str
    earned: Decimal
    required: Decimal
    remaining: Decimal
    note: str = ""

    @property
    def complete(self) -> bool:
        return self.remaining <= 0


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One counted activity, already labelled for people."""

    entry_id: str
    completed_on: date
    title: str
    provider: str
    category: str
    topics: tuple[str, ...]
    amount: Decimal
    certificate: bool
    toward_total: bool = True  # False: counted toward a topic or category requirement only
    activity_type: str = ""  # how it was attended, labelled ("Live activity"); "" unsaid
    uan: str = ""  # its ACPE Universal Activity Number, for an audit


@dataclass(frozen=True, slots=True)
class TranscriptLicence:
    """One licence's cycle, its standing and the entries counted in it."""

    label: str
    rule_title: str
    source: str
    checked: date
    window_start: date
    window_end: date
    deadline: date
    total: ProgressLine | None  # None: the rule asks no total (DEA: a one-time training)
    mandates: tuple[ProgressLine, ...] = ()
    minimums: tuple[ProgressLine, ...] = ()
    entries: tuple[TranscriptEntry, ...] = ()
    complete: bool = False
    overdue: bool = False
    makeup_until: date | None = None
    renewal_number: int | None = None
    hours_needed: Decimal = _ZERO
    needed_at_least: bool = False  # ``hours_needed`` is a floor, not the figure
    notes: tuple[str, ...] = ()
    unit: str = "credits"
    earlier: tuple[TranscriptEntry, ...] = ()
    """Activities from before the cycle that a topic requirement's look-back still counts
    (Texas opioid hours: once every 8 years): listed apart, never in the cycle's total."""
    carried: Decimal = _ZERO  # credits carried into this cycle from the one before
    carried_from: date | None = None  # the end of the cycle they were earned in
    not_tracked_since: date | None = None
    """The day the bot was first used, when this cycle ended before it and nothing is
    logged in it: its figures would read as nothing done (QA: "/transcript previous"
    showed 0 of 40 for a cycle from before the clinician joined), so the files say the
    cycle is not tracked instead of listing them."""

    @property
    def lines(self) -> tuple[ProgressLine, ...]:
        """Total first, then mandated topics, then minimums: the order people check them."""
        total = () if self.total is None else (self.total,)
        return (*total, *self.mandates, *self.minimums)

    @property
    def entries_total(self) -> Decimal:
        """What the listed entries add to the total (not those counted for a topic only)."""
        return sum((e.amount for e in self.entries if e.toward_total), _ZERO)


def format_amount(value: Decimal) -> str:
    """``Decimal('2.50')`` -> ``2.5``, ``Decimal('40')`` -> ``40`` (never ``4E+1``)."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def progress_lines(status: LicenceStatus) -> tuple[ProgressLine, ...]:
    """Lines for a status: the total, each mandate due this cycle, then every minimum. No
    total line for a rule that asks none but something else (QA, DEA: "Total credits 35.5 |
    0 | met" above its one 8-hour training: every credit logged, summed against nothing)."""
    total = ProgressLine(
        "total",
        f"Total {status.unit}",
        status.earned_total,
        status.total_required,
        status.remaining_total,
    )
    mandates = [
        ProgressLine("mandate", m.title, m.earned, m.required, m.remaining, m.why)
        for m in status.mandates
        if m.due
    ]
    minimums = [
        ProgressLine("category", c.label, c.earned, c.required, c.remaining)
        for c in status.categories
    ] + [
        ProgressLine("activity", a.label, a.earned, a.required, a.remaining)
        for a in status.activities
    ]
    if status.total_required <= 0 and (mandates or minimums):
        return (*mandates, *minimums)
    return (total, *mandates, *minimums)


def not_tracked(status: LicenceStatus, items: Iterable[CreditItem], first_used: date) -> bool:
    """Whether a cycle predates the bot: it ended before ``first_used`` (the clinician's
    first day with it), no entry of theirs, for any licence, is dated in it, and none
    counted toward it (a course dated years before, counted toward a mandate with a
    longer look-back: review). One back-logged entry makes it tracked: its figures then
    stand for what was logged."""
    counted = status.counted_entry_ids or any(mandate.earned for mandate in status.mandates)
    if status.deadline >= first_used or counted:
        return False
    return not any(item.completed_on in status.window for item in items)


def transcript_licence(
    status: LicenceStatus,
    items: Iterable[CreditItem],
    *,
    label: str = "",
    providers: Mapping[str, str] | None = None,
    certificates: Collection[str] = (),
    first_used: date | None = None,
    uans: Mapping[str, str] | None = None,
) -> TranscriptLicence:
    """Combine a status with the logged items it counted (others are left out).

    ``providers`` maps entry ids to provider names and ``certificates`` holds the ids
    with a certificate on file: the arithmetic does not carry either. ``first_used``:
    the day the clinician first used the bot, to tell a cycle from before it. ``uans``
    maps entry ids to their ACPE activity numbers.
    """
    items = list(items)
    counted = set(status.counted_entry_ids)
    providers, uans = providers or {}, uans or {}
    listed = sorted(
        (
            TranscriptEntry(
                entry_id=item.entry_id,
                completed_on=item.completed_on,
                title=item.title,
                provider=providers.get(item.entry_id, ""),
                category=category_label(item.category),
                topics=tuple(sorted(topic_label(t) for t in item.topics)),
                amount=item.amount,
                certificate=item.entry_id in certificates,
                toward_total=not status.total_required or item.entry_id in status.total_entry_ids,
                activity_type=format_label(item.activity_type),
                uan=uans.get(item.entry_id, ""),
            )
            for item in items
            if item.entry_id in counted
        ),
        key=lambda e: (e.completed_on, e.title, e.entry_id),
    )
    start = status.window.start
    entries = [entry for entry in listed if entry.completed_on >= start]
    earlier = [entry for entry in listed if entry.completed_on < start]
    lines = progress_lines(status)
    total = next((line for line in lines if line.kind == "total"), None)
    return TranscriptLicence(
        label=label or _default_label(status),
        rule_title=status.rule_title,
        source=status.source,
        checked=status.checked,
        window_start=status.window.start,
        window_end=status.window.end,
        deadline=status.deadline,
        total=total,
        mandates=tuple(line for line in lines if line.kind == "mandate"),
        minimums=tuple(line for line in lines if line.kind not in {"mandate", "total"}),
        entries=tuple(entries),
        complete=status.complete,
        overdue=status.overdue,
        makeup_until=status.makeup_until,
        renewal_number=status.renewal_number,
        hours_needed=status.hours_needed,
        needed_at_least=status.needed_at_least,
        notes=_notes(status),
        unit=status.unit,
        earlier=tuple(earlier),
        carried=status.carry_over.applied if status.carry_over else _ZERO,
        carried_from=status.carry_over.from_window.end if status.carry_over else None,
        not_tracked_since=(
            first_used
            if first_used is not None and not_tracked(status, items, first_used)
            else None
        ),
    )


def _default_label(status: LicenceStatus) -> str:
    if status.licence_id:
        return f"{status.rule_title} (licence {status.licence_id})"
    return status.rule_title


def _notes(status: LicenceStatus) -> tuple[str, ...]:
    """What explains a gap between the listed entries and the counted total."""
    notes = list(status.notes)
    if status.carry_over is not None:
        notes.append(
            f"Includes {format_amount(status.carry_over.applied)} credits carried over from "
            f"the cycle ending {status.carry_over.from_window.end.isoformat()}."
        )
    for cap in status.caps_applied:
        notes.append(
            f"{cap.label}: only {format_amount(cap.limit)} credits count; "
            f"{format_amount(cap.excluded)} of {format_amount(cap.claimed)} are not counted."
        )
    notes.extend(status.exemptions_applied)
    return tuple(notes)
