"""Summing one cycle of one rule: the inner loop of the credit arithmetic.

Which requirement an entry can count toward (its topics, category, activity, the caps,
PA's no-double-count) does not depend on dates, so it is worked out once per rule and
entry (:func:`rows`); each cycle then only compares dates and adds. Every sum is over a
set of entries, never an order-dependent allocation, so entry order cannot matter and
adding a credit can never lower what counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from bot.domain.credit_types import (
    ActivityStatus,
    CapApplied,
    CategoryStatus,
    CreditItem,
    MandateStatus,
)
from bot.domain.cycles import Cycle, LicenceFacts, Schedule
from bot.domain.mandates import MandatePlan, plan
from bot.domain.requirements import Mandate, Rule
from bot.domain.rule_memo import RuleMemo
from bot.domain.topics import (
    activity_label,
    category_ids,
    category_label,
    category_unit,
    vocabulary,
)

ZERO = Decimal(0)


# (item, topics with ancestors, categories it counts as, activity type with its groups).
# Plain tuples, not NamedTuples: building them is the hot path.
Entry = tuple[CreditItem, frozenset[str], frozenset[str], frozenset[str]]


def prepare(entries: Iterable[CreditItem]) -> list[Entry]:
    """Closures per entry; entries repeat the same tags, so each combination is looked up once."""
    vocab = vocabulary()
    topics_of, category_of = vocab.topics.expand, vocab.categories.ancestors
    activity_of = vocab.activity_types.ancestors
    seen: dict[tuple[frozenset[str], str, str | None], tuple[frozenset[str], ...]] = {}
    prepared = []
    for e in entries:
        key = (e.topics, e.category, e.activity_type)
        closures = seen.get(key)
        if closures is None:
            acts = activity_of(e.activity_type) if e.activity_type else frozenset()
            closures = (topics_of(e.topics), category_of(e.category), acts)
            seen[key] = closures
        prepared.append((e, *closures))
    return prepared


# An entry as one rule sees it, everything but its date settled: (entry id, date, amount,
# cap group or -1, counts toward the total, category-minimum indices, activity-minimum
# indices, mandate indices after no-double-count rules, mandates kept off the total).
Row = tuple[
    str, date, Decimal, int, bool, tuple[int, ...], tuple[int, ...], tuple[int, ...],
    tuple[int, ...],
]  # fmt: skip


@dataclass(slots=True)
class _Compiled:
    """A rule's matching data as bitmasks (bit i = mandate i), with memo tables.

    The memo tables are keyed by vocabulary closures, which are few, so they stay small.
    """

    accepted: frozenset[str] | None
    other_units: frozenset[str]  # categories in another unit: they count toward nothing
    category_minimums: tuple[str, ...]
    activity_minimums: tuple[str, ...]
    caps: tuple[str, ...]
    topic_masks: dict[str, int]  # topic -> mandates accepting it
    category_filters: tuple[tuple[int, frozenset[str]], ...]  # mandates limited to categories
    exclusions: tuple[tuple[int, int], ...]  # (mandate, mandates whose entries it refuses)
    off_total_mask: int
    by_category: dict[frozenset[str], tuple[bool, tuple[int, ...], int]] = field(
        default_factory=dict
    )
    by_activity: dict[frozenset[str], tuple[int, tuple[int, ...]]] = field(default_factory=dict)
    by_mask: dict[int, tuple[int, ...]] = field(default_factory=dict)


_COMPILED: RuleMemo[_Compiled] = RuleMemo(kept=256)  # custom rules come and go


def _compiled(rule: Rule) -> _Compiled:
    """Compiled once per rule object."""
    hit = _COMPILED.get(rule)
    if hit is not None:
        return hit
    ids = [m.id for m in rule.mandates]
    topic_masks: dict[str, int] = {}
    for i, mandate in enumerate(rule.mandates):
        for topic in mandate.topics:
            topic_masks[topic] = topic_masks.get(topic, 0) | 1 << i
    compiled = _Compiled(
        accepted=frozenset(rule.total_categories) if rule.total_categories is not None else None,
        other_units=frozenset(c for c in category_ids() if category_unit(c) != rule.unit),
        category_minimums=tuple(m.category for m in rule.category_minimums),
        activity_minimums=tuple(m.activity_type for m in rule.activity_minimums),
        caps=tuple(c.activity_type for c in rule.caps),
        topic_masks=topic_masks,
        category_filters=tuple(
            (i, frozenset(m.categories))
            for i, m in enumerate(rule.mandates)
            if m.categories is not None
        ),
        exclusions=tuple(
            (i, sum(1 << ids.index(o) for o in m.not_from))
            for i, m in enumerate(rule.mandates)
            if m.not_from
        ),
        off_total_mask=sum(
            1 << i for i, m in enumerate(rule.mandates) if not m.counts_toward_total
        ),
    )
    return _COMPILED.put(rule, compiled)


_Shape = tuple[int, bool, tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def _category_part(c: _Compiled, cats: frozenset[str]) -> tuple[bool, tuple[int, ...], int]:
    """(counts toward the total, category minimums met, mandates its category allows)."""
    part = c.by_category.get(cats)
    if part is None and not cats.isdisjoint(c.other_units):
        # MOC points toward a rule counted in credits "any category" (QA: a custom
        # requirement of 100 credits took 5 points as 5 credits).
        part = c.by_category[cats] = (False, (), 0)
    if part is None:
        in_total = c.accepted is None or not cats.isdisjoint(c.accepted)
        hits = tuple(i for i, cat in enumerate(c.category_minimums) if cat in cats)
        allowed = -1
        for i, accepted in c.category_filters:
            if cats.isdisjoint(accepted):
                allowed &= ~(1 << i)
        part = c.by_category[cats] = (in_total, hits, allowed)
    return part


def _activity_part(c: _Compiled, acts: frozenset[str]) -> tuple[int, tuple[int, ...]]:
    """(cap group, activity minimums met)."""
    part = c.by_activity.get(acts)
    if part is None:
        group = next((i for i, cap in enumerate(c.caps) if cap in acts), -1)
        hits = tuple(i for i, a in enumerate(c.activity_minimums) if a in acts)
        part = c.by_activity[acts] = (group, hits)
    return part


def _indices(c: _Compiled, mask: int) -> tuple[int, ...]:
    found = c.by_mask.get(mask)
    if found is None:
        found = c.by_mask[mask] = tuple(i for i in range(mask.bit_length()) if mask >> i & 1)
    return found


def _shape(c: _Compiled, entry: Entry) -> _Shape | None:
    """What an entry with these tags counts toward under a rule, or None for nothing."""
    _, topics, categories, activities = entry
    in_total, cat_hits, allowed = _category_part(c, categories)
    fits = 0
    for topic in topics:
        fits |= c.topic_masks.get(topic, 0)
    fits &= allowed
    kept = fits
    for i, refused in c.exclusions:  # PA: child-abuse and opioid entries are not patient safety
        if fits & refused:
            kept &= ~(1 << i)
    if not (in_total or cat_hits or kept):
        return None
    group, act_hits = _activity_part(c, activities)
    if not in_total:
        return group, False, cat_hits, (), _indices(c, kept), ()
    return group, True, cat_hits, act_hits, _indices(c, kept), _indices(c, kept & c.off_total_mask)


def rows(rule: Rule, entries: Sequence[Entry]) -> list[Row]:
    """The entries that can count toward anything in ``rule``, with what they count toward."""
    compiled = _compiled(rule)
    shapes: dict[tuple[frozenset[str], ...], _Shape | None] = {}
    result = []
    same: dict[str, str] = {}
    for entry in entries:
        key = entry[1:]
        if key in shapes:
            shape = shapes[key]
        else:
            shape = shapes[key] = _shape(compiled, entry)
        if shape is not None:
            item = entry[0]
            result.append((item.entry_id, item.completed_on, item.amount, *shape))
            if item.same_as is not None:
                same[item.entry_id] = item.same_as
    return _one_per_activity(result, same) if same else result


def _one_per_activity(result: list[Row], same: dict[str, str]) -> list[Row]:
    """One activity logged in two kinds of credit (Category 1 credits and MOC points) counts
    once toward each requirement: the total, each category minimum and each mandate takes
    the largest of the activity's entries that count toward it (ties: the lower id). So
    entry order cannot matter and another kind can only add to what counted before."""
    groups: dict[str, list[Row]] = {}
    for row in result:
        groups.setdefault(same.get(row[0], row[0]), []).append(row)
    kept: list[Row] = []
    for rows_of_activity in groups.values():
        if len(rows_of_activity) == 1:
            kept.append(rows_of_activity[0])
            continue
        total_taken = False
        cats_taken: set[int] = set()
        mans_taken: set[int] = set()
        for row in sorted(rows_of_activity, key=_largest_first):
            entry_id, day, amount, group, in_total, cats, acts, mans, offs = row
            take_total = in_total and not total_taken
            total_taken |= take_total
            own_cats = tuple(i for i in cats if i not in cats_taken)
            own_mans = tuple(i for i in mans if i not in mans_taken)
            cats_taken.update(own_cats)
            mans_taken.update(own_mans)
            if take_total or own_cats or own_mans:
                kept.append((
                    entry_id, day, amount, group, take_total, own_cats,
                    acts if take_total else (), own_mans, offs if take_total else (),
                ))  # fmt: skip
    return kept


def _largest_first(row: Row) -> tuple[Decimal, int, str]:
    entry_id = row[0]
    return -row[2], int(entry_id) if entry_id.isdigit() else 0, entry_id


@dataclass(slots=True)
class Bucket:
    """Sums per cap group; a group counts at most its cap."""

    sums: dict[int, Decimal] = field(default_factory=dict)

    def add(self, group: int, amount: Decimal) -> None:
        self.sums[group] = self.sums.get(group, ZERO) + amount

    def earned(self, caps: Sequence[Decimal]) -> Decimal:
        return sum((min(v, caps[g]) if g >= 0 else v for g, v in self.sums.items()), start=ZERO)


# Mandates one course could serve together: (mandate ids, one topic counts toward them all).
TopicGroup = tuple[tuple[str, ...], bool]
_GROUPS: RuleMemo[tuple[TopicGroup, ...]] = RuleMemo(kept=256)


def topic_groups(rule: Rule) -> tuple[TopicGroup, ...]:
    """The rule's mandates, grouped where an activity on one topic counts toward several.

    The tally counts an entry toward every mandate one of its topics (or their broader
    ancestors) fits, minus the ``not_from`` refusals. So two mandates share hours only
    through a topic that fits both: Texas ethics and human trafficking (trafficking is an
    ethics topic), the opioid mandates of one rule. Florida's medical errors, domestic
    violence, HIV/AIDS and controlled substances have no topic in common: a course on
    one is not a course on another, so their open hours add up. A group whose mandates
    are linked only in a chain (A with B, B with C, no topic for all three) is marked, as
    its hours are then somewhere between its largest and their sum.
    """
    hit = _GROUPS.get(rule)
    if hit is not None:
        return hit
    mandates = rule.mandates
    ids = [m.id for m in mandates]
    topics = vocabulary().topics
    candidates = set(topics.ids).union(*(m.topics for m in mandates))
    served: set[frozenset[int]] = set()
    for topic in candidates:
        closure = topics.ancestors(topic)
        fits = {i for i, m in enumerate(mandates) if not closure.isdisjoint(m.topics)}
        fit_ids = {ids[i] for i in fits}
        kept = frozenset(i for i in fits if fit_ids.isdisjoint(mandates[i].not_from))
        if len(kept) > 1:
            served.add(kept)
    parent = list(range(len(mandates)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for together in served:
        first, *rest = sorted(together)
        for other in rest:
            parent[root(other)] = root(first)
    members: dict[int, list[int]] = {}
    for i in range(len(mandates)):
        members.setdefault(root(i), []).append(i)
    groups = tuple(
        (tuple(ids[i] for i in group), len(group) == 1 or any(s >= set(group) for s in served))
        for group in members.values()
    )
    return _GROUPS.put(rule, groups)


class Needed(NamedTuple):
    """The credits still needed (``hours``), with how sure that figure is."""

    hours: Decimal  # a course per open topic where no one topic serves two mandates
    # The fewest that could do: one activity logged with several open topics counts toward
    # each of their mandates (the tally allows it), so the largest open mandate, not a sum.
    least: Decimal
    # False: a group of mandates linked only in a chain (A with B, B with C) decides the
    # figure, which is then a floor ("at least").
    exact: bool


@dataclass(slots=True)
class Tally:
    """One evaluation of one cycle."""

    cycle: Cycle
    until: date
    total_required: Decimal
    claimed_total: Decimal
    earned_total: Decimal  # without carry-over
    categories: list[CategoryStatus]
    activities: list[ActivityStatus]
    mandates: list[MandateStatus]
    activities_required: int
    activities_counted: int
    caps_applied: list[CapApplied]
    exemptions: list[str]
    counted: set[str]
    toward_total: frozenset[str] = frozenset()  # counted entries the total takes
    reserved: Decimal = ZERO  # credits that went to cure the previous cycle
    # (mandate, mandates whose credits may not count toward it): no hour serves both
    apart: tuple[tuple[str, tuple[str, ...]], ...] = ()
    groups: tuple[TopicGroup, ...] = ()  # mandates a course on one topic can serve together

    def hours_needed(self, carry: Decimal = ZERO) -> Decimal:
        """The credits still needed, a course per open topic where no topic serves two
        mandates (Florida: 2 h of medical errors and 2 h of domestic violence open with
        the total met need 4, not 2); see :meth:`needs`."""
        return self.needs(carry).hours

    def needs(self, carry: Decimal = ZERO) -> Needed:
        """What is still needed, worked out once: the total, minimums and apart mandates
        (Pennsylvania), and the open mandates added up across the groups no one topic
        serves together (each group: its largest)."""
        open_by_id = {m.mandate_id: m.remaining for m in self.mandates if m.blocking}
        general = max(ZERO, self.total_required - self.earned_total - carry)
        for minimum in (*self.categories, *self.activities):
            general = max(general, minimum.remaining)
        for apart in self._apart_needs(open_by_id):
            general = max(general, apart)
        low = high = ZERO
        for ids, one_topic in self.groups:
            open_hours = [open_by_id[i] for i in ids if open_by_id.get(i, ZERO) > 0]
            if open_hours:
                low += max(open_hours)
                high += max(open_hours) if one_topic else sum(open_hours, ZERO)
        hours = max(general, low)
        least = max(general, max(open_by_id.values(), default=ZERO))
        return Needed(hours, least, max(general, high) == hours)

    def _apart_needs(self, open_by_id: Mapping[str, Decimal]) -> list[Decimal]:
        """A mandate whose hours may not come from another's needs both (Pennsylvania:
        12 h of patient safety not counting the 2 h of opioid education; QA round 10: "10
        still needed" with 10 h of safety and 0.5 h of opioid open)."""
        return [
            open_by_id[mandate] + max((open_by_id.get(o, ZERO) for o in others), default=ZERO)
            for mandate, others in self.apart
            if mandate in open_by_id
        ]

    def complete(self, carry: Decimal = ZERO, needed: Decimal | None = None) -> bool:
        """Nothing left: ``needed``, when the caller has worked it out already, spares
        working out the open topics again (the status does, for every licence)."""
        hours = self.hours_needed(carry) if needed is None else needed
        return hours == 0 and self.activities_counted >= self.activities_required


_PLANS: RuleMemo[tuple[MandatePlan, ...]] = RuleMemo(kept=4096)


def mandate_plans(
    rule: Rule,
    facts: LicenceFacts,
    cycle: Cycle,
    schedule: Schedule,
    until: date,
    today: date | None = None,
) -> tuple[MandatePlan, ...]:
    """Every mandate's plan for one cycle, shared by licences that agree on what it reads.

    A plan depends on the rule, the cycle, ``until``, the schedule's deadlines and
    numbering, and three facts (flags, specialties, issue date), not on the credits: the
    clinicians of one board and cohort share it (the planner evaluated the same plans
    100,000 times). Custom rules are built per request, so they are not kept.
    """
    if not rule.mandates:
        return ()
    # Only mandates on the law's own periods read today: the others stay shared across days.
    if not any(m.recurrence.kind == "fixed_periods" for m in rule.mandates):
        today = None
    if facts.custom_rule is not None:
        return tuple(plan(m, facts, cycle, schedule, until, today) for m in rule.mandates)
    key = (facts.flags, facts.specialties, facts.issued_on, schedule.deadlines, schedule.fixed,
           schedule.first_index, cycle, until, today)  # fmt: skip
    hit = _PLANS.get(rule, *key)
    if hit is not None:
        return hit
    return _PLANS.put(
        rule, tuple(plan(m, facts, cycle, schedule, until, today) for m in rule.mandates), *key
    )


def evaluate(
    rule: Rule,
    facts: LicenceFacts,
    cycle: Cycle,
    schedule: Schedule,
    table: Sequence[Row],
    until: date,
    cured: Mapping[str, Decimal] | None = None,
    today: date | None = None,
) -> Tally:
    """Sum one cycle: credits from the window start to ``until`` (mandates: their own dates).

    ``cured`` maps entries to the part of them that cured the previous cycle in its make-up
    window: that part counts toward nothing here (total, minimums and mandates alike).
    """
    start = cycle.window.start
    exempt = [e.note or "exempt at this renewal" for e in rule.exemptions
              if cycle.renewal_number in e.renewals]  # fmt: skip
    caps = [c.max for c in rule.caps]
    plans = mandate_plans(rule, facts, cycle, schedule, until, today)
    spans = [(p.count_from, p.count_to) for p in plans]
    total = Bucket()
    off_total = [Bucket() for _ in rule.mandates]
    cat_buckets = [Bucket() for _ in rule.category_minimums]
    act_buckets = [Bucket() for _ in rule.activity_minimums]
    man_buckets = [Bucket() for _ in rule.mandates]
    # One-time mandates: which day their hours were reached ("8 of 8 h ✓, done Oct 1").
    dated: dict[int, list[tuple[date, int, Decimal]]] = {
        i: [] for i, m in enumerate(rule.mandates) if m.recurrence.kind == "once"
    }
    claimed, activities, counted = ZERO, 0, set()
    toward_total: set[str] = set()
    for entry_id, day, amount, group, in_total, cats, acts, mans, offs in table:
        if cured and entry_id in cured:
            amount -= cured[entry_id]
            if amount <= 0:
                continue
        if start <= day <= until:
            # A rule that asks for no total (DEA: a one-time training) is not something every
            # credit counts toward (QA: "DEA registration (complete ✓)" after any log).
            if (in_total and rule.total > 0) or cats:
                counted.add(entry_id)
            if in_total:
                total.add(group, amount)
                toward_total.add(entry_id)
                claimed += amount
                if amount > 0:
                    activities += 1
                for i in acts:
                    act_buckets[i].add(group, amount)
                for i in offs:
                    off_total[i].add(group, amount)
            for i in cats:
                cat_buckets[i].add(group, amount)
        for i in mans:
            low, high = spans[i]
            if low <= day <= high:
                man_buckets[i].add(group, amount)
                if i in dated:
                    dated[i].append((day, group, amount))
                if plans[i].due:  # not toward a one-time mandate no longer shown
                    counted.add(entry_id)
    total_required = ZERO if exempt else rule.total
    earned_total = total.earned(caps)
    reserved = sum(cured.values(), ZERO) if cured else ZERO
    mandates = []
    for i, (mandate, mplan) in enumerate(zip(rule.mandates, plans, strict=True)):
        required = mandate.required_hours(rule.total)
        done_on = _reached_on(dated[i], caps, required) if i in dated else None
        earned = man_buckets[i].earned(caps)
        status = mandate_status(mandate, mplan, earned, rule.total, cycle, done_on)
        mandates.append(status)
        if not mandate.counts_toward_total:
            earned_total -= min(off_total[i].earned(caps), status.required)
    return Tally(
        cycle=cycle,
        until=until,
        total_required=total_required,
        claimed_total=claimed,
        earned_total=max(ZERO, earned_total),
        categories=[
            _category(m.category, ZERO if exempt else m.hours, b.earned(caps))
            for m, b in zip(rule.category_minimums, cat_buckets, strict=True)
        ],
        activities=[
            _activity(m.activity_type, m.label, ZERO if exempt else m.hours, b.earned(caps))
            for m, b in zip(rule.activity_minimums, act_buckets, strict=True)
        ],
        mandates=mandates,
        apart=tuple((m.id, m.not_from) for m in rule.mandates if m.not_from),
        groups=topic_groups(rule),
        activities_required=0 if exempt else rule.min_activities,
        activities_counted=activities,
        caps_applied=_caps_applied(rule, total),
        exemptions=exempt,
        counted=counted,
        toward_total=frozenset(toward_total),
        reserved=reserved,
    )


def _activity(kind: str, text: str, required: Decimal, earned: Decimal) -> ActivityStatus:
    label = text or activity_label(kind)
    return ActivityStatus(kind, label, required, earned, max(ZERO, required - earned))


def _category(category: str, required: Decimal, earned: Decimal) -> CategoryStatus:
    return CategoryStatus(
        category, category_label(category), required, earned, max(ZERO, required - earned)
    )


def _reached_on(
    dated: list[tuple[date, int, Decimal]], caps: Sequence[Decimal], required: Decimal
) -> date | None:
    """The day credits toward a one-time mandate first added up to ``required``, oldest
    first (None when they do not): the status says when the training was done."""
    if required <= 0:
        return None
    bucket = Bucket()
    for day, group, amount in sorted(dated, key=lambda row: row[0]):
        bucket.add(group, amount)
        if bucket.earned(caps) >= required:
            return day
    return None


def mandate_status(
    mandate: Mandate,
    mplan: MandatePlan,
    earned: Decimal,
    total: Decimal,
    cycle: Cycle,
    done_on: date | None = None,
) -> MandateStatus:
    required = mandate.required_hours(total)
    blocking = mplan.due and (mplan.due_by is None or mplan.due_by <= cycle.deadline)
    return MandateStatus(
        mandate_id=mandate.id,
        title=mandate.title,
        topics=tuple(sorted(mandate.topics)),
        required=required,
        earned=earned,
        remaining=max(ZERO, required - earned),
        due=mplan.due,
        blocking=blocking,
        why=mplan.why,
        due_by=mplan.due_by,
        counted_from=None if mplan.count_from == date.min else mplan.count_from,
        counts_toward_total=mandate.counts_toward_total,
        notes=mandate.notes,
        one_time=mandate.recurrence.kind == "once",
        past_due=mplan.past_due,
        done_on=done_on,
    )


def _caps_applied(rule: Rule, total: Bucket) -> list[CapApplied]:
    applied = []
    for i, cap in enumerate(rule.caps):
        claimed = total.sums.get(i, ZERO)
        if claimed > cap.max:
            label = cap.label or activity_label(cap.activity_type)
            applied.append(
                CapApplied(cap.activity_type, label, cap.max, claimed, cap.max, claimed - cap.max)
            )
    return applied
