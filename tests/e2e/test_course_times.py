"""How a course's time reads in chat when the catalogue gave only dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from icalendar import Calendar

from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest

ADMIN = 9001
ALL_DAY_ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mass CME//Workshops//EN
BEGIN:VEVENT
UID:sim-day@example.org
SUMMARY:Simulation Skills Day
DTSTART;VALUE=DATE:20261210
DTEND;VALUE=DATE:20261212
LOCATION:Sim Center\\, Boston\\, MA
GEO:42.3601;-71.0589
X-CME-CREDITS:12
X-CME-TOPICS:patient_safety
X-CME-FORMAT:workshop
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": str(ADMIN)}


async def test_an_all_day_course_shows_its_days_not_midnight_in_another_zone(
    bot: BotUnderTest,
) -> None:
    """QA: an all-day iCalendar event read "12:00 AM" (and 9:00 PM the day before for a
    clinician on Pacific time)."""
    boss = bot.user(ADMIN, "Boss")
    await boss.upload("workshops.ics", ALL_DAY_ICS.encode(), "text/calendar")
    assert "1 added" in ((await boss.next_reply(10)).text or "")
    ana = bot.user(1001, "Ana")
    await ana.send("/timezone America/Los_Angeles")
    await ana.next_reply(10)
    await ana.send("courses near Boston")
    found = (await ana.next_reply(10)).text or ""
    assert "Thu Dec 10 – Fri Dec 11 (all day)" in found, found
    assert "12:00 AM" not in found and "9:00 PM" not in found
    await ana.press("1. Simulation Skills Day")
    detail = await ana.next_reply(10)
    assert "Thu Dec 10 – Fri Dec 11 (all day)" in (detail.text or "")
    await ana.press("📅 Add to calendar", message_id=detail.message_id)
    calendar_file = (await ana.next_reply(10)).document_file
    assert calendar_file is not None
    event = Calendar.from_ical(calendar_file.data).walk("VEVENT")[0]
    # Review: the calendar file said 12:00 AM Dec 10 to 11:59 PM Dec 11, a timed block.
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (date(2026, 12, 10),
                                                                  date(2026, 12, 12))  # fmt: skip
    # Review: reminders said "starts in 60 minutes (Wed Dec 9, 21:00 PST)" for this course.
    await ana.press("🔔 Remind me", message_id=detail.message_id)
    assert (await ana.callback_answer()).text == "I'll remind you on Wed Dec 9, 08:00 PST."  # one
    bot.clock.set(datetime(2026, 12, 9, 16, 1, tzinfo=UTC))  # 8:01 AM in Los Angeles
    await tick_now(bot.app)
    reminder = await ana.next_reply(10)
    assert "starts tomorrow (Thu Dec 10, all day)" in (reminder.text or ""), reminder.text
