"""Column names → canonical field names, tolerant of case, spacing and common synonyms.

Catalogues are exported from spreadsheets and registration systems, each with its own
headers ("Course Title", "AMA PRA Category 1 Credits™", "Start Date" + "Start Time").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.courses.credit_text import category_named
from bot.courses.values import split_list, text
from bot.domain import topics

SYNONYMS: dict[str, tuple[str, ...]] = {
    "source_id": ("id", "source id", "course id", "activity id", "event id", "uid", "identifier",
                  "ref", "reference", "code", "course code", "activity number"),
    "title": ("title", "name", "course", "course title", "course name", "activity title",
              "activity name", "activity", "event", "event name", "event title"),
    "provider": ("provider", "organizer", "organiser", "sponsor", "host", "organization",
                 "organisation", "accredited provider", "provider name", "offered by"),
    "accreditation": ("accreditation", "accredited by", "accreditor", "accreditation statement",
                      "accrediting body"),
    "credits": ("credits", "credit", "credit hours", "cme credits", "cme credit", "cme hours",
                "hours", "number of credits", "max credits", "maximum credits", "credit amount",
                "credits amount", "amount of credit", "numberofcredits", "contact hours"),
    "category": ("category", "credit category", "credit type", "type of credit",
                 "credit designation", "designation"),
    "topics": ("topics", "topic", "subjects", "subject", "mandates", "mandated topics",
               "mandate topics", "required topics", "topic ids"),
    "keywords": ("keywords", "tags", "categories", "specialty", "specialties", "about"),
    "format": ("format", "type", "activity type", "delivery", "delivery method", "mode",
               "course mode", "coursemode", "attendance mode", "activity format"),
    "starts_at": ("start", "starts", "starts at", "start at", "start datetime",
                  "start date time", "begins", "begin", "from", "startdate", "dtstart"),
    "start_date": ("start date", "date", "course date", "event date", "begin date"),
    "start_time": ("start time", "time", "begin time"),
    "ends_at": ("end", "ends", "ends at", "end at", "end datetime", "end date time", "until",
                "to", "enddate", "dtend", "finish"),
    "end_date": ("end date", "finish date"),
    "end_time": ("end time", "finish time"),
    "timezone": ("timezone", "time zone", "tz", "tzid", "zone"),
    "venue": ("venue", "location", "location name", "place", "facility", "hotel", "site"),
    "address": ("address", "street", "street address", "address line 1", "address 1",
                "streetaddress"),
    "city": ("city", "town", "locality", "addresslocality"),
    "postal_code": ("zip", "zip code", "zipcode", "postal code", "postcode", "post code",
                    "postalcode", "zip postal code", "postal zip code", "zip 5"),
    "region": ("state", "region", "province", "state province", "state code",
               "addressregion"),
    "country": ("country", "country code", "addresscountry"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "price": ("price", "fee", "fees", "cost", "tuition", "registration fee"),
    "currency": ("currency", "price currency", "pricecurrency"),
    "registration_url": ("url", "link", "registration url", "registration link", "register",
                         "website", "web", "course url", "registration", "web link"),
    "description": ("description", "details", "abstract", "overview", "notes", "summary"),
    "status": ("status", "event status"),
}  # fmt: skip
_LOOKUP = {syn: name for name, syns in SYNONYMS.items() for syn in syns}
_CREDIT_WORDS = re.compile(r"\b(credits?|hours?|points?)\b")
REQUIRED = ("title", "credits", "starts_at")
_LENGTH_WORDS = frozenset({"hours", "hrs", "length", "duration"})


def fold_header(header: str) -> str:
    """ "  Course_Title™ " → "course title"."""
    cleaned = re.sub(r"[^a-z0-9]+", " ", header.lower().replace("™", " ").replace("®", " "))
    return " ".join(cleaned.split())


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Which canonical field each column feeds, and what the header itself implied."""

    columns: dict[int, str]
    implied: dict[str, str]
    ignored: tuple[str, ...]

    def missing(self) -> list[str]:
        """Required fields no column provides."""
        have = set(self.columns.values())
        if "start_date" in have:
            have.add("starts_at")
        return [name for name in REQUIRED if name not in have]


def field_for(header: str) -> tuple[str | None, str | None]:
    """``(canonical field, implied credit category)`` for one header, or ``(None, None)``.

    A header naming a credit category ("AMA PRA Category 1 Credits") is the credits
    column and says which category its numbers are.
    """
    key = fold_header(header)
    if not key:
        return None, None
    if key in _LOOKUP:
        return _LOOKUP[key], None
    if _CREDIT_WORDS.search(key):
        category = topics.normalize_category(key) or category_named(key)
        if category is not None:
            return "credits", category
    return None, None


def map_headers(headers: Iterable[str]) -> HeaderMap:
    """Map every column; for each field the column that names it best, else the first."""
    headers = list(headers)
    found = [field_for(header) for header in headers]
    best: dict[str, int] = {}
    for index, (name, _) in enumerate(found):
        if name is None:
            continue
        if name not in best or _rank(headers[index]) > _rank(headers[best[name]]):
            best[name] = index
    columns = {index: name for name, index in sorted(best.items(), key=lambda kv: kv[1])}
    categories = [found[index][1] for index in columns if found[index][1]]
    implied = {"category": categories[0]} if categories else {}
    ignored = tuple(h.strip() for i, h in enumerate(headers) if i not in columns and h.strip())
    return HeaderMap(columns, implied, ignored)


def _rank(header: str) -> int:
    """A bare "Hours" is often the course's length: any column that says credits wins over
    it (QA round 9: 8 hours stored as the credits, the real credits column ignored)."""
    return 0 if fold_header(header) in _LENGTH_WORDS else 1


def canonical_object(obj: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A flat JSON object with any known key spellings → canonical fields, ignored keys."""
    keys = [str(key) for key in obj]
    mapping = map_headers(keys)
    result: dict[str, Any] = {name: obj[keys[i]] for i, name in mapping.columns.items()}
    if "category" in mapping.implied and "category" not in result:
        result["category"] = mapping.implied["category"]
    return finish(result), list(mapping.ignored)


def finish(fields: dict[str, Any]) -> dict[str, Any]:
    """Join split date/time columns and fold loose keywords into topics."""
    for prefix, target in (("start", "starts_at"), ("end", "ends_at")):
        day = fields.pop(f"{prefix}_date", None)
        clock = fields.pop(f"{prefix}_time", None)
        if fields.get(target) in (None, "") and day not in (None, ""):
            fields[target] = f"{day} {clock}".strip() if clock not in (None, "") else day
        elif prefix == "end" and fields.get(target) in (None, "") and clock not in (None, ""):
            fields["end_time"] = clock  # on the start's day: the validator knows it
    venue = text(fields.get("venue"))
    if venue and "," in venue and not any(fields.get(k) for k in ("city", "address")):
        del fields["venue"]
        fields.update(split_location(venue))
    keywords = fields.pop("keywords", None)
    if keywords not in (None, ""):
        fields["topics"] = merge_topics(fields.get("topics"), lenient_topics(keywords))
    return fields


def lenient_topics(value: object) -> list[str]:
    """Topic ids among free tags ("Cardiology, Opioids" → opioid_prescribing); others dropped.

    Tags and iCalendar CATEGORIES mix topics with anything else, so unknown tags are not
    errors, unlike an explicit topics column.
    """
    return [t for item in split_list(value) if (t := topics.normalize_topic(item))]


def merge_topics(explicit: object, extra: list[str]) -> list[str]:
    return [*split_list(explicit), *extra]


_REGION_TAIL = re.compile(r"^([A-Za-z]{2})(?:\s+(\d{5}(?:-\d{4})?))?$")
_ONLINE_WORDS = re.compile(r"\b(online|virtual|zoom|webinar|webex|teams|livestream)\b", re.I)


def split_location(location: str) -> dict[str, str]:
    """ "Hynes Center, 900 Boylston St, Boston, MA 02115" → venue, address, city, region, ZIP.

    Only the US "…, City, ST [ZIP]" tail is recognised; anything else stays the venue.
    """
    parts = [p.strip() for p in location.split(",") if p.strip()]
    if len(parts) >= 2 and parts[-1].upper() in ("USA", "US", "UNITED STATES"):
        parts = parts[:-1]
    if len(parts) < 2 or not (tail := _REGION_TAIL.match(parts[-1])):
        return {"venue": location}
    found = {"region": tail.group(1).upper(), "city": parts[-2]}
    if tail.group(2):
        found["postal_code"] = tail.group(2)
    if len(parts) >= 3:
        found["venue"] = parts[0]
    if len(parts) >= 4:
        found["address"] = ", ".join(parts[1:-2])
    elif len(parts) == 3 and parts[0][:1].isdigit():
        found["address"] = found.pop("venue")
    return found


def looks_online(location: str | None) -> bool:
    """A LOCATION like "Online", "Zoom" or a link means a course without a venue."""
    if not location:
        return False
    return location.strip().lower().startswith(("http://", "https://")) or bool(
        _ONLINE_WORDS.search(location)
    )
