"""Distances, radius boxes and grid cells: known values plus properties near the hard places
(poles, antimeridian) where naive lat/lon arithmetic breaks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import geo

BOSTON = (42.3601, -71.0589)
NYC = (40.7128, -74.0060)
LONDON = (51.5074, -0.1278)
PARIS = (48.8566, 2.3522)

lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
polar_lats = st.one_of(
    st.floats(min_value=80, max_value=90, allow_nan=False),
    st.floats(min_value=-90, max_value=-80, allow_nan=False),
)
antimeridian_lons = st.one_of(
    st.floats(min_value=170, max_value=180, allow_nan=False),
    st.floats(min_value=-180, max_value=-170, allow_nan=False),
)
radii = st.floats(min_value=0, max_value=3000, allow_nan=False)
bearings = st.floats(min_value=0, max_value=360, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_boston_to_new_york_is_about_306_km() -> None:
    assert geo.haversine_km(*BOSTON, *NYC) == pytest.approx(306, abs=2)
    assert geo.haversine_miles(*BOSTON, *NYC) == pytest.approx(190, abs=2)


def test_london_to_paris_and_antipodes() -> None:
    assert geo.haversine_km(*LONDON, *PARIS) == pytest.approx(344, abs=2)
    half_circumference = math.pi * geo.EARTH_RADIUS_KM
    assert geo.haversine_km(0, 0, 0, 180) == pytest.approx(half_circumference)
    assert geo.haversine_km(90, 0, -90, 0) == pytest.approx(half_circumference)


def test_distance_across_the_antimeridian_is_short() -> None:
    assert geo.haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.5)


def test_miles_and_km_convert() -> None:
    assert geo.miles_to_km(50) == pytest.approx(80.4672)


@given(lats, lons, lats, lons)
def test_haversine_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    there = geo.haversine_km(a, b, c, d)
    assert there == pytest.approx(geo.haversine_km(c, d, a, b), abs=1e-6)
    assert 0 <= there <= math.pi * geo.EARTH_RADIUS_KM + 1e-6


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (91, 0),
        (-90.0001, 0),
        (0, 180.5),
        (0, -181),
        (float("nan"), 0),
        (0, float("inf")),
        ("north", 0),
        (None, 0),
        (True, 0),
    ],
)
def test_invalid_coordinates_are_rejected(lat: object, lon: object) -> None:
    assert not geo.is_valid_coordinates(lat, lon)  # type: ignore[arg-type]
    with pytest.raises(geo.InvalidCoordinatesError):
        geo.validate_coordinates(lat, lon)  # type: ignore[arg-type]


def test_valid_edges_are_accepted() -> None:
    for lat, lon in [(90, 180), (-90, -180), (0, 0), ("42.5", "-71")]:
        assert geo.validate_coordinates(lat, lon) == (float(lat), float(lon))  # type: ignore[arg-type]


def test_box_in_the_middle_has_one_longitude_range() -> None:
    box = geo.bounding_box(*BOSTON, 100)
    assert len(box.lon_ranges) == 1
    assert box.contains(*BOSTON)
    assert not box.contains(*NYC)  # 306 km away


def test_box_across_the_antimeridian_has_two_ranges() -> None:
    box = geo.bounding_box(-17.0, 179.5, 200)  # Fiji
    assert len(box.lon_ranges) == 2
    assert box.contains(-17.0, -179.5)
    assert box.contains(-17.0, 179.9)
    assert not box.contains(-17.0, 0)


def test_box_around_a_pole_covers_every_longitude() -> None:
    box = geo.bounding_box(89.5, 10, 100)
    assert box.covers_all_longitudes
    assert box.max_lat == 90
    assert box.contains(89.5, -170)


def test_radius_must_be_finite_and_not_negative() -> None:
    with pytest.raises(ValueError):
        geo.bounding_box(0, 0, -1)
    with pytest.raises(ValueError):
        geo.bounding_box(0, 0, float("nan"))


def test_huge_radius_covers_the_globe() -> None:
    box = geo.bounding_box(0, 0, 30000)
    assert box.covers_all_longitudes and box.min_lat == -90 and box.max_lat == 90


def _check_point_inside(lat: float, lon: float, radius: float, bearing: float, f: float) -> None:
    box = geo.bounding_box(lat, lon, radius)
    p_lat, p_lon = geo.destination(lat, lon, bearing, f * radius)
    assert geo.haversine_km(lat, lon, p_lat, p_lon) <= radius + 1e-6
    assert box.contains(p_lat, p_lon), (box, p_lat, p_lon)


@given(lats, lons, radii, bearings, fractions)
def test_every_point_within_the_radius_is_in_the_box(
    lat: float, lon: float, radius: float, bearing: float, f: float
) -> None:
    _check_point_inside(lat, lon, radius, bearing, f)


@given(polar_lats, lons, radii, bearings, fractions)
def test_box_containment_near_the_poles(
    lat: float, lon: float, radius: float, bearing: float, f: float
) -> None:
    _check_point_inside(lat, lon, radius, bearing, f)


@given(lats, antimeridian_lons, radii, bearings, fractions)
def test_box_containment_near_the_antimeridian(
    lat: float, lon: float, radius: float, bearing: float, f: float
) -> None:
    _check_point_inside(lat, lon, radius, bearing, f)


@given(lats, lons, lats, lons, radii)
def test_points_found_by_distance_are_in_the_box(
    lat: float, lon: float, p_lat: float, p_lon: float, radius: float
) -> None:
    if geo.haversine_km(lat, lon, p_lat, p_lon) <= radius:
        assert geo.bounding_box(lat, lon, radius).contains(p_lat, p_lon)


def test_grid_cell_ids_and_documented_size() -> None:
    assert geo.grid_cell(-90, -180) == 0
    assert geo.grid_cell(0, 0) == 90 * 360 + 180
    assert geo.grid_cell(90, 179.9) == 179 * 360 + 359  # the north pole is in the top row
    assert geo.grid_cell(10, 180) == geo.grid_cell(10, -180)  # one meridian, one cell
    assert geo.grid_cell(42.36, -71.06, 0.5) != geo.grid_cell(42.36, -71.06)


def test_a_50_mile_search_touches_few_cells() -> None:
    assert len(geo.grid_cells_for_radius(*BOSTON, geo.miles_to_km(50))) <= 12


@settings(max_examples=150)
@given(
    st.one_of(lats, polar_lats),
    st.one_of(lons, antimeridian_lons),
    st.floats(min_value=0, max_value=1500, allow_nan=False),
    bearings,
    fractions,
    st.sampled_from([0.5, 1.0, 5.0]),
)
def test_every_point_within_the_radius_is_in_a_covering_cell(
    lat: float, lon: float, radius: float, bearing: float, f: float, cell_deg: float
) -> None:
    p_lat, p_lon = geo.destination(lat, lon, bearing, f * radius)
    cells = geo.grid_cells_for_radius(lat, lon, radius, cell_deg)
    assert geo.grid_cell(p_lat, p_lon, cell_deg) in cells
    assert len(cells) == len(set(cells))


def test_normalize_lon_wraps() -> None:
    assert geo.normalize_lon(190) == -170
    assert geo.normalize_lon(-190) == 170
    assert geo.normalize_lon(180) == -180
