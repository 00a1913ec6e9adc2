"""An imported course as a validated, immutable record, and the validation that makes one.

Parsers only map a file's shape to canonical field names (a :data:`RawCourse`);
everything about values lives here, so a CSV row, an iCalendar event and a JSON object
are checked by the same rules and rejected with the same sentences.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from bot.courses import values as v
from bot.courses.credit_text import read_credits
from bot.domain import geo, topics

FORMATS = ("in_person", "live_online", "on_demand", "hybrid", "workshop")
ONLINE_FORMATS = frozenset({"live_online", "on_demand"})
"""Formats without a venue: they never carry coordinates."""

MAX_CREDITS = Decimal(200)
MAX_DURATION = timedelta(days=3 * 366)
"""ACCME reviews enduring material every 3 years; anything longer is a typo in a year."""
DEFAULT_ON_DEMAND_DURATION = timedelta(days=365)
MAX_DESCRIPTION = 5000
"""Characters: a course's details fit a chat message and a calendar entry."""
DEFAULT_CATEGORY = "ama_pra_1"
"""Catalogues without a category column are physician CME, which is AMA PRA Category 1."""

_LIMITS = {
    "title": 300, "provider": 200, "accreditation": 200, "venue": 200, "address": 300,
    "city": 120, "region": 120, "source_id": 200, "postal_code": 20,
}  # fmt: skip
_FORMAT_SYNONYMS = {
    "in person": "in_person", "inperson": "in_person", "onsite": "in_person",
    "on site": "in_person", "live": "in_person", "course": "in_person",
    "conference": "in_person", "meeting": "in_person", "symposium": "in_person",
    "seminar": "in_person", "live activity": "in_person", "live course": "in_person",
    "regularly scheduled series": "in_person", "rss": "in_person", "grand rounds": "in_person",
    "live online": "live_online", "online live": "live_online", "internet live": "live_online",
    "internet live course": "live_online", "webinar": "live_online", "virtual": "live_online",
    "livestream": "live_online", "live stream": "live_online", "online": "live_online",
    "virtual conference": "live_online", "zoom": "live_online",
    "on demand": "on_demand", "ondemand": "on_demand", "enduring": "on_demand",
    "enduring material": "on_demand", "internet enduring material": "on_demand",
    "self paced": "on_demand", "recorded": "on_demand", "home study": "on_demand",
    "online course": "on_demand", "e learning": "on_demand", "elearning": "on_demand",
    "hybrid": "hybrid", "blended": "hybrid", "in person and online": "hybrid",
    "workshop": "workshop", "hands on": "workshop", "simulation": "workshop",
    "skills lab": "workshop", "lab": "workshop",
}  # fmt: skip

RawCourse = Mapping[str, Any]
"""Canonical field name → raw value (text, number, datetime, list) as a parser found it."""



class Located(NamedTuple):
    """Where a geocoder placed a course; a ZIP also names its town and state."""

    lat: float
    lon: float
    zone: str
    city: str | None = None
    region: str | None = None


Geocoder = Callable[
    [str, str | None, str | None], Located | tuple[float, float, str] | None
]
"""``(city or US ZIP, region, country) -> (lat, lon, IANA zone)`` for in-person courses
without GEO."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """One row that was not imported: where it is in the file, and why."""

    location: str
    reason: str
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class CourseRecord:
    """A course ready for the store: every value checked, times aware, topics canonical."""

    source: str
    source_id: str
    title: str
    credits: Decimal
    category: str
    format: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    topics: tuple[str, ...] = ()
    provider: str | None = None
    accreditation: str | None = None
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    price: Decimal | None = None
    currency: str | None = None
    registration_url: str | None = None
    description: str | None = None
    cancelled: bool = False
    city_located: bool = False  # coordinates of the city's centre, not of the venue

    @property
    def is_online(self) -> bool:
        return self.format in ONLINE_FORMATS

    @property
    def content_hash(self) -> str:
        """SHA-256 of everything but the identity: equal hashes mean "nothing changed"."""
        data = asdict(self)
        del data["source"], data["source_id"]
        if not data["city_located"]:  # unchanged hashes for what was stored before it
            del data["city_located"]
        canonical = json.dumps(data, sort_keys=True, default=_json_default, ensure_ascii=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


@dataclass(slots=True)
class Checked:
    """The outcome of :func:`validate`: a record, or the reasons there is none."""

    record: CourseRecord | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    zone_assumed: bool = False  # no zone given and no venue: the catalogue's default


def normalize_format(value: object) -> str | None:
    """One of :data:`FORMATS` from free text ("Internet enduring material" → on_demand)."""
    raw = v.text(value)
    if raw is None:
        return None
    key = " ".join(raw.lower().replace("-", " ").replace("_", " ").replace("/", " ").split())
    if key.replace(" ", "_") in FORMATS:
        return key.replace(" ", "_")
    return _FORMAT_SYNONYMS.get(key)


def derived_source_id(title: str, starts_at: datetime, place: str | None) -> str:
    """An id for rows that carry none: stable while title, start and place stay the same."""
    key = f"{title.lower()}|{starts_at.astimezone(UTC).isoformat()}|{(place or '').lower()}"
    return "auto:" + hashlib.sha1(key.encode()).hexdigest()[:20]


def validate(
    raw: RawCourse,
    *,
    source: str,
    default_timezone: str = "America/New_York",
    geocoder: Geocoder | None = None,
) -> Checked:
    """Turn one raw course into a :class:`CourseRecord`, collecting every problem at once."""
    return _Validator(raw, source, default_timezone, geocoder).run()


class _Validator:
    """One pass over one raw course; ``errors`` reject it, ``warnings`` do not."""

    def __init__(
        self, raw: RawCourse, source: str, default_tz: str, geocoder: Geocoder | None
    ) -> None:
        self.raw = raw
        self.source = source
        self.default_tz = default_tz
        self.geocoder = geocoder
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.zone_assumed = False

    def _field(self, name: str, *, multiline: bool = False) -> str | None:
        value = self.raw.get(name)
        if v.is_blank(value):
            return None
        if isinstance(value, dict | list | tuple | set):  # JSON {"title": ["a", "b"]}
            self.errors.append(f"{name} is not text")
            return None
        result = str(value).strip() if multiline else v.text(value)
        limit = _LIMITS.get(name)
        if result is not None and limit is not None and len(result) > limit:
            self.errors.append(f"{name} is longer than {limit} characters")
        return result

    def run(self) -> Checked:
        title = self._field("title")
        if title is None:
            self.errors.append("missing title")
        credits, category = self._credits()
        topic_ids = self._topics()
        fmt = self._format()
        online = fmt in ONLINE_FORMATS
        lat, lon = self._coordinates(fmt)
        country = self._country()
        region = v.normalize_region(self.raw.get("region"))
        if region is not None and len(region) > _LIMITS["region"]:
            self.errors.append(f"region is longer than {_LIMITS['region']} characters")
        if country is None and v.is_us_state(region):
            country = "US"
        city = self._field("city")
        given_place = city or self._field("venue")  # the derived id's: as before ZIPs
        place_tz: str | None = None
        city_located = False
        if fmt is not None and not online and lat is None:
            found = self._locate(city, region, country)
            if found is not None:
                lat, lon, place_tz = found[0], found[1], found[2]
                city_located = True
                if isinstance(found, Located) and city is None and found.city:
                    city, region = found.city, region or found.region
                    country = country or "US"
        if fmt is not None and not online and lat is None:
            self.warnings.append("no coordinates: it will not appear in searches by distance")
        tz_name = self._timezone(lat, lon, place_tz)
        starts_at, ends_at = self._times(fmt, tz_name)
        price, currency = self._price()
        url = self._url()
        if self.errors or title is None or starts_at is None or ends_at is None or fmt is None:
            return Checked(None, self.errors, self.warnings)
        assert credits is not None and category is not None and tz_name is not None
        source_id = self._source_id(title, starts_at, given_place)
        record = CourseRecord(
            source=self.source,
            source_id=source_id,
            title=title,
            credits=credits,
            category=category,
            format=fmt,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=tz_name,
            topics=topic_ids,
            provider=self._field("provider"),
            accreditation=self._field("accreditation"),
            venue=None if online else self._field("venue"),
            address=None if online else self._field("address"),
            city=None if online else city,
            region=None if online else region,
            country=country,
            latitude=lat,
            longitude=lon,
            city_located=city_located,
            price=price,
            currency=currency,
            registration_url=url,
            description=self._description(),
            cancelled=self._cancelled(),
        )
        if self.errors:  # a late problem (source_id too long)
            return Checked(None, self.errors, self.warnings)
        return Checked(record, self.errors, self.warnings, self.zone_assumed)

    def _locate(
        self, city: str | None, region: str | None, country: str | None
    ) -> Located | tuple[float, float, str] | None:
        """The ZIP's position, else the city's: a ZIP is the closer of the two (QA round 9:
        a course with only a ZIP was not found by distance)."""
        if self.geocoder is None:
            return None
        zip_code = self._zip_code(country)
        found = self.geocoder(zip_code, region, country) if zip_code else None
        if found is None and city:
            found = self.geocoder(city, region, country)
        return found

    def _zip_code(self, country: str | None) -> str | None:
        """A US ZIP from the postal code; another country's code is not looked up."""
        raw = self._field("postal_code")
        if raw is None or country not in (None, "US"):
            return None
        code = v.us_zip(raw)
        if code is None:
            self.warnings.append(f"postal code {raw!r} is not a US ZIP code: not located")
        return code

    def _description(self) -> str | None:
        """At most :data:`MAX_DESCRIPTION` characters, said when cut (QA round 9: a
        900,000-character description made a 917 KB calendar file)."""
        description = self._field("description", multiline=True)
        if description is None or len(description) <= MAX_DESCRIPTION:
            return description
        self.warnings.append(
            f"description cut to {MAX_DESCRIPTION:,} characters (it had {len(description):,})"
        )
        return description[: MAX_DESCRIPTION - 1].rstrip() + "…"

    def _source_id(self, title: str, starts_at: datetime, place: str | None) -> str:
        given = self._field("source_id")
        if given is None:
            return derived_source_id(title, starts_at, place)
        return given

    def _credits(self) -> tuple[Decimal | None, str | None]:
        """The amount, and the category: the column's (or header's), else the cell's words."""
        raw = self.raw.get("credits")
        category_raw = v.text(self.raw.get("category"))
        if v.is_blank(raw):
            self.errors.append("missing credits")
            return None, self._category(category_raw)
        try:
            read = read_credits(raw, category_given=category_raw is not None)
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None, self._category(category_raw)
        amount: Decimal | None = read.amount
        if not Decimal(0) < read.amount <= MAX_CREDITS:
            self.errors.append(f"credits must be more than 0 and at most 200, not {read.amount}")
            amount = None
        else:
            amount = read.amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if category_raw is None:
            return amount, read.category or DEFAULT_CATEGORY
        category = self._category(category_raw)
        if category is not None and read.category not in (None, category) and not (
            _in_contact_hours(read.category) and _in_contact_hours(category)
        ):  # "2.0 contact hours" beside an ACPE category: the unit, not ANCC (review)
            self.errors.append(  # QA round 9: the cell's ANCC hours stored as AMA credits
                f"credits {v.text(raw)!r} say {topics.category_label(read.category)} but the "
                f"category is {topics.category_label(category)}"
            )
        return amount, category

    def _category(self, category_raw: str | None) -> str | None:
        if category_raw is None:
            return DEFAULT_CATEGORY
        category = topics.normalize_category(category_raw)
        if category is None:
            close = topics.suggest_categories(category_raw)
            hint = ", ".join(topics.category_label(c) for c in close)
            self.errors.append(
                f"unknown credit category {category_raw!r}"
                + (f" (did you mean: {hint}?)" if hint else "")
            )
        return category

    def _topics(self) -> tuple[str, ...]:
        """Known topics; an unknown one is left out and said (QA: a whole course rejected
        for "cardiology", a specialty the vocabulary does not list as a topic)."""
        found: list[str] = []
        for item in v.split_list(self.raw.get("topics")):
            topic = topics.normalize_topic(item)
            if topic is None:
                close = topics.suggest_topics(item, 1)
                hint = f"{topics.label(close[0])!r} ({close[0]})" if close else ""
                self.warnings.append(
                    f"unknown topic {item!r} left out"
                    + (f" (did you mean {hint}?)" if hint else "")
                )
            else:
                found.append(topic)
        return tuple(sorted(set(found)))

    def _format(self) -> str | None:
        raw = self.raw.get("format")
        if v.is_blank(raw):
            has_place = any(
                not v.is_blank(self.raw.get(k))  # QA round 9: a ZIP alone made it "online"
                for k in ("venue", "address", "city", "postal_code", "latitude")
            )
            return "in_person" if has_place else "live_online"
        fmt = normalize_format(raw)
        if fmt is None:
            self.errors.append(
                f"unknown format {v.text(raw)!r} (expected one of {', '.join(FORMATS)})"
            )
        return fmt

    def _coordinates(self, fmt: str | None) -> tuple[float | None, float | None]:
        lat_raw, lon_raw = self.raw.get("latitude"), self.raw.get("longitude")
        if v.is_blank(lat_raw) and v.is_blank(lon_raw):
            return None, None
        if v.is_blank(lat_raw) or v.is_blank(lon_raw):
            self.errors.append("latitude and longitude must be given together")
            return None, None
        try:
            lat = v.parse_float(lat_raw, "latitude")
            lon = v.parse_float(lon_raw, "longitude")
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None, None
        if not geo.is_valid_coordinates(lat, lon):
            self.errors.append(
                f"impossible coordinates {lat}, {lon} (latitude -90..90, longitude -180..180)"
            )
            return None, None
        if lat == 0 and lon == 0:
            self.errors.append("coordinates 0, 0 look like a missing value")
            return None, None
        if fmt in ONLINE_FORMATS:
            self.warnings.append("online course: coordinates ignored")
            return None, None
        return lat, lon

    def _timezone(self, lat: float | None, lon: float | None, place_tz: str | None) -> str | None:
        """Given zone, else the zone at the venue, else the catalogue's default."""
        raw = self.raw.get("timezone")
        if not v.is_blank(raw):
            try:
                return v.parse_timezone(raw)
            except v.ValueProblem as exc:
                self.errors.append(str(exc))
                return None
        if place_tz is not None:
            return place_tz
        if lat is not None and lon is not None:
            from bot.domain.places import tz_at

            return tz_at(lat, lon)
        if named := v.zone_named_in(self.raw.get("starts_at")):  # "9:00 AM CST"
            return named
        self.zone_assumed = True
        return self.default_tz

    def _times(
        self, fmt: str | None, tz_name: str | None
    ) -> tuple[datetime | None, datetime | None]:
        zone = ZoneInfo(tz_name or "UTC")
        start_raw = self.raw.get("starts_at")
        if v.is_blank(start_raw):
            self.errors.append("missing start date")
            return None, None
        try:
            start, _ = v.parse_when(start_raw, "start")
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None, None
        if start.tzinfo is not None:  # "…T12:00:00-06:00", an iCalendar "Z": not assumed
            self.zone_assumed = False  # (QA round 9: counted in the note all the same)
        self._warn_if_skipped(start, zone)
        start = _aware(start, zone)
        end_raw = self.raw.get("ends_at")
        end: datetime | None = None
        if not v.is_blank(end_raw):
            try:
                parsed, date_only = v.parse_when(end_raw, "end")
            except v.ValueProblem as exc:
                self.errors.append(str(exc))
                return None, None
            if date_only:  # an end date means "through that day"
                parsed = datetime.combine(parsed.date(), time(23, 59))
            self._warn_if_skipped(parsed, zone)
            end = _aware(parsed, zone)
        elif not v.is_blank(self.raw.get("end_time")):
            end = self._end_on_start_day(start, zone)
            if end is None:
                return None, None
        elif fmt == "on_demand":
            end = start + DEFAULT_ON_DEMAND_DURATION
        else:
            _, start_date_only = v.parse_when(start_raw, "start")
            if start_date_only:
                end = _aware(datetime.combine(start.astimezone(zone).date(), time(23, 59)), zone)
            else:
                end = start + timedelta(hours=1)
        if end < start:
            self.errors.append(
                f"ends before it starts ({end.astimezone(zone):%Y-%m-%d %H:%M} < "
                f"{start.astimezone(zone):%Y-%m-%d %H:%M})"
            )
            return None, None
        if end - start > MAX_DURATION:
            self.errors.append("lasts more than 3 years (is a year mistyped?)")
            return None, None
        if not 2000 <= start.year <= 2100:
            self.errors.append(f"start year {start.year} is out of range")
            return None, None
        return start, end

    def _end_on_start_day(self, start: datetime, zone: ZoneInfo) -> datetime | None:
        """An "End Time" without an end date ends on the start's day (QA round 9: it was
        dropped and the course given an hour)."""
        try:
            clock = v.parse_clock(self.raw.get("end_time"), "end time")
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None
        local = datetime.combine(start.astimezone(zone).date(), clock)
        self._warn_if_skipped(local, zone)
        return _aware(local, zone)

    def _warn_if_skipped(self, local: datetime, zone: ZoneInfo) -> None:
        """A wall time the clocks skip (02:30 on the night they go forward) is read as the
        time it becomes, an hour later: say so rather than move the course silently. An
        iCalendar time names its own zone (TZID); a fixed offset skips nothing."""
        if isinstance(local.tzinfo, ZoneInfo):
            zone, local = local.tzinfo, local.replace(tzinfo=None)
        elif local.tzinfo is not None:
            return
        became = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
        if became.replace(tzinfo=None) != local:
            self.warnings.append(
                f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks go "
                f"forward that night): read as {became:%H:%M}"
            )

    def _price(self) -> tuple[Decimal | None, str | None]:
        raw = self.raw.get("price")
        if v.is_blank(raw):
            return None, None
        try:
            amount, currency = v.parse_price(raw, self.raw.get("currency"))
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None, None
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), currency

    def _url(self) -> str | None:
        raw = self.raw.get("registration_url")
        if v.is_blank(raw):
            return None
        try:
            return v.parse_url(raw)
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None

    def _country(self) -> str | None:
        raw = self.raw.get("country")
        if v.is_blank(raw):
            return None
        try:
            return v.parse_country(raw)
        except v.ValueProblem as exc:
            self.errors.append(str(exc))
            return None

    def _cancelled(self) -> bool:
        status = (v.text(self.raw.get("status")) or "").lower()
        return status in {"cancelled", "canceled"}


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    """Local wall time in ``zone`` (or keep an explicit offset), as an aware UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _in_contact_hours(category: str) -> bool:
    """Nurses' and pharmacists' CE, both counted in contact hours (ANCC, ACPE)."""
    return topics.category_says(category) == "contact hours"
