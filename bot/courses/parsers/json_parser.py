"""JSON catalogues: our documented list of objects, or schema.org Course / CourseInstance.

The documented format is a list — or ``{"courses": [...]}`` — of flat objects whose keys
are the CSV column names (``id``, ``title``, ``provider``, ``credits``, ``category``,
``topics`` (list or "a; b"), ``format``, ``starts_at``, ``ends_at`` (ISO 8601; local time
unless an offset is given), ``timezone``, ``venue``, ``address``, ``city``, ``region``,
``country``, ``latitude``, ``longitude``, ``price``, ``currency``, ``registration_url``,
``description``, ``status``); the same synonyms as CSV headers are accepted::

    [{"id": "ob-2027-03", "title": "Safe Opioid Prescribing", "credits": 2,
      "category": "ama_pra_1", "topics": ["opioid_prescribing"], "format": "in_person",
      "starts_at": "2027-03-05T08:00", "ends_at": "2027-03-05T10:00",
      "timezone": "America/Chicago", "venue": "Hyatt", "city": "Chicago", "region": "IL",
      "latitude": 41.88, "longitude": -87.63, "price": 250, "currency": "USD",
      "registration_url": "https://example.org/ob"}]

schema.org objects (``@type`` Course with ``hasCourseInstance``, CourseInstance,
EducationEvent/Event, also inside ``@graph``) become one course per instance: schema.org
has no CME credit field, so credits come from ``numberOfCredits``, ``credits`` or an
``educationalCredentialAwarded`` text like "2 AMA PRA Category 1 Credits™".
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from bot.courses.parsers.common import ParseError, ParseResult, RawRow, decode_text, looks_like_html
from bot.courses.parsers.fields import canonical_object, lenient_topics, looks_online
from bot.courses.records import Rejection
from bot.courses.values import split_list

_LIST_KEYS = ("courses", "items", "data", "results", "@graph", "itemListElement")
_INSTANCE_TYPES = {"courseinstance", "educationevent", "event", "businessevent"}
_MODES = {
    "onsite": "in_person",
    "offline": "in_person",
    "offlineeventattendancemode": "in_person",
    "online": "live_online",
    "onlineeventattendancemode": "live_online",
    "blended": "hybrid",
    "mixed": "hybrid",
    "mixedeventattendancemode": "hybrid",
}


def parse_json(data: bytes) -> ParseResult:
    """Courses in a JSON document; an item that is not an object is a rejection."""
    text, _ = decode_text(data)
    if looks_like_html(text):
        raise ParseError("this is an HTML page, not a JSON file")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        # json's own words can end in "at" ("Unterminated string starting at"): QA round 9
        said = exc.msg.removesuffix(" at")
        where = f"line {exc.lineno} column {exc.colno}"
        raise ParseError(f"not valid JSON: {said} at {where}") from None
    items = _items(document)
    if items is None:
        raise ParseError(
            'JSON must be a list of courses, {"courses": [...]}, or a schema.org Course'
        )
    if not items:
        raise ParseError("no courses in the file")
    result = ParseResult()
    ignored: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if not isinstance(item, Mapping):
            result.rejections.append(Rejection(where, "not an object"))
            continue
        kind = _type(item)
        if kind == "course" or kind in _INSTANCE_TYPES:
            for suffix, fields in _schema_rows(item):
                result.rows.append(RawRow(where + suffix, fields))
            continue
        fields, unknown = canonical_object(item)
        ignored.update(unknown)
        result.rows.append(RawRow(where, fields))
    if ignored:
        result.notes.append(f"ignored key(s): {', '.join(sorted(ignored))}")
    return result


def _items(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return [_unwrap(i) for i in document[key]]
        if "@type" in document:
            return [document]
    return None


def _unwrap(item: Any) -> Any:
    """schema.org ItemList entries wrap the course in a ListItem's ``item``."""
    if isinstance(item, Mapping) and _type(item) == "listitem" and "item" in item:
        return item["item"]
    return item


def _type(item: Mapping[str, Any]) -> str:
    kind = item.get("@type")
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), "")
    return str(kind or "").rsplit("/", 1)[-1].lower()


def _schema_rows(item: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """One row per CourseInstance (or the event itself), course-level values inherited."""
    if _type(item) != "course":
        yield "", _schema_fields({}, item)
        return
    instances = item.get("hasCourseInstance")
    if isinstance(instances, Mapping):
        instances = [instances]
    if not isinstance(instances, list) or not instances:
        yield "", _schema_fields(item, {})
        return
    for number, instance in enumerate(instances, start=1):
        if isinstance(instance, Mapping):
            fields = _schema_fields(item, instance)
            course_id = _first(item, "identifier", "@id", "courseCode", "url")
            instance_id = _first(instance, "identifier", "@id") or _first(instance, "startDate")
            if course_id and instance_id:
                fields["source_id"] = f"{course_id}#{instance_id}"
            yield f" instance {number}", fields


def _schema_fields(course: Mapping[str, Any], instance: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical fields from a schema.org course and/or instance (the instance wins)."""

    def pick(*keys: str) -> Any:
        return _first(instance, *keys) or _first(course, *keys)

    fields: dict[str, Any] = {
        "source_id": _first(instance, "identifier", "@id") or _first(course, "identifier", "@id"),
        "title": pick("name"),
        "description": pick("description"),
        "provider": _name(pick("provider", "organizer")),
        "accreditation": _name(pick("accreditation", "recognizedBy")),
        "starts_at": pick("startDate"),
        "ends_at": pick("endDate"),
        "registration_url": pick("url"),
    }
    award = pick("educationalCredentialAwarded", "occupationalCredentialAwarded")
    fields["credits"] = pick("numberOfCredits", "credits") or (_name(award) if award else None)
    fields["category"] = pick("creditCategory", "category")
    fields["topics"] = [
        *split_list(pick("topics")),
        *lenient_topics(_names(pick("about")) + split_list(pick("keywords"))),
    ]
    mode = pick("courseMode", "eventAttendanceMode", "format")
    mode = mode[0] if isinstance(mode, list) else mode
    if mode:
        key = str(mode).rsplit("/", 1)[-1].replace(" ", "").replace("-", "").lower()
        fields["format"] = _MODES.get(key, mode)
    _location(fields, pick("location"))
    offers = pick("offers")
    offer = offers[0] if isinstance(offers, list) and offers else offers
    if isinstance(offer, Mapping):
        fields["price"] = offer.get("price")
        fields["currency"] = offer.get("priceCurrency")
        fields["registration_url"] = fields["registration_url"] or offer.get("url")
    return {k: v for k, v in fields.items() if v not in (None, "", [])}


def _location(fields: dict[str, Any], location: Any) -> None:
    if isinstance(location, list):
        location = next((loc for loc in location if _type_of(loc) != "virtuallocation"), None) or (
            location[0] if location else None
        )
    if isinstance(location, str):
        if looks_online(location):
            fields.setdefault("format", "live_online")
        else:
            fields["venue"] = location
        return
    if not isinstance(location, Mapping):
        return
    if _type(location) == "virtuallocation":
        fields.setdefault("format", "live_online")
        return
    fields["venue"] = location.get("name")
    address = location.get("address")
    if isinstance(address, Mapping):
        fields["address"] = address.get("streetAddress")
        fields["city"] = address.get("addressLocality")
        fields["region"] = address.get("addressRegion")
        fields["country"] = _name(address.get("addressCountry"))
        fields["postal_code"] = address.get("postalCode")  # QA round 9: it was dropped
    elif isinstance(address, str):
        fields["address"] = address
    geo = location.get("geo")
    if isinstance(geo, Mapping):
        fields["latitude"] = geo.get("latitude")
        fields["longitude"] = geo.get("longitude")


def _type_of(value: Any) -> str:
    return _type(value) if isinstance(value, Mapping) else ""


def _first(obj: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", []):
            return value
    return None


def _name(value: Any) -> str | None:
    """A schema.org Thing or plain text → its name."""
    if isinstance(value, Mapping):
        value = value.get("name") or value.get("@id")
    if isinstance(value, list):
        value = next((_name(v) for v in value if _name(v)), None)
    return None if value in (None, "") else str(value)


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [n for item in items if (n := _name(item))]
