"""Course searches as compact values: parsed from chat text, carried in callback data.

A search lives in its buttons, not in process memory or in a session: "More", "Widen"
and the "Which Portland?" choices each carry the whole query (place token, radius,
online flag, dates, topics, price) in Telegram's 64 bytes, so any process can answer a
press, and a press days later still means what the clinician saw.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import Literal

from bot.domain import dates, geo, places, topics
from bot.store.courses import MAX_RADIUS_KM

DEFAULT_RADIUS = 50
DEFAULT_UNIT: Literal["mi", "km"] = "mi"
MAX_TOPICS = 3
_EPOCH = date(2020, 1, 1).toordinal()
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


# ----------------------------------------------------------------------------- value


@dataclass(frozen=True, slots=True)
class CourseQuery:
    """What to look for; ``place`` is a place token (see :func:`place_token`)."""

    place: str = ""
    radius: int = DEFAULT_RADIUS
    unit: Literal["mi", "km"] = DEFAULT_UNIT
    online: bool = False
    start: date | None = None
    end: date | None = None
    topics: tuple[str, ...] = ()
    max_price: int | None = None

    @property
    def radius_km(self) -> float:
        km = self.radius if self.unit == "km" else geo.miles_to_km(self.radius)
        return min(float(km), MAX_RADIUS_KM)

    def widened(self) -> CourseQuery | None:
        """Twice the radius, or None when that would exceed the search limit."""
        if not self.place:
            return None
        bigger = replace(self, radius=self.radius * 2)
        return bigger if bigger.radius_km < MAX_RADIUS_KM else None

    def args(self) -> tuple[str, ...]:
        """Callback-data arguments (after the action and the page offset)."""
        return (
            self.place,
            f"{self.radius}{self.unit[0]}",
            "o" if self.online else "",
            _day_code(self.start),
            _day_code(self.end),
            ".".join(topic_code(t) for t in self.topics),
            "" if self.max_price is None else str(self.max_price),
        )

    @classmethod
    def from_args(cls, args: tuple[str, ...] | list[str]) -> CourseQuery | None:
        """The inverse of :meth:`args`; None for anything malformed (data is untrusted)."""
        if len(args) != 7:
            return None
        place, radius, online, start, end, codes, price = (str(a) for a in args)
        if place and not _PLACE_TOKEN.match(place):
            return None
        m = re.fullmatch(r"(\d{1,4})([mk])", radius)
        if m is None or online not in ("", "o") or (price and not price.isdigit()):
            return None
        found = [_topic_codes().get(c) for c in codes.split(".")] if codes else []
        if any(t is None for t in found):
            return None
        try:
            first, last = _day(start), _day(end)
        except ValueError:
            return None
        return cls(
            place=place,
            radius=max(1, int(m.group(1))),
            unit="mi" if m.group(2) == "m" else "km",
            online=online == "o",
            start=first,
            end=last,
            topics=tuple(t for t in found if t)[:MAX_TOPICS],
            max_price=int(price) if price else None,
        )

    def window(self, now: datetime, tz: str) -> tuple[datetime, datetime]:
        """The UTC range of start times: local days, never before ``now``."""
        first = dates.localize(self.start, datetime.min.time(), tz) if self.start else now
        after = max(first, now)
        if self.end is not None:
            before = dates.localize(self.end + timedelta(days=1), datetime.min.time(), tz)
        else:
            before = after + timedelta(days=365)
        return after, max(before, after + timedelta(minutes=1))


def _day_code(day: date | None) -> str:
    if day is None:
        return ""
    n = day.toordinal() - _EPOCH
    if n < 0:
        return ""
    text = ""
    while True:
        n, rest = divmod(n, 36)
        text = _B36[rest] + text
        if n == 0:
            return text


def _day(code: str) -> date | None:
    if not code:
        return None
    if len(code) > 4 or not re.fullmatch(r"[0-9a-z]+", code):
        raise ValueError(code)
    return date.fromordinal(_EPOCH + int(code, 36))


def topic_code(topic_id: str) -> str:
    """A 4-character stable code for a topic id (ids are too long for callback data)."""
    return hashlib.sha1(topic_id.encode()).hexdigest()[:4]


@cache
def _topic_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for topic in topics.topic_ids():
        code = topic_code(topic)
        if code in codes:  # pragma: no cover - guarded by a test of the vocabulary
            raise RuntimeError(f"topic code clash: {topic} and {codes[code]}")
        codes[code] = topic
    return codes


# ------------------------------------------------------------------------------ places

_PLACE_TOKEN = re.compile(r"^(?:g\d{1,10}|z\d{5}|c-?\d{1,2}\.\d{1,3}_-?\d{1,3}\.\d{1,3})$")


def place_token(place: places.Place) -> str:
    """Compact, stable reference: geonames id, ZIP, or coordinates to ~100 m."""
    kind, _, rest = place.id.partition(":")
    if kind == "gn" and rest.isdigit():
        return f"g{rest}"
    if kind == "zip" and len(rest) == 5 and rest.isdigit():
        return f"z{rest}"
    return coordinates_token(place.lat, place.lon)


def coordinates_token(lat: float, lon: float) -> str:
    return f"c{lat:.3f}_{lon:.3f}"


def is_place_token(token: str) -> bool:
    return bool(_PLACE_TOKEN.match(token))


def place_of(token: str) -> places.Place | None:
    """The place a token names (blocking: the place index may load on first use)."""
    if not token or not _PLACE_TOKEN.match(token):
        return None
    if token[0] == "g":
        return places.get_place(f"gn:{token[1:]}")
    if token[0] == "z":
        return places.get_place(f"zip:{token[1:]}")
    lat_text, _, lon_text = token[1:].partition("_")
    try:
        return places.place_from_coordinates(float(lat_text), float(lon_text))
    except ValueError:
        return None


def short_name(place: places.Place) -> str:
    """ "Boston, MA", "02115 (Boston, MA)", "your location (Boston, MA)", "Zürich, Switzerland"."""
    if place.kind == "coordinates":
        if place.name == places.UNNAMED_LOCATION:
            return place.display_name
        region = place.region_code if place.country_code == "US" else place.country_code
        return f"{places.UNNAMED_LOCATION} ({place.name}, {region})"
    if place.country_code == "US" and place.region_code:
        where = f"{place.name}, {place.region_code}"
        if place.kind == "zip":
            return f"{place.id.partition(':')[2]} ({where})"
        return where
    return place.display_name


# ------------------------------------------------------------------------------ parsing

_NEED = re.compile(
    r"\b(?:i\s+(?:still\s+)?need|do\s+i\s+need|i'?m\s+missing|i\s+am\s+missing|fill(?:s|ing)?\s+"
    r"(?:my\s+)?gaps?|my\s+gaps?|that\s+fit(?:s)?(?:\s+me)?|fit\s+me|for\s+my\s+licen[cs]es?|"
    r"required\s+for\s+me|mandated\s+for\s+me)\b",
    re.IGNORECASE,
)
_RADIUS = re.compile(
    r"\b(?:within|in\s+a|inside|up\s+to)?\s*(\d{1,4})\s*-?\s*(miles?|mi|kilometers?|kilometres?|km"
    r"|kms)\b(?:\s+(?:radius|around|from|of))?",
    re.IGNORECASE,
)
_PRICE = re.compile(
    r"(?:\b(?:under|below|less\s+than|max(?:imum)?|up\s+to|at\s+most|cheaper\s+than|no\s+more"
    r"\s+than|for\s+less\s+than)\s*|<\s*)\$?\s*(\d{1,6})(?:\s*(?:usd|dollars|bucks|\$))?"
    r"|\$(\d{1,6})\s+or\s+less",
    re.IGNORECASE,
)
_FREE = re.compile(r"\b(?:free|no[\s-]cost|without\s+cost)\b", re.IGNORECASE)
_ONLINE = re.compile(
    r"\b(?:online(?:\s+only)?|only\s+online|virtual(?:ly)?|webinars?|on[\s-]?demand|remote(?:ly)?"
    r"|from\s+home|self[\s-]paced|livestream(?:ed)?|hybrid)\b",
    re.IGNORECASE,
)
_ONLINE_ONLY = re.compile(r"\b(?:online\s+only|only\s+online)\b", re.IGNORECASE)
# "in-person courses near Albany": a course somewhere, which a place search is; not a
# topic (QA round 13: "person" was offered as Human trafficking's "trafficked persons").
_IN_PERSON = re.compile(r"\b(?:in[\s-]person|face[\s-]to[\s-]face|on[\s-]?site)\b", re.I)
_NEAR_ME = re.compile(
    r"\b(?:near\s+me|nearby|around\s+me|close\s+to\s+me|close\s+by|near\s+here|around\s+here"
    r"|in\s+my\s+area|my\s+location|where\s+i\s+am)\b",
    re.IGNORECASE,
)
_COURSE_WORD = re.compile(
    r"\b(?:courses|course|classes|conferences?|webinars?|workshops?|seminars?"
    # slips QA typed ("corses near dallas in march") and CME asked for by place or time
    r"|corses?|cources?|coures|couses|coursess?"
    r"|(?:any\s+)?(?:cme|ce|cne)(?=\W.*\b(?:near|around|online|this|next|weekend)\b))\b",
    re.IGNORECASE,
)
_LOGGING = re.compile(
    r"\b(?:did|done|completed|complete|took|taken|attended|finished|earned|logged|log|got"
    r"|certificate|ago|yesterday|yest|yday|ydy)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[\w'.\-]+|,")
_PREPOSITIONS = frozenset({"near", "in", "around", "at", "of", "by", "close", "outside"})
_NOISE = frozenset({
    "find", "show", "search", "look", "looking", "list", "get", "give", "any", "some", "all",
    "upcoming", "courses", "course", "class", "classes", "conference", "conferences",
    "workshop", "workshops", "seminar", "seminars", "cme", "ce", "please", "me", "the", "a",
    "an", "for", "about", "on", "covering", "regarding", "with", "what", "which", "are",
    "there", "is", "i", "can", "could", "take", "do", "you", "have", "know", "want", "would",
    "like", "to", "attend", "go", "where", "good", "hi", "hello", "events", "event",
    "training", "trainings", "credit", "credits", "and", "or", "near", "in", "around", "at",
    "close", "of", "by", "outside", "area", "that", "need", "my",
})  # fmt: skip
_STATE_CODES = frozenset(code.lower() for code in places.US_STATE_NAMES)


@dataclass(frozen=True, slots=True)
class Request:
    """A course question read from chat text."""

    query: CourseQuery
    place_text: str = ""
    near_me: bool = False
    online_only: bool = False
    gaps: bool = False
    date_problem: dates.DateReason | None = None
    unknown_words: tuple[str, ...] = field(default=())

    @property
    def has_where(self) -> bool:
        return bool(self.place_text or self.near_me or self.query.online or self.query.place)


COUNTS_QUESTION = re.compile(
    r"\b(?:is|are|does|do|will|would|can)\s+(?:my|the|this|that|these|those|a|an)\b.{0,60}?"
    r"\b(?:ok|okay|count|counts|valid|good|enough|accepted|acceptable)\s+"
    r"(?:for|toward|towards|in|with)\b",
    re.IGNORECASE,
)
"""Whether something counts ("is my child abuse course ok for pennsylvania?"): a status
question, not a search (QA round 9: "ok" was read as Oklahoma)."""


def looks_like_course_request(text: str) -> bool:
    """Is this free text a question about courses (not a credit being logged)?"""
    return (
        bool(_COURSE_WORD.search(text))
        and not _LOGGING.search(text)
        and not COUNTS_QUESTION.search(text)
    )


def parse_request(text: str, now: datetime, tz: str) -> Request:
    """Read place, radius, dates, topics, online and price out of one message."""
    rest = " ".join(text.split())
    if rest.startswith("/"):
        rest = rest.partition(" ")[2]
    gaps = bool(_NEED.search(rest))
    rest = _NEED.sub(" ", rest)
    radius, unit = DEFAULT_RADIUS, DEFAULT_UNIT
    if m := _RADIUS.search(rest):
        unit = "km" if m.group(2).lower().startswith("k") else "mi"
        # At most the search limit, in the unit asked: "within 5000 mi" searched 621 mi
        # under a heading that said 5000 (QA).
        limit = MAX_RADIUS_KM if unit == "km" else int(MAX_RADIUS_KM / geo.miles_to_km(1))
        radius = min(max(1, int(m.group(1))), int(limit))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    max_price = None
    if m := _PRICE.search(rest):
        max_price = int(m.group(1) or m.group(2))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := _FREE.search(rest):
        max_price = 0
        rest = rest[: m.start()] + " " + rest[m.end() :]
    online_only = bool(_ONLINE_ONLY.search(rest))
    online = bool(_ONLINE.search(rest))
    rest = _IN_PERSON.sub(" ", _ONLINE.sub(" ", rest))
    near_me = bool(_NEAR_ME.search(rest))
    rest = _NEAR_ME.sub(" ", rest)
    start = end = None
    problem = None
    if found := dates.extract_date_phrase(rest):
        parsed = dates.check_future_range(found.phrase, now, tz)
        if parsed.value is not None:
            start, end = parsed.value.start, parsed.value.end
        else:
            problem = parsed.reason
        rest = found.remainder
    topic_ids, place_text, unknown = _split_topics_and_place(rest)
    query = CourseQuery(
        radius=radius, unit=unit, online=online, start=start, end=end,
        topics=topic_ids[:MAX_TOPICS], max_price=max_price,
    )  # fmt: skip
    return Request(query, place_text, near_me, online_only, gaps, problem, unknown)


def _is_number(token: str) -> bool:
    return token.replace(".", "", 1).isdigit()


def _split_topics_and_place(text: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Topics (longest phrases first), the place words, and words that are neither."""
    tokens = _TOKEN.findall(text)
    kinds: list[str] = ["" for _ in tokens]  # "topic", "noise", "prep", "place"
    found: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(5, len(tokens) - i), 0, -1):
            window = tokens[i : i + n]
            if "," in window or window[0].lower() in _NOISE or window[-1].lower() in _NOISE:
                continue
            topic = topics.normalize_topic(" ".join(window))
            if not topic and n == 1:  # "opiod courses": a slip, not a place
                topic = topics.misspelt_topic(window[0])
            if topic:
                found.append(topic)
                kinds[i : i + n] = ["topic"] * n
                i += n - 1
                break
        i += 1
    previous = ""
    for index, token in enumerate(tokens):
        if kinds[index]:
            previous = kinds[index]
            continue
        low = token.lower().strip(".")
        comma_before = index > 0 and tokens[index - 1] == ","
        # "Portland, me" and "Portland OR" name a state; "Boston or online" does not.
        state = low in _STATE_CODES and (comma_before or (previous == "place" and token.isupper()))
        if token == "," or state:
            kinds[index] = "place" if previous == "place" or token != "," else "noise"
        elif low in _PREPOSITIONS:
            kinds[index] = "prep"
        elif low in _NOISE or not low.strip("'.-"):
            kinds[index] = "noise"
        else:
            kinds[index] = "place"
        previous = kinds[index]
    last_prep = max((i for i, k in enumerate(kinds) if k == "prep"), default=-1)
    place_words = [t for i, t in enumerate(tokens) if kinds[i] == "place" and i > last_prep]
    # A number before the place ("2 ethics courses near Boston") is not a topic to doubt.
    unknown = tuple(
        t
        for i, t in enumerate(tokens)
        if kinds[i] == "place" and i < last_prep and t != "," and not _is_number(t)
    )
    place = " ".join(place_words).replace(" ,", ",").strip(" ,")
    return tuple(dict.fromkeys(found)), place, unknown
