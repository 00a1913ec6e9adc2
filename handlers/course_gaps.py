""" "Courses I need": what each licence still lacks, turned into gaps for ``fill_gaps``.

One mandate may accept several topics (Texas' opioid course: opioid prescribing, pain
management or controlled substances); a course tagged with two of them must still count
once. So each open mandate becomes a gap on one synthetic key, and each candidate course
carries the keys of the mandates it covers: ``fill_gaps`` then counts every mandate once
per course, and each fill names the requirement it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bot.courses.ranking import Gap, Ranked, fill_gaps
from bot.domain import places, topics
from bot.domain.requirements import RuleBook
from bot.store.models import Clinician, Course
from bot.tracking import LicenceView, facts_for, licence_states


@dataclass(frozen=True, slots=True)
class Need:
    """One open requirement: a mandate (``topics`` set) or a licence's total credits."""

    key: str
    licence: str
    title: str
    remaining: Decimal
    due: date
    topics: frozenset[str] = frozenset()
    unit: str = "credits"  # the licence's: credits, hours or (ABIM) points
    minimums: tuple[tuple[str, str, Decimal], ...] = ()  # short ones: category, label, left
    states: frozenset[str] = frozenset()  # the licence's US state ("FL"), if it has one


@dataclass(slots=True)
class Needs:
    """Everything still missing, as gaps and as the requirements the gaps stand for."""

    gaps: list[Gap] = field(default_factory=list)
    by_key: dict[str, Need] = field(default_factory=dict)
    missing_facts: list[str] = field(default_factory=list)
    complete: int = 0

    @property
    def mandates(self) -> list[Need]:
        return [n for n in self.by_key.values() if n.topics]

    @property
    def latest_due(self) -> date | None:
        return max((n.due for n in self.by_key.values()), default=None)

    @property
    def wanted_topics(self) -> frozenset[str]:
        return (
            frozenset().union(*(n.topics for n in self.mandates)) if self.mandates else frozenset()
        )


def needs_for(views: Sequence[LicenceView], clinician: Clinician, rulebook: RuleBook) -> Needs:
    """Open mandates and remaining totals of every licence whose status is known."""
    needs = Needs()
    for view in views:
        status = view.status
        if status is None:
            needs.missing_facts.extend(view.missing or (view.problem,))
            continue
        if status.complete:
            needs.complete += 1
            continue
        try:
            rule = facts_for(view.licence, clinician).rule(rulebook)
        except (KeyError, ValueError):
            continue
        licence = view.licence.label
        home = frozenset(licence_states(view.licence))
        deadline = (
            status.makeup_until if status.overdue and status.makeup_until else status.deadline
        )
        for mandate in status.mandates:
            if not mandate.due or mandate.remaining <= 0:
                continue
            key = f"m{view.licence.id}:{mandate.mandate_id}"
            try:
                accepted = rule.mandate(mandate.mandate_id).categories
            except KeyError:
                accepted = None
            due = mandate.due_by or deadline
            needs.by_key[key] = Need(
                key,
                licence,
                mandate.title,
                mandate.remaining,
                due,
                frozenset(mandate.topics),
                status.unit,
                states=home,
            )
            needs.gaps.append(
                Gap(
                    licence=key,
                    deadline=due,
                    topics={key: mandate.remaining},
                    categories=None if accepted is None else frozenset(accepted),
                    opens=status.starts_on,
                )
            )
        # The total, or a category minimum, still short; not a mandate's hours counted as
        # the total's (QA round 9: "1 credit toward Georgia's total (1 still needed)" with
        # 100 of 40 earned and only a 1-hour mandate open).
        general = max([status.remaining_total, *(c.remaining for c in status.categories)])
        general = min(general, status.hours_needed)
        if general > 0:
            key = f"t{view.licence.id}"
            short = tuple(
                (c.category, c.label, c.remaining) for c in status.categories if c.remaining > 0
            )
            needs.by_key[key] = Need(
                key, licence, licence, general, deadline, unit=status.unit, minimums=short
            )
            categories = rule.total_categories
            needs.gaps.append(
                Gap(
                    licence=key,
                    deadline=deadline,
                    total=general,
                    categories=None if categories is None else frozenset(categories),
                    opens=status.starts_on,
                )
            )
    return needs


@dataclass(frozen=True, slots=True)
class Candidate:
    """A course as ranking sees it: its own fields, topics replaced by covered mandates."""

    course: Course
    topics: tuple[str, ...]

    @property
    def id(self) -> int:
        return self.course.id

    @property
    def credits(self) -> Decimal:
        return self.course.credits

    @property
    def category(self) -> str:
        return self.course.category

    @property
    def starts_at(self) -> datetime:
        return self.course.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.course.ends_at

    @property
    def price(self) -> Decimal | None:
        return self.course.price

    @property
    def timezone(self) -> str:
        return self.course.timezone


def rank(needs: Needs, courses: Sequence[Course]) -> list[Ranked[Candidate]]:
    """Courses that fill something, best first (mandate hours, then total hours, then date)."""
    mandates = needs.mandates
    candidates = []
    for course in courses:
        covered = topics.expand(frozenset(course.topics or ()))
        named = places.states_named_in(course.title)
        keys = tuple(
            m.key
            for m in mandates
            if not covered.isdisjoint(m.topics) and _may_count_in(named, m.states)
        )
        candidates.append(Candidate(course, keys))
    ranked = [item for item in fill_gaps(needs.gaps, candidates) if item.useful]
    return _each_mandate_first(ranked)


def _may_count_in(named: set[str], home: frozenset[str]) -> bool:
    """A course named for another state ("Texas Human Trafficking Prevention") is that
    state's mandate, not this licence's (QA: offered to a Florida nurse); it may still
    count toward the total."""
    return not named or not home or not named.isdisjoint(home)


def _each_mandate_first(ranked: list[Ranked[Candidate]]) -> list[Ranked[Candidate]]:
    """The best course for each open mandate leads, then the rest in rank order: many
    courses for one mandate (opioids, 4 h) buried the only one for another (QA: the
    trafficking hour was not in the first 20)."""
    leaders: list[Ranked[Candidate]] = []
    covered: set[str] = set()
    for item in ranked:
        mandates = {fill.topic for fill in item.fills if fill.topic is not None}
        if mandates - covered:
            leaders.append(item)
            covered |= mandates
    chosen = {id(item) for item in leaders}
    return leaders + [item for item in ranked if id(item) not in chosen]
