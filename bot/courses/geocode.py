"""Coordinates for in-person courses that give only "City, ST" or a US ZIP (adapter over
places)."""

from __future__ import annotations

import re

from bot.courses.records import Located
from bot.domain import places

_ZIP = re.compile(r"\d{5}")


def place_geocoder(city: str, region: str | None, country: str | None) -> Located | None:
    """Where the city (or US ZIP) is, when it resolves to exactly one place, else None.

    An ambiguous name ("Portland" without a state) is left without coordinates rather
    than put in the wrong state, and so is a ZIP of another state than the row's. The
    first call builds the place index (~1 s).
    """
    if _ZIP.fullmatch(city):
        return _zip(city, region)
    query = ", ".join(part for part in (city, region, country) if part)
    found = places.resolve(query)
    if isinstance(found, places.Resolved):
        return Located(found.place.lat, found.place.lon, found.place.tz)
    return None


def _zip(code: str, region: str | None) -> Located | None:
    """A ZIP's centre, town and state, from the offline index clinicians' searches use."""
    found = places.resolve(code)
    if not isinstance(found, places.Resolved) or found.place.kind != "zip":
        return None
    place = found.place
    if region and region.upper() != (place.region_code or "").upper():
        return None  # "02139" with "NY": one of the two is wrong
    return Located(place.lat, place.lon, place.tz, place.name, place.region_code)
