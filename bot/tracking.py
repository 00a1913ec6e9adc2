"""Where the store meets the arithmetic: a clinician's licences and entries → statuses.

Handlers and the reminder planner both go through here, so "what remains" is computed
one way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.credits import (
    CreditItem,
    LicenceStatus,
    NextNeeded,
    next_needed,
    status_for_all,
)
from bot.domain.custom_requirements import CustomRequirementSpec
from bot.domain.cycles import (
    LicenceFacts,
    MissingFactError,
    cycle_info,
    renewals_done_after_move,
)
from bot.domain.dates import local_today
from bot.domain.requirements import RuleBook, UnknownRuleError
from bot.store import credits as credit_store
from bot.store import licences as licence_store
from bot.store.models import Clinician, CreditEntry, Licence


@dataclass(frozen=True, slots=True)
class LicenceView:
    """One licence with its status, or why no status can be computed yet."""

    licence: Licence
    status: LicenceStatus | None
    missing: tuple[str, ...] = ()  # facts to ask for (e.g. birth_month, renewal_date)
    problem: str = ""  # e.g. the rule is no longer shipped


def facts_for(licence: Licence, clinician: Clinician) -> LicenceFacts:
    """The arithmetic's view of a stored licence."""
    custom = None
    renewal_date = licence.renewal_date
    if licence.custom_rule:
        spec = CustomRequirementSpec.from_dict(licence.custom_rule)
        entered = local_today(licence.created_at, clinician.timezone)  # their day, not UTC's
        custom = spec.to_rule(rule_id=f"custom-{licence.id}", entered_on=entered)
        renewal_date = renewal_date or spec.deadline  # a recurring one counts cycles from it
    return LicenceFacts(
        rule_id=None if custom else licence.rule_id,
        custom_rule=custom,
        licence_id=str(licence.id),
        birth_month=clinician.birth_month,
        birth_year=clinician.birth_year,
        issued_on=licence.issued_on,
        renewal_date=renewal_date,
        renewals_done=licence.renewals_done,
        flags=frozenset(clinician.flags or ()) | frozenset(licence.flags or ()),
        specialties=frozenset(clinician.specialties or ()),
    )


def licence_states(licence: Licence) -> set[str]:
    """The US state codes a licence is in: its jurisdiction's ("US-TX"), or for a described
    requirement, which has none, the state its name gives ("Ohio RN", "FL RPh license":
    QA round 13, a code in the name was not read)."""
    from bot.domain import places  # the place index loads lazily

    states = places.us_states([licence.jurisdiction])
    if not states and licence.custom_rule:
        states = places.states_named_in(licence.label) | places.state_codes_in(licence.label)
    return states


def next_needed_for(
    licence: Licence,
    clinician: Clinician,
    items: Sequence[CreditItem],
    mandate_ids: Sequence[str],
    today: date,
    rulebook: RuleBook,
) -> dict[str, NextNeeded]:
    """When each of these mandates of the licence is next needed (see
    :func:`~bot.domain.credits.next_needed`); empty when its facts give no cycles."""
    if not mandate_ids:
        return {}
    try:
        facts = facts_for(licence, clinician)
        return next_needed(facts, items, today, mandate_ids, rulebook)
    except (MissingFactError, UnknownRuleError, KeyError, ValueError):
        return {}


def credit_item(entry: CreditEntry | Row[Any]) -> CreditItem:
    """The arithmetic's view of an entry: an ORM object or a plain row of the same names."""
    return CreditItem(
        entry_id=str(entry.id),
        completed_on=entry.completed_on,
        amount=entry.amount,
        category=entry.category,
        topics=frozenset(entry.topics or ()),
        activity_type=entry.activity_type,
        title=entry.title,
        same_as=str(entry.same_activity_as) if entry.same_activity_as else None,
    )


def cycle_end_on(
    licence: Licence, clinician: Clinician, day: date, today: date, rulebook: RuleBook
) -> date | None:
    """The deadline of the cycle ``day`` falls in, as the licence's cycles run ``today``
    (None when its facts give no cycles, or one window only)."""
    try:
        facts = facts_for(licence, clinician)
        schedule = cycle_info(facts.rule(rulebook), facts, today).schedule
    except (MissingFactError, UnknownRuleError, KeyError, ValueError):
        return None
    if schedule.deadlines is None:  # one window (a described requirement): none before it
        return None
    return schedule.cycle(schedule.index_for(day)).deadline


def view_on_deadline(
    clinician: Clinician,
    licence: Licence,
    items: Sequence[CreditItem],
    ended: date,
    today: date,
    rulebook: RuleBook,
) -> LicenceView | None:
    """The licence's cycle that ended on ``ended``, as it stood that day; None when no
    cycle ended then. A renewal date stored after it (typed once the cycle rolled over)
    is read back to that deadline with the renewals before it: seen from that day, a
    later stored date meant "renewed early" and gave the next cycle instead (QA round 11:
    the ended cycle vanished from /transcript previous). None too for a cycle before the
    one ending at the first renewal, or ending before the licence was issued."""
    try:
        facts = facts_for(licence, clinician)
        schedule = cycle_info(facts.rule(rulebook), facts, today).schedule
        number = schedule.renewal_number(schedule.index_for(ended))
        if (number is not None and number < 1) or (
            licence.issued_on is not None and ended <= licence.issued_on
        ):
            return None  # before the licence's first renewal's cycle: it had none then
        if facts.renewal_date is not None and facts.renewal_date > ended:
            rule = facts.rule(rulebook)
            done = renewals_done_after_move(rule, facts, ended, today)
            facts = replace(facts, renewal_date=ended, renewals_done=done)
        status = status_for_all([facts], items, ended, rulebook)[0]
    except (MissingFactError, UnknownRuleError, KeyError, ValueError):
        return None
    return LicenceView(licence, status) if status.deadline == ended else None


def views_for(
    clinician: Clinician,
    licences: Sequence[Licence],
    entries: Sequence[CreditEntry],
    today: date,
    rulebook: RuleBook,
) -> list[LicenceView]:
    """Statuses for each licence; licences that lack facts say which ones."""
    return views_for_items(
        clinician, licences, [credit_item(entry) for entry in entries], today, rulebook
    )


def views_for_items(
    clinician: Clinician,
    licences: Sequence[Licence],
    items: Sequence[CreditItem],
    today: date,
    rulebook: RuleBook,
) -> list[LicenceView]:
    views: list[LicenceView] = []
    for licence in licences:
        try:
            facts = facts_for(licence, clinician)
            status = status_for_all([facts], items, today, rulebook)[0]
        except MissingFactError as exc:
            views.append(LicenceView(licence, None, missing=exc.facts))
        except (UnknownRuleError, KeyError, ValueError) as exc:
            views.append(LicenceView(licence, None, problem=str(exc)))
        else:
            views.append(LicenceView(licence, status))
    return views


async def load_views(
    session: AsyncSession, clinician: Clinician, today: date, rulebook: RuleBook
) -> list[LicenceView]:
    """Read the clinician's licences and entries (two queries) and compute every status."""
    licences = await licence_store.list_for(session, clinician)
    if not licences:
        return []
    items = [credit_item(row) for row in await credit_store.credit_rows(session, clinician)]
    return views_for_items(clinician, licences, items, today, rulebook)
