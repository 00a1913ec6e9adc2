"""Understanding one-line credit logs: "/log 2.5 opioid "Safe prescribing" yesterday",
"I did 3 credits of ethics on Nov 3", "log 1 hour cat 2 grand rounds".

Pure: returns a draft for the chat to confirm, or a problem saying what was wrong.
Dates go through the one dateparser wrapper, preferring the past (the activity is done).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.domain import dates, topics
from bot.domain.activity_format import UAN_INCOMPLETE, find_uan, format_in_words, uan_format
from bot.domain.numbers import CEUS, ceus_in, leading_word_as_digits, spoken_amounts
from bot.domain.state_approved import state_approved

MAX_CREDITS_PER_ENTRY = Decimal(100)
MAX_TITLE = 200

_LEAD = re.compile(
    r"^\s*(?:/log(?:@\w+)?|l+o+g+|lgo|add|i\s+(?:just\s+)?(?:did|completed|finished|earned|got|attended|"
    r"took|have\s+done|logged)|please\s+log|record)\b[\s:,]*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,300})[\"“”«»]|'([^']{2,300})'")
_AMOUNT = re.compile(
    r"(?<![\w.])(-?\d+(?:[.,]\d+)?|-?[.,]\d+)\s*"
    r"(credits?|creds?|crs?|hours?|hrs?|h|points?|pts|contact\s+(?:hours?|hrs?)|ce|cme|units?)?"
    r"(?![\w.])",
    re.IGNORECASE,
)
_FILLER = frozenset(
    {
        "a", "an", "the", "of", "on", "in", "at", "for", "about", "from", "with", "and", "to",
        "credit", "credits", "hour", "hours", "hr", "hrs", "h", "cme", "ce", "points", "point",
        "pts", "units", "unit", "course", "courses", "activity", "session", "topic", "category",
        "cat", "i", "my", "did", "completed", "earned", "got", "just", "today", "worth",
        # a sentence around it: "hi, ... I earned 12 credits there, can you log that for me"
        "hi", "hello", "hey", "back", "there", "ended", "can", "could", "you", "that", "this",
        "it", "me", "please", "log", "record",
        # QA round 9: "logged 2 cred …" was titled "logged", "pls log …" "pls grand rounds"
        "logged", "pls", "plz", "cred", "creds", "cr", "crs", "attended", "finished", "took",
        "contact", "live",  # QA round 10: "1.5 ANCC contact hours …" was titled "contact"
        "went",  # "I went to a 3 day conference last week, got 12 hours" (QA, an NP)
    }
)  # fmt: skip
_MAX_NGRAM = 5
_TRAILING_YEAR = re.compile(r"(?<![\w./-])((?:19|20)\d\d)\s*[.!]?\s*$")


@dataclass(frozen=True, slots=True)
class LogDraft:
    """What was understood, for the clinician to confirm or fix."""

    amount: Decimal
    completed_on: date
    category: str
    topics: tuple[str, ...] = ()
    title: str = ""
    provider: str | None = None
    date_given: bool = True
    category_given: bool = False
    topic_suggestions: tuple[str, ...] = field(default=())
    unread: str = ""  # words beside a quoted title that fit nothing ("ethcs", "Febuary 31")
    also: tuple[tuple[Decimal, str], ...] = ()  # the same activity's other credit types
    ceus: str = ""  # the amount was given in CEUs (this many), converted to hours
    # Hours of the amount on a topic of their own ("18 contact hours including 6
    # pharmacology"): (amount, topics), each logged as an entry of its own.
    parts: tuple[tuple[Decimal, tuple[str, ...]], ...] = ()
    rounded: str = ""  # the amount as typed, when it had more than two decimals ("1.234")
    activity_type: str | None = None  # how it was attended (vocabulary id): "live", "enduring"
    uan: str = ""  # the ACPE Universal Activity Number, for audits

    @property
    def kinds(self) -> list[tuple[Decimal, str]]:
        """(amount, category) of each kind of credit the activity gave, this one first."""
        return [(self.amount, self.category), *self.also]

    @property
    def rest(self) -> Decimal:
        """The amount not in a part: what the entry with the activity's own topics gets."""
        return self.amount - sum((amount for amount, _ in self.parts), Decimal(0))

    @property
    def pieces(self) -> list[tuple[Decimal, tuple[str, ...]]]:
        """(amount, topics) of each entry the activity is logged as: the rest with its own
        topics, then each part with its topic and the activity's (a part of a geriatrics
        conference on pharmacology is geriatrics too)."""
        own = tuple(sorted(set(self.topics)))
        rest = [(self.rest, own)] if self.rest > 0 else []  # "6 ethics and 12 pharmacology"
        return rest + [
            (amount, tuple(sorted({*self.topics, *named}))) for amount, named in self.parts
        ]

    def with_(self, **changes: object) -> LogDraft:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class LogProblem:
    """Why the line could not become an entry; ``reason`` is stable for texts and tests."""

    reason: str  # no_amount | bad_amount | zero | negative | too_many | date_* | no_text
    #              | several_activities | part_too_big | part_with_kinds
    detail: str = ""
    suggestions: tuple[str, ...] = ()
    unit: str = "credits"  # what the amount counts ("points": "Zero points can't ...")


def parse_amount(text: str) -> Decimal | LogProblem:
    """A credit amount on its own ("2.5", "1,5", "3 hours", "twelve")."""
    match = _AMOUNT.fullmatch(leading_word_as_digits(text.strip()))
    if not match:
        return LogProblem("bad_amount", text.strip()[:40])
    return _checked_amount(match.group(1), match.group(2) or "")


def _checked_amount(raw: str, unit_word: str = "") -> Decimal | LogProblem:
    said = " ".join(unit_word.lower().split())
    unit = (
        "points" if said in _POINT_WORDS
        else "contact hours" if said.startswith("contact")  # QA round 10: "5000 credits"
        else "hours" if said in ("h", "hr", "hrs", "hour", "hours")
        else "credits"
    )  # fmt: skip
    try:
        amount = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return LogProblem("bad_amount", raw, unit=unit)
    if not amount.is_finite():
        return LogProblem("bad_amount", raw, unit=unit)
    if amount < 0:
        return LogProblem("negative", raw, unit=unit)
    if amount > 2 * MAX_CREDITS_PER_ENTRY:  # before rounding: 40 nines exceed its precision
        return LogProblem("too_many", raw, unit=unit)
    # Stored in hundredths, rounded half up: 0.001 was saved as "0 credits" (QA).
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount == 0:
        return LogProblem("zero", raw, unit=unit)
    if amount > MAX_CREDITS_PER_ENTRY:
        return LogProblem("too_many", raw, unit=unit)
    return amount


def rounded_from(typed: str, amount: Decimal) -> str:
    """What was typed, when the amount kept is that rounded to hundredths ("1.234" →
    1.23), so the chat says so (QA: 1.23 was proposed without a word); else ""."""
    try:
        exact = Decimal(typed.strip().replace(",", "."))
    except InvalidOperation:
        return ""
    return typed.strip() if exact.is_finite() and exact != amount else ""


def parse_log_date(text: str, now: datetime, tz: ZoneInfo | str) -> date | LogProblem:
    """A completion date: in the past (or today), not before 1980."""
    parsed = dates.check_past_date(text, now, tz)
    if parsed.ok and parsed.value is not None:
        return parsed.value
    reason = parsed.reason.value if parsed.reason else "unparseable"
    return LogProblem(f"date_{reason}", text.strip()[:60])


def _spans(words: list[str]) -> list[tuple[int, int]]:
    return [
        (start, start + size)
        for size in range(min(_MAX_NGRAM, len(words)), 0, -1)
        for start in range(0, len(words) - size + 1)
    ]


def _take_terms(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Pull category and topic phrases out of the words (longest phrases first)."""
    used = [False] * len(words)
    found_topics: list[str] = []
    found_categories: list[str] = []
    for start, end in _spans(words):
        if any(used[start:end]):
            continue
        phrase = " ".join(words[start:end])
        if end - start == 1 and phrase.lower() in _FILLER:
            continue
        category = topics.normalize_category(phrase)
        topic = None if category else topics.normalize_topic(phrase)
        if category and category not in found_categories:
            found_categories.append(category)
        elif topic and topic not in found_topics:
            found_topics.append(topic)
        else:
            continue
        used[start:end] = [True] * (end - start)
    rest = [word for word, taken in zip(words, used, strict=True) if not taken]
    return found_topics, found_categories, rest


_UNIT_WORDS = ("credits", "credit", "points", "point", "hours", "hour")
_POINT_WORDS = frozenset({"point", "points", "pts"})
_POINTS_NAMED = re.compile(r"\b(?:" + "|".join(_POINT_WORDS) + r")\b", re.IGNORECASE)


def _points_categories() -> list[str]:
    """The credit categories counted in points (ABIM MOC): what a bare "points" means."""
    return [c for c in topics.category_ids() if topics.category_unit(c) == "points"]


def _misspelt_unit(word: str) -> str | None:
    """ "pionts" → "points", "credts" → "credits"; None for other words. The first letter
    must agree ("joints" is not "points") and the word must not be a known term."""
    lowered = word.lower()
    if len(lowered) < 4 or not lowered.isalpha():
        return None
    close = difflib.get_close_matches(lowered, _UNIT_WORDS, n=1, cutoff=0.8)
    if not close or close[0][0] != lowered[0] or topics.normalize_topic(lowered):
        return None
    return close[0]


@dataclass(frozen=True, slots=True)
class _SeveralTypes:
    pairs: list[tuple[Decimal, str]]  # (amount, category) in the order written
    rest: str  # the line without its amounts (category words stay, for the title to skip)


_WORDS = re.compile(r"[\w'’./+-]+")


def _several_credit_types(body: str) -> _SeveralTypes | LogProblem | None:
    """Two or more amounts, each with its own credit type: "1 cat 1 credit and 1 MOC point",
    "cat 1: 2 credits, moc: 2 points". None when the line is not like that (then the
    first amount is the amount, as always)."""
    words = [(m.start(), m.end(), m.group()) for m in _WORDS.finditer(body)]
    if len(words) < 4:
        return None
    spans = _category_spans(words)
    named = {category for _, _, category in spans}
    if len(named) < 2 and not any(w.lower() in _POINT_WORDS for _, _, w in words):
        return None
    masked = list(body)  # "cat 1" must not be read as an amount of 1
    for start, end, _ in spans:
        masked[start:end] = " " * (end - start)
    amounts = list(_AMOUNT.finditer("".join(masked)))
    if len(amounts) < 2:
        return None
    before = bool(spans) and spans[0][0] < amounts[0].start()  # "cat 1: 2 credits, …"
    pairs: list[tuple[Decimal, str]] = []
    for i, match in enumerate(amounts):
        if before:
            low = amounts[i - 1].end() if i else 0
            high = match.start()
        else:
            low = match.start()
            high = amounts[i + 1].start() if i + 1 < len(amounts) else len(body)
        inside = [category for start, _, category in spans if low <= start < high]
        if not inside and (match.group(2) or "").lower() in _POINT_WORDS:
            inside = _points_categories()
        if not inside:
            return None
        amount = _checked_amount(match.group(1), match.group(2) or "")
        if isinstance(amount, LogProblem):
            return amount
        pairs.append((amount, inside[0]))
    if len({category for _, category in pairs}) != len(pairs):
        return None
    rest = list(body)
    for match in amounts:
        rest[match.start() : match.end()] = " " * (match.end() - match.start())
    return _SeveralTypes(pairs, "".join(rest))


def _category_spans(words: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Where credit types are named: (start, end, category), longest phrases first taken."""
    used = [False] * len(words)
    spans: list[tuple[int, int, str]] = []
    for start, end in _spans([w for _, _, w in words]):
        if any(used[start:end]):
            continue
        if end - start == 1 and words[start][2].lower() in _FILLER:
            continue
        category = topics.normalize_category(" ".join(w for _, _, w in words[start:end]))
        if category:
            spans.append((words[start][0], words[end - 1][1], category))
            used[start:end] = [True] * (end - start)
    return sorted(spans)


def parse_log_line(
    text: str, now: datetime, tz: ZoneInfo | str, *, default_category: str
) -> LogDraft | LogProblem:
    """Understand one line describing credits earned."""
    uan = uan_unread = ""
    if (found_uan := find_uan(text)) is not None:  # its digits are no amount, date or title
        uan = found_uan.group("uan").upper()
        text = text[: found_uan.start()] + " " + text[found_uan.end() :]
    elif (partial := UAN_INCOMPLETE.search(text)) is not None:  # said unread, not a date
        uan_unread = partial.group(0)
        text = text[: partial.start()] + " " + text[partial.end() :]
    body = _number_word_first(_LEAD.sub("", spoken_amounts(text.strip()), count=1))
    body = _leading_fraction(body)
    title = ""
    quoted = _QUOTED.search(body)
    if quoted:
        title = (quoted.group(1) or quoted.group(2) or "").strip()
        body = body[: quoted.start()] + " " + body[quoted.end() :]

    completed_on: date | None = None
    match = _date_phrase(body)
    if match is None and (year := _TRAILING_YEAR.search(body)):
        # "/log 2 ethics 1999": a year, not a title, and not a day (QA: titled "1999")
        return LogProblem("date_needs_day", year.group(1))
    if match is not None:
        when = parse_log_date(match.phrase, now, tz)
        if isinstance(when, LogProblem):
            return when
        completed_on = when
        body = match.remainder
    elif (unread := _unread_date(body)) is not None:
        return unread

    parts, body = _parts_on_topics(body)
    dual = _several_credit_types(body)
    also: tuple[tuple[Decimal, str], ...] = ()
    rounded = ""
    if parts and dual is not None:
        return LogProblem("part_with_kinds", topics.label(parts[0][1][0]))
    if dual is not None:  # "1 cat 1 credit and 1 MOC point": one activity, two kinds
        if isinstance(dual, LogProblem):
            return dual
        (amount, first_category), *others = dual.pairs
        also = tuple(others)
        unit_word, body = "", dual.rest
    else:
        amount_match = _amount_in(body)
        if amount_match is None:
            return LogProblem("no_amount", body.strip()[:60])
        if (several := _several_activities(body)) is not None:
            return several
        named_unit = amount_match.group(2) or ""
        if not named_unit and _POINTS_NAMED.search(body):  # "0 moc points"
            named_unit = "points"
        amount = _checked_amount(amount_match.group(1), named_unit)
        if isinstance(amount, LogProblem):
            return amount
        rounded = rounded_from(amount_match.group(1), amount)
        unit_word = (amount_match.group(2) or "").lower()
        body = body[: amount_match.start()] + " " + body[amount_match.end() :]

    words = re.findall(r"[\w'’./+-]+", _SPACED_DURATION.sub(" ", body))
    said_format = format_in_words(words)
    words = [word for i, word in enumerate(words) if i not in said_format.format_words]
    found_topics, found_categories, rest = _take_terms(words)
    if parts and sum(a for a, _ in parts) > amount:  # "18 hours including 20 pharmacology"
        return LogProblem("part_too_big", " + ".join(f"{a.normalize():f}" for a, _ in parts))
    if len(parts) == 1 and parts[0][0] == amount:  # all of it: one entry on that topic
        found_topics += [t for t in parts[0][1] if t not in found_topics]
        parts = ()
    meaningful = [word for word in rest if word.lower() not in _FILLER]
    if not unit_word:  # "10 moc pionts": the unit, misspelt, is not the title
        slips = {word: unit for word in meaningful if (unit := _misspelt_unit(word))}
        meaningful = [word for word in meaningful if word not in slips]
        unit_word = next(iter(slips.values()), "")
    suggestions: tuple[str, ...] = ()
    unread = ""
    if title and meaningful:  # the title is quoted: these words would vanish unsaid
        # ...unless they named the format the draft shows ("webinar": QA round 14)
        said = [word for word in meaningful if not format_in_words([word]).activity_type]
        unread = " ".join(said)[:60]
    if uan_unread:
        unread = " ".join(filter(None, [uan_unread, unread]))[:80]
    if not found_topics and (len(meaningful) == 1 or unread):
        for word in meaningful if (unread or not title) else ():
            suggestions = tuple(topics.suggest_topics(word, n=3))
            if suggestions:
                break
    if not suggestions and not found_topics:  # QA: "domestic vilence" found no topic
        # Two words first: "medicaton saftey" is medication safety, not "safety" alone
        # (QA round 13: Patient safety was offered for a medication-errors webinar).
        pairs = (" ".join(meaningful[i : i + 2]) for i in range(len(meaningful) - 1))
        slips = (topics.misspelt_topic_phrase(pair) for pair in pairs)
        suggestions = tuple(t for t in slips if t)[:1]
    if not suggestions:  # "just finished 1.5 hrs opiod cme", "opiod safe prescribing"
        slips = (topics.misspelt_topic(word) for word in meaningful)
        suggestions = tuple(t for t in slips if t and t not in found_topics)[:1]
    if not title:
        title = _title_from(meaningful, found_topics, found_categories)
    if not title and found_topics:
        title = topics.label(found_topics[0])
    if not title:
        title = "CME activity"
    if not found_categories and unit_word in _POINT_WORDS:
        # "5 points today": points are MOC points, not the profession's usual credit
        found_categories = _points_categories()
    if dual is not None:
        found_categories = [first_category]
    return LogDraft(
        amount=amount,
        completed_on=completed_on or dates.local_today(now, tz),
        category=found_categories[0] if found_categories else default_category,
        also=also,
        topics=state_approved(found_topics, text),  # "NYSDOH approved infection control"
        title=clip_title(title),
        date_given=completed_on is not None,
        category_given=bool(found_categories),
        topic_suggestions=suggestions,
        unread=unread,
        ceus=_ceus_alone(text),
        parts=parts,
        rounded=rounded,
        # Said in words, else the UAN's letter: the clinician knows how they attended.
        activity_type=said_format.activity_type or (uan_format(uan) if uan else None),
        uan=uan,
    )


# Leftover words that make no title (QA: "DEA 8", "x 2", "4hr", "p. 4", "..."): a number
# with a unit stuck to it, a stray unit or sign, and words too vague to name an activity.
_NUMBER_WITH_UNIT = re.compile(
    r"[#x×]?\d+(?:[.,]\d+)?(?:x|h|hrs?|hours?|cr|creds?|credits?|pts?|points?|mins?)\.?",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"[#№]?\d+(?:[.,]\d+)?\.?")
_STRAY = frozenset({"h", "hr", "hrs", "x", "×", "p", "pp", "pg", "nr", "min", "mins"})
_VAGUE = frozenset({"part", "page", "module", "requirement", "requirements", "req"})
# A number after these belongs to the title ("Board review part 2", "Step 2 review").
_NUMBERED = frozenset(
    {"part", "step", "module", "day", "session", "week", "level", "chapter", "vol", "volume",
     "unit", "lecture", "episode", "block", "no"}
)  # fmt: skip


def _title_from(
    words: list[str], found_topics: list[str], found_categories: list[str]
) -> str:
    """A title from a line's leftover words, or "" when they say nothing a title should:
    a number with its unit anywhere ("4hr"), stray signs and short numbers at its ends
    (the amount said again: "DEA 8", "ethics x 2", "p. 4"), vague words alone ("part"),
    or only the topic or credit type already taken ("8 hours of MATE act training for
    DEA" left "DEA"). Then the topic's name is the title. Words inside stay ("No Surprises
    Act", "Step 2 review"), as do a numbered part ("Board review part 2") and a course
    number ("Hep C 101"); with no topic, a numbered vague word is a title ("Module 3")."""
    kept = [word for word in words if any(c.isalnum() for c in word)]
    kept = [word for word in kept if not _NUMBER_WITH_UNIT.fullmatch(word)]
    while kept and (_BARE_NUMBER.fullmatch(kept[0]) or _stray(kept[0])):
        kept.pop(0)
    while kept and (_stray(kept[-1]) or (_short_number(kept[-1]) and not _numbered(kept))):
        kept.pop()
    strong = [
        word for word in kept
        if not _BARE_NUMBER.fullmatch(word) and word.lower().strip(".") not in _VAGUE
        and not _names_taken(word, found_topics, found_categories)
    ]  # fmt: skip
    if strong or (not found_topics and _numbered(kept)):
        return " ".join(kept).strip(" -,.")
    return ""


def _stray(word: str) -> bool:
    """ "x", "hrs", "p.": a unit or sign alone."""
    return word.lower().strip(".") in _STRAY


def _short_number(word: str) -> bool:
    """One or two digits: the amount or a count said again ("DEA 8"), not a course number
    ("Hep C 101") or a year."""
    if not _BARE_NUMBER.fullmatch(word):
        return False
    digits = word.strip("#№.")
    return len(digits) <= 2 or any(c in digits for c in ".,")  # "0.5": an amount


def _numbered(words: list[str]) -> bool:
    """The last word is a number some word before it numbers ("part 2")."""
    return len(words) >= 2 and words[-2].lower().strip(".") in _NUMBERED


def _names_taken(word: str, found_topics: list[str], found_categories: list[str]) -> bool:
    """The word alone names a topic or credit type the line already gave ("DEA", "MATE")."""
    topic = topics.normalize_topic(word)
    return (topic is not None and topic in found_topics) or (
        (category := topics.normalize_category(word)) is not None and category in found_categories
    )


_NUMBER = r"(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_UNIT = r"(?:(?:contact\s+)?(?:hours?|hrs?|h|credits?|creds?|points?)(?![\w.]))"
_PART_AMOUNT = rf"\s*(?P<amount>{_NUMBER})\s*{_UNIT}?\s*(?:(?:of|in|on)\s+)?"
_PART_START = re.compile(
    r"(?:\(|\b(?:including|includes|included|incl\.?|inc\.|of\s+which|with|among\s+them)(?!\w))"
    + _PART_AMOUNT,
    re.IGNORECASE,
)
_PART_MORE = re.compile(r"\s*(?:,|and|&|\+)" + _PART_AMOUNT, re.IGNORECASE)
_PART_END = re.compile(
    r"\s*(?:(?:contact\s+)?(?:hours?|hrs?|credits?|creds?)(?![\w.]))?\s*\)?", re.IGNORECASE
)
_PART_WORD = re.compile(r"[\w'’+-]+")


def _parts_on_topics(body: str) -> tuple[tuple[tuple[Decimal, tuple[str, ...]], ...], str]:
    """Hours of a line's amount on a topic of their own, and the line without them:
    "18 contact hours including 6 pharmacology", "of which 6 pharmacology", "(6 ethics)",
    "incl. 6 hrs pharmacology and 2 ethics" (QA: 18 hours counted toward a 25-hour
    pharmacology minimum, titled "Texas NP conference including 6")."""
    for start in _PART_START.finditer(body):
        parts: list[tuple[Decimal, tuple[str, ...]]] = []
        match: re.Match[str] | None = start
        end = start.start()
        while match is not None:
            topic, after = _topic_at(body, match.end())
            amount = _checked_amount(match.group("amount"))
            if topic is None or isinstance(amount, LogProblem):
                break
            parts.append((amount, (topic,)))
            end = _PART_END.match(body, after).end()  # type: ignore[union-attr]
            match = _PART_MORE.match(body, end)
        if parts:
            return tuple(parts), body[: start.start()] + " " + body[end:]
    return (), body


def _topic_at(body: str, at: int) -> tuple[str | None, int]:
    """The topic the words from ``at`` begin with (longest phrase first) and where it ends."""
    words = list(_PART_WORD.finditer(body, at))[:_MAX_NGRAM]
    if not words or body[at : words[0].start()].strip():
        return None, at
    for size in range(len(words), 0, -1):
        if any(body[words[i].end() : words[i + 1].start()].strip() for i in range(size - 1)):
            continue  # a comma or bracket inside: not one phrase
        if topic := topics.normalize_topic(body[words[0].start() : words[size - 1].end()]):
            return topic, words[size - 1].end()
    return None, at


_PART_ANSWER = re.compile(
    rf"\s*(?:(?:including|incl\.?|of\s+which|with)\s+)?(?P<part>{_NUMBER})\s*{_UNIT}?\s*"
    rf"(?:(?:of|out\s+of)\s+(?:(?:the|my|those|these|them|it)\b\s*)?(?P<whole>{_NUMBER})?"
    rf"\s*{_UNIT}?\s*)?(?:(?:were|was|are|is|in|on|of|for|about)\s+)*(?P<topic>[^\d].*?)\W*",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PartAnswer:
    """ "6 of the 18 hours were pharmacology": hours of an entry on a topic of their own."""

    amount: Decimal
    whole: Decimal | None  # the total the clinician said, to check against the entry's
    topic: str | None  # None: the words (``said``) name no topic
    said: str


def parse_part_answer(text: str) -> PartAnswer | LogProblem | None:
    """An answer to "Which topic?" that gives some of the hours a topic ("6 of the 18 hours
    were pharmacology", "6 pharmacology"); None when it starts with no number (QA: "I
    don't know the topic", and nothing said what to type)."""
    match = _PART_ANSWER.fullmatch(spoken_amounts(text))
    if match is None:
        return None
    amount = _checked_amount(match.group("part"))
    if isinstance(amount, LogProblem):
        return amount
    whole = _checked_amount(match.group("whole")) if match.group("whole") else None
    if isinstance(whole, LogProblem):
        return whole
    said = match.group("topic").strip()
    topic = topics.normalize_topic(said) or topics.misspelt_topic(said)
    return PartAnswer(amount, whole, topic, said)


_EDIT_REQUEST = re.compile(
    r"\s*(?:(?:please|pls|can\s+you|could\s+you)\s+)?"
    r"(?:change|edit|update|correct|fix|amend|set|adjust)\s+(?:the\s+|my\s+|that\s+)?"
    r"(?P<what>.+?)(?P<named>\s+(?:entry|entries|log|record|one))?"
    r"(?:'s\s+|\s+)?(?:(?:amount|hours|credits)\s+)?"
    rf"(?:(?:to|into)\s+(?P<amount>{_NUMBER})\s*{_UNIT}?)?\s*(?:please|pls)?[.!]*\s*",
    re.IGNORECASE,
)
# "actually the wound care one was 2 hours, please fix", "the wound care workshop should
# be 2 hours, not 2.5" (QA round 12: each proposed as a new entry)
_EDIT_STATEMENT = re.compile(
    r"\s*(?:(?:actually|oops|sorry|no|wait|hmm|so)[\s,]+)*(?:the|my|that)\s+"
    r"(?P<what>[^\d]+?)(?:\s+(?P<named>entry|log|record|one)"
    r"|\s+(?:workshop|webinar|session|class|lecture|conference|module|course))?\s+"
    r"(?:was|were|is|should\s+(?:have\s+)?be(?:en)?)\s+(?:actually\s+|only\s+|really\s+)?"
    rf"(?P<amount>{_NUMBER})\s*{_UNIT}?"
    rf"(?:[\s,]+(?:not|instead\s+of)\s+{_NUMBER}\s*{_UNIT}?)?"
    r"(?:[\s,.;-]+(?:please\s+|pls\s+|can\s+you\s+)?(?:fix|change|correct|update)"
    r"(?:\s+(?:it|that))?)?\s*(?:please|pls)?[.!]*\s*",
    re.IGNORECASE,
)
_THE_LAST = re.compile(r"(?:it|that|this|last|the\s+last|my\s+last)(?:\s+one)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EditRequest:
    """ "change the wound care entry to 2.5 hours": which entry, and its new amount."""

    what: str  # words naming the entry ("wound care"); "" for the last one logged
    amount: str | None  # as typed, checked by :func:`parse_amount`
    names_entry: bool  # "entry" / "log" said: surely about an entry, even if none matches


def parse_edit_request(text: str) -> EditRequest | None:
    """A request to change a logged entry (QA: "change the wound care entry to 2.5 hours"
    was proposed as a new entry titled "change wound care entry"); None for other text.
    Only "… to <amount>" or "… entry" is one: "change my time zone" is not."""
    match = _EDIT_REQUEST.fullmatch(text) or _EDIT_STATEMENT.fullmatch(text)
    if match is None or not (match.group("amount") or match.group("named")):
        return None
    what = match.group("what").strip(" ,:;-")
    if re.search(r"\d", what):  # "update 2 ethics yesterday to …": not one entry's words
        return None
    what = "" if _THE_LAST.fullmatch(what) else what
    return EditRequest(what, match.group("amount"), bool(match.group("named")))


_HOURS_SAID = re.compile(
    r"\d\s*(?:contact\s+(?:hours?|hrs?)|hours?|hrs?|h|credits?|creds?|points?|min\w*)\b",
    re.IGNORECASE,
)


def _ceus_alone(text: str) -> str:
    """The CEUs a line's amount was given in ("2 CEUs controlled substances"), whose meaning
    the chat asks; "" when none, or when the line gives its hours too ("2 contact hours
    (0.2 CEUs)": those are the amount)."""
    ceus = ceus_in(text)
    return "" if ceus and _HOURS_SAID.search(CEUS.sub(" ", text)) else ceus


# "1/2 ethics", "1 3/4 hours": halves and quarters first on the line are an amount.
_LEADING_FRACTION = re.compile(r"\s*(?:(\d{1,2})\s+)?([13])/([24])(?![\d/])")


_DURATION_NEXT = re.compile(
    r"\s*-?\s*(?:days?|nights?|weeks?|wks?|months?|years?|yrs?)(?![\w-])", re.IGNORECASE
)
_SPACED_DURATION = re.compile(
    r"(?<![\w.-])\d+\s+(?:days?|nights?|weeks?|wks?|months?)(?![\w-])", re.IGNORECASE
)
""""a 3 day conference": how long it lasted, not a word of its title ("3-day Pri-Med
conference" keeps its hyphenated words)."""


def _amount_in(body: str) -> re.Match[str] | None:
    """The amount of a line: its first number that is neither how long the activity
    lasted (QA: "I went to a 3 day conference last week, got 12 hours" was 3 hours) nor
    a year before an amount with a unit (QA round 13: "ASHP Midyear 2026 live sessions,
    12.5 contact hrs" was 2026 credits)."""
    numbers = list(_AMOUNT.finditer(body))
    for index, match in enumerate(numbers):
        if match.group(2):
            return match
        if _DURATION_NEXT.match(body, match.end()):
            continue
        if _YEAR_IN.fullmatch(match.group(1)) and any(m.group(2) for m in numbers[index:]):
            continue
        return match
    return None


def _leading_fraction(body: str) -> str:
    """ "1/2 ethics yesterday" → "0.5 ethics yesterday" (QA: saved as 1 credit titled
    "/2"). Not when another amount with a unit follows: then "1/2" is Jan 2."""
    fraction = _LEADING_FRACTION.match(body)
    if fraction is None or int(fraction[2]) >= int(fraction[3]):
        return body
    rest = body[fraction.end() :]
    if any(amount.group(2) for amount in _AMOUNT.finditer(rest)):
        return body
    value = Decimal(fraction[1] or 0) + Decimal(fraction[2]) / Decimal(fraction[3])
    return f"{value.normalize()}{rest}"


_LEADING_NUMBER = re.compile(r"\s*-?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?![\w.])")
_DAY_NEXT = re.compile(r"\s*\d{1,2}(?!\d)")
_YEAR_IN = re.compile(r"\b(?:19|20)\d\d\b")


def _date_phrase(body: str) -> dates.DateMatch | None:
    """The date of a log line. "3 Aug 8" and "category 1 Nov 2" read as US dates: the
    number before the month is the amount or the category, and the date is Aug 8 / Nov 2
    (QA: saved as 8 credits on Aug 3; "category 2" on Nov 1). A day-first date keeps its
    number when nothing after the month could be its day ("3 Nov 2026 2 credits")."""
    match = dates.extract_date_phrase(body)
    if match is None or _YEAR_IN.search(match.phrase):
        return match
    number = _LEADING_NUMBER.match(match.phrase)
    if number is None or not _DAY_NEXT.match(match.text[match.end :]):
        return match
    cut = match.start + number.end()
    later = dates.extract_date_phrase(match.text[cut:])
    if later is None:
        return match
    head = match.text[:cut]
    return dates.DateMatch(later.phrase, len(head) + later.start, len(head) + later.end,
                           head + later.text)  # fmt: skip


def _unread_date(body: str) -> LogProblem | None:
    """A dotted date ("12.1.2026") the reader does not take: said, not replaced by today
    (QA: titled "12.1.2026", dated today). Day and month order is not guessed."""
    dotted = re.search(r"(?<![\w.])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\w.])", body)
    return LogProblem("date_unparseable", dotted.group(0)) if dotted else None


_SECOND_AMOUNT = re.compile(r"\b(?:and|plus)\s+(\d+(?:[.,]\d+)?)\s+([a-z][^\d;]{2,40})", re.I)
"""A second, unit-less amount after "and": another activity when its own day or topic
follows."""
_DAY_WORD = re.compile(
    r"(?:(?:on|last|this)\s|today\b|yesterday\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d)",
    re.IGNORECASE,
)


def _several_activities(body: str) -> LogProblem | None:
    """ "3 credits of ethics on Nov 3 and 2 credits of opioids on Nov 4": two activities,
    which one entry would merge (QA: 3 credits, both topics, titled "2 Nov 4")."""
    if parts := re.search(r"(-?\d+(?:[.,]\d+)?)[^;]*;\s*(-?\d+(?:[.,]\d+)?)\b", body):
        return LogProblem("several_activities", f"{parts.group(1)} and {parts.group(2)}")
    counted = [m for m in _AMOUNT.finditer(body) if m.group(2)]
    if len(counted) >= 2:
        between = body[counted[0].end() : counted[1].start()]
        if re.search(r"\band\b|\bplus\b|[,;+&]", between, re.IGNORECASE):
            return LogProblem(
                "several_activities", f"{counted[0].group(0)} and {counted[1].group(0)}"
            )
    first = counted[0] if counted else _AMOUNT.search(body)
    second = _SECOND_AMOUNT.search(body, first.end()) if first else None
    if first is None or second is None:
        return None
    # A second amount without a unit: "3 credits yesterday and 2 today", "2 ethics and 1
    # opioid" (QA: one entry of 3, titled "2"), when its own day or topic follows.
    words = second.group(2).split()
    if _DAY_WORD.match(second.group(2)) or any(
        topics.normalize_topic(" ".join(words[:n])) for n in (1, 2, 3)
    ):
        return LogProblem("several_activities", f"{first.group(0)} and {second.group(1)}")
    return None


def clip_title(title: str, limit: int = MAX_TITLE) -> str:
    """At most ``limit`` characters, cut at a word and marked "…" (QA: titles and button
    labels cut mid-word: "📊 Chart: Florida Board of Medicin")."""
    if len(title) <= limit:
        return title
    head = title[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,.;:-(") + "…"


def default_category_for(profession: str | None) -> str:
    """The usual credit type of a profession (AMA PRA Category 1 for physicians)."""
    return {
        "rn": "ancc",
        "np": "ancc",
        "pharmacist": "acpe",
        "pa": "aapa_1",
        "do": "ama_pra_1",
    }.get(profession or "", "ama_pra_1")


# A minus too: "-3 ethics credits" is a log whose amount is wrong (QA: "I didn't understand").
_NUMBER_FIRST = re.compile(r"\s*-?(?:\d+(?:[.,]\d+)?|[.,]\d+)\s+(.+)", re.DOTALL)


def _number_word_first(body: str) -> str:
    """ "two ethics credits on 12/1" → "2 ethics credits on 12/1"; not "one health
    symposium 2 credits", whose amount is the one with a unit."""
    converted = leading_word_as_digits(body)
    if converted == body or any(m.group(2) for m in _AMOUNT.finditer(body)):
        return body
    return converted


def starts_with_credits(text: str) -> bool:
    """A number, then a topic or credit type: "2 ethics yesterday", "1.5 controlled
    substance 12/1" (the /log example without /log). The chat asks first whether it is a
    course question ("2 ethics courses near Boston")."""
    lead = _NUMBER_FIRST.fullmatch(_number_word_first(spoken_amounts(text)))
    if lead is None or "?" in text:
        return False
    words = re.findall(r"[\w'’+-]+", lead.group(1))[:_MAX_NGRAM]
    phrases = (" ".join(words[:size]) for size in range(len(words), 0, -1))
    if any(topics.normalize_category(p) or topics.normalize_topic(p) for p in phrases):
        return True
    return bool(words) and topics.misspelt_topic(words[0]) is not None  # "2 ethcs yesterdy"


def looks_like_a_log(text: str) -> bool:
    """Free text that reads like "I did 3 credits of ethics" (not a question)."""
    if "?" in text:
        return False
    text = spoken_amounts(text)
    if _LEAD.match(text) and _AMOUNT.search(text):
        return True
    if re.search(
        r"\d\s*(?:credits?|creds?|crs?|hours?|hrs?|contact\s+(?:hours?|hrs?)|points?|cme|ce)\b",
        text, re.I,
    ):
        return True
    # "I earned 12 AOA 1-A credits there ... can you log that for me" (QA round 7)
    return bool(_EARNED.search(text) and _AMOUNT_BEFORE_UNIT.search(text))


_AMOUNT_WORDS_UNIT = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s+(?P<between>(?:[\w'’-]+\s+){0,3}?)"
    r"(?:credits?|creds?|hours?|hrs?|contact\s+(?:hours?|hrs?)|points?|ceus?)\b",
    re.IGNORECASE,
)


def amount_with_unit(text: str, *, only_terms: bool = False) -> bool:
    """An amount counted in credits or hours, a few words before the unit allowed ("4
    pharmacology hours", "12 AOA 1-A credits"); ``only_terms``: those words must name a
    topic or a kind of credit ("4 pharmacology hours", not "2 more hours")."""
    for match in _AMOUNT_WORDS_UNIT.finditer(spoken_amounts(text)):
        between = match.group("between").strip()
        if not only_terms or not between:
            return True
        if topics.normalize_topic(between) or topics.normalize_category(between):
            return True
    return False


_EARNED = re.compile(
    r"\b(?:earned|got|completed|did|finished|attended|log(?:ged)?\s+(?:that|this|it|them))\b",
    re.IGNORECASE,
)
_AMOUNT_BEFORE_UNIT = re.compile(
    r"\d+(?:[.,]\d+)?\s+(?:[\w-]+\s+){0,3}(?:credits?|creds?|hours?|hrs?|points?|ceus?)\b", re.I
)
