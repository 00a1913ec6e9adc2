"""The plain data the credit arithmetic takes and returns (frozen, comparable, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.cycles import Window


@dataclass(frozen=True, slots=True)
class CreditItem:
    """One completed activity as the clinician logged it."""

    entry_id: str
    completed_on: date
    amount: Decimal
    category: str
    topics: frozenset[str] = frozenset()
    activity_type: str | None = None
    title: str = ""
    same_as: str | None = None  # the first entry of the same activity (another credit kind)

    def __post_init__(self) -> None:
        # Rows from the store arrive with lists and floats; the arithmetic needs
        # hashable topics and exact amounts.
        if not isinstance(self.topics, frozenset):
            object.__setattr__(self, "topics", frozenset(self.topics))
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))


@dataclass(frozen=True, slots=True)
class CategoryStatus:
    category: str
    label: str
    required: Decimal
    earned: Decimal
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class ActivityStatus:
    activity_type: str
    label: str
    required: Decimal
    earned: Decimal
    remaining: Decimal


@dataclass(frozen=True, slots=True)
class MandateStatus:
    mandate_id: str
    title: str
    topics: tuple[str, ...]
    required: Decimal
    earned: Decimal
    remaining: Decimal
    due: bool  # applies to this cycle (see ``why``)
    blocking: bool  # must be met by this cycle's deadline for the status to be complete
    why: str
    due_by: date | None = None
    counted_from: date | None = None  # None: credits of any date before ``due_by`` count
    counts_toward_total: bool = True
    notes: str = ""
    one_time: bool = False  # done once for good: credits of any date count, in every cycle
    past_due: bool = False  # one-time, its registration or renewal behind this cycle
    done_on: date | None = None  # one-time and met: the day its hours were reached


@dataclass(frozen=True, slots=True)
class CapApplied:
    """Credits of one activity type beyond the rule's cap (they do not count)."""

    activity_type: str
    label: str
    limit: Decimal
    claimed: Decimal
    counted: Decimal
    excluded: Decimal


@dataclass(frozen=True, slots=True)
class CarryOver:
    """Excess from the previous cycle counted toward this cycle's total."""

    from_window: Window
    excess: Decimal
    limit: Decimal
    applied: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True)
class PreviousShortfall:
    """The cycle just ended was short: shown for a while so moving on isn't silent."""

    deadline: date
    short: Decimal  # at least this many more credits were needed
    activities: int = 0  # and this many more activities (ABIM: one every two years)


@dataclass(frozen=True, slots=True)
class LicenceStatus:
    """Where one licence stands today, with everything the chat needs to explain it."""

    licence_id: str
    rule_id: str
    rule_title: str
    window: Window
    deadline: date
    renewal_number: int | None
    days_left: int
    overdue: bool
    makeup_until: date | None
    total_required: Decimal
    claimed_total: Decimal  # qualifying credits in the window, before caps
    earned_total: Decimal  # counted: after caps, plus carry-over
    remaining_total: Decimal
    hours_needed: Decimal  # more credits needed, a course per open topic (see below)
    weekly_pace: Decimal
    categories: tuple[CategoryStatus, ...]
    activities: tuple[ActivityStatus, ...]
    mandates: tuple[MandateStatus, ...]
    activities_required: int
    activities_counted: int
    carry_over: CarryOver | None
    caps_applied: tuple[CapApplied, ...]
    exemptions_applied: tuple[str, ...]
    complete: bool
    uncertain: str
    source: str
    citation: str
    checked: date
    counted_entry_ids: tuple[str, ...]
    notes: tuple[str, ...] = ()
    days_overdue: int = 0  # past the deadline with no make-up window left
    previous_shortfall: PreviousShortfall | None = None
    starts_on: date | None = None  # the cycle starts after today (renewed early)
    unit: str = "credits"  # the rule's: "points" for ABIM MOC
    previous_logged: bool = True  # anything logged in the cycle before: else its end is unknown
    # Of the counted entries, those the total takes (the rest count toward a topic or a
    # category only: Florida's domestic violence in Category 2, QA round 11).
    total_entry_ids: frozenset[str] = frozenset()
    # ``hours_needed`` adds up open topics no one topic serves together (Florida's medical
    # errors and domestic violence): fewer would do only for one activity logged with
    # several of them. And a floor rather than exact (a group of mandates linked only in
    # a chain, which no shipped rule has): the chat says "at least".
    needed_adds_topics: bool = False
    needed_at_least: bool = False

    @property
    def previous_deadline(self) -> date:
        """The deadline of the cycle before this one: the day before this one began."""
        return self.window.start - timedelta(days=1)
