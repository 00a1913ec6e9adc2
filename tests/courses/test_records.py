"""Validation of one course: clean values in, clear reasons out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.courses.records import normalize_format, validate
from bot.courses.values import parse_decimal

GOOD = {
    "source_id": "c-1",
    "title": "Safe Opioid Prescribing",
    "credits": "2.5",
    "topics": "opioids; pain mgmt",
    "format": "Live",
    "starts_at": "2027-03-05 08:00",
    "ends_at": "2027-03-05 17:00",
    "venue": "Hynes Convention Center",
    "city": "Boston",
    "region": "Massachusetts",
    "latitude": "42.3478",
    "longitude": "-71.0866",
    "price": "$1,250.00",
    "registration_url": "https://example.org/c-1",
}


def test_good_row_becomes_a_clean_record() -> None:
    checked = validate(GOOD, source="test")
    record = checked.record
    assert record is not None, checked.errors
    assert record.topics == ("opioid_prescribing", "pain_management")
    assert record.category == "ama_pra_1"
    assert record.format == "in_person"
    assert record.credits == Decimal("2.50")
    assert record.price == Decimal("1250.00") and record.currency == "USD"
    assert record.region == "MA" and record.country == "US"
    # 08:00 in Boston (zone taken from the coordinates) is 13:00 UTC in March before DST.
    assert record.timezone == "America/New_York"
    assert record.starts_at == datetime(2027, 3, 5, 13, 0, tzinfo=UTC)


def test_content_hash_is_stable_and_sensitive() -> None:
    a = validate(GOOD, source="test").record
    b = validate(dict(GOOD), source="other-source").record
    c = validate({**GOOD, "price": "1300"}, source="test").record
    assert a and b and c
    assert a.content_hash == b.content_hash  # identity is not content
    assert a.content_hash != c.content_hash


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": "  "}, "missing title"),
        ({"ends_at": "2027-03-04 08:00"}, "ends before it starts"),
        ({"latitude": "95", "longitude": "10"}, "impossible coordinates"),
        ({"latitude": "42.1", "longitude": None}, "must be given together"),
        ({"latitude": "0", "longitude": "0"}, "look like a missing value"),
        ({"price": "-20"}, "price is negative"),
        ({"price": "-$20"}, "price is negative"),
        ({"format": "podcast"}, "unknown format 'podcast'"),
        ({"credits": "0"}, "more than 0 and at most 200"),
        ({"credits": "250"}, "more than 0 and at most 200"),
        ({"credits": "lots"}, "credits is not a number"),
        ({"credits": None}, "missing credits"),
        ({"registration_url": "htp:/example"}, "registration URL is not a valid"),
        ({"registration_url": "https://exa mple.org"}, "registration URL is not a valid"),
        ({"starts_at": "next tuesday"}, "not a date/time I can read"),
        ({"starts_at": None}, "missing start date"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"category": "cat 7"}, "unknown credit category"),
        ({"country": "Atlantis"}, "country must be a 2-letter code"),
        ({"ends_at": "2035-03-05"}, "lasts more than 3 years"),
    ],
)
def test_bad_values_are_rejected_with_a_reason(change: dict[str, object], reason: str) -> None:
    checked = validate({**GOOD, **change}, source="test")
    assert checked.record is None
    assert any(reason in error for error in checked.errors), checked.errors


def test_an_unknown_topic_is_left_out_and_the_closest_suggested() -> None:
    """The course is imported with the topics that are known (it was rejected whole)."""
    checked = validate({**GOOD, "topics": "opiod prescribing; cardiology; ethics"}, source="t")
    assert checked.record is not None and checked.record.topics == ("ethics",)
    assert checked.warnings == [
        "unknown topic 'opiod prescribing' left out (did you mean 'Opioid prescribing' "
        "(opioid_prescribing)?)",
        "unknown topic 'cardiology' left out",
    ]


def test_all_problems_are_reported_at_once() -> None:
    checked = validate({"title": "", "credits": "-1", "starts_at": "garbage"}, source="t")
    assert len(checked.errors) == 3


def test_online_course_has_no_coordinates_or_venue() -> None:
    checked = validate({**GOOD, "format": "webinar"}, source="test")
    record = checked.record
    assert record is not None
    assert record.format == "live_online"
    assert (record.latitude, record.longitude, record.venue, record.city) == (None,) * 4
    assert "online course: coordinates ignored" in checked.warnings


def test_credit_category_read_from_the_credits_text() -> None:
    raw = {**GOOD, "credits": "6.25 AOA Category 1-A credits"}
    record = validate(raw, source="test").record
    assert record is not None
    assert (record.credits, record.category) == (Decimal("6.25"), "aoa_1a")


def test_dates_without_times_cover_whole_days_in_the_local_zone() -> None:
    raw = {**GOOD, "starts_at": "03/05/2027", "ends_at": "March 6, 2027", "timezone": "PT"}
    record = validate(raw, source="test").record
    assert record is not None
    assert record.timezone == "America/Los_Angeles"
    assert record.starts_at == datetime(2027, 3, 5, 8, 0, tzinfo=UTC)
    assert record.ends_at == datetime(2027, 3, 7, 7, 59, tzinfo=UTC)


def test_explicit_offset_wins_over_the_zone() -> None:
    record = validate({**GOOD, "starts_at": "2027-03-05T08:00:00Z"}, source="t").record
    assert record is not None and record.starts_at == datetime(2027, 3, 5, 8, tzinfo=UTC)


def test_missing_id_gets_a_stable_derived_one() -> None:
    raw = {k: v for k, v in GOOD.items() if k != "source_id"}
    first = validate(raw, source="t").record
    second = validate(dict(raw), source="t").record
    assert first and second and first.source_id == second.source_id
    assert first.source_id.startswith("auto:")


def test_cancelled_status_is_kept() -> None:
    record = validate({**GOOD, "status": "Canceled"}, source="t").record
    assert record is not None and record.cancelled


def test_geocoder_fills_coordinates_and_zone() -> None:
    calls = []

    def geocoder(city: str, region: str | None, country: str | None) -> tuple[float, float, str]:
        calls.append((city, region, country))
        return 41.88, -87.63, "America/Chicago"

    raw = {**GOOD, "latitude": None, "longitude": None, "city": "Chicago", "region": "IL"}
    record = validate(raw, source="t", geocoder=geocoder).record
    assert calls == [("Chicago", "IL", "US")]
    assert record is not None
    assert (record.latitude, record.timezone) == (41.88, "America/Chicago")
    assert record.starts_at == datetime(2027, 3, 5, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Internet enduring material", "on_demand"),
        ("In-Person", "in_person"),
        ("live_online", "live_online"),
        ("Blended", "hybrid"),
        ("hands-on", "workshop"),
        ("radio", None),
    ],
)
def test_format_synonyms(text: str, expected: str | None) -> None:
    assert normalize_format(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,5", "1.5"), ("1,250", "1250"), ("$1,250.00", "1250.00"), ("2.5 AMA PRA", "2.5"),
     (".5", "0.5"), ("1,25 h", "1.25")],
)  # fmt: skip
def test_numbers_with_thousands_and_decimal_commas(text: str, expected: str) -> None:
    assert parse_decimal(text, "credits") == Decimal(expected)


def test_json_values_of_the_wrong_shape_are_refused_not_stringified() -> None:
    """Ops QA: {"title": ["a", "b"], "credits": {"x": 3}} was stored as "['a', 'b']", 3 credits."""
    checked = validate(
        {"title": ["a", "b"], "credits": {"x": 3}, "starts_at": "2027-01-10T08:00",
         "format": "webinar"},
        source="t",
    )  # fmt: skip
    assert checked.record is None
    assert "title is not text" in checked.errors
    assert any(error.startswith("credits is not a number") for error in checked.errors)


def test_a_time_the_clocks_skip_is_read_an_hour_later_and_said() -> None:
    """02:30 on the night New York springs forward does not exist: it was moved silently."""
    checked = validate(
        {**GOOD, "starts_at": "2027-03-14 02:30", "ends_at": "2027-03-14 04:00"}, source="test"
    )
    assert checked.record is not None
    assert checked.record.starts_at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert checked.warnings == [
        "2027-03-14 02:30 does not exist in America/New_York (the clocks go forward that "
        "night): read as 03:30"
    ]
    assert validate(GOOD, source="test").warnings == []


def test_a_skipped_time_with_its_own_zone_is_said_too() -> None:
    """iCalendar gives DTSTART;TZID=America/Chicago:20270314T023000 as an aware time."""
    from zoneinfo import ZoneInfo

    start = datetime(2027, 3, 14, 2, 30, tzinfo=ZoneInfo("America/Chicago"))
    checked = validate({**GOOD, "starts_at": start, "ends_at": None}, source="test")
    assert checked.record is not None
    assert checked.warnings == [
        "2027-03-14 02:30 does not exist in America/Chicago (the clocks go forward that "
        "night): read as 03:30"
    ]


def test_a_course_placed_by_its_city_says_so_in_lists_and_calendar_files() -> None:
    """QA: a venue placed at Houston's centre was "4.7 mi" from 77030, shown as exact, and
    its calendar file carried the city centre as the venue's GEO."""
    from zoneinfo import ZoneInfo

    from bot.courses.geocode import place_geocoder
    from bot.store.courses import new_course
    from handlers.course_views import course_ics, course_lines

    raw = {key: value for key, value in GOOD.items() if key not in ("latitude", "longitude")}
    located = validate(raw, source="test", geocoder=place_geocoder).record
    exact = validate(GOOD, source="test").record
    assert located is not None and exact is not None
    assert located.city_located and not exact.city_located
    now = datetime(2027, 1, 5, tzinfo=UTC)
    zone = ZoneInfo("America/New_York")
    near = new_course(located, now)
    lines = "\n".join(course_lines(1, near, 7.6, "mi", zone, now))
    assert "Hynes Convention Center, Boston, MA · about 5 mi (to the city centre)" in lines
    assert "in that city" in "\n".join(course_lines(1, near, 0.5, "mi", zone, now))
    assert "· 4.7 mi" in "\n".join(course_lines(1, new_course(exact, now), 7.6, "mi", zone, now))
    assert b"GEO:" not in course_ics(near, now)
    assert b"GEO:" in course_ics(new_course(exact, now), now)
