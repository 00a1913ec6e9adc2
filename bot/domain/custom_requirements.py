"""Requirements the rulebook does not know, typed by the clinician in one sentence.

"I need 40 credits by 2027-06-30, 2 of them ethics" becomes a :class:`Rule` with one
fixed window, so the same arithmetic, reminders and status apply as for shipped rules.
The parser is deliberately small (regular expressions and ``strptime``): it either
understands the sentence completely or says which part it could not read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.domain.activity_format import format_in_words
from bot.domain.cycles import add_months, month_end
from bot.domain.date_spelling import fix_date_spelling
from bot.domain.dates import is_impossible_date
from bot.domain.requirements import ActivityMinimum, CategoryMinimum, Mandate, RenewalRule, Rule
from bot.domain.topics import (
    activity_label,
    category_label,
    category_says,
    label,
    normalize_category_for,
    normalize_topic,
    state_of_topic,
    suggest_topics,
    vocabulary,
)

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"
    r"|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}-\d{1,2}-\d{4}"
    rf"|(?:end\s+of\s+)?(?:\d{{1,2}}{_ORD}\s+(?:of\s+)?)?\b(?:{_MONTHS})\b\.?(?:\s+\d{{1,2}}{_ORD})?,?"
    r"(?:\s+\d{4}|\s*['’‘]\d{2}\b)"  # "Dec '27" (QA round 9; ‘ from phones, review)
    r"|\b\d{1,2}/\d{4}\b"  # "12/2027": the month's last day
)
DATE_PATTERN = _DATE  # for callers that recognise such sentences before parsing them
_START_WORDS = r"from|since|starting(?:\s+on)?|beginning|start(?:ing)?\s+on|cycle\s+start(?:s|ed)?"
_DEADLINE_WORDS = (
    r"by|before|until|till|to|through|thru|ending|due(?:\s+by|\s+on)?|deadline"
    r"|no\s+later\s+than|on\s+or\s+before"
)
_DATED = re.compile(
    rf"(?:\b(?P<kw>{_START_WORDS}|{_DEADLINE_WORDS})\s+)?(?P<date>{_DATE})", re.IGNORECASE
)
_FORMATS = (
    "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%d.%m.%Y", "%B %d %Y",
    "%b %d %Y", "%d %B %Y", "%d %b %Y",
)  # fmt: skip
_MONTH_ONLY = ("%B %Y", "%b %Y", "%m/%Y")
_SEPARATORS = re.compile(
    r"\s*(?:[,;]|(?<!\d)\.(?=\s)|\bincluding\b|\bincl\.?|\bwith\b|\bof\s+which\b|\bplus\b"
    r"|\band\b)\s*",
    re.I,
)
_NUMBER = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<rest>.*)", re.S)
_FILLER = re.compile(
    r"^(?:of\s+them|of\s+these|of\s+those|contact\s+hours?|contact|hours?|hrs?|h|credits?|creds?"
    r"|points?|units?|ceus?|cne|cme|ce|of|in|on|for|must\s+be|in\s+the\s+area\s+of|should\s+be"
    r"|are|is)\b\s*",
    re.I,
)
_LEAD = re.compile(
    r"^\s*(?:(?:also|and|then|so|ok|okay|plus|but|now|well)[\s,]+)*(?:(?:please|pls)\s+)?"
    r"(?:(?:i|we)\s+)?(?:(?:also|still|really|will|now)\s+)*"
    r"(?:needs?|must\s+(?:do|earn|get)|have\s+to\s+(?:do|earn|get)"
    r"|(?:track|add|remember)(?:\s+that)?(?:\s+i\s+need)?)\b",
    re.I,
)  # "please track 40 credits by …" (review) as "I need 40 credits by …"
# "California BRN: I need ..." or "Furnishing number needs ...": the requirement's name.
_NAMED = re.compile(
    r"^\s*(?P<name>[^:,\d]{2,60}?)\s*"
    r"(?::|\b(?=needs?\b|requires?\b)|,(?=\s*\d)|\s[-–—](?=\s*\d))\s*",
    re.I,
)  # "Ohio RN, 24 contact hours ..." and "Ohio PA license - 100 hrs ..." too (QA rounds 7, 8)
# "Georgia 40 category 1 credits by Dec 2027": a capitalised name right before the amount
# (QA round 9: refused as a licence "I don't have rules for").
# "My Texas APRN license renews every 2 years, …": the name before "renews" (QA round 11:
# "renews every" was read into the name, "2 years" as the amount).
_NAMED_RENEWS = re.compile(
    r"^\s*(?:my\s+)?(?P<name>[^:,\d]{2,60}?)\s+(?=(?:renews?|expires?|is\s+due|comes\s+due)\b)",
    re.I,
)
_NAMED_BEFORE_NUMBER = re.compile(r"^\s*(?P<name>[A-Z][^:,\d]{1,40}?)\s+(?=\d)")
_LICENCE_WORDS = re.compile(
    r"\b(?:[A-Z]{2,6}|licen[cs]e|board|registration|certification|permit)\b"
)


# "30 hours for my Georgia licence by Dec 2027": the name after "for" (sandbox: refused as
# the topic "for my Georgia licence").
_FOR_NAME = re.compile(
    r"\s*\bfor\s+(?:(?:my|the|our|a|an)\s+)?(?P<name>[a-z][a-z .'&/-]{1,50}?)"
    r"(?=\s*(?:[,;:]|\.?\s*$|\s\d|\b(?:by|before|until|till|due|every|from|since|starting"
    r"|renews?|which|that|including|incl|with|plus|of\s+which|and)\b))",
    re.I,
)
_LICENCE_NOUNS = re.compile(r"\b(?:licen[cs]e|board|registration|certification|permit)\b", re.I)


def _name_after_for(text: str) -> re.Match[str] | None:
    """ "for my Georgia licence", "for Gerogia", "for the Ohio RN": a "for" naming a state
    or a licence; "for ethics" is a topic and stays."""
    from bot.domain.places import spell_state_names, states_named_in

    for found in _FOR_NAME.finditer(text):
        name = found.group("name")
        if states_named_in(spell_state_names(name)) or _LICENCE_NOUNS.search(name):
            return found
        if _LICENCE_WORDS.search(name):  # "for the RN": capitals as typed
            return found
    return None


def _name_before_number(text: str) -> re.Match[str] | None:
    """A name before the amount only when it names a state or reads as a licence's
    ("Georgia", "GA Composite Board", "Ohio RN"): "I have to do 40 credits" is not one
    (review)."""
    from bot.domain.places import states_named_in  # the place module is large

    named = _NAMED_BEFORE_NUMBER.match(text)
    if named is None:
        return None
    name = named.group("name")
    return named if states_named_in(name) or _LICENCE_WORDS.search(name) else None


_NOT_A_NAME = frozenset({
    "i", "we", "my", "i still", "i will", "i'll", "hi", "hello", "hey", "ok", "okay", "so",
    "also", "and", "then", "please", "by", "before", "until", "i need", "we need", "need",
    "i have", "i must", "i still need",
})  # fmt: skip
_SPEAKER_AFTER_NAME = re.compile(r"\s*[-–—,]\s*(?:i|we)(?:\s+(?:also|still|really))*\s*$", re.I)
# "every 2 years", "biennially": the window's length, from the deadline back.
_EVERY = re.compile(
    r"\b(?:every\s+(?P<n>\d+)\s+(?:years?|yrs?)|every\s+(?:year|yr)|annually|yearly|biennial(?:ly)?"
    r"|triennial(?:ly)?|(?:per|a|each)\s+(?P<m>\d+)[-\s]year\s+(?:cycle|period))\b",
    re.I,
)
# Words around the date that say nothing more ("renewal on my birthday March 14 2030").
_NOISE_WORDS = frozenset({
    "renewal", "renewals", "renew", "renews", "renewing", "on", "my", "birthday", "due",
    "expires", "expire", "expiring", "license", "licence", "is", "it", "the", "date",
    "deadline", "cycle", "by", "and", "which", "every",
})  # fmt: skip
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "twenty-five": 25, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b",
                          re.I)  # fmt: skip


CUSTOM_SOURCE = "entered by you"
"""The source of a described requirement's rule: shown as "as you described it on …"."""


@dataclass(frozen=True, slots=True)
class CustomRequirementSpec:
    """A clinician's own requirement: a total by a deadline, with optional minimums."""

    total: Decimal
    deadline: date
    cycle_start: date | None = None
    total_category: str | None = None  # "40 cat 1": only this category counts
    topic_minimums: tuple[tuple[str, Decimal], ...] = ()
    category_minimums: tuple[tuple[str, Decimal], ...] = ()
    title: str = ""
    name: str = ""  # what the clinician called it ("California BRN"), for its label
    every_months: int | None = None  # said to recur ("every 2 years"); None: a one-off
    unit_word: str = "credits"  # as the total was given: a nurse's "24 contact hours"
    # "10 of them live": hours of a format (activity type), e.g. Florida pharmacists' live
    # hours (QA round 13: "I don't know the topic 'live'").
    activity_minimums: tuple[tuple[str, Decimal], ...] = ()
    # Phrases naming a state whose topic has no version of that state ("Texas ethics" is
    # Ethics): said at set-up, not stored.
    generalised: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def start(self) -> date:
        """The given start, else two years before the deadline (the common cycle)."""
        return self.cycle_start or add_months(self.deadline, -24) + timedelta(days=1)

    @property
    def months(self) -> int:
        """The window's length in whole months (24 for the default two years)."""
        return max(1, round((self.deadline - self.start).days / 30.44))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form for storing with the licence."""
        return {
            "total": str(self.total),
            "deadline": self.deadline.isoformat(),
            "cycle_start": self.cycle_start.isoformat() if self.cycle_start else None,
            "total_category": self.total_category,
            "topic_minimums": {t: str(h) for t, h in self.topic_minimums},
            "category_minimums": {c: str(h) for c, h in self.category_minimums},
            "title": self.title,
            "name": self.name,
            "every_months": self.every_months,
            "unit_word": self.unit_word,
            "activity_minimums": {a: str(h) for a, h in self.activity_minimums},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CustomRequirementSpec:
        """Inverse of :meth:`to_dict`; raises ValueError on unknown topics or categories."""
        vocab = vocabulary()
        topics = tuple((t, Decimal(h)) for t, h in (data.get("topic_minimums") or {}).items())
        cats = tuple((c, Decimal(h)) for c, h in (data.get("category_minimums") or {}).items())
        for topic, _ in topics:
            if topic not in vocab.topics:
                raise ValueError(f"unknown topic {topic!r}")
        acts = tuple(
            (a, Decimal(h)) for a, h in (data.get("activity_minimums") or {}).items()
        )
        for activity_type, _ in acts:
            if activity_type not in vocab.activity_types:
                raise ValueError(f"unknown activity type {activity_type!r}")
        total_category = data.get("total_category")
        for category in [c for c, _ in cats] + ([total_category] if total_category else []):
            if category not in vocab.categories:
                raise ValueError(f"unknown category {category!r}")
        start = data.get("cycle_start")
        return cls(
            total=Decimal(data["total"]),
            deadline=date.fromisoformat(data["deadline"]),
            cycle_start=date.fromisoformat(start) if start else None,
            total_category=total_category,
            topic_minimums=topics,
            category_minimums=cats,
            title=data.get("title") or "",
            name=data.get("name") or "",
            every_months=int(data["every_months"]) if data.get("every_months") else None,
            unit_word=data.get("unit_word") if data.get("unit_word") in UNIT_WORDS else "credits",
            activity_minimums=acts,
        )

    def _renewal(self, start: date) -> RenewalRule:
        """One window for a one-off; a requirement said to recur ("every year") moves on
        cycle by cycle from the deadline given, as a shipped rule does (QA round 10: it
        stayed overdue after its deadline, new credits counted nowhere)."""
        if self.every_months:
            return RenewalRule(
                kind="explicit",
                description=f"every {self.every_months} months from {self.deadline.isoformat()}",
            )
        return RenewalRule(
            kind="fixed_window",
            window_start=start,
            window_end=self.deadline,
            description=f"{start.isoformat()} to {self.deadline.isoformat()}",
        )

    def to_rule(self, rule_id: str = "custom", entered_on: date | None = None) -> Rule:
        """The spec as a one-window :class:`Rule` for the ordinary arithmetic."""
        start = self.start
        months = self.months
        # Which credit counts, when not any (QA round 9: "40 credits" for Category 1 only).
        what = (
            _plural(category_label(self.total_category), self.total)
            if self.total_category else self.unit_word
        )  # fmt: skip
        # A recurring one by its rhythm: a window's dates went stale once it moved on (QA
        # round 11: "from Apr 1, 2025 to Mar 31, 2027" above "Due Mar 31, 2029").
        window = (
            _every(self.every_months) if self.every_months
            else f"from {_day(start)} to {_day(self.deadline)}"
        )  # fmt: skip
        title = self.title or f"{self.total} {what} {window}"
        return Rule(
            id=rule_id,
            title=title,
            jurisdiction="custom",
            board="your own requirement",
            kind="custom",
            professions=(),
            total=self.total,
            cycle_months=self.every_months or months,
            renewal=self._renewal(start),
            source=CUSTOM_SOURCE,
            checked=entered_on or start,
            unit_label="" if self.unit_word == "credits" else self.unit_word,
            total_categories=(self.total_category,) if self.total_category else None,
            category_minimums=tuple(CategoryMinimum(c, h) for c, h in self.category_minimums),
            activity_minimums=tuple(
                ActivityMinimum(a, h, label=_activity_minimum_label(a))
                for a, h in self.activity_minimums
            ),
            mandates=tuple(
                Mandate(id=f"custom-{topic}", title=label(topic), topics=frozenset({topic}),
                        hours=hours, notes=_state_note(topic))
                for topic, hours in self.topic_minimums
            ),
        )  # fmt: skip


def _state_note(topic: str) -> str:
    """For a state's version of a topic: only a course on that state's counts (QA round 13:
    a Florida pharmacy-law course counted toward Texas's hour), and how to log one."""
    state = state_of_topic(topic)
    if state is None:
        return ""
    example = STATE_LAW_EXAMPLE.format(state=state) if topic.endswith("_laws_and_rules") else ""
    return STATE_TOPIC_NOTE.format(state=state, example=example)


STATE_TOPIC_NOTE = (
    "Only a course specific to {state} counts (not another state's, nor one naming no "
    "state): put “{state}” in what you log{example}."
)
STATE_LAW_EXAMPLE = ", e.g. “1 hour {state} laws and rules”"


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """Why a sentence was not understood; ``reason`` is stable, ``message`` is for people."""

    reason: str  # no_amount | no_deadline | bad_date | unknown_topic | bad_window
    message: str
    suggestions: tuple[str, ...] = ()
    phrase: str = ""  # the words not understood, as read ("pharmacolgy")


def parse_date(text: str) -> date | None:
    """ISO, US slashes, dotted European, and month-name dates; "June 2027" is its last day."""
    raw = " ".join(fix_date_spelling(text).split())
    raw = re.sub(r"\s*['’‘](\d{2})$", r" 20\1", raw)  # "Dec '27": 2027
    day_first = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw)
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", raw) or (
        day_first and int(day_first.group(1)) > 12  # "31/01/2028" can only be day first
    ):
        raw = raw.replace(".", "/")
        formats: tuple[str, ...] = ("%d/%m/%Y",)
    else:
        raw = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", raw, flags=re.I)
        raw = re.sub(r"\b(?:end\s+of|of|the)\b|[,.]", " ", raw, flags=re.I)
        raw = re.sub(r"\bsept\b", "sep", " ".join(raw.split()), flags=re.I)
        formats = _FORMATS
    for fmt in formats:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    for fmt in _MONTH_ONLY:
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return month_end(parsed.year, parsed.month)
    return None


def _date_problem(text: str) -> str:
    if is_impossible_date(text):
        return f"“{text}” is not a real date."
    return f"I could not read the date “{text}”."


def parse_custom_requirement(
    text: str, profession: str | None = None
) -> CustomRequirementSpec | ParseFailure:
    """Read "40 credits by 2027-06-30, 2 of them ethics" and similar sentences: also
    "California BRN: 30 contact hours every 2 years, renews March 14 2030, 2 of them
    implicit bias" (a name, a cycle length, "all of them ethics")."""
    from bot.domain.places import spell_state_names

    # "Also I need …" read as "I need …" before any name is looked for (sandbox: saved as
    # the requirement "Also I")
    text = _LEAD.sub("", fix_date_spelling(text), count=1)
    name = ""
    named = _NAMED.match(text) or _NAMED_RENEWS.match(text) or _name_before_number(text)
    if named and named.group("name").strip().lower() not in _NOT_A_NAME:
        name = named.group("name").strip()
        text = text[named.end() :]
    elif (named := _name_after_for(text)) is not None:
        # "for my license" names nothing more than the default label does.
        name = "" if _LICENCE_NOUNS.fullmatch(named.group("name").strip()) else named["name"]
        text = f"{text[: named.start()]} {text[named.end() :]}"
    # "Texas RN license - I need …": the speaker after a dash is not in the name (QA round 11)
    name = spell_state_names(_SPEAKER_AFTER_NAME.sub("", name))
    deadline = start = None
    rest = text
    for match in list(_DATED.finditer(text)):
        when = parse_date(match.group("date"))
        if when is None:
            return ParseFailure("bad_date", _date_problem(match.group("date")))
        keyword = (match.group("kw") or "").lower()
        if keyword and re.match(_START_WORDS, keyword):
            start = when
        elif deadline is None:
            deadline = when
        rest = rest.replace(match.group(0), " ; ", 1)
    if deadline is None:
        return ParseFailure("no_deadline", "By when? Add a date, e.g. 'by 2027-06-30'.")
    if start is not None and start >= deadline:
        return ParseFailure("bad_window", "The start date must be before the deadline.")
    rest = _WORD_NUMBER.sub(lambda m: str(_WORD_NUMBERS[m.group(1).lower()]), _LEAD.sub("", rest))
    every_months = None
    if (every := _EVERY.search(rest)) is not None:
        every_months = _cycle_months(every)
        if start is None:
            start = add_months(deadline, -every_months) + timedelta(days=1)
        rest = rest[: every.start()] + " ; " + rest[every.end() :]
    parts = _parts(rest)
    if not parts:
        return ParseFailure("no_amount", "How many credits? e.g. '40 credits by 2027-06-30'.")
    (total, total_phrase), extras = parts[0], parts[1:]
    unit_word = _unit_word(rest, total)
    extras = [(total if amount == _ALL else amount, phrase) for amount, phrase in extras]
    total_category = normalize_category_for(total_phrase, profession) if total_phrase else None
    topics: dict[str, Decimal] = {}
    generalised: list[tuple[str, str]] = []
    if total_phrase and total_category is None:  # "40 ethics credits": all of them on a topic
        topic = normalize_topic(total_phrase)
        if topic is None:
            return _unknown(total_phrase)
        topics[topic] = total
        generalised += _generalised(total_phrase, topic)
    categories: dict[str, Decimal] = {}
    formats: dict[str, Decimal] = {}
    for amount, phrase in extras:
        category = normalize_category_for(phrase, profession) if phrase else None
        topic = None if category else normalize_topic(phrase)
        said_format = None if category or topic else _format_alone(phrase)
        if category:
            categories[category] = categories.get(category, Decimal(0)) + amount
        elif topic:
            topics[topic] = topics.get(topic, Decimal(0)) + amount
            generalised += _generalised(phrase, topic)
        elif said_format:
            formats[said_format] = formats.get(said_format, Decimal(0)) + amount
        else:
            return _unknown(phrase)
    if any(hours > total for hours in formats.values()):
        return ParseFailure(
            "bad_window", f"More {unit_word} of one format than the {total} in all: check them."
        )
    return CustomRequirementSpec(
        total=total,
        deadline=deadline,
        cycle_start=start,
        total_category=total_category,
        topic_minimums=tuple(topics.items()),
        category_minimums=tuple(categories.items()),
        name=name,
        every_months=every_months,
        unit_word=unit_word,
        activity_minimums=tuple(formats.items()),
        generalised=tuple(generalised),
    )


def _format_alone(phrase: str) -> str | None:
    """The format a phrase names when that is all it says ("live", "in person", "live
    activities"): "live ethics" is no format minimum."""
    words = re.findall(r"[\w'’-]+", phrase)
    said = format_in_words(words)
    rest = [w for i, w in enumerate(words) if i not in said.format_words]
    rest = [w for w in rest if w.lower() not in ("activity", "activities", "programs", "cpe")]
    return said.activity_type if said.activity_type and not rest else None


def _activity_minimum_label(activity_type: str) -> str:
    """ "Live activities" for the status line "Live activities: 4 of 10"."""
    return "Live activities" if activity_type == "live" else activity_label(activity_type)


def _generalised(phrase: str, topic: str) -> list[tuple[str, str]]:
    """[(phrase, topic)] when the phrase names a state the topic is not a version of."""
    from bot.domain.places import state_codes_in, states_named_in

    named = states_named_in(phrase) or state_codes_in(phrase)
    return [(phrase, topic)] if named and state_of_topic(topic) is None else []


UNIT_WORDS = ("credits", "hours", "contact hours")
_TOTAL_UNIT = r"\s*(?P<unit>contact\s+hours?|hours?|hrs?|h)\b"


def _unit_word(text: str, total: Decimal) -> str:
    """How the total was counted: "24 contact hours" stays in contact hours, "30 hours"
    in hours (QA: a nurse's hours were called credits); anything else in credits."""
    number = re.escape(f"{total:f}")
    found = re.search(rf"(?<![\d.]){number}(?:\.0+)?{_TOTAL_UNIT}", text, re.IGNORECASE)
    if found is None:
        return "credits"
    return "contact hours" if found["unit"].lower().startswith("contact") else "hours"


def current_cycle(spec: CustomRequirementSpec, today: date) -> CustomRequirementSpec:
    """A recurring requirement whose deadline has passed, moved on whole cycles to the
    first deadline on or after ``today`` (as a shipped rule's cycle moves on): "renews
    every 2 years, March 14 2024" means March 14 2026 now. One-offs are kept as given."""
    if spec.every_months is None or spec.deadline >= today:
        return spec
    steps = 1
    while add_months(spec.deadline, steps * spec.every_months) < today:
        steps += 1
    months = steps * spec.every_months
    deadline = add_months(spec.deadline, months)  # from the given day: no month-end drift
    start = add_months(spec.start, months) if spec.cycle_start else None
    return replace(spec, deadline=deadline, cycle_start=start)


def _cycle_months(every: re.Match[str]) -> int:
    said = every.group(0).lower()
    years = every.group("n") or every.group("m")
    if years:
        return 12 * max(1, min(int(years), 10))
    if said.startswith("bienn"):
        return 24
    if said.startswith("trienn"):
        return 36
    return 12


_ALL = Decimal(-1)
"""Amount of "all of them pharmacology": the total, known once every part is read."""
_ALL_OF = re.compile(r"^all\b(?:\s+of\s+(?:them|these|those|it))?\s*(?P<rest>.*)", re.I | re.S)


def _parts(text: str) -> list[tuple[Decimal, str]]:
    """(amount, phrase) pieces; a piece without a number continues the previous phrase."""
    parts: list[tuple[Decimal, str]] = []
    for raw in _SEPARATORS.split(text):
        piece = _LEAD.sub("", raw).strip(" .:")  # "…, next is 2027-03-31. I need 20 hours"
        if not piece:
            continue
        match = _NUMBER.search(piece)
        if match is None:
            if parts and (every := _ALL_OF.match(piece)):  # "all of them pharmacology"
                parts.append((_ALL, _phrase(every.group("rest"))))
            elif parts and not _is_noise(piece):  # "2 hiv and aids" split on "and": glued
                amount, phrase = parts[-1]
                parts[-1] = (amount, f"{phrase} and {piece}".strip())
            continue
        amount = Decimal(match.group("n"))
        if amount > 0:
            phrase = _phrase(match.group("rest")) or _phrase(piece[: match.start()])
            parts.append((amount, phrase))
    return parts


def _is_noise(piece: str) -> bool:
    return all(word in _NOISE_WORDS for word in re.findall(r"[a-z']+", piece.lower()))


def _phrase(text: str) -> str:
    """Strip "of them", "hours", "credits of" ... so only the topic or category remains."""
    previous = None
    text = text.strip(" .")
    while previous != text:
        previous, text = text, _FILLER.sub("", text).strip(" .")
    text = re.sub(r"\s+(?:contact\s+)?(?:hours?|hrs?|credits?|points?|cme)$", "", text, flags=re.I)
    return text.strip()


def _unknown(phrase: str) -> ParseFailure:
    hints = tuple(suggest_topics(phrase))
    named = ", ".join(label(h) for h in hints)
    # QA: "pharmacology" was refused with no word of what is known.
    hint = f" Did you mean {named}?" if hints else f" Topics I know include {_SOME_TOPICS}."
    return ParseFailure(
        "unknown_topic", f"I don't know the topic {phrase!r}.{hint}", hints, phrase=phrase
    )


_SOME_TOPICS = (
    "ethics, opioid prescribing, pain management, pharmacology, patient safety, medical "
    "errors, implicit bias, human trafficking, infection control and state laws and rules"
)


def describe(spec: CustomRequirementSpec) -> str:
    """One line restating what was understood, for confirmation in the chat."""
    what = (
        _plural(category_label(spec.total_category), spec.total)
        if spec.total_category else spec.unit_word
    )  # fmt: skip
    line = f"{spec.total} {what} from {_day(spec.start)} to {_day(spec.deadline)}"
    extras = [f"{_in_units(h, spec.unit_word)}{label(t)}" for t, h in spec.topic_minimums]
    extras += [_category_said(c, h) for c, h in spec.category_minimums]
    extras += [f"{_in_units(h, spec.unit_word)}{_activity_minimum_label(a).lower()}"
               for a, h in spec.activity_minimums]  # fmt: skip
    return line + (", including " + ", ".join(extras) if extras else "")


def _in_units(amount: Decimal, unit_word: str) -> str:
    """ "2 " before a topic in credits ("2 Medical ethics"), "1 contact hour of " in hours."""
    if unit_word == "credits":
        return f"{amount} "
    return f"{amount} {unit_word.removesuffix('s') if amount == 1 else unit_word} of "


def _category_said(category: str, amount: Decimal) -> str:
    """ "20 AMA PRA Category 1 Credits", "24 contact hours of ACPE pharmacy CE" (QA round 13:
    "24 ACPE pharmacy CE", no unit)."""
    name, unit = category_label(category), category_says(category)
    if name.endswith("Credit") or unit == "credits":  # "50 AAPA Category 1 CME"
        return f"{amount} {_plural(name, amount)}"
    return f"{amount} {unit.removesuffix('s') if amount == 1 else unit} of {name}"


def _plural(name: str, amount: Decimal) -> str:
    """ "50 AMA PRA Category 1 Credits" (QA: "50 … Credit")."""
    return name + "s" if name.endswith("Credit") and amount != 1 else name


def _every(months: int) -> str:
    return "every year" if months == 12 else f"every {months // 12} years"


def _day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def next_window_deadline(spec: CustomRequirementSpec) -> date:
    """The deadline of a window as long as this one, right after it ("same again")."""
    return add_months(spec.deadline, spec.months)
