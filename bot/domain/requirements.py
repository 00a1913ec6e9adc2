"""Requirement rules as plain data, and the rulebook that finds them.

Rules are data (``bot/rules/*.toml``) because boards change them more often than the
engine changes: an operator can fix a figure or add a board by dropping a file in a
folder, without a release. Each rule carries its source and the date it was checked,
and an ``uncertain`` note wherever sources disagree, so the chat can say so.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from bot.domain.topics import fold

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

RENEWAL_KINDS = (
    "fixed_date",  # a calendar date (Jan 31, Dec 31); Feb 29 falls back to Feb 28
    "birth_month_end",  # last day of the birth month
    "issue_month_end",  # last day of the month the licence was issued
    "anniversary",  # every cycle_months from the issue/registration date (DEA)
    "explicit",  # only the licence holder knows: they give the next renewal date
    "fixed_window",  # one window with fixed dates (custom requirements)
)
ANCHORS = (
    "every_year",  # annual cycles
    "even_year",  # deadlines fall in even years
    "odd_year",
    "birth_year",  # years with the parity of the birth year (TN)
    "issue_year",  # first deadline `years_after_issue` after the issue year
    "next_renewal",  # only from the licence holder's next renewal date
)
RECURRENCES = (
    "every_cycle",
    "first_renewal",
    "every_nth_renewal",  # every `every` renewals starting at `starting_at`
    "renewals",  # explicit renewal numbers, e.g. [1, 2]
    "every_n_years",  # hours within the `years` before each deadline
    "once",  # one-time, any time before it is due
    "at_licensure",  # once, before the licence was issued: shown, never due at renewal
    "fixed_periods",  # once within each `years`-year period ending on `period_end`'s day
)


@dataclass(frozen=True, slots=True)
class RenewalRule:
    """How the deadline of each cycle is derived from the licence facts."""

    kind: str
    anchor: str = "next_renewal"
    month: int | None = None
    day: int | None = None
    years_after_issue: int = 0
    issue_month_from: date | None = None
    window_start: date | None = None
    window_end: date | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Recurrence:
    """When a mandate is due; parameters unused by a kind keep their defaults."""

    kind: str = "every_cycle"
    every: int = 0
    starting_at: int = 1
    renewals: tuple[int, ...] = ()
    years: int = 0
    after_renewal: int = 0
    by_renewal: int | None = None
    within_months_of_issue: int | None = None
    first_deadline_on_or_after: date | None = None
    period_end: date | None = None  # fixed_periods: the end of one period (NY: 2017-07-01)


@dataclass(frozen=True, slots=True)
class Mandate:
    """Hours on a topic (any of ``topics``, through the hierarchy) that a rule requires."""

    id: str
    title: str
    topics: frozenset[str]
    hours: Decimal = Decimal(0)
    share: Decimal | None = None  # fraction of the rule total instead of fixed hours
    recurrence: Recurrence = field(default_factory=Recurrence)
    categories: tuple[str, ...] | None = None  # None: credit of any category counts
    when_flags: frozenset[str] = frozenset()
    only_specialties: frozenset[str] = frozenset()
    exempt_specialties: frozenset[str] = frozenset()
    not_from: tuple[str, ...] = ()  # mandates whose qualifying entries may not count here
    counts_toward_total: bool = True
    notes: str = ""

    def required_hours(self, total: Decimal) -> Decimal:
        return (self.share * total) if self.share is not None else self.hours


@dataclass(frozen=True, slots=True)
class CategoryMinimum:
    category: str
    hours: Decimal


@dataclass(frozen=True, slots=True)
class ActivityMinimum:
    activity_type: str
    hours: Decimal
    label: str = ""


@dataclass(frozen=True, slots=True)
class Cap:
    """At most ``max`` credits of one activity type count per cycle (AAFP teaching: 60)."""

    activity_type: str
    max: Decimal
    label: str = ""


@dataclass(frozen=True, slots=True)
class CarryOverRule:
    """Excess credits may count in the next cycle; mandated hours never carry."""

    max: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True)
class Exemption:
    """General hours waived at some renewals (first renewal); mandates still apply."""

    renewals: tuple[int, ...]
    note: str = ""


# Due alike at every renewal, or by dates that do not depend on it (fixed periods).
_RENEWAL_BLIND = frozenset({"every_cycle", "at_licensure", "fixed_periods"})


def _counted_by_dates(recurrence: Recurrence) -> bool:
    """A one-time training due at the first registration or renewal from a date (DEA MATE):
    whether it is due, due now or past due follows from the cycle's dates alone; the
    renewal count only changed how the date was said (QA round 13: asked for nothing)."""
    return recurrence.kind == "once" and recurrence.first_deadline_on_or_after is not None and (
        recurrence.by_renewal is None and recurrence.within_months_of_issue is None
    )


@dataclass(frozen=True, slots=True)
class Rule:
    """One licence, registration, certification or membership requirement."""

    id: str
    title: str
    jurisdiction: str
    board: str
    kind: str
    professions: tuple[str, ...]
    total: Decimal
    cycle_months: int
    renewal: RenewalRule
    source: str
    checked: date
    total_categories: tuple[str, ...] | None = None
    category_minimums: tuple[CategoryMinimum, ...] = ()
    activity_minimums: tuple[ActivityMinimum, ...] = ()
    caps: tuple[Cap, ...] = ()
    mandates: tuple[Mandate, ...] = ()
    min_activities: int = 0
    carry_over: CarryOverRule | None = None
    makeup_days: int = 0
    exemptions: tuple[Exemption, ...] = ()
    aliases: tuple[str, ...] = ()
    citation: str = ""
    uncertain: str = ""
    notes: str = ""
    unit: str = "credits"  # what the total counts: ABIM MOC counts points
    unit_label: str = ""  # how to say it when not the unit: a nurse's "contact hours"
    label: str = ""  # a licence's short name when the title's head is shared (two ABIM rules)

    @property
    def renewal_count_matters(self) -> bool:
        """Whether anything here depends on which renewal a cycle ends in (an exemption, a
        mandate due at some renewals); when nothing does, the chat does not ask."""
        return bool(self.exemptions) or any(
            m.recurrence.kind not in _RENEWAL_BLIND and not _counted_by_dates(m.recurrence)
            for m in self.mandates
        )

    def mandate(self, mandate_id: str) -> Mandate:
        for mandate in self.mandates:
            if mandate.id == mandate_id:
                return mandate
        raise KeyError(mandate_id)

    def fits(self, profession: str) -> bool:
        """Whether the rule is for this profession (a rule naming none is for everyone)."""
        return not self.professions or profession in self.professions


class RuleFileError(ValueError):
    """A rule file is wrong; the message names the file and the field."""


class UnknownRuleError(KeyError):
    """No rule has this id."""

    def __str__(self) -> str:
        return f"unknown rule id {self.args[0]!r}"


_WORD = re.compile(r"[a-z0-9]+")
# Professions people name that no shipped rule carries (so never fit), keyed compactly.
_OTHER_PROFESSIONS = {
    "lpn": "lpn",
    "lvn": "lpn",
    "licensedpracticalnurse": "lpn",
    "licensedvocationalnurse": "lpn",
}
# "PA" alone is Pennsylvania and "do" a verb: those name a profession only as "PA-C",
# "physician assistant" or an upper-case "DO".
_AMBIGUOUS_PROFESSION_WORDS = frozenset({"pa", "do"})
_UPPER_DO = re.compile(r"\bDO\b")


def _read_professions(text: str) -> tuple[tuple[str, ...], list[str]]:
    """(professions named, the other words), longest phrase first: "nurse practitioner"
    is np, not a nurse."""
    from bot.domain.topics import vocabulary

    professions = vocabulary().professions
    words = fold(text).split()
    found: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):
            phrase = words[i : i + size]
            if len(phrase) < size:
                continue
            key = "".join(phrase)
            if size == 1 and key in _AMBIGUOUS_PROFESSION_WORDS:
                profession = "do" if key == "do" and _UPPER_DO.search(text) else None
            else:
                profession = _OTHER_PROFESSIONS.get(key) or professions.normalize(" ".join(phrase))
            if profession is not None:
                found.append(profession)
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return tuple(dict.fromkeys(found)), rest


def named_professions(text: str) -> tuple[str, ...]:
    """Professions the words name ("california rn" -> ("rn",))."""
    return _read_professions(text)[0]


@dataclass(frozen=True, slots=True)
class LicenceSearch:
    """Rules free text found for someone of ``professions``, and the matches set aside
    because they are another profession's (a nurse must never get a physician rule)."""

    matches: tuple[Rule, ...]
    other_professions: tuple[Rule, ...] = ()
    professions: tuple[str, ...] = ()


def _search_terms(rule: Rule) -> frozenset[str]:
    text = " ".join(
        (
            rule.id.replace("-", " "),
            rule.title,
            rule.jurisdiction.replace("-", " "),
            rule.board,
            *rule.aliases,
        )
    )  # not the professions: "PA" would find the DEA rule (it lists PAs) for Pennsylvania
    return frozenset(_WORD.findall(fold(text)))


class RuleBook:
    """The rules by id, with lookups the chat needs ("texas", "florida md", "ABIM")."""

    def __init__(self, rules: Iterable[Rule], origins: Mapping[str, Path] | None = None) -> None:
        self._rules: dict[str, Rule] = {r.id: r for r in rules}
        self._origins = dict(origins or {})
        self._terms = {rid: _search_terms(r) for rid, r in self._rules.items()}

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self._rules))

    def get(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise UnknownRuleError(rule_id) from None

    def find(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id)

    def origin(self, rule_id: str) -> Path | None:
        """The file a rule was loaded from (operator overrides show their own file)."""
        return self._origins.get(rule_id)

    def for_profession(self, profession: str) -> tuple[Rule, ...]:
        """Rules that apply to a profession; rules listing no profession apply to all."""
        return tuple(r for _, r in sorted(self._rules.items()) if r.fits(profession))

    def search(self, text: str, limit: int = 5) -> tuple[Rule, ...]:
        """Rules best matching free text, best first; weak partial matches are dropped.

        Every query word scores (exact word 2, prefix 1, close spelling 0.5), so "florida md"
        finds the Florida rule and not every MD rule. "Close" is a difflib ratio of 0.8: one
        swapped pair of letters in a five-letter name ("Texsa") is exactly 0.8.
        """
        words = _WORD.findall(fold(text))
        if not words:
            return ()
        scored: list[tuple[float, str]] = []
        for rid, terms in self._terms.items():
            score = 0.0
            for word in words:
                if word in terms:
                    score += 2
                elif len(word) >= 3 and any(t.startswith(word) for t in terms):
                    score += 1
                elif len(word) >= 4 and difflib.get_close_matches(word, terms, 1, 0.8):
                    score += 0.5
            if score:
                scored.append((score, rid))
        if not scored:
            return ()
        best = max(score for score, _ in scored)
        scored = [item for item in scored if item[0] >= best * 0.75]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return tuple(self._rules[rid] for _, rid in scored[:limit])

    def find_licence(
        self, text: str, profession: str | None = None, limit: int = 6
    ) -> LicenceSearch:
        """:meth:`search`, kept to the profession the words name (else ``profession``, the
        clinician's own). Filtering after ranking matters: "NP in New York" must not fall
        through to the weaker DEA match just because DEA also lists nurse practitioners."""
        named, rest = _read_professions(text)
        # Rank on the place and board words only: "PA-C California" is about California,
        # not about the DEA rule that happens to list physician assistants.
        found = self.search(" ".join(rest), limit=limit) if rest else ()
        found = found or self.search(text, limit=limit)
        professions = named or ((profession,) if profession else ())
        if not professions:
            return LicenceSearch(found)
        fitting = tuple(r for r in found if any(r.fits(p) for p in professions))
        others = tuple(r for r in found if r not in fitting)
        return LicenceSearch(fitting, others, professions)


@cache
def _shipped() -> tuple[tuple[Rule, ...], tuple[tuple[str, Path], ...]]:
    from bot.domain.rule_files import read_rule_dir

    rules, origins = read_rule_dir(RULES_DIR)
    return tuple(rules), tuple(origins.items())


def load_rules(extra_dirs: Sequence[Path] = ()) -> RuleBook:
    """The shipped rules (parsed once per process) plus operator folders overriding by id.

    Raises :class:`RuleFileError` naming the file and field of the first problem.
    """
    from bot.domain.rule_files import read_rule_dir

    shipped, shipped_origins = _shipped()
    rules = {r.id: r for r in shipped}
    origins = dict(shipped_origins)
    seen: dict[str, Path] = {}
    for folder in extra_dirs:
        extra, extra_origins = read_rule_dir(Path(folder))
        for rule in extra:
            if rule.id in seen:
                raise RuleFileError(
                    f"{extra_origins[rule.id]}: rule id {rule.id!r} is also defined in "
                    f"{seen[rule.id]}"
                )
            seen[rule.id] = extra_origins[rule.id]
            rules[rule.id] = rule
            origins[rule.id] = extra_origins[rule.id]
    return RuleBook(rules.values(), origins)


@cache
def shipped_rulebook() -> RuleBook:
    """The rulebook without operator folders, for callers that need no overrides."""
    return load_rules()
