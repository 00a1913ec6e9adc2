"""Parsers: each format with good and bad input; bad rows never hide good rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.courses.parsers import ParseError, detect_kind, parse
from bot.courses.parsers.csv_parser import parse_csv
from bot.courses.parsers.ics_parser import parse_ics
from bot.courses.parsers.json_parser import parse_json
from bot.courses.records import validate

from .conftest import NOW

CSV_GOOD = (
    "Course ID,Course Title,AMA PRA Category 1 Credits™,Topics,Delivery Method,Start Date,"
    "Start Time,End Date,End Time,Venue,City,State,Latitude,Longitude,Registration Fee,Link,"
    "Internal code\n"
    "a1,Safe Opioid Prescribing,2,opioids,Live,2027-03-05,08:00,2027-03-05,10:00,"
    "Hynes Center,Boston,MA,42.3478,-71.0866,$250,https://example.org/a1,bring coffee\n"
    'a2,"Ethics, Law and You",1.5,ethics,Webinar,2027-03-06,12:00,2027-03-06,13:30,,,,,,0,,\n'
)


def _records(data: bytes, kind: str) -> list:
    result = parse(data, kind, now=NOW)
    return [validate(row.fields, source="t") for row in result.rows]


# ------------------------------------------------------------------------------- CSV


def test_csv_tolerant_headers_and_split_date_time() -> None:
    result = parse_csv(CSV_GOOD.encode())
    assert [r.location for r in result.rows] == ["line 2", "line 3"]
    checked = [validate(r.fields, source="t") for r in result.rows]
    first, second = (c.record for c in checked)
    assert first and second, [c.errors for c in checked]
    assert first.category == "ama_pra_1" and first.credits == 2
    assert first.starts_at == datetime(2027, 3, 5, 13, 0, tzinfo=UTC)
    assert first.price == 250 and first.venue == "Hynes Center"
    assert second.title == "Ethics, Law and You" and second.format == "live_online"
    assert "ignored column(s): Internal code" in result.notes


def test_csv_encodings_are_detected() -> None:
    text = "title,credits,start,city\nCafé médical,1,2027-01-05 08:00,Montréal\n"
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16"):
        result = parse_csv(text.encode(encoding))
        assert result.rows[0].fields["title"] == "Café médical", encoding
    assert parse_csv(text.encode("cp1252")).notes == ["not UTF-8: read as cp1252"]
    # A byte cp1252 does not define (0x81) still decodes, as latin-1.
    assert parse_csv(b"title,credits,start\nX\x81,1,2027-01-05\n").notes == [
        "not UTF-8: read as latin-1"
    ]


def test_csv_semicolons_and_case() -> None:
    result = parse_csv(b"TITLE;Credits;START;Topics\nA;1;2027-01-05;opioids, ethics\n")
    assert result.rows[0].fields["topics"] == "opioids, ethics"


def test_csv_bad_rows_are_rejected_with_line_numbers() -> None:
    data = (
        b"title,credits,start,end,latitude,longitude,price\n"
        b"Good one,1,2027-01-05 08:00,2027-01-05 09:00,,,\n"
        b"Backwards,1,2027-01-05 08:00,2027-01-04 09:00,,,\n"
        b"Too many,1,2027-01-05,2027-01-05,1,2,3,4,5\n"
        b"Far away,1,2027-01-05,2027-01-05,123,456,\n"
        b"Pricey,1,2027-01-05,2027-01-05,,,-5\n"
        b"\n"
        b'"Bad" quote,1,2027-01-05,,,,\n'
        b"Last good,2,2027-02-01,,,,\n"
    )
    result = parse_csv(data)
    outcome = {r.location: validate(r.fields, source="t") for r in result.rows}
    assert outcome["line 2"].record is not None
    assert "ends before it starts" in outcome["line 3"].errors[0]
    assert "impossible coordinates" in outcome["line 5"].errors[0]
    assert "price is negative" in outcome["line 6"].errors[0]
    assert outcome["line 9"].record is not None
    rejected = {r.location: r.reason for r in result.rejections}
    assert "9 values but the header has 7 columns" in rejected["line 4"]
    assert "malformed CSV" in rejected["line 8"]


def test_csv_missing_columns_is_one_clear_error() -> None:
    with pytest.raises(ParseError, match=r"missing column\(s\) credits, starts_at"):
        parse_csv(b"title,venue\nA,B\n")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "HTML page"),
        (b"%PDF-1.7\x00\x00\x01binary", "binary"),
    ],
)
def test_csv_unusable_files(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_csv(data)


# ----------------------------------------------------------------------- iCalendar

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
X-WR-TIMEZONE:America/Chicago
BEGIN:VEVENT
UID:rounds@example.org
SUMMARY:Medicine Grand Rounds
DTSTART;TZID=America/New_York:20261201T080000
DTEND;TZID=America/New_York:20261201T090000
RRULE:FREQ=WEEKLY;UNTIL=20270101T000000Z
EXDATE;TZID=America/New_York:20261208T080000
LOCATION:Main Auditorium\\, 55 Fruit St\\, Boston\\, MA 02114
GEO:42.3626;-71.0694
CATEGORIES:Internal Medicine,Opioids
DESCRIPTION:Weekly rounds.\\nCredits: 1 AMA PRA Category 1 Credit\\nTopics: pain management
ORGANIZER;CN=General Hospital CME:mailto:cme@example.org
END:VEVENT
BEGIN:VEVENT
UID:rounds@example.org
RECURRENCE-ID;TZID=America/New_York:20261215T080000
DTSTART;TZID=America/New_York:20261216T120000
DTEND;TZID=America/New_York:20261216T130000
SUMMARY:Medicine Grand Rounds (moved)
END:VEVENT
BEGIN:VEVENT
UID:daily@example.org
SUMMARY:Daily huddle
DTSTART:20261125T070000
DURATION:PT30M
RRULE:FREQ=DAILY
X-CME-CREDITS:0.5
LOCATION:Zoom
END:VEVENT
BEGIN:VEVENT
UID:summit@example.org
SUMMARY:Sepsis Summit
DTSTART;VALUE=DATE:20270310
DTEND;VALUE=DATE:20270312
STATUS:CANCELLED
X-CME-CREDITS:12
X-CME-TOPICS:sepsis
X-CME-FORMAT:in person
X-CME-PRICE:395
GEO:41.8781;-87.6298
URL:https://example.org/summit
END:VEVENT
BEGIN:VEVENT
UID:broken@example.org
SUMMARY:No start date
X-CME-CREDITS:1
END:VEVENT
END:VCALENDAR
"""


def test_ics_recurring_events_are_expanded_with_exceptions() -> None:
    result = parse_ics(ICS, now=NOW)
    rounds = [r for r in result.rows if str(r.fields.get("source_id", "")).startswith("rounds")]
    starts = [r.fields["starts_at"].date() for r in rounds]
    # Weekly from Dec 1 until Jan 1: Dec 8 excluded, Dec 15 moved to Dec 16.
    assert starts == [date(2026, 12, d) for d in (1, 16, 22, 29)]
    moved = validate(rounds[1].fields, source="t").record
    assert moved is not None
    assert moved.title == "Medicine Grand Rounds (moved)"
    assert moved.source_id == "rounds@example.org#20261215T130000Z"  # stable across moves
    assert moved.credits == 1 and moved.city == "Boston"  # inherited from the series
    first = validate(rounds[0].fields, source="t").record
    assert first is not None
    assert first.topics == ("opioid_prescribing", "pain_management")
    assert first.provider == "General Hospital CME"
    assert (first.venue, first.address, first.region) == ("Main Auditorium", "55 Fruit St", "MA")
    assert first.starts_at == datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def test_ics_unbounded_rule_stops_at_the_horizon() -> None:
    result = parse_ics(ICS, now=NOW)
    daily = [r for r in result.rows if str(r.fields.get("source_id", "")).startswith("daily")]
    assert 360 <= len(daily) <= 366
    assert result.notes == [
        "event 3 (UID daily@example.org) repeats without an end: its occurrences of the next "
        "365 days are listed (at most 500); importing the calendar again later adds the "
        "following ones."
    ]
    record = validate(daily[0].fields, source="t").record
    assert record is not None
    assert record.format == "live_online" and record.latitude is None
    # Floating 07:00 in the calendar's X-WR-TIMEZONE (Chicago) = 13:00 UTC.
    assert record.starts_at == datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def test_ics_all_day_cancelled_event_and_rejected_event() -> None:
    result = parse_ics(ICS, now=NOW)
    summit = next(r for r in result.rows if r.fields.get("source_id") == "summit@example.org")
    record = validate(summit.fields, source="t").record
    assert record is not None and record.cancelled
    assert record.topics == ("sepsis",) and record.price == 395
    # DTEND;VALUE=DATE is exclusive: Mar 10-11 local (Chicago), so ends Mar 11 23:59.
    assert record.ends_at == datetime(2027, 3, 12, 5, 59, tzinfo=UTC)
    broken = next(r for r in result.rows if r.fields.get("source_id") == "broken@example.org")
    assert broken.location == "event 5 (UID broken@example.org)"
    assert "missing start date" in validate(broken.fields, source="t").errors


def test_ics_unknown_tzid_is_refused_like_the_csv_importer_does() -> None:
    """Ops QA: TZID=Mars/Olympus was read silently in the default zone (wrong times)."""
    data = (
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:mars@qa\nSUMMARY:Mars talk\n"
        b"DTSTART;TZID=Mars/Olympus:20270125T090000\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    [row] = parse_ics(data, now=NOW).rows
    assert any("Mars/Olympus" in error for error in validate(row.fields, source="t").errors)


def test_ics_utc_times_take_the_venues_zone() -> None:
    """QA: DTSTART:...Z at a Tampa venue was shown as "5:00 PM UTC where it takes place"."""
    data = (
        b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:tampa@qa\nSUMMARY:Tampa update\n"
        b"DTSTART:20270215T170000Z\nDTEND:20270215T190000Z\nX-CME-CREDITS:2\n"
        b"GEO:27.9506;-82.4572\nLOCATION:Tampa General Hospital\\, Tampa\\, FL\nEND:VEVENT\n"
        b"END:VCALENDAR\n"
    )
    [row] = parse_ics(data, now=NOW).rows
    record = validate(row.fields, source="t").record
    assert record is not None
    assert record.timezone == "America/New_York"
    assert record.starts_at == datetime(2027, 2, 15, 17, 0, tzinfo=UTC)  # the same moment


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "no BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "no events"),
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270110T140000Z\nEND:VCALENDAR\n",
         "not a valid iCalendar file: its BEGIN: and END: lines do not pair up"),
        # cut short: the library said "Found no components ...: BEGIN:VCALENDAR"
        (b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Ethics\nDTSTART:20270110T140000Z\n"
         b"END:VEVENT\n", "stops before END:VCALENDAR"),
    ],
)
def test_ics_unusable_files(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_ics(data, now=NOW)


# ---------------------------------------------------------------------------- JSON


def test_json_plain_objects_and_bad_items() -> None:
    document = {
        "courses": [
            {"id": "j1", "title": "Implicit Bias", "credits": 2, "topics": ["implicit bias"],
             "format": "on demand", "starts_at": "2026-12-01", "price": 0},
            "not an object",
            {"id": "j3", "name": "Sepsis", "credits": "1", "start": "2027-01-01T09:00:00-05:00",
             "lat": 40.7, "lng": -74.0, "mystery": 1},
        ]
    }  # fmt: skip
    result = parse_json(json.dumps(document).encode())
    assert [r.location for r in result.rows] == ["item 1", "item 3"]
    assert result.rejections[0].location == "item 2"
    assert result.notes == ["ignored key(s): mystery"]
    first, third = (validate(r.fields, source="t").record for r in result.rows)
    assert first and third
    assert first.format == "on_demand" and first.price == 0
    assert third.latitude == 40.7 and third.starts_at == datetime(2027, 1, 1, 14, tzinfo=UTC)


def test_json_schema_org_course_with_instances() -> None:
    document = {
        "@context": "https://schema.org",
        "@type": "Course",
        "@id": "https://example.org/courses/palliative",
        "name": "Palliative Care Essentials",
        "provider": {"@type": "Organization", "name": "Coastal University"},
        "educationalCredentialAwarded": "6 AMA PRA Category 1 Credits™",
        "about": [{"name": "Palliative care"}, "Oncology"],
        "hasCourseInstance": [
            {
                "@type": "CourseInstance",
                "courseMode": "onsite",
                "startDate": "2027-04-10T08:00:00-07:00",
                "endDate": "2027-04-10T16:00:00-07:00",
                "location": {
                    "@type": "Place",
                    "name": "Convention Center",
                    "address": {"addressLocality": "San Diego", "addressRegion": "CA",
                                "addressCountry": "US"},
                    "geo": {"latitude": 32.7, "longitude": -117.16},
                },
                "offers": {"price": "350.00", "priceCurrency": "USD",
                           "url": "https://example.org/register"},
            },
            {"@type": "CourseInstance", "courseMode": "online", "startDate": "2027-05-01"},
        ],
    }  # fmt: skip
    result = parse_json(json.dumps(document).encode())
    onsite, online = (validate(r.fields, source="t").record for r in result.rows)
    assert onsite and online
    assert onsite.source_id == "https://example.org/courses/palliative#2027-04-10T08:00:00-07:00"
    assert (onsite.credits, onsite.category) == (6, "ama_pra_1")
    assert onsite.topics == ("palliative_care",)
    assert (onsite.city, onsite.price, onsite.provider) == ("San Diego", 350, "Coastal University")
    assert onsite.timezone == "America/Los_Angeles"
    assert online.format == "live_online" and online.latitude is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"courses": [', "not valid JSON: .* at line 1 column 14"),
        (b'{"hello": 1}', "must be a list of courses"),
        (b"[]", "no courses"),
    ],
)
def test_json_unusable_files(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_json(data)


# ---------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("data", "name", "content_type", "kind"),
    [
        (b"BEGIN:VCALENDAR\r\n", "feed", "text/plain", "ics"),
        (b'\xef\xbb\xbf[{"title": 1}]', "x.csv", "text/csv", "json"),
        (b"title,credits\n", "courses.txt", None, "csv"),
        (b"title,credits\n", "feed", "text/csv; charset=utf-8", "csv"),
    ],
)
def test_kind_detection(data: bytes, name: str, content_type: str | None, kind: str) -> None:
    assert detect_kind(data, name=name, content_type=content_type) == kind


def test_html_is_never_a_catalogue() -> None:
    with pytest.raises(ParseError, match="HTML page"):
        detect_kind(b"\n<!doctype html><title>Sign in</title>", name="x.csv")


def test_ics_credits_said_in_the_description_in_plain_words() -> None:
    """QA: an event whose description said "1 credit" was rejected as missing credits."""
    events = "".join(
        f"BEGIN:VEVENT\nUID:e{i}@x\nSUMMARY:Talk {i}\nDTSTART:2027011{i}T140000Z\n"
        f"DTEND:2027011{i}T150000Z\nDESCRIPTION:{said}\nEND:VEVENT\n"
        for i, said in enumerate(["A talk on ethics. 1 credit.", "Earn 1.5 contact hours",
                                  "Designated for 2 AMA PRA Category 1 Credits"])
    )  # fmt: skip
    result = parse_ics(f"BEGIN:VCALENDAR\nVERSION:2.0\n{events}END:VCALENDAR\n".encode(), now=NOW)
    credits = [row.fields["credits"] for row in result.rows]
    assert credits == ["1 credit", "1.5 contact hours", "2 AMA PRA Category 1 Credits"]
