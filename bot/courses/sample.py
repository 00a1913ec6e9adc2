"""A sample catalogue so a fresh install has courses to search (and benchmarks have data).

The shipped file ``bot/data/sample_courses.json`` is a *template*: each course names a
day offset and a local time instead of a date, and :func:`materialise` turns offsets into
dates relative to "today", so the sample is always upcoming. The generator is seeded
and deterministic; regenerate the file with ``python -m bot.courses.sample``.
Providers are fictional and links point to example.org: it is demo data, not advice.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses.records import CourseRecord, validate
from bot.domain import geo
from bot.store import courses as store
from bot.store.db import transaction

SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "sample_courses.json"
SAMPLE_SOURCE = "sample"
SAMPLE_SIZE = 320
SAMPLE_SEED = 20261124


@dataclass(frozen=True, slots=True)
class City:
    name: str
    region: str
    lat: float
    lon: float
    tz: str


# Downtown coordinates and IANA zones of major US cities (checked against geonames).
CITIES: tuple[City, ...] = tuple(
    City(*row)
    for row in (
        ("New York", "NY", 40.7128, -74.0060, "America/New_York"),
        ("Los Angeles", "CA", 34.0522, -118.2437, "America/Los_Angeles"),
        ("Chicago", "IL", 41.8781, -87.6298, "America/Chicago"),
        ("Houston", "TX", 29.7604, -95.3698, "America/Chicago"),
        ("Phoenix", "AZ", 33.4484, -112.0740, "America/Phoenix"),
        ("Philadelphia", "PA", 39.9526, -75.1652, "America/New_York"),
        ("San Antonio", "TX", 29.4241, -98.4936, "America/Chicago"),
        ("San Diego", "CA", 32.7157, -117.1611, "America/Los_Angeles"),
        ("Dallas", "TX", 32.7767, -96.7970, "America/Chicago"),
        ("Austin", "TX", 30.2672, -97.7431, "America/Chicago"),
        ("Jacksonville", "FL", 30.3322, -81.6557, "America/New_York"),
        ("San Francisco", "CA", 37.7749, -122.4194, "America/Los_Angeles"),
        ("Columbus", "OH", 39.9612, -82.9988, "America/New_York"),
        ("Indianapolis", "IN", 39.7684, -86.1581, "America/Indiana/Indianapolis"),
        ("Seattle", "WA", 47.6062, -122.3321, "America/Los_Angeles"),
        ("Denver", "CO", 39.7392, -104.9903, "America/Denver"),
        ("Washington", "DC", 38.9072, -77.0369, "America/New_York"),
        ("Boston", "MA", 42.3601, -71.0589, "America/New_York"),
        ("Nashville", "TN", 36.1627, -86.7816, "America/Chicago"),
        ("Detroit", "MI", 42.3314, -83.0458, "America/Detroit"),
        ("Portland", "OR", 45.5152, -122.6784, "America/Los_Angeles"),
        ("Las Vegas", "NV", 36.1699, -115.1398, "America/Los_Angeles"),
        ("Memphis", "TN", 35.1495, -90.0490, "America/Chicago"),
        ("Louisville", "KY", 38.2527, -85.7585, "America/Kentucky/Louisville"),
        ("Baltimore", "MD", 39.2904, -76.6122, "America/New_York"),
        ("Milwaukee", "WI", 43.0389, -87.9065, "America/Chicago"),
        ("Albuquerque", "NM", 35.0844, -106.6504, "America/Denver"),
        ("Salt Lake City", "UT", 40.7608, -111.8910, "America/Denver"),
        ("Atlanta", "GA", 33.7490, -84.3880, "America/New_York"),
        ("Miami", "FL", 25.7617, -80.1918, "America/New_York"),
        ("Tampa", "FL", 27.9506, -82.4572, "America/New_York"),
        ("Orlando", "FL", 28.5383, -81.3792, "America/New_York"),
        ("Minneapolis", "MN", 44.9778, -93.2650, "America/Chicago"),
        ("New Orleans", "LA", 29.9511, -90.0715, "America/Chicago"),
        ("Cleveland", "OH", 41.4993, -81.6944, "America/New_York"),
        ("Pittsburgh", "PA", 40.4406, -79.9959, "America/New_York"),
        ("St. Louis", "MO", 38.6270, -90.1994, "America/Chicago"),
        ("Kansas City", "MO", 39.0997, -94.5786, "America/Chicago"),
        ("Charlotte", "NC", 35.2271, -80.8431, "America/New_York"),
        ("Raleigh", "NC", 35.7796, -78.6382, "America/New_York"),
        ("Birmingham", "AL", 33.5186, -86.8104, "America/Chicago"),
        ("Omaha", "NE", 41.2565, -95.9345, "America/Chicago"),
        ("Rochester", "NY", 43.1566, -77.6088, "America/New_York"),
        ("Honolulu", "HI", 21.3069, -157.8583, "Pacific/Honolulu"),
        ("Anchorage", "AK", 61.2181, -149.9003, "America/Anchorage"),
    )
)

# (title, topics, only in these states or online; None = anywhere)
_SUBJECTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...] | None], ...] = (
    ("Safe Opioid Prescribing: Risk Assessment and Tapering", ("opioid_prescribing",), None),
    ("Opioid Stewardship in Primary Care", ("opioid_prescribing", "pain_management"), None),
    ("Prescribing Controlled Substances Responsibly", ("controlled_substance_prescribing",), None),
    ("Texas Pain Management and Opioid Prescribing", ("texas_opioid",), ("TX",)),
    ("Florida Controlled Substance Prescribing", ("florida_controlled_substance",), ("FL",)),
    ("Tennessee Prescribing Guidelines Update", ("tennessee_controlled_substance",), ("TN",)),
    ("Multimodal Pain Management Update", ("pain_management",), None),
    ("Palliative Care Essentials", ("palliative_care", "end_of_life_care"), None),
    ("Conversations at the End of Life", ("end_of_life_care", "communication"), None),
    ("Treating Opioid Use Disorder in Office Practice", ("opioid_use_disorder",), None),
    ("DEA MATE Act: Substance Use Disorder Training", ("dea_mate_training",), None),
    ("Addiction Medicine Review", ("substance_use_disorder",), None),
    ("Medical Ethics in Everyday Practice", ("ethics",), None),
    ("Professionalism and the Duty to Report", ("duty_to_report",), None),
    ("Preventing Medical Errors", ("medical_errors",), None),
    ("Patient Safety and Risk Management", ("patient_safety", "risk_management"), None),
    ("Recognizing Domestic Violence", ("domestic_violence",), None),
    ("HIV/AIDS: Prevention and Treatment Update", ("hiv_aids",), None),
    ("Human Trafficking: Identify and Respond", ("human_trafficking",), None),
    ("Texas Human Trafficking Prevention", ("texas_human_trafficking",), ("TX",)),
    ("Child Abuse Recognition and Reporting", ("child_abuse",), None),
    ("Pennsylvania Child Abuse Recognition (Act 31)", ("pennsylvania_child_abuse",), ("PA",)),
    ("New York Child Abuse Identification", ("new_york_child_abuse",), ("NY",)),
    ("New York Infection Control and Barrier Precautions", ("new_york_infection_control",),
     ("NY",)),
    ("Infection Control in the Clinic", ("infection_control",), None),
    ("Sepsis: Early Recognition and Management", ("sepsis",), None),
    ("Implicit Bias in Clinical Care", ("implicit_bias",), None),
    ("Cultural Competency for Clinicians", ("cultural_competency",), None),
    ("Geriatric Medicine Update", ("geriatrics",), None),
    ("Dementia Care for Primary Care Clinicians", ("dementia",), None),
    ("Suicide Prevention and Risk Assessment", ("suicide_prevention",), None),
    ("Medical Records and Documentation", ("medical_records",), None),
    ("Quality Improvement in Practice", ("quality_improvement",), None),
    ("Preventive Medicine and Screening Update", ("preventive_medicine",), None),
    ("Telehealth Best Practices", ("telehealth",), None),
    ("Internal Medicine Board Review", (), None),
    ("Hospital Medicine Update", (), None),
    ("Primary Care Update", ("preventive_medicine",), None),
    ("Emergency Medicine Essentials", (), None),
    ("Pediatrics Update", (), None),
    ("Women's Health Update", (), None),
    ("Cardiology for the Non-Cardiologist", (), None),
    ("Dermatology for Primary Care", (), None),
    ("Sports Medicine Symposium", (), None),
)  # fmt: skip
_PROVIDERS = (
    "Northeast Center for Clinical Education", "Great Lakes CME Collaborative",
    "Pacific Medical Education Institute", "Southern Physicians Learning Network",
    "Mountain West CME Alliance", "National Academy of Clinical Practice",
    "Heartland Health Education Consortium", "Coastal University Office of CME",
    "Riverside Health System CME", "American Society of Practice Medicine (sample)",
)  # fmt: skip
_VENUES = (
    "{city} Convention Center", "{city} Medical Center Auditorium",
    "University Conference Center", "Downtown Conference Hotel", "Children's Hospital Hall",
    "Regional Simulation Center", "{city} Marriott Ballroom", "Academic Medical Center",
)  # fmt: skip
_ACCREDITATION = "Accreditation Council for Continuing Medical Education (ACCME)"
_SHAPES = {  # format → (credit choices, price range, days, weight)
    "in_person": ((Decimal("6.5"), Decimal(7), Decimal("7.5"), Decimal(12), Decimal(16),
                   Decimal("20.25")), (150, 1200), (1, 3), 40),
    "workshop": ((Decimal(4), Decimal(6), Decimal(8), Decimal(12)), (300, 1800), (1, 2), 10),
    "hybrid": ((Decimal(8), Decimal(12), Decimal("14.5"), Decimal(20)), (250, 950), (2, 3), 12),
    "live_online": ((Decimal(1), Decimal("1.5"), Decimal(2), Decimal(3), Decimal(4)), (0, 250),
                    (1, 1), 20),
    "on_demand": ((Decimal("0.5"), Decimal(1), Decimal(2), Decimal("3.75"), Decimal(8),
                   Decimal(10)), (0, 300), (365, 365), 18),
}  # fmt: skip
_DOCS = (
    "cme-bot sample catalogue (template). Dates are offsets: start_day days after the day "
    "the sample is loaded, at start_time local time in timezone, lasting days days and "
    "ending at end_time. Providers are fictional; links use example.org."
)


def generate_templates(count: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[dict[str, Any]]:
    """``count`` deterministic course templates (same seed, same courses)."""
    rng = random.Random(seed)
    formats = list(_SHAPES)
    weights = [_SHAPES[f][3] for f in formats]
    return [_template(rng, number, rng.choices(formats, weights)[0]) for number in range(count)]


def _template(rng: random.Random, number: int, fmt: str) -> dict[str, Any]:
    credits_choices, (low, high), (min_days, max_days), _ = _SHAPES[fmt]
    online = fmt in ("live_online", "on_demand")
    city = None if online else rng.choice(CITIES)
    title, topic_ids, states = rng.choice(
        [s for s in _SUBJECTS if s[2] is None or online or (city and city.region in s[2])]
    )
    credits = Decimal(8) if "dea_mate_training" in topic_ids else rng.choice(credits_choices)
    price = Decimal(rng.randrange(low, high + 1, 25)) if rng.random() > 0.08 else Decimal(0)
    days = rng.randint(min_days, max_days)
    start_time = "00:00" if fmt == "on_demand" else rng.choice(_START_TIMES[fmt])
    if fmt == "live_online" and credits > 4:  # an 8-hour live session starts in the morning
        start_time = "09:00"
    item: dict[str, Any] = {
        "id": f"sample-{number + 1:06d}",
        "title": title if states or not city else f"{title} — {city.name}",
        "provider": rng.choice(_PROVIDERS),
        "accreditation": _ACCREDITATION,
        "credits": str(credits),
        "category": rng.choices(["ama_pra_1", "aafp_prescribed", "aoa_1a"], [85, 10, 5])[0],
        "topics": list(topic_ids),
        "format": fmt,
        "start_day": rng.randint(-200, 0) if fmt == "on_demand" else rng.randint(3, 330),
        "start_time": start_time,
        "days": days,
        "end_time": _end_time(fmt, start_time, credits, rng),
        "price": str(price),
        "currency": "USD",
        "registration_url": f"https://example.org/cme/sample-{number + 1:06d}",
    }
    if city is None:
        item["timezone"] = rng.choice(
            ["America/New_York", "America/Chicago", "America/Los_Angeles"]
        )
    else:
        lat, lon = geo.destination(city.lat, city.lon, rng.uniform(0, 360), rng.uniform(0, 15))
        item.update(
            timezone=city.tz, venue=rng.choice(_VENUES).format(city=city.name), city=city.name,
            region=city.region, country="US", latitude=round(lat, 5), longitude=round(lon, 5),
        )  # fmt: skip
    item["description"] = _description(title, fmt, credits)
    return item


_START_TIMES = {
    "in_person": ("07:30", "08:00", "08:30"),
    "workshop": ("08:00", "09:00", "13:00"),
    "hybrid": ("08:00", "08:30"),
    "live_online": ("12:00", "18:00", "19:00"),
}


def _end_time(fmt: str, start_time: str, credits: Decimal, rng: random.Random) -> str:
    if fmt == "on_demand":
        return "23:59"
    if fmt == "live_online":  # a webinar lasts about as many hours as it gives credits
        start = datetime.combine(date(2000, 1, 1), time.fromisoformat(start_time))
        return (start + timedelta(minutes=int(credits * 60))).strftime("%H:%M")
    return rng.choice(("16:30", "17:00", "17:30"))


def _description(title: str, fmt: str, credits: Decimal) -> str:
    kind = {
        "in_person": "A live course", "workshop": "A hands-on workshop",
        "hybrid": "A conference you can attend in person or online",
        "live_online": "A live webinar", "on_demand": "A self-paced online course",
    }[fmt]  # fmt: skip
    return (
        f"{kind} for physicians, physician assistants and nurse practitioners: {title}. "
        f"Designated for a maximum of {credits} credits."
    )


def write_templates(path: Path = SAMPLE_FILE) -> int:
    """Regenerate the shipped template file; returns the number of courses."""
    templates = generate_templates()
    rows = ",\n  ".join(json.dumps(t, ensure_ascii=False) for t in templates)
    text = f'{{\n "docs": {json.dumps(_DOCS)},\n "version": 1,\n "courses": [\n  {rows}\n ]\n}}\n'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")  # one course per line: readable diffs
    return len(templates)


@cache
def load_templates(path: Path = SAMPLE_FILE) -> tuple[dict[str, Any], ...]:
    with path.open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["courses"])


def materialise(template: dict[str, Any], today: date) -> dict[str, Any]:
    """A raw course (as a parser would produce) with real dates counted from ``today``."""
    raw = {k: v for k, v in template.items() if k not in ("start_day", "start_time", "days",
                                                        "end_time", "id")}  # fmt: skip
    zone = ZoneInfo(template["timezone"])
    first = today + timedelta(days=int(template["start_day"]))
    last = first + timedelta(days=int(template["days"]) - 1)
    start = datetime.combine(first, time.fromisoformat(template["start_time"]), zone)
    end = datetime.combine(last, time.fromisoformat(template["end_time"]), zone)
    raw.update(source_id=template["id"], starts_at=start, ends_at=end)
    return raw


def sample_records(
    today: date, templates: Iterable[dict[str, Any]] | None = None
) -> list[CourseRecord]:
    """The sample catalogue as validated records dated from ``today``."""
    found = []
    for template in templates if templates is not None else load_templates():
        checked = validate(materialise(template, today), source=SAMPLE_SOURCE)
        if checked.record is None:  # the shipped file was hand-edited into nonsense
            raise ValueError(f"sample {template.get('id')}: {'; '.join(checked.errors)}")
        found.append(checked.record)
    return found


async def load_sample_if_empty(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> int:
    """Load the sample when the catalogue has no course at all; returns how many were added."""
    async with transaction(sessionmaker) as session:
        if await store.count_courses(session):
            return 0
        today = now.astimezone(ZoneInfo("America/New_York")).date()
        result = await store.upsert_courses(session, sample_records(today), now=now)
    return result.added


if __name__ == "__main__":
    print(f"wrote {write_templates()} courses to {SAMPLE_FILE}")
