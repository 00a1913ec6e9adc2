"""iCalendar catalogues: one course per event, recurring events expanded over a horizon.

CME data rides in ``X-CME-*`` properties (CREDITS, CATEGORY, TOPICS, FORMAT, PRICE,
CURRENCY, PROVIDER, ACCREDITATION) or in "Credits: …" / "Topics: …" lines of the
DESCRIPTION; CATEGORIES that name a known topic count as topics; GEO gives coordinates.
``recurring_ical_events`` is not a dependency, so RRULE/RDATE/EXDATE and RECURRENCE-ID
overrides are expanded here with ``dateutil.rrule`` (already installed with dateparser).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar, Event

from bot.courses.parsers.common import ParseError, ParseResult, RawRow, decode_text, looks_like_html
from bot.courses.parsers.fields import lenient_topics, looks_online, split_location
from bot.courses.records import Rejection
from bot.courses.values import split_list

DEFAULT_HORIZON = timedelta(days=365)
MAX_OCCURRENCES = 500
"""Per recurring event: a daily series over a year is 365."""

_X_FIELDS = {
    "X-CME-CREDITS": "credits",
    "X-CME-CATEGORY": "category",
    "X-CME-TOPICS": "topics",
    "X-CME-FORMAT": "format",
    "X-CME-PRICE": "price",
    "X-CME-CURRENCY": "currency",
    "X-CME-PROVIDER": "provider",
    "X-CME-ACCREDITATION": "accreditation",
    "X-CME-VENUE": "venue",
    "X-CME-CITY": "city",
    "X-CME-REGION": "region",
    "X-CME-COUNTRY": "country",
}
_DESCRIPTION_LINES = {
    "credits": re.compile(r"^\s*(?:cme\s+)?credits?\s*[:=]\s*(.+)$", re.I | re.M),
    "topics": re.compile(r"^\s*topics?\s*[:=]\s*(.+)$", re.I | re.M),
    "format": re.compile(r"^\s*format\s*[:=]\s*(.+)$", re.I | re.M),
    "price": re.compile(r"^\s*(?:price|fee|cost)\s*[:=]\s*(.+)$", re.I | re.M),
}
# "for 2 AMA PRA Category 1 Credits", "1 credit", "1.5 contact hours" (QA: a description
# saying "1 credit" was rejected as missing its credits)
_CREDITS_IN_TEXT = re.compile(
    r"(\d+(?:\.\d+)?)\s*((?:AMA PRA Category 1\s+|(?:CME|CE|CNE|ANCC|ACPE|nursing)\s+)?"
    r"(?:credits?|contact\s+hours?|credit\s+hours?))\b",
    re.I,
)

When = datetime | date


def parse_ics(data: bytes, *, now: datetime, horizon: timedelta = DEFAULT_HORIZON) -> ParseResult:
    """Courses in a calendar; occurrences of recurring events from ``now`` to ``now + horizon``."""
    text, _ = decode_text(data)
    if looks_like_html(text):
        raise ParseError("this is an HTML page, not an iCalendar file")
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise ParseError("not an iCalendar file (no BEGIN:VCALENDAR)")
    if "END:VCALENDAR" not in text[-4096:].upper():  # the library's words name BEGIN instead
        raise ParseError(
            "the file stops before END:VCALENDAR: it looks cut short (an interrupted "
            "download or export?)"
        )
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        said = _first_line(exc)
        if said.startswith("Found no components"):  # "…: BEGIN:VCALENDAR", when it has one
            said = "its BEGIN: and END: lines do not pair up (a component is never closed)"
        raise ParseError(f"not a valid iCalendar file: {said}") from None
    floating_tz = _calendar_zone(calendar)
    events: list[Any] = list(calendar.walk("VEVENT"))
    if not events:
        raise ParseError("the calendar has no events")
    result = ParseResult()
    overrides: dict[tuple[str, str], Event] = {}
    for event in events:
        if "RECURRENCE-ID" in event and "UID" in event:
            overrides[(str(event["UID"]), _key(_dt(event, "RECURRENCE-ID")))] = event
    used: set[tuple[str, str]] = set()
    window = (now, now + horizon)
    for number, event in enumerate(events, start=1):
        uid = str(event["UID"]) if "UID" in event else None
        where = f"event {number}" + (f" (UID {uid})" if uid else "")
        if "RECURRENCE-ID" in event:
            continue  # placed by its master event below, or on its own at the end
        if any("UNTIL" not in r and "COUNT" not in r for r in event.rrules):
            result.notes.append(
                f"{where} repeats without an end: its occurrences of the next "
                f"{horizon.days} days are listed (at most {MAX_OCCURRENCES}); importing the "
                "calendar again later adds the following ones."
            )
        try:
            for occurrence in _occurrences(event, uid, overrides, used, window, floating_tz):
                fields = _fields(occurrence.event, floating_tz, occurrence.start, occurrence.end)
                if occurrence.key is not None:
                    fields["source_id"] = f"{uid}#{occurrence.key}" if uid else None
                    label = f"{where} on {occurrence.key[:8]}"
                else:
                    label = where
                result.rows.append(RawRow(label, fields))
        except (ValueError, TypeError, KeyError) as exc:
            result.rejections.append(Rejection(where, f"unreadable event: {_first_line(exc)}", uid))
    for (uid, key), event in overrides.items():  # overrides whose master is absent
        if (uid, key) in used:
            continue
        start, end = _span(event)
        if start is not None and window[0] <= _utc(start, floating_tz) <= window[1]:
            fields = _fields(event, floating_tz, start, end)
            fields["source_id"] = f"{uid}#{key}"
            result.rows.append(RawRow(f"event UID {uid} on {key[:8]}", fields))
    return result


@dataclass(frozen=True, slots=True)
class _Occurrence:
    event: Event
    start: When | None
    end: When | None
    key: str | None  # recurrence key (original start), None for a single event


def _occurrences(
    event: Event,
    uid: str | None,
    overrides: dict[tuple[str, str], Event],
    used: set[tuple[str, str]],
    window: tuple[datetime, datetime],
    floating_tz: ZoneInfo | None,
) -> Iterator[_Occurrence]:
    start, end = _span(event)
    if start is None or not ("RRULE" in event or "RDATE" in event):
        yield _Occurrence(event, start, end, None)
        return
    duration = (end - start) if end is not None else None
    for occurrence in _expand(event, start, window, floating_tz):
        key = _key(occurrence)
        override = overrides.get((uid, key)) if uid else None
        if override is not None:
            used.add((uid, key))  # type: ignore[arg-type]
            merged = _merged(event, override)
            o_start, o_end = _span(merged)
            yield _Occurrence(merged, o_start, o_end, key)
            continue
        yield _Occurrence(
            event, occurrence, occurrence + duration if duration is not None else None, key
        )


_SERIES_ONLY = frozenset({"RRULE", "RDATE", "EXDATE", "DTSTART", "DTEND", "DURATION"})


def _merged(master: Event, override: Event) -> Event:
    """An override (RECURRENCE-ID) on top of its series: unsaid properties are inherited.

    Many producers send only what changed (often just DTSTART), so a moved grand round
    keeps its credits, venue and topics.
    """
    merged = Event()
    for name, value in master.items():
        if name not in _SERIES_ONLY:
            merged[name] = value
    for name, value in override.items():
        merged[name] = value
    return merged


def _expand(
    event: Event, start: When, window: tuple[datetime, datetime], floating_tz: ZoneInfo | None
) -> list[When]:
    """Occurrence starts inside the window (RRULE ∪ RDATE − EXDATE), at most MAX_OCCURRENCES.

    Floating times are expanded as if in the calendar's zone (UTC if it names none) and
    returned floating again, so the validator places them at the venue.
    """
    all_day = not isinstance(start, datetime)
    dtstart = start if isinstance(start, datetime) else datetime.combine(start, time())
    floating = not all_day and dtstart.tzinfo is None
    if floating:
        dtstart = dtstart.replace(tzinfo=floating_tz or UTC)
    rules = rruleset()
    for recur in event.rrules:
        recur = recur.copy()
        if "UNTIL" in recur:
            recur["UNTIL"] = [_until_like(u, dtstart) for u in recur["UNTIL"]]
        rules.rrule(rrulestr(recur.to_ical().decode(), dtstart=dtstart))  # type: ignore[arg-type]
    for rdate, _ in event.rdates:
        rules.rdate(_like(rdate, dtstart))
    for exdate in event.exdates:
        rules.exdate(_like(exdate, dtstart))
    low, high = window
    if all_day:
        low_local = datetime.combine(low.date(), time())
        high_local = datetime.combine(high.date(), time())
        found = rules.between(low_local, high_local, inc=True)
    else:
        found = rules.between(low, high, inc=True)
    found = found[:MAX_OCCURRENCES]
    if all_day:
        return [d.date() for d in found]
    return [d.replace(tzinfo=None) for d in found] if floating else found


def _like(value: When, dtstart: datetime) -> datetime:
    """A date/datetime made comparable with ``dtstart`` (same awareness)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, dtstart.time())
    if dtstart.tzinfo is None:
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(UTC).replace(tzinfo=None)
        )
    if value.tzinfo is None:
        return value.replace(tzinfo=dtstart.tzinfo)
    return value


def _until_like(until: When, dtstart: datetime) -> datetime:
    """UNTIL as dateutil wants it: UTC when DTSTART is aware, naive otherwise (RFC 5545)."""
    if not isinstance(until, datetime):
        until = datetime.combine(until, time(23, 59, 59))
    if dtstart.tzinfo is None:
        return until.replace(tzinfo=None)
    if until.tzinfo is None:
        until = until.replace(tzinfo=dtstart.tzinfo)
    return until.astimezone(UTC)


def _span(event: Event) -> tuple[When | None, When | None]:
    """DTSTART and the end (DTEND, or DTSTART + DURATION); None when absent."""
    if "DTSTART" not in event:
        return None, None
    start = _dt(event, "DTSTART")
    if "DTEND" in event:
        return start, _dt(event, "DTEND")
    if "DURATION" in event:
        return start, start + _dt(event, "DURATION")
    return start, None


def _dt(event: Event, name: str) -> Any:
    """The decoded value of a date/time property (datetime, date or timedelta)."""
    prop: Any = event[name]
    return prop.dt


def _fields(
    event: Event, floating_tz: ZoneInfo | None, start: When | None, end: When | None
) -> dict[str, Any]:
    """The canonical fields of one event (or occurrence)."""
    fields: dict[str, Any] = {
        "source_id": str(event["UID"]) if "UID" in event else None,
        "title": _str(event.get("SUMMARY")),
        "description": _str(event.get("DESCRIPTION")),
        "registration_url": _str(event.get("URL")),
        "status": _str(event.get("STATUS")),
    }
    organizer = event.get("ORGANIZER")
    if organizer is not None:
        fields["provider"] = organizer.params.get("CN") or None
    description = fields["description"] or ""
    for name, pattern in _DESCRIPTION_LINES.items():
        if match := pattern.search(description):
            fields[name] = match.group(1).strip()
    if "credits" not in fields and (match := _CREDITS_IN_TEXT.search(description)):
        fields["credits"] = f"{match.group(1)} {match.group(2)}"
    for prop, name in _X_FIELDS.items():
        if prop in event:
            fields[name] = _str(event[prop])
    categories = [str(c) for prop in _as_list(event.get("CATEGORIES")) for c in prop.cats]
    fields["topics"] = [*split_list(fields.get("topics")), *lenient_topics(categories)]
    location = _str(event.get("LOCATION"))
    geo = event.get("GEO")
    if geo is not None:
        fields["latitude"], fields["longitude"] = geo.latitude, geo.longitude
    if "format" not in fields and location and looks_online(location) and geo is None:
        fields["format"] = "live_online"
    if location and not looks_online(location) and "venue" not in fields:
        fields.update({k: v for k, v in split_location(location).items() if k not in fields})
    _times(fields, start, end, floating_tz)
    tzid = event["DTSTART"].params.get("TZID") if "DTSTART" in event else None
    if tzid and isinstance(start, datetime) and start.tzinfo is None:
        # A TZID icalendar could not resolve ("Mars/Olympus"): the validator refuses it by
        # name, as the CSV importer does, instead of reading the time in another zone.
        fields["timezone"] = str(tzid)
    return fields


def _times(
    fields: dict[str, Any], start: When | None, end: When | None, zone: ZoneInfo | None
) -> None:
    """Start/end for the validator; the zone name comes from TZID, else X-WR-TIMEZONE.

    Without either, floating times stay naive: the validator reads them in the venue's
    zone (from GEO) or the catalogue default.
    """
    if start is None:
        return
    if isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo):
        # A UTC time ("...T170000Z") pins the moment, not the venue's clock: the validator
        # finds the zone where it takes place (QA: Tampa shown as "5:00 PM UTC there").
        if start.tzinfo.key not in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
            fields["timezone"] = start.tzinfo.key
    elif (not isinstance(start, datetime) or start.tzinfo is None) and zone is not None:
        fields["timezone"] = zone.key
    fields["starts_at"] = start
    if end is not None:
        if not isinstance(end, datetime) and not isinstance(start, datetime):
            end = end - timedelta(days=1) if end > start else end  # DTEND;VALUE=DATE is exclusive
        fields["ends_at"] = end


def _calendar_zone(calendar: Calendar) -> ZoneInfo | None:
    """X-WR-TIMEZONE for floating times (Google Calendar exports set it), if valid."""
    name = _str(calendar.get("X-WR-TIMEZONE"))
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return None


def _key(value: When) -> str:
    """A stable id for an occurrence: its original start in UTC (or its date)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y%m%dT%H%M%S")
        return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _utc(value: When, zone: ZoneInfo | None) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    return value.astimezone(UTC)


def _str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
