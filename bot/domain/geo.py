"""Spherical geometry for "courses near me": distances, radius boxes and grid cells.

Pure functions, no I/O. Distances use the haversine formula on a sphere of the IUGG
mean Earth radius: at most ~0.5 % off the ellipsoid, far below what "within 50 miles"
means to a person. Bounding boxes and grid cells exist so that a database (or an
in-memory index) can prefilter with cheap indexed comparisons before the exact
haversine check; they are always a superset of the true circle, never a subset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius."""

KM_PER_MILE = 1.609344

# A box is widened by this many degrees (~1 cm) so that points exactly on the circle
# survive floating-point rounding in the box test.
_BOX_MARGIN_DEG = 1e-7

DEFAULT_CELL_DEG = 1.0
"""Default grid cell: 1° × 1°, i.e. 111 km north-south and 111·cos(lat) km east-west
(~82 km at Boston's 42° N, ~0 km at the poles). 64,800 cells cover the Earth."""


class InvalidCoordinatesError(ValueError):
    """Raised for latitude/longitude that are out of range or not finite numbers."""


def is_valid_coordinates(lat: float, lon: float) -> bool:
    """True for finite lat in [-90, 90] and lon in [-180, 180]; never raises."""
    if isinstance(lat, bool) or isinstance(lon, bool):
        return False
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        return False
    return -90.0 <= lat_f <= 90.0 and -180.0 <= lon_f <= 180.0


def validate_coordinates(lat: float, lon: float) -> tuple[float, float]:
    """Return ``(lat, lon)`` as floats or raise :class:`InvalidCoordinatesError`.

    Done at the boundary (a shared Telegram location, a typed "42.36, -71.06") so that
    every function below may assume sane input.
    """
    if not is_valid_coordinates(lat, lon):
        raise InvalidCoordinatesError(f"invalid coordinates: lat={lat!r}, lon={lon!r}")
    return float(lat), float(lon)


def normalize_lon(lon: float) -> float:
    """Wrap any longitude into [-180, 180) so arithmetic across the antimeridian works."""
    wrapped = (lon + 180.0) % 360.0 - 180.0
    return -180.0 if wrapped >= 180.0 else wrapped


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (numerically stable for tiny distances)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in statute miles (US users search "within 50 miles")."""
    return haversine_km(lat1, lon1, lat2, lon2) / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    """Convert statute miles to kilometres."""
    return miles * KM_PER_MILE


def destination(
    lat: float, lon: float, bearing_deg: float, distance_km: float
) -> tuple[float, float]:
    """The point reached from ``(lat, lon)`` going ``distance_km`` along ``bearing_deg``.

    Used by tests and benchmarks to build points at a known distance.
    """
    delta = distance_km / EARTH_RADIUS_KM
    theta = math.radians(bearing_deg)
    phi1, lam1 = math.radians(lat), math.radians(lon)
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    y = math.sin(theta) * math.sin(delta) * math.cos(phi1)
    x = math.cos(delta) - math.sin(phi1) * sin_phi2
    lam2 = lam1 + math.atan2(y, x)
    return math.degrees(phi2), normalize_lon(math.degrees(lam2))


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A lat/lon box covering a circle: one latitude band and one or two longitude ranges.

    Two longitude ranges appear when the circle crosses the antimeridian (a SQL filter
    becomes ``lat BETWEEN .. AND (lon BETWEEN r1 OR lon BETWEEN r2)``); a circle that
    contains a pole covers every longitude, so the range is ``(-180, 180)``.
    """

    min_lat: float
    max_lat: float
    lon_ranges: tuple[tuple[float, float], ...]

    def contains(self, lat: float, lon: float) -> bool:
        """True if the point lies inside the box (edges included)."""
        if not self.min_lat <= lat <= self.max_lat:
            return False
        lon = normalize_lon(lon) if not -180.0 <= lon <= 180.0 else lon
        return any(lo <= lon <= hi for lo, hi in self.lon_ranges) or (
            lon == 180.0 and any(lo <= -180.0 <= hi for lo, hi in self.lon_ranges)
        )

    @property
    def covers_all_longitudes(self) -> bool:
        """True when the circle includes a pole (or is huge): longitude cannot filter."""
        return self.lon_ranges == ((-180.0, 180.0),)


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """The smallest lat/lon box containing every point within ``radius_km`` of the centre.

    Standard angular-radius method (J. P. Matuschek): latitude ±r; longitude ±asin(sin r /
    cos lat), unless the circle reaches a pole, in which case all longitudes qualify.
    """
    lat, lon = validate_coordinates(lat, lon)
    if not math.isfinite(radius_km) or radius_km < 0:
        raise ValueError(f"radius must be a finite non-negative number, got {radius_km!r}")
    r = radius_km / EARTH_RADIUS_KM
    r_deg = math.degrees(r)
    min_lat = lat - r_deg - _BOX_MARGIN_DEG
    max_lat = lat + r_deg + _BOX_MARGIN_DEG
    if min_lat <= -90.0 or max_lat >= 90.0 or r >= math.pi / 2:
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), ((-180.0, 180.0),))
    ratio = math.sin(r) / math.cos(math.radians(lat))
    if ratio >= 1.0:  # only reachable through rounding right next to the pole case above
        return BoundingBox(min_lat, max_lat, ((-180.0, 180.0),))
    dlon = math.degrees(math.asin(ratio)) + _BOX_MARGIN_DEG
    lo, hi = lon - dlon, lon + dlon
    if lo < -180.0:
        ranges: tuple[tuple[float, float], ...] = ((lo + 360.0, 180.0), (-180.0, hi))
    elif hi > 180.0:
        ranges = ((lo, 180.0), (-180.0, hi - 360.0))
    else:
        ranges = ((lo, hi),)
    return BoundingBox(min_lat, max_lat, ranges)


def _cells_per_row(cell_deg: float) -> int:
    if not (0 < cell_deg <= 180) or not math.isfinite(cell_deg):
        raise ValueError(f"cell size must be in (0, 180] degrees, got {cell_deg!r}")
    return math.ceil(360.0 / cell_deg)


def _row(lat: float, cell_deg: float) -> int:
    rows = math.ceil(180.0 / cell_deg)
    return min(int((lat + 90.0) // cell_deg), rows - 1)


def _col(lon: float, cell_deg: float, cols: int) -> int:
    return min(int((normalize_lon(lon) + 180.0) // cell_deg), cols - 1)


def grid_cell(lat: float, lon: float, cell_deg: float = DEFAULT_CELL_DEG) -> int:
    """Integer id of the ``cell_deg`` × ``cell_deg`` grid cell containing the point.

    Meant for an indexed integer column: to find rows near a point, compute
    :func:`grid_cells_for_radius` and filter ``cell IN (...)``, then apply the exact
    haversine. Ids are ``row * cells_per_row + col`` counted from (-90, -180); lat 90 falls
    in the top row and lon 180 in the same cell as lon -180. Changing ``cell_deg`` changes
    every id, so a column must record which size it was computed with.
    """
    lat, lon = validate_coordinates(lat, lon)
    cols = _cells_per_row(cell_deg)
    return _row(lat, cell_deg) * cols + _col(lon, cell_deg, cols)


def grid_cells_for_box(box: BoundingBox, cell_deg: float = DEFAULT_CELL_DEG) -> list[int]:
    """All grid cell ids that intersect ``box`` (sorted, no duplicates)."""
    cols = _cells_per_row(cell_deg)
    r0, r1 = _row(box.min_lat, cell_deg), _row(box.max_lat, cell_deg)
    col_set: set[int] = set()
    for lo, hi in box.lon_ranges:
        c0, c1 = _col(lo, cell_deg, cols), _col(hi, cell_deg, cols)
        if hi >= 180.0:
            c1 = cols - 1
        col_set.update(range(c0, c1 + 1))
    col_list = sorted(col_set)
    return [row * cols + col for row in range(r0, r1 + 1) for col in col_list]


def grid_cells_for_radius(
    lat: float, lon: float, radius_km: float, cell_deg: float = DEFAULT_CELL_DEG
) -> list[int]:
    """Grid cell ids covering every point within ``radius_km`` of ``(lat, lon)``.

    A 50-mile search at 42° N touches about 9 cells of 1°; near a pole all longitudes
    qualify and one row holds 360 cells, which is still a cheap ``IN`` list.
    """
    return grid_cells_for_box(bounding_box(lat, lon, radius_km), cell_deg)
