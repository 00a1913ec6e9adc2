"""The geocoder adapter: "City, ST" to coordinates and zone, never a guess."""

from __future__ import annotations

from bot.courses.geocode import place_geocoder
from bot.domain import geo


def test_unique_city_resolves_and_ambiguous_name_does_not() -> None:
    found = place_geocoder("Boston", "MA", "US")
    assert found is not None
    lat, lon, zone = found.lat, found.lon, found.zone
    assert geo.haversine_km(lat, lon, 42.3601, -71.0589) < 10 and zone == "America/New_York"
    assert place_geocoder("Portland", None, None) is None  # Oregon or Maine: do not guess
    assert place_geocoder("Nowhereville", "ZZ", None) is None
