"""Coordinates for in-person courses that give only "City, ST" (adapter over places)."""

from __future__ import annotations

from bot.domain import places


def place_geocoder(
    city: str, region: str | None, country: str | None
) -> tuple[float, float, str] | None:
    """``(lat, lon, zone)`` when the city resolves to exactly one place, else None.

    An ambiguous name ("Portland" without a state) is left without coordinates rather
    than put in the wrong state. The first call builds the place index (~1 s).
    """
    query = ", ".join(part for part in (city, region, country) if part)
    found = places.resolve(query)
    if isinstance(found, places.Resolved):
        return found.place.lat, found.place.lon, found.place.tz
    return None
