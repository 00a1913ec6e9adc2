"""How a course's time reads in chat when the catalogue gave only dates."""

from __future__ import annotations

from typing import Any

import pytest

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
