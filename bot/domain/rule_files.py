"""Reading and validating rule files (TOML), with errors that name the file and the field.

A wrong figure in a rule file misleads every clinician who holds that licence, so the
loader is strict: unknown fields, unknown topics and impossible values stop the load
with a message like ``bot/rules/texas.toml: rules[0].mandates[1].hours: must be a
positive number``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.domain.requirements import (
    ANCHORS,
    RECURRENCES,
    RENEWAL_KINDS,
    ActivityMinimum,
    Cap,
    CarryOverRule,
    CategoryMinimum,
    Exemption,
    Mandate,
    Recurrence,
    RenewalRule,
    Rule,
    RuleFileError,
)
from bot.domain.topics import UNITS, TermSet, vocabulary

RULE_KINDS = ("licence", "registration", "certification", "membership", "custom")
_RECURRENCE_PARAMS = {
    "every_cycle": set(),
    "first_renewal": set(),
    "every_nth_renewal": {"every", "starting_at"},
    "renewals": {"renewals"},
    "every_n_years": {"years", "after_renewal"},
    "once": {"by_renewal", "within_months_of_issue", "first_deadline_on_or_after"},
    "at_licensure": set(),
    "fixed_periods": {"years", "period_end"},
}
_ALL_RECURRENCE_PARAMS = set().union(*_RECURRENCE_PARAMS.values())


def display_path(path: Path) -> str:
    """The path as an operator would type it: relative to the working directory when inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Table:
    """A TOML table being read; remembers which keys were used to reject unknown ones."""

    def __init__(self, data: Mapping[str, Any], file: str, where: str) -> None:
        self.data = data
        self.file = file
        self.where = where
        self._used: set[str] = set()

    def error(self, key: str | None, problem: str) -> RuleFileError:
        at = f"{self.where}.{key}" if key and self.where else (key or self.where)
        return RuleFileError(f"{self.file}: {at}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        self._used.add(key)
        return self.data.get(key)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value.strip()

    def number(
        self, key: str, *, positive: bool = False, default: Decimal | None = None
    ) -> Decimal:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.error(key, "must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.error(key, "must be a number") from None
        if not number.is_finite():
            raise self.error(key, "must be a finite number")
        if positive and number <= 0:
            raise self.error(key, "must be a positive number")
        if number < 0:
            raise self.error(key, "must not be negative")
        return number

    def integer(self, key: str, *, minimum: int = 0, default: int | None = None) -> int:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "must be a whole number")
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}")
        return value

    def day(self, key: str, *, required: bool = True) -> date | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.error(key, "is required (a date, YYYY-MM-DD)")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(key, f"must be a date (YYYY-MM-DD), got {value!r}")

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings")
        return tuple(value)

    def ints(self, key: str) -> tuple[int, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value
        ):
            raise self.error(key, "must be a list of renewal numbers (1, 2, ...)")
        return tuple(value)

    def terms(self, key: str, terms: TermSet) -> tuple[str, ...]:
        values = self.strings(key)
        for value in values:
            if value not in terms:
                hint = terms.suggest(value)
                did_you_mean = f" (did you mean {', '.join(hint)}?)" if hint else ""
                raise self.error(key, f"unknown {terms.kind[:-1]} {value!r}{did_you_mean}")
        return values

    def term(self, key: str, terms: TermSet) -> str:
        value = self.text(key)
        if value not in terms:
            hint = terms.suggest(value)
            did_you_mean = f" (did you mean {', '.join(hint)}?)" if hint else ""
            raise self.error(key, f"unknown {terms.kind[:-1]} {value!r}{did_you_mean}")
        return value

    def one_of(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}; got {value!r}")
        return value

    def table(self, key: str) -> _Table | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self.error(key, "must be a table")
        return _Table(value, self.file, f"{self.where}.{key}" if self.where else key)

    def tables(self, key: str) -> list[_Table]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(key, "must be an array of tables ([[...]])")
        prefix = f"{self.where}.{key}" if self.where else key
        return [_Table(v, self.file, f"{prefix}[{i}]") for i, v in enumerate(value)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            raise self.error(None, f"unknown field(s) {', '.join(map(repr, unknown))}")


def read_rule_dir(folder: Path) -> tuple[list[Rule], dict[str, Path]]:
    """Every rule in ``folder/*.toml`` (files starting with ``_`` are not rules)."""
    if not folder.is_dir():
        raise RuleFileError(f"{display_path(folder)}: not a directory")
    rules: list[Rule] = []
    origins: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name.startswith("_"):
            continue
        for rule in read_rule_file(path):
            if rule.id in origins:
                raise RuleFileError(
                    f"{display_path(path)}: rule id {rule.id!r} is also defined in "
                    f"{display_path(origins[rule.id])}"
                )
            rules.append(rule)
            origins[rule.id] = path
    return rules, origins


def read_rule_file(path: Path) -> list[Rule]:
    """The rules in one file, validated."""
    name = display_path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{name}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise RuleFileError(f"{name}: cannot read: {exc.strerror}") from None
    top = _Table(data, name, "")
    entries = top.tables("rules")
    if not entries:
        raise RuleFileError(f"{name}: rules: at least one [[rules]] table is required")
    top.done()
    return [parse_rule(entry) for entry in entries]


def parse_rule(t: _Table) -> Rule:
    """One ``[[rules]]`` table as a :class:`Rule`."""
    vocab = vocabulary()
    rule_id = t.text("id")
    if not rule_id.replace("-", "").replace("_", "").isalnum() or rule_id != rule_id.lower():
        raise t.error("id", "must be lower-case letters, digits and dashes")
    cycle_months = t.integer("cycle_months", minimum=1)
    total = t.number("total")
    renewal_table = t.table("renewal")
    if renewal_table is None:
        raise t.error("renewal", "is required")
    mandates = tuple(_mandate(m) for m in t.tables("mandates"))
    _check_mandate_links(t, mandates)
    total_categories = t.terms("total_categories", vocab.categories) or None
    rule = Rule(
        id=rule_id,
        title=t.text("title"),
        label=t.text("label", ""),
        jurisdiction=t.text("jurisdiction"),
        board=t.text("board"),
        kind=t.one_of("kind", RULE_KINDS, "licence"),
        professions=t.terms("professions", vocab.professions),
        total=total,
        cycle_months=cycle_months,
        renewal=_renewal(renewal_table, cycle_months),
        source=t.text("source"),
        checked=t.day("checked") or date.min,
        total_categories=total_categories,
        category_minimums=tuple(_category_minimum(c) for c in t.tables("category_minimums")),
        activity_minimums=tuple(_activity_minimum(a) for a in t.tables("activity_minimums")),
        caps=tuple(_cap(c) for c in t.tables("caps")),
        mandates=mandates,
        min_activities=t.integer("min_activities", default=0),
        carry_over=_carry_over(t.table("carry_over")),
        makeup_days=t.integer("makeup_days", default=0),
        exemptions=tuple(_exemption(e) for e in t.tables("exemptions")),
        aliases=t.strings("aliases"),
        citation=t.text("citation", ""),
        uncertain=t.text("uncertain", ""),
        notes=t.text("notes", ""),
        unit=t.one_of("unit", UNITS, "credits"),
    )
    t.done()
    return rule


def _category_minimum(t: _Table) -> CategoryMinimum:
    minimum = CategoryMinimum(
        t.term("category", vocabulary().categories), t.number("hours", positive=True)
    )
    t.done()
    return minimum


def _activity_minimum(t: _Table) -> ActivityMinimum:
    minimum = ActivityMinimum(
        t.term("activity_type", vocabulary().activity_types),
        t.number("hours", positive=True),
        t.text("label", ""),
    )
    t.done()
    return minimum


def _cap(t: _Table) -> Cap:
    cap = Cap(
        t.term("activity_type", vocabulary().activity_types),
        t.number("max", positive=True),
        t.text("label", ""),
    )
    t.done()
    return cap


def _renewal(t: _Table, cycle_months: int) -> RenewalRule:
    kind = t.one_of("kind", RENEWAL_KINDS)
    default_anchor = {"issue_month_end": "issue_year", "anniversary": "issue_year"}.get(
        kind, "next_renewal"
    )
    anchor = t.one_of("anchor", ANCHORS, default_anchor)
    renewal = RenewalRule(
        kind=kind,
        anchor=anchor,
        month=t.integer("month", minimum=1, default=0) or None,
        day=t.integer("day", minimum=1, default=0) or None,
        years_after_issue=t.integer("years_after_issue", default=0),
        issue_month_from=t.day("issue_month_from", required=False),
        window_start=t.day("start", required=False),
        window_end=t.day("end", required=False),
        description=t.text("description", ""),
    )
    if kind == "fixed_date":
        if renewal.month is None or renewal.month > 12:
            raise t.error("month", "is required for a fixed_date renewal (1-12)")
        if renewal.day is None or renewal.day > 31:
            raise t.error("day", "is required for a fixed_date renewal (1-31)")
    elif renewal.month is not None or renewal.day is not None:
        raise t.error("month", f"only a fixed_date renewal takes month/day, not {kind}")
    if kind == "fixed_window":
        if renewal.window_start is None or renewal.window_end is None:
            raise t.error("start", "a fixed_window renewal needs start and end dates")
        if renewal.window_start > renewal.window_end:
            raise t.error("end", "must not be before start")
    if anchor in {"even_year", "odd_year"} and cycle_months != 24:
        raise t.error("anchor", f"{anchor} only makes sense with cycle_months = 24")
    if anchor in {"every_year", "birth_year", "even_year", "odd_year"} and cycle_months % 12:
        raise t.error("anchor", f"{anchor} needs cycle_months in whole years")
    if anchor == "every_year" and cycle_months != 12:
        raise t.error("anchor", "every_year only makes sense with cycle_months = 12")
    t.done()
    return renewal


def _recurrence(t: _Table) -> Recurrence:
    kind = t.one_of("recurrence", RECURRENCES, "every_cycle")
    allowed = _RECURRENCE_PARAMS[kind]
    for key in sorted(_ALL_RECURRENCE_PARAMS - allowed):
        if t.has(key):
            raise t.error(key, f"is not used with recurrence {kind!r}")
    recurrence = Recurrence(
        kind=kind,
        every=t.integer("every", minimum=1, default=0) if "every" in allowed else 0,
        starting_at=t.integer("starting_at", minimum=1, default=1),
        renewals=t.ints("renewals"),
        years=t.integer("years", minimum=1, default=0) if "years" in allowed else 0,
        after_renewal=t.integer("after_renewal", default=0),
        by_renewal=t.integer("by_renewal", minimum=1, default=0) or None,
        within_months_of_issue=t.integer("within_months_of_issue", minimum=1, default=0) or None,
        first_deadline_on_or_after=t.day("first_deadline_on_or_after", required=False),
        period_end=t.day("period_end", required=False),
    )
    if kind == "every_nth_renewal" and not recurrence.every:
        raise t.error("every", "is required with recurrence 'every_nth_renewal'")
    if kind == "renewals" and not recurrence.renewals:
        raise t.error("renewals", "is required with recurrence 'renewals'")
    if kind in ("every_n_years", "fixed_periods") and not recurrence.years:
        raise t.error("years", f"is required with recurrence {kind!r}")
    if kind == "fixed_periods" and recurrence.period_end is None:
        raise t.error("period_end", "is required with recurrence 'fixed_periods'")
    return recurrence


def _mandate(t: _Table) -> Mandate:
    vocab = vocabulary()
    topics = t.terms("topics", vocab.topics)
    if not topics:
        raise t.error("topics", "at least one topic is required")
    share = t.number("share", positive=True) if t.has("share") else None
    if share is not None and share > 1:
        raise t.error("share", "must be a fraction of the total (0 < share <= 1)")
    hours = t.number("hours", positive=True) if share is None or t.has("hours") else Decimal(0)
    if share is not None and hours:
        raise t.error("hours", "give either hours or share, not both")
    mandate = Mandate(
        id=t.text("id"),
        title=t.text("title"),
        topics=frozenset(topics),
        hours=hours,
        share=share,
        recurrence=_recurrence(t),
        categories=t.terms("categories", vocab.categories) or None,
        when_flags=frozenset(t.terms("when_flags", vocab.flags)),
        only_specialties=frozenset(t.terms("only_specialties", vocab.specialties)),
        exempt_specialties=frozenset(t.terms("exempt_specialties", vocab.specialties)),
        not_from=t.strings("not_from"),
        counts_toward_total=t.boolean("counts_toward_total", True),
        notes=t.text("notes", ""),
    )
    t.done()
    return mandate


def _check_mandate_links(t: _Table, mandates: tuple[Mandate, ...]) -> None:
    ids = [m.id for m in mandates]
    for index, mandate in enumerate(mandates):
        if mandate.id in ids[:index]:
            raise t.error(f"mandates[{index}].id", f"duplicate mandate id {mandate.id!r}")
        for other in mandate.not_from:
            if other not in ids or other == mandate.id:
                raise t.error(
                    f"mandates[{index}].not_from", f"{other!r} is not another mandate of this rule"
                )


def _carry_over(t: _Table | None) -> CarryOverRule | None:
    if t is None:
        return None
    carry = CarryOverRule(max=t.number("max", positive=True), note=t.text("note", ""))
    t.done()
    return carry


def _exemption(t: _Table) -> Exemption:
    renewals = t.ints("renewals")
    if not renewals:
        raise t.error("renewals", "is required (e.g. [1] for the first renewal)")
    exemption = Exemption(renewals=renewals, note=t.text("note", ""))
    t.done()
    return exemption
