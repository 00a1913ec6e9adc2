"""Zones typed as zones (IANA names, offsets, US names), close spellings of big cities,
quiet-hour phrases and course reminders in quiet hours: the QA reports of 2026-12-06."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.domain import places
from bot.domain.reminders import QuietHours, course_reminders, parse_quiet_hours
from bot.domain.zones import ZoneMatch, ZoneUnknown, parse_zone

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("text", "tz", "fixed"),
    [
        ("Europe/London", "Europe/London", False),
        ("america/chicago", "America/Chicago", False),
        ("America/New York", "America/New_York", False),
        ("UTC+2", "Etc/GMT-2", True),  # Etc/GMT signs are inverted
        ("GMT-5", "Etc/GMT+5", True),
        ("utc + 10", "Etc/GMT-10", True),
        ("UTC−3", "Etc/GMT+3", True),  # a typographic minus
        ("UTC", "Etc/UTC", True),
        ("EST", "America/New_York", False),  # not the fixed legacy zone "EST"
        ("edt", "America/New_York", False),
        ("CST", "America/Chicago", False),
        ("central time", "America/Chicago", False),
        ("Central Standard Time", "America/Chicago", False),
        ("US/Central", "America/Chicago", False),
        ("Mountain", "America/Denver", False),
        ("PST", "America/Los_Angeles", False),
        ("Pacific Time (US & Canada)", "America/Los_Angeles", False),
        ("AKST", "America/Anchorage", False),
        ("Alaska", "America/Anchorage", False),
        ("HST", "Pacific/Honolulu", False),
        ("Hawaii", "Pacific/Honolulu", False),
    ],
)
def test_zone_names_offsets_and_us_names(text: str, tz: str, fixed: bool) -> None:
    zone = parse_zone(text)
    assert isinstance(zone, ZoneMatch), (text, zone)
    assert (zone.tz, zone.fixed) == (tz, fixed)
    assert zone.tz in available_timezones()


def test_mst_asks_denver_or_arizona() -> None:
    """Review: Arizona says MST all year without daylight saving; Denver only in winter."""
    zone = parse_zone("MST")
    assert zone == ZoneUnknown(("America/Denver", "America/Phoenix"), reason="ambiguous")


def test_offsets_mean_what_people_say() -> None:
    """UTC+2 is two hours ahead of UTC, whatever Etc/GMT's POSIX sign says."""
    noon = datetime(2026, 12, 6, 12, tzinfo=UTC)
    for text, hours in (("UTC+2", 2), ("GMT-5", -5), ("UTC+14", 14), ("UTC-12", -12)):
        zone = parse_zone(text)
        assert isinstance(zone, ZoneMatch)
        assert noon.astimezone(ZoneInfo(zone.tz)).utcoffset().total_seconds() == hours * 3600


@pytest.mark.parametrize(
    ("text", "first"), [("Europe/Londn", "Europe/London"), ("Asia/Kolkatta", "Asia/Kolkata")]
)
def test_misspelt_zone_names_suggest_the_close_one(text: str, first: str) -> None:
    zone = parse_zone(text)
    assert isinstance(zone, ZoneUnknown) and zone.suggestions[0] == first


def test_offsets_no_zone_can_hold_are_refused() -> None:
    assert parse_zone("UTC+5:30") == ZoneUnknown(reason="partial_hour")
    assert parse_zone("UTC+15") == ZoneUnknown()


@pytest.mark.parametrize(
    "text", ["Boston", "Houston", "Mountain View", "02115", "42.36, -71.06", "-33.9, 151.2"]
)
def test_places_are_left_to_the_place_search(text: str) -> None:
    assert parse_zone(text) is None


def test_a_tiny_town_spelt_like_a_big_city_asks() -> None:
    result = places.resolve("Huston")
    assert isinstance(result, places.Ambiguous) and result.hint == "close_spelling"
    assert [p.display_name for p in result.candidates] == [
        "Houston, Texas, US",
        "Huston, Idaho, US",
    ]
    named = places.resolve("Huston, ID")  # a state says which one
    assert isinstance(named, places.Resolved) and named.place.tz == "America/Boise"


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("10pm to 6am", (22 * 60, 6 * 60)),
        ("9p-7a", (21 * 60, 7 * 60)),
        ("10 p.m. – 6:30 a.m.", (22 * 60, 6 * 60 + 30)),
        ("12am-6am", (0, 6 * 60)),
        ("22:00-07:00", (22 * 60, 7 * 60)),
        ("off", (0, 0)),
        ("22:00-22:00", (0, 0)),  # an empty window is off, shown as such
        ("10-6", (22 * 60, 6 * 60)),  # review: was 10:00-06:00, twenty quiet hours
        ("10-6am", (22 * 60, 6 * 60)),
        ("10pm-6", (22 * 60, 6 * 60)),
        ("8-17", (8 * 60, 17 * 60)),
        ("10pm to 12pm pls, i work nights", (22 * 60, 12 * 60)),  # QA round 9: refused
        ("quiet from 22 to 7 please", (22 * 60, 7 * 60)),
        # the two ends said apart (QA round 11: refused)
        ("no messages before 9am or after 8pm please", (20 * 60, 9 * 60)),
        ("after 22:00 and before 7", (22 * 60, 7 * 60)),
        ("before 9 or after 8", (20 * 60, 9 * 60)),
    ],
)
def test_quiet_hours_in_12_and_24_hour_forms(text: str, window: tuple[int, int]) -> None:
    assert parse_quiet_hours(text) == QuietHours(*window)


@pytest.mark.parametrize(
    "text",
    [
        "13pm-1am", "25:00-07:00", "10:60-7", "whenever", "I work 7-3 and 3-11",
        "only remind me 6pm-9pm", "quiet except 8-10am", "12/20 to 1/5",  # review
        "before 7am",  # one end only
    ],
)
def test_quiet_hours_that_are_not_times(text: str) -> None:
    assert parse_quiet_hours(text) is None


def test_an_hour_before_reminder_never_repeats_the_day_before_one() -> None:
    """QA: quiet 22:00-07:00 in Chicago, a course at 06:30 CST on Sun Jan 3."""
    start = datetime(2027, 1, 3, 6, 30, tzinfo=CHICAGO)
    quiet = QuietHours(22 * 60, 7 * 60)
    now = datetime(2026, 12, 6, 15, tzinfo=UTC)
    planned = course_reminders(start, tz=CHICAGO, quiet=quiet, now=now)
    assert [(p.step, p.due_at.astimezone(CHICAGO)) for p in planned] == [
        ("d1", datetime(2027, 1, 2, 7, 0, tzinfo=CHICAGO))
    ]


def test_an_hour_before_reminder_in_quiet_hours_moves_to_their_end() -> None:
    start = datetime(2027, 1, 3, 7, 30, tzinfo=CHICAGO)
    quiet = QuietHours(22 * 60, 7 * 60)
    planned = course_reminders(
        start, tz=CHICAGO, quiet=quiet, now=datetime(2026, 12, 6, tzinfo=UTC)
    )
    assert [(p.step, p.due_at.astimezone(CHICAGO).hour) for p in planned] == [("d1", 7), ("h1", 7)]
    assert planned[1].due_at.astimezone(CHICAGO).minute == 0
