"""Time zones typed as zones, not places: IANA names, UTC/GMT offsets, US zone names.

Why before the place search: "Europe/London" or "PST" are not towns, and fuzzy place
matching turns them into East London or Pest. Abbreviations come from zoneinfo itself
(what each US zone calls itself in winter and summer), so only the spoken names
("Central", "Pacific") are ours.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# Spoken US zone name → the IANA zone people mean by it (DST included).
US_ZONES: dict[str, str] = {
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
}
_FILLER = frozenset({"time", "zone", "standard", "daylight", "us", "usa", "canada", "and", "tz"})
_OFFSET = re.compile(r"^(?:utc|gmt|z)?([+\-])(\d{1,2})(?::?(\d{2}))?$")
_UTC_WORDS = frozenset({"utc", "gmt", "z", "zulu", "utc+0", "gmt+0", "utc-0", "gmt-0", "etc/utc"})
MAX_EAST_HOURS = 14  # Etc/GMT-14 (Kiribati) ...
MAX_WEST_HOURS = 12  # ... to Etc/GMT+12
SUGGESTION_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A zone the user named. ``fixed`` offsets do not follow daylight saving time."""

    tz: str
    label: str
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class ZoneUnknown:
    """It looks like a zone (has a "/" or an offset) but none fits; close IANA names."""

    suggestions: tuple[str, ...] = ()
    reason: str = "unknown"  # "partial_hour": no IANA zone is a fixed +05:30; "ambiguous"


ZoneAnswer = ZoneMatch | ZoneUnknown


@cache
def _iana_by_folded() -> dict[str, str]:
    """Case-folded IANA name (spaces as underscores) → its proper spelling."""
    return {name.casefold(): name for name in available_timezones()}


@cache
def _us_abbreviations() -> dict[str, str]:
    """ "cst" → America/Chicago etc., read from zoneinfo for a winter and a summer day."""
    found: dict[str, str] = {}
    for zone in US_ZONES.values():
        for month in (1, 7):
            name = datetime(2026, month, 15, 12, tzinfo=UTC).astimezone(ZoneInfo(zone)).tzname()
            if name and name.isalpha():
                found.setdefault(name.casefold(), zone)
    return found


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z/]+", " ", text.casefold()).split()


# Arizona keeps MST all year (no daylight saving); Denver is MST only in winter.
_AMBIGUOUS = {"mst": ("America/Denver", "America/Phoenix")}


def _us_zone(text: str) -> ZoneAnswer | None:
    words = [w.removeprefix("us/") for w in _words(text)]
    words = [w for w in words if w not in _FILLER]
    if len(words) != 1:
        return None
    word = words[0]
    if word in _AMBIGUOUS:
        return ZoneUnknown(_AMBIGUOUS[word], reason="ambiguous")
    if word in US_ZONES:
        return ZoneMatch(US_ZONES[word], f"US {word.capitalize()} time")
    if zone := _us_abbreviations().get(word):
        spoken = next(name for name, tz in US_ZONES.items() if tz == zone)
        return ZoneMatch(zone, f"US {spoken.capitalize()} time")
    return None


def _offset_zone(text: str) -> ZoneAnswer | None:
    compact = text.casefold().replace(" ", "").replace("−", "-")
    if compact in _UTC_WORDS:
        return ZoneMatch("Etc/UTC", "UTC", fixed=True)
    match = _OFFSET.match(compact)
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    east = sign == "+"
    if minutes or hours > (MAX_EAST_HOURS if east else MAX_WEST_HOURS):
        return ZoneUnknown(reason="partial_hour" if minutes else "unknown")
    if hours == 0:
        return ZoneMatch("Etc/UTC", "UTC", fixed=True)
    # Etc/GMT signs are POSIX-style, inverted: UTC+2 is Etc/GMT-2.
    tz = f"Etc/GMT{'-' if east else '+'}{hours}"
    return ZoneMatch(tz, f"UTC{sign}{hours}", fixed=True)


def _iana_zone(text: str) -> ZoneAnswer | None:
    key = "_".join(text.strip().split()).casefold()
    known = _iana_by_folded()
    if key in known:
        return ZoneMatch(known[key], known[key], fixed=known[key].startswith("Etc/"))
    if "/" not in key:
        return None
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=SUGGESTION_CUTOFF)
    return ZoneUnknown(tuple(known[name] for name in close))


def parse_zone(text: str) -> ZoneAnswer | None:
    """A zone the text names, a near miss with suggestions, or None (try it as a place).

    US names and abbreviations come first, so "EST" is New York with its DST rather than
    the legacy fixed zone of that name.
    """
    if not text.strip():
        return None
    return _us_zone(text) or _offset_zone(text) or _iana_zone(text)

