"""QA round 9, in chat: what a hospital education office sends the bot, and what a
clinician then finds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.store.db import transaction
from bot.store.models import Course
from tests.e2e.conftest import BotUnderTest
from tests.e2e.test_courses_chat import ADMIN, ask, texts_of, titles

# A spreadsheet export: a title and a date above the header, credits named after their
# category, an end time without an end date, a course placed only by its ZIP.
MERCY = (
    "Mercy General Hospital - CME Catalogue Q1 2027,,,,,,,\n"
    "Exported 12/01/2026,,,,,,,\n"
    "\n"
    "Activity ID,Activity Title,Date,Start Time,End Time,Credits,ZIP,Status\n"
    '"M-1","Kendall Sepsis Update",01/21/2027,8:00 AM,12:00 PM,'
    '"AMA PRA Category 1 Credits™: 3.5",02139,\n'
    "M-2,Wound Care Morning,01/22/2027,9:00 AM,11:00 AM,2.0 ANCC contact hours,02139,\n"
    "M-3,Lipids Range,01/23/2027,9:00 AM,11:00 AM,1-2 credits,02139,\n"
    "M-4,Old Talk,01/24/2027,9:00 AM,11:00 AM,1,02139,Cancelled\n"
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": str(ADMIN)}


async def course_count(bot: BotUnderTest) -> int:
    async with transaction(bot.services.sessionmaker) as session:
        return await session.scalar(select(func.count()).select_from(Course)) or 0


@pytest.mark.postgres
async def test_a_titled_export_sent_as_txt_imports_and_its_zip_course_is_found_nearby(
    bot: BotUnderTest,
) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.upload("mercy.txt", MERCY.encode(), "text/plain")
    said = texts_of(await boss.next_reply(10))
    assert "Imported mercy.txt (csv): 2 added, 0 updated, 0 unchanged, 1 rejected." in said
    assert "line 7: credits '1-2 credits' is a range, not an amount" in said
    assert "1 course(s) marked cancelled in the file and not listed before: not added." in said
    assert "Note: the header is on line 4: 2 line(s) above it skipped" in said
    assert "without coordinates" not in said and "ignored column" not in said

    ana = bot.user(1001, "Ana")
    found = await ask(ana, "courses near 02139 in January")
    assert titles(found) == ["Kendall Sepsis Update", "Wound Care Morning"]
    text = texts_of(found)
    assert "3.5 credits (AMA PRA Category 1)" in text
    assert "2 contact hours (ANCC nursing contact hours)" in text  # its own unit
    assert "📍 Cambridge, MA · in that city" in text  # placed at the ZIP, named after it
    assert "Thu Jan 21, 2027, 8:00 AM EST" in text


async def test_a_clinicians_txt_file_is_not_a_catalogue(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    await ana.next_reply(10)
    await ana.upload("mercy.txt", MERCY.encode(), "text/plain")
    assert "Imported" not in texts_of(await ana.next_reply(10))
    assert await course_count(bot) == 0


async def test_csv_sent_as_json_imports_and_a_note_is_not_a_catalogue(bot: BotUnderTest) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.upload("courses.json", MERCY.encode(), "application/json")
    assert "Imported courses.json (csv): 2 added" in texts_of(await boss.next_reply(10))
    await boss.upload("notes.txt", b"Remember to renew the DEA licence.\n", "text/plain")
    assert "Imported" not in texts_of(await boss.next_reply(10))
    assert await course_count(bot) == 2


async def test_a_catalogue_without_ids_is_told_what_that_means(bot: BotUnderTest) -> None:
    """QA round 11c: without ids, a corrected title later cancels the course and adds a
    new one; docs/catalogues.md said so, the import did not."""
    boss = bot.user(ADMIN, "Boss")
    no_ids = (
        "title,credits,start,format\n"
        "Sepsis Update,1,2027-01-21 08:00,webinar\n"
        "Wound Care,2,2027-01-22 09:00,webinar\n"
    )
    await boss.upload("spring.csv", no_ids.encode(), "text/csv")
    said = texts_of(await boss.next_reply(10))
    assert "2 added" in said
    assert "2 course(s) have no id, so each is known by its title, start and place" in said
    await boss.upload("mercy.csv", MERCY.encode(), "text/csv")
    assert "have no id" not in texts_of(await boss.next_reply(10))
