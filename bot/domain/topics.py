"""The shared vocabulary: topics, credit categories, activity types, flags, specialties.

Rules, credit entries and the course catalogue must all speak the same ids, or a course
tagged "opioids" would never satisfy an ``opioid_prescribing`` mandate. The terms live in
``bot/rules/_vocabulary.toml`` (data, not code) and are loaded once per process.
Narrower terms name their broader ``parents``; :func:`expand` adds every ancestor so one
entry counts toward each mandate it fits.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCABULARY_FILE = Path(__file__).resolve().parent.parent / "rules" / "_vocabulary.toml"

UNITS = ("credits", "points", "hours")  # what an amount is called: a category's, a rule's
_SECTIONS = ("topics", "categories", "activity_types", "flags", "specialties", "professions")
# Words that carry no meaning for matching ("2 ethics CME credits" == "ethics").
_NOISE = frozenset(
    {
        "credit",
        "credits",
        "cme",
        "ce",
        "hour",
        "hours",
        "hr",
        "hrs",
        "training",
        "the",
        "of",
        "in",
        "on",
        "tm",
        "r",
    }
)
# Dropped only on a second try: "live course" stays an activity type, "opioid course" a topic.
_SOFT_NOISE = frozenset({"course", "courses", "module", "modules", "program", "lecture", "update"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NEAR_PERFECT = 0.9  # a suggestion this close to what was typed ...
_MARGIN = 0.1  # ... leaves out those more than this much further


class VocabularyError(ValueError):
    """The vocabulary file is inconsistent (an alias used twice, a cycle of parents...)."""


def fold(text: str) -> str:
    """Lower-case, strip accents, punctuation and noise words: the form aliases are compared in."""
    text = text.replace("™", " ").replace("®", " ").replace("&", " and ")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [w for w in _NON_ALNUM.sub(" ", text).split() if w not in _NOISE]
    return " ".join(words)


def _compact(text: str) -> str:
    return fold(text).replace(" ", "")


def _singular(folded: str) -> str:
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in folded.split())


@dataclass(frozen=True, slots=True)
class Term:
    """One vocabulary entry: a stable id, a label for people, and how it relates to others."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    unit: str = "credits"  # categories: what an amount of it is called (MOC: points)
    says: str = ""  # categories: how its amounts are said, when not by their unit


class TermSet:
    """One kind of term with lookup by alias, spelling suggestions and ancestor closure."""

    def __init__(self, kind: str, terms: Iterable[Term]) -> None:
        self.kind = kind
        self._terms: dict[str, Term] = {t.id: t for t in terms}
        self._lookup: dict[str, str] = {}
        self._phrases: dict[str, str] = {}
        for term in self._terms.values():
            for phrase in (term.id, term.id.replace("_", " "), term.label, *term.aliases):
                self._add_phrase(phrase, term.id)
        self._closure = {tid: self._ancestors(tid, ()) for tid in self._terms}
        self._expand_cache: dict[frozenset[str], frozenset[str]] = {}

    def _add_phrase(self, phrase: str, term_id: str) -> None:
        key = _compact(phrase)
        if not key:
            return
        owner = self._lookup.setdefault(key, term_id)
        if owner != term_id:
            raise VocabularyError(
                f"{self.kind}: {phrase!r} is an alias of both {owner!r} and {term_id!r}"
            )
        self._phrases.setdefault(fold(phrase), term_id)

    def _ancestors(self, term_id: str, path: tuple[str, ...]) -> frozenset[str]:
        if term_id in path:
            raise VocabularyError(f"{self.kind}: parent cycle {' -> '.join((*path, term_id))}")
        term = self._terms.get(term_id)
        if term is None:
            raise VocabularyError(f"{self.kind}: {path[-1]!r} has unknown parent {term_id!r}")
        found = {term_id}
        for parent in term.parents:
            found |= self._ancestors(parent, (*path, term_id))
        return frozenset(found)

    def __contains__(self, term_id: object) -> bool:
        return term_id in self._terms

    def __len__(self) -> int:
        return len(self._terms)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._terms)

    def get(self, term_id: str) -> Term | None:
        return self._terms.get(term_id)

    def label(self, term_id: str) -> str:
        """The human label; an unknown id is returned as is rather than failing a reply."""
        term = self._terms.get(term_id)
        return term.label if term else term_id

    def unit(self, term_id: str) -> str:
        term = self._terms.get(term_id)
        return term.unit if term else "credits"

    def says(self, term_id: str) -> str:
        term = self._terms.get(term_id)
        return (term.says or term.unit) if term else "credits"

    def normalize(self, text: str) -> str | None:
        """The id a free-text phrase names ("pain mgmt" -> ``pain_management``), or None."""
        key = _compact(text)
        if not key:
            return None
        folded = fold(text)
        softened = " ".join(w for w in folded.split() if w not in _SOFT_NOISE)
        for candidate in (key, _singular(folded), softened, _singular(softened)):
            found = self._lookup.get(candidate.replace(" ", ""))
            if found is not None:
                return found
        return None

    def misspelt(self, word: str) -> str | None:
        """The id whose one-word name ``word`` misspells ("opiod", "ethcis"), when exactly
        one is that close: strict enough to offer among other words of a sentence."""
        folded = fold(word)
        if len(folded) < 5 or " " in folded or self.normalize(word):
            return None
        singles = [  # a slip rarely hits the first letter or changes the length much
            p for p in self._phrases
            if " " not in p and len(p) >= 5 and p[0] == folded[0] and abs(len(p) - len(folded)) <= 2
        ]  # fmt: skip
        close = difflib.get_close_matches(folded, singles, n=3, cutoff=0.8)
        ids = {self._phrases[p] for p in close}
        return ids.pop() if len(ids) == 1 else None

    def misspelt_phrase(self, text: str) -> str | None:
        """The id whose name of as many words ``text`` misspells ("domestic vilence"),
        when exactly one is that close (each word keeping its first letter)."""
        folded = fold(text)
        words = folded.split()
        if len(words) < 2 or self.normalize(text):
            return None
        same_shape = [
            p for p in self._phrases
            if len(p.split()) == len(words) and abs(len(p) - len(folded)) <= 2
            and [w[0] for w in p.split()] == [w[0] for w in words]
        ]  # fmt: skip
        close = difflib.get_close_matches(folded, same_shape, n=3, cutoff=0.85)
        ids = {self._phrases[p] for p in close}
        return ids.pop() if len(ids) == 1 else None

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Up to ``n`` ids named like ``text``: prefix matches first, then close spellings."""
        folded = fold(text)
        if not folded or n <= 0:
            return []
        found: list[str] = []
        exact = self.normalize(text)
        if exact:
            found.append(exact)
        prefixed = [
            (phrase, term_id) for phrase, term_id in self._phrases.items()
            if any(word.startswith(folded) for word in phrase.split()) or phrase.startswith(folded)
        ]  # fmt: skip
        if " " not in folded:  # one word shortens a one-word name first: "pharma" is
            # Pharmacology before "pharmacy law" (QA: State laws and rules was offered first)
            prefixed.sort(key=lambda pair: " " in pair[0])
        found.extend(term_id for _, term_id in prefixed)
        close = difflib.get_close_matches(folded, list(self._phrases), n=n * 4, cutoff=0.6)
        # A slip rarely hits the first letter (QA: "immunization" offered "communication"),
        # and a near-perfect match makes the far ones noise (QA: "pharmacolgy" offered
        # State laws and rules, after "pharmacy law").
        ratios = {p: difflib.SequenceMatcher(None, folded, p).ratio() for p in close}
        best = max(ratios.values(), default=0.0)
        found.extend(
            self._phrases[p]
            for p in close
            if p[0] == folded[0] and (best < _NEAR_PERFECT or ratios[p] >= best - _MARGIN)
        )
        return list(dict.fromkeys(found))[:n]

    def ancestors(self, term_id: str) -> frozenset[str]:
        """The term and everything broader; an unknown id stands alone."""
        return self._closure.get(term_id, frozenset((term_id,)))

    def expand(self, term_ids: Iterable[str]) -> frozenset[str]:
        """All given ids plus their ancestors (cached: entries repeat the same topic sets)."""
        key = term_ids if isinstance(term_ids, frozenset) else frozenset(term_ids)
        hit = self._expand_cache.get(key)
        if hit is None:
            hit = frozenset().union(*(self.ancestors(t) for t in key)) if key else frozenset()
            if len(self._expand_cache) > 4096:  # user data is open-ended: keep the cache bounded
                self._expand_cache.clear()
            self._expand_cache[key] = hit
        return hit


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every term set, loaded together so cross-references can be checked."""

    topics: TermSet
    categories: TermSet
    activity_types: TermSet
    flags: TermSet
    specialties: TermSet
    professions: TermSet


def parse_vocabulary(data: Mapping[str, object], where: str = "vocabulary") -> Vocabulary:
    """Build a :class:`Vocabulary` from parsed TOML, failing with the offending key named."""
    unknown = set(data) - set(_SECTIONS)
    if unknown:
        raise VocabularyError(f"{where}: unknown section(s) {sorted(unknown)}")
    sets: dict[str, TermSet] = {}
    for section in _SECTIONS:
        raw = data.get(section, {})
        if not isinstance(raw, Mapping):
            raise VocabularyError(f"{where}: [{section}] must be a table")
        terms = [_parse_term(section, tid, body, where) for tid, body in raw.items()]
        sets[section] = TermSet(section, terms)
    return Vocabulary(**sets)


def _parse_term(section: str, term_id: str, body: object, where: str) -> Term:
    at = f"{where}: {section}.{term_id}"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", term_id):
        raise VocabularyError(f"{at}: id must be snake_case")
    if not isinstance(body, Mapping):
        raise VocabularyError(f"{at}: must be a table")
    link = "also_counts_as" if section == "categories" else "parents"
    allowed = {"label", "aliases", link} | ({"unit", "says"} if section == "categories" else set())
    extra = set(body) - allowed
    if extra:
        raise VocabularyError(f"{at}: unknown field(s) {sorted(extra)}")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise VocabularyError(f"{at}.label: must be a non-empty string")
    lists = {}
    for key in ("aliases", link):
        value = body.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise VocabularyError(f"{at}.{key}: must be a list of strings")
        lists[key] = tuple(value)
    unit = body.get("unit", "credits")
    if unit not in UNITS:
        raise VocabularyError(f"{at}.unit: must be one of {', '.join(UNITS)}")
    says = body.get("says", "")
    if not isinstance(says, str):
        raise VocabularyError(f"{at}.says: must be a string")
    return Term(term_id, label, lists["aliases"], lists[link], unit, says)


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, parsed once per process."""
    with VOCABULARY_FILE.open("rb") as fh:
        return parse_vocabulary(tomllib.load(fh), where=str(VOCABULARY_FILE.name))


# ----------------------------------------------------------------- topic helpers
def normalize_topic(text: str) -> str | None:
    """Canonical topic id for "opioids", "pain mgmt", "HIV"...; None when unknown.

    A state's name around a topic is the state's version of it ("Florida laws and
    rules", "Ohio law and rules": QA round 6 found them unknown)."""
    found = vocabulary().topics.normalize(text)
    if found is not None:
        return found
    from bot.domain import places  # the place index loads lazily

    states = places.states_named_in(text)
    bare = places.without_state_names(text)
    if not states:  # "TX pharmacy law": a code in capitals or before a licence word
        states = places.state_codes_in(text)
        bare = _without_codes(text, states)
    if not bare or bare == text:
        return None
    found = vocabulary().topics.normalize(bare)
    if found is None or len(states) != 1:
        return found
    # The state's own version where the vocabulary has one: "Texas pharmacy law" is Texas
    # laws and rules, not any state's (QA round 13: a Florida course then counted toward
    # Texas's 1 hour).
    name = places.US_STATE_NAMES.get(next(iter(states)), "")
    return _state_versions().get((found, _id_word(name)), found)


def _without_codes(text: str, codes: set[str]) -> str:
    for code in codes:
        text = re.sub(rf"\b{code}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def state_of_topic(topic_id: str) -> str | None:
    """The US state a topic is the version of ("texas_laws_and_rules" → "Texas"), else None."""
    from bot.domain.places import US_STATE_NAMES

    state = _states_of_versions().get(topic_id)
    return next((name for name in US_STATE_NAMES.values() if _id_word(name) == state), None)


@cache
def _states_of_versions() -> dict[str, str]:
    return {topic_id: state for (_, state), topic_id in _state_versions().items()}


def _id_word(name: str) -> str:
    """A state as topic ids spell it ("New York" → "new_york"; "of" kept, unlike fold)."""
    return re.sub(r"[^a-z]+", "_", name.lower()).strip("_")


@cache
def _state_versions() -> dict[tuple[str, str], str]:
    """(topic, state as in ids) → that state's narrower topic ("laws_and_rules", "texas" →
    "texas_laws_and_rules"; "opioid_prescribing", "texas" → "texas_opioid")."""
    from bot.domain.places import US_STATE_NAMES

    topics = vocabulary().topics
    versions: dict[tuple[str, str], str] = {}
    for state in (_id_word(name) for name in US_STATE_NAMES.values()):
        for topic_id in topics.ids:
            term = topics.get(topic_id)
            if term is None or not topic_id.startswith(state + "_"):
                continue
            for parent in term.parents:
                versions.setdefault((parent, state), topic_id)
    return versions


def misspelt_topic(word: str) -> str | None:
    """The topic one word misspells ("opiod" -> ``opioid_prescribing``), if only one fits."""
    return vocabulary().topics.misspelt(word)


def misspelt_topic_phrase(text: str) -> str | None:
    """The topic a phrase of several words misspells ("implicit bais"), if only one fits."""
    return vocabulary().topics.misspelt_phrase(text)


def suggest_topics(text: str, n: int = 3) -> list[str]:
    """Topic ids spelled like ``text``, for "did you mean ...?" replies."""
    return vocabulary().topics.suggest(text, n)


def expand(topics: Iterable[str]) -> frozenset[str]:
    """The topics plus every broader topic they count toward."""
    return vocabulary().topics.expand(topics)


def label(topic_id: str) -> str:
    """Human label of a topic id."""
    return vocabulary().topics.label(topic_id)


def topic_ids() -> tuple[str, ...]:
    return vocabulary().topics.ids


# -------------------------------------------------------------- category helpers
def normalize_category(text: str) -> str | None:
    """Canonical category id for "cat 1", "AMA PRA Category 1 Credit™", "1-A"...; else None."""
    return vocabulary().categories.normalize(text)


# A PA's "Category 1" is AAPA's (NCCPA's word), which AMA PRA Category 1 also counts as;
# read as AMA's, the PA's own AAPA credits would not count toward it (QA).
_PA_GENERIC = {"ama_pra_1": "aapa_1", "ama_pra_2": "aapa_2"}
_NAMES_AMA = re.compile(r"\b(?:ama|pra)\b", re.IGNORECASE)


def normalize_category_for(text: str, profession: str | None) -> str | None:
    """:func:`normalize_category`, with the profession's meaning of a bare "Category 1"."""
    category = normalize_category(text)
    if profession == "pa" and category in _PA_GENERIC and not _NAMES_AMA.search(text):
        return _PA_GENERIC[category]
    return category


def suggest_categories(text: str, n: int = 3) -> list[str]:
    return vocabulary().categories.suggest(text, n)


def category_label(category_id: str) -> str:
    return vocabulary().categories.label(category_id)


def category_unit(category_id: str) -> str:
    """ "credits", or what the category's amounts are called ("points" for ABIM MOC)."""
    return vocabulary().categories.unit(category_id)


def category_says(category_id: str) -> str:
    """How an amount of the category is said: "contact hours" for nurses' and pharmacists'
    CE, which count as credits (``category_unit``) toward what accepts them."""
    return vocabulary().categories.says(category_id)


def counts_as(category_id: str) -> frozenset[str]:
    """The category and every category it also counts as (AOA 1-A -> AMA PRA 1 -> ...)."""
    return vocabulary().categories.ancestors(category_id)


def qualifies(category_id: str, accepted: Iterable[str] | None) -> bool:
    """Whether ``category_id`` credit meets a requirement accepting ``accepted`` (None: any)."""
    if accepted is None:
        return True
    return not counts_as(category_id).isdisjoint(accepted)


def category_ids() -> tuple[str, ...]:
    return vocabulary().categories.ids


# ------------------------------------------------------------------ other helpers
def normalize_activity_type(text: str) -> str | None:
    return vocabulary().activity_types.normalize(text)


def expand_activity(activity_type: str | None) -> frozenset[str]:
    """The activity type and its groups (``rss`` -> ``live``); empty when unknown."""
    if not activity_type:
        return frozenset()
    return vocabulary().activity_types.ancestors(activity_type)


def activity_label(activity_type: str) -> str:
    return vocabulary().activity_types.label(activity_type)


def normalize_flag(text: str) -> str | None:
    return vocabulary().flags.normalize(text)


def flag_label(flag: str) -> str:
    return vocabulary().flags.label(flag)


def normalize_specialty(text: str) -> str | None:
    return vocabulary().specialties.normalize(text)


def normalize_profession(text: str) -> str | None:
    return vocabulary().professions.normalize(text)
