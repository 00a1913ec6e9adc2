"""Courses in chat, end to end: a catalogue imported from CSV, iCalendar and JSON, then
searched by city, ZIP and shared location with date and topic filters; places that are
ambiguous or unknown; widening an empty search; details with a calendar file; reminders
and /mycourses; "Courses I need"; admin imports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot.courses.importer import ImportOptions, import_source
from bot.sandbox.records import SentMessage, keyboard_rows
from bot.sandbox.user import SandboxUser
from bot.store import clinicians, credits, licences
from bot.store.db import transaction
from bot.store.models import Course, CourseSubscription, CreditEntry, ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import START, BotUnderTest, reply_with, seed_licence

ADMIN = 9001
NEW_YORK = ZoneInfo("America/New_York")

CSV = """\
id,title,provider,credits,category,topics,format,start,end,timezone,venue,city,state,\
latitude,longitude,price,url,description
b-opioid,Boston Opioid Prescribing Update,Mass CME,2,ama_pra_1,opioid_prescribing,in_person,\
2026-12-10 09:00,2026-12-10 11:00,America/New_York,Faneuil Hall,Boston,MA,42.3601,-71.0589,150,\
https://example.org/b-opioid,Tapering & <risk> tools
b-ethics,Cambridge Medical Ethics Seminar,Mass CME,3,ama_pra_1,ethics,in_person,\
2026-12-03 13:00,2026-12-03 16:00,America/New_York,Kendall Hall,Cambridge,MA,42.3736,-71.1097,0,,
quincy-opioid,Quincy Opioid Stewardship,Mass CME,2,ama_pra_1,opioid_prescribing,in_person,\
2027-01-20 18:00,2027-01-20 20:00,America/New_York,Quincy Center,Quincy,MA,42.2529,-71.0023,90,,
b-opioid-late,Boston Opioid Spring Review,Mass CME,2,ama_pra_1,opioid_prescribing,in_person,\
2027-04-15 09:00,2027-04-15 11:00,America/New_York,Faneuil Hall,Boston,MA,42.3601,-71.0589,150,,
worcester-sepsis,Worcester Sepsis Workshop,UMass,6,ama_pra_1,sepsis,workshop,\
2027-01-15 08:00,2027-01-15 17:00,America/New_York,Sim Center,Worcester,MA,42.2626,-71.8023,400,,
hartford-ethics,Hartford Ethics Forum,CT CME,2,ama_pra_1,ethics,in_person,\
2026-12-05 09:00,2026-12-05 11:00,America/New_York,Forum,Hartford,CT,41.7658,-72.6734,50,,
pme-ethics-1,Portland Ethics Roundtable,Maine Med,2,ama_pra_1,ethics,in_person,\
2027-01-12 12:00,2027-01-12 14:00,America/New_York,Old Port,Portland,ME,43.6591,-70.2568,75,,
pme-ethics-2,South Portland Ethics Workshop,Maine Med,3,ama_pra_1,ethics,workshop,\
2027-01-20 09:00,2027-01-20 12:00,America/New_York,Mill Creek,South Portland,ME,\
43.6415,-70.2409,120,,
pme-ethics-dec,Portland Ethics in December,Maine Med,2,ama_pra_1,ethics,in_person,\
2026-12-02 12:00,2026-12-02 14:00,America/New_York,Old Port,Portland,ME,43.6591,-70.2568,75,,
pme-sepsis,Portland Sepsis Update,Maine Med,2,ama_pra_1,sepsis,in_person,\
2027-01-14 12:00,2027-01-14 14:00,America/New_York,Old Port,Portland,ME,43.6591,-70.2568,75,,
por-ethics,Portland Oregon Ethics Day,OHSU,4,ama_pra_1,ethics,in_person,\
2027-01-22 09:00,2027-01-22 13:00,America/Los_Angeles,Waterfront,Portland,OR,45.5152,-122.6784,200,\
https://example.org/por,
"""

ICS = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Longwood//Rounds//EN
BEGIN:VEVENT
UID:gr-bias@example.org
SUMMARY:Boston Grand Rounds: Implicit Bias
DTSTART;TZID=America/New_York:20261208T080000
DTEND;TZID=America/New_York:20261208T090000
LOCATION:Longwood Auditorium\\, Boston\\, MA
GEO:42.3398;-71.0892
X-CME-CREDITS:1
X-CME-TOPICS:implicit_bias
X-CME-FORMAT:in person
X-CME-PRICE:0
END:VEVENT
BEGIN:VEVENT
UID:ethics-webinar@example.org
SUMMARY:Ethics Webinar Series
DTSTART;TZID=America/Chicago:20261215T120000
DTEND;TZID=America/Chicago:20261215T130000
RRULE:FREQ=MONTHLY;COUNT=3
LOCATION:Zoom
X-CME-CREDITS:1
X-CME-TOPICS:ethics
X-CME-PRICE:25
END:VEVENT
END:VCALENDAR
"""

JSON = [
    {
        "id": "b-pain", "title": "Boston Pain Management Forum", "credits": 4,
        "category": "ama_pra_1", "topics": ["pain_management"], "format": "in_person",
        "starts_at": "2026-12-15T08:30", "ends_at": "2026-12-15T12:30",
        "timezone": "America/New_York", "venue": "Park Plaza", "city": "Boston",
        "region": "MA", "latitude": 42.3551, "longitude": -71.0656, "price": 220,
    },
    {
        "id": "online-opioid", "title": "Opioid Prescribing Essentials", "credits": 2,
        "category": "ama_pra_1", "topics": ["opioid_prescribing", "pain_management"],
        "format": "live_online", "starts_at": "2027-02-02T12:00", "ends_at": "2027-02-02T14:00",
        "timezone": "America/Chicago", "price": 49,
    },
    {
        "id": "online-review", "title": "Internal Medicine Board Review", "credits": 20,
        "category": "ama_pra_1", "topics": [], "format": "live_online",
        "starts_at": "2027-01-10T08:00", "ends_at": "2027-01-12T17:00",
        "timezone": "America/Chicago", "price": 600,
    },
]  # fmt: skip


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": str(ADMIN)}


def texts_of(message: SentMessage) -> str:
    return message.text or ""


def titles(message: SentMessage) -> list[str]:
    """Course titles of a result list, in order (from the "n. Title" buttons)."""
    return [label.split(". ", 1)[1] for row in message.buttons for label in row if ". " in label]


async def admin_imports_everything(bot: BotUnderTest) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.upload("catalogue.csv", CSV.encode(), "text/csv")
    assert "Imported catalogue.csv (csv): 11 added" in (await boss.next_reply(10)).text
    await boss.upload("rounds.ics", ICS.encode(), "text/calendar")
    assert "Imported rounds.ics (ics): 4 added" in (await boss.next_reply(10)).text
    await boss.upload("online.json", json.dumps(JSON).encode(), "application/json")
    assert "Imported online.json (json): 3 added" in (await boss.next_reply(10)).text


async def import_directly(bot: BotUnderTest, tmp_path: Path) -> None:
    for name, content in (("c.csv", CSV), ("r.ics", ICS), ("o.json", json.dumps(JSON))):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        summary = await import_source(
            bot.services.sessionmaker, str(path), now=START, options=ImportOptions()
        )
        assert summary.ok and not summary.rejected, summary


async def ask(user: SandboxUser, text: str) -> SentMessage:
    await user.send(text)
    return await user.next_reply(10)


@pytest.mark.postgres
async def test_city_zip_and_shared_location_searches_from_three_formats(
    bot: BotUnderTest,
) -> None:
    await admin_imports_everything(bot)
    ana = bot.user(1001, "Ana")

    near_boston = await ask(ana, "courses near Boston next month")
    assert "Courses near Boston, MA (within 50 mi) · Dec 1 – Dec 31, 2026" in texts_of(near_boston)
    assert titles(near_boston) == [
        "Boston Opioid Prescribing Update",  # CSV, 0.1 mi
        "Boston Pain Management Forum",  # JSON, 0.4 mi
        "Boston Grand Rounds: Implicit Bias",  # iCalendar, 2 mi
        "Cambridge Medical Ethics Seminar",  # CSV, 2.8 mi; Hartford is too far
    ]
    text = texts_of(near_boston)
    assert "Thu Dec 10, 9:00 AM EST" in text and "Faneuil Hall, Boston, MA · 0.1 mi" in text
    assert "2 credits (AMA PRA Category 1) · Opioid prescribing" in text and "$150" in text
    assert "Free" in text and "Showing 1–4 of 4, nearest first" in text

    by_zip = await ask(ana, "opioid courses within 50 miles of 02115 before March")
    assert "Courses near 02115 (Boston, MA)" in texts_of(by_zip)
    assert titles(by_zip) == ["Boston Opioid Prescribing Update", "Quincy Opioid Stewardship"]

    asked = await ask(ana, "/courses ethics in January")
    assert "Where should I look" in texts_of(asked)
    assert asked.reply_keyboard == [["📍 Send my location"], ["Online only", "Courses I need"]]
    await ana.share_location(43.6591, -70.2568)  # Portland, Maine
    nearby = await ana.next_reply(10)
    assert "Courses near your location (Portland, ME)" in texts_of(nearby)
    assert "Medical ethics" in texts_of(nearby)
    assert "Old Port, Portland, ME · < 0.1 mi" in texts_of(nearby)
    assert titles(nearby) == ["Portland Ethics Roundtable", "South Portland Ethics Workshop"]

    online = await ask(ana, "online ethics courses")
    assert titles(online) == ["Ethics Webinar Series"]  # once, not once per month (3)
    assert "Tue Dec 15, 1:00 PM EST" in texts_of(online)  # 12:00 in Chicago
    assert "🔁 Repeats: 2 more dates in your search" in texts_of(online)

    again = await ask(ana, "ethics courses near me")  # the shared location was remembered
    assert titles(again) == [
        "Portland Ethics in December",  # same place as the next one: by date
        "Portland Ethics Roundtable",
        "South Portland Ethics Workshop",
    ]
    assert "Old Port, Portland, ME · 0.2 mi" in texts_of(again)  # kept only to ~1 km


async def test_ambiguous_unknown_and_empty_searches(bot: BotUnderTest, tmp_path: Path) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")

    which = await ask(ana, "courses in Portland")
    assert "Which one?" in texts_of(which)
    assert which.buttons == [["Portland, OR"], ["Portland, ME"], ["Portland, TX"]]
    await ana.press("Portland, OR")
    chosen = await ana.next_edit()
    assert "Courses near Portland, OR" in (chosen.text or "")
    assert "Portland Oregon Ethics Day" in (chosen.text or "")
    await ana.press("1. Portland Oregon Ethics Day")
    details = await ana.next_reply()
    await ana.press("📅 Add to calendar", message_id=details.message_id)
    calendar_file = await ana.next_reply()
    # The clinician's zone first, the venue's own time after it; the file keeps the venue's.
    assert "Fri Jan 22, 2027, 12:00 PM EST (9:00 AM PST where it takes place)" in texts_of(details)
    assert calendar_file.document is not None
    event = next(iter(Calendar.from_ical(calendar_file.document.data).walk("VEVENT")))
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert event.decoded("DTSTART") == datetime(
        2027, 1, 22, 9, tzinfo=ZoneInfo("America/Los_Angeles")
    )

    unknown = await ask(ana, "courses in Bostn")
    assert "I don't know a place called “Bostn”. Did you mean" in texts_of(unknown)
    assert unknown.buttons[0] == ["Boston, MA"]
    await ana.press("Boston, MA")
    assert "Boston Opioid Prescribing Update" in ((await ana.next_edit()).text or "")

    empty = await ask(ana, "sepsis courses within 25 miles of Boston in January")
    assert "No upcoming courses match that. Widen the search?" in texts_of(empty)
    assert empty.buttons == [["Widen to 50 mi", "Include online"], ["Any date", "Any topic"]]
    await ana.press("Widen to 50 mi")
    widened = await ana.next_edit()
    assert "within 50 mi" in (widened.text or "")
    assert "Worcester Sepsis Workshop" in (widened.text or "")

    await ask(ana, "/courses")
    online = await ask(ana, "Online only")  # the reply-keyboard answer to "Where?"
    assert "Online courses" in texts_of(online) and "soonest first" in texts_of(online)
    assert titles(online) == [
        "Ethics Webinar Series",  # Dec 15 (and Jan 15, Feb 15: one series, listed once)
        "Internal Medicine Board Review",  # Jan 10
        "Opioid Prescribing Essentials",  # Feb 2
    ]
    assert "💻 Live online" in texts_of(online)

    bad = await ask(ana, "courses near Boston last month")
    assert "That date has passed" in texts_of(bad)

    cardiology = await ask(ana, "cardiology courses in Boston")
    assert "I don't know the topic “cardiology”" in texts_of(cardiology)

    await ask(ana, "/courses")
    instead = await ask(ana, "2 credits ethics yesterday")  # not a place: a credit to log
    assert "Log this?" in texts_of(instead) and "2 credits" in texts_of(instead)


async def test_paging_details_ics_remind_and_mycourses(bot: BotUnderTest, tmp_path: Path) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    results = await ask(ana, "/courses Boston within 100 miles")
    assert len(titles(results)) == 5 and results.buttons[-1] == ["More ›"]
    first_page = titles(results)
    await ana.press("More ›")
    page_two = await ana.next_edit()
    assert "Showing 6–10 of 12" in (page_two.text or "")
    assert page_two.buttons[-1] == ["‹ Back", "More ›"]
    await ana.press("‹ Back")
    assert first_page[0] in ((await ana.next_edit()).text or "")

    await ana.press("1. Boston Opioid Prescribing Update")
    details = await ana.next_reply()
    assert details.buttons == [["🔔 Remind me", "📅 Add to calendar"]]
    assert await ana.replies_until_quiet(0.3) == [], "a calendar file only when asked for"
    await ana.press("📅 Add to calendar", message_id=details.message_id)
    calendar_file = await ana.next_reply()
    assert "Tapering &amp; &lt;risk&gt; tools" in (details.raw_text or "")
    assert "Register: example.org" in texts_of(details)
    assert "⏱ Ends 11:00 AM EST" in texts_of(details)  # QA: the card had no end time
    assert calendar_file.document is not None
    assert calendar_file.document.file_name == "boston-opioid-prescribing-update.ics"
    event = next(iter(Calendar.from_ical(calendar_file.document.data).walk("VEVENT")))
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime(2026, 12, 10, 9, 0, tzinfo=NEW_YORK)
    assert start.astimezone(UTC) == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    assert end - start == datetime(2026, 12, 10, 11) - datetime(2026, 12, 10, 9)
    assert str(event["SUMMARY"]) == "Boston Opioid Prescribing Update"
    assert event["DTSTART"].params["TZID"] == "America/New_York"

    await ana.press("🔔 Remind me", message_id=details.message_id)
    assert (await ana.callback_answer()).text == (
        "I'll remind you a day and an hour before it starts."
    )
    assert (await ana.next_edit()).buttons == [["🔕 Stop reminding me", "📅 Add to calendar"]]
    async with transaction(bot.services.sessionmaker) as session:
        subscribed = await session.scalar(select(func.count()).select_from(CourseSubscription))
        planned = list(
            await session.scalars(
                select(ReminderOutbox.dedupe_key).where(
                    ReminderOutbox.kind == "course", ReminderOutbox.status == "pending"
                )
            )
        )
    assert subscribed == 1 and len(planned) == 3  # a day and an hour before, a follow-up

    listed = await ask(ana, "/mycourses")
    assert "1. Boston Opioid Prescribing Update" in texts_of(listed)
    assert "Thu Dec 10, 9:00 AM EST · Faneuil Hall, Boston, MA" in texts_of(listed)
    await ana.press("🔕 Unsubscribe 1")
    assert "haven't asked me to remind you" in ((await ana.next_edit()).text or "")
    async with transaction(bot.services.sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(CourseSubscription)) == 0
        still = await session.scalar(
            select(func.count())
            .select_from(ReminderOutbox)
            .where(ReminderOutbox.kind == "course", ReminderOutbox.status == "pending")
        )
    assert still == 0

    # Forged or stale callback data finds nothing and changes nothing.
    await ana.press_data("cd:999999", listed.message_id)
    assert (await ana.callback_answer()).text == "That course is no longer in the catalogue."
    await ana.press_data("cs:0:g1:xx:::::", listed.message_id)
    assert (await ana.callback_answer()).text is not None


async def test_courses_i_need_ranks_a_missing_mandate_first(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    none_yet = await ask(ana, "courses I need")
    assert "I first need a licence" in texts_of(none_yet) and "/licences" in texts_of(none_yet)

    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        await licences.add(
            session, owner, label="Texas MD", rule_id="us-tx-md", now=START,
            renewal_date=date(2027, 6, 30), renewals_done=1, flags=["direct_patient_care"],
        )  # fmt: skip
        await credits.add(
            session, owner, completed_on=date(2026, 3, 1), amount=Decimal(2),
            category="ama_pra_1", topics=["ethics"], title="Ethics", now=START,
        )  # fmt: skip

    ranked = await ask(ana, "Courses I need")
    text = texts_of(ranked)
    assert "Courses that fill what you still need" in text
    assert titles(ranked)[0] == "Opioid Prescribing Essentials"
    assert "2 credits of Pain management and opioid prescribing (first two renewal periods)" in text
    assert "(4 still needed, Texas MD, due Jun 30, 2027)" in text
    assert titles(ranked)[1] == "Internal Medicine Board Review"  # 20 h toward the total
    assert "20 credits toward Texas MD's total (46 still needed)" in text
    assert "Ethics Webinar Series" in titles(ranked)  # no ethics mandate left, still credit

    await ana.share_location(42.3601, -71.0589)  # Boston: in-person courses join the ranking
    await ana.next_reply(10)
    await ana.press_data("gaps", ranked.message_id)
    with_boston = await ana.next_reply(10)
    assert "within 50 mi of your location (Boston, MA)" in texts_of(with_boston)
    assert titles(with_boston)[:3] == [
        "Boston Pain Management Forum",  # 4 h: fills the 4 h opioid/pain mandate outright
        "Boston Opioid Prescribing Update",  # 2 h, Dec 10
        "Quincy Opioid Stewardship",  # 2 h, Jan 20
    ]


async def test_admin_upload_imports_and_others_do_not(bot: BotUnderTest) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.upload("catalogue.csv", CSV.encode(), "text/csv")
    first = await boss.next_reply(10)
    assert "Imported catalogue.csv (csv): 11 added, 0 updated, 0 unchanged, 0 rejected." in (
        first.text or ""
    )
    await boss.upload("catalogue.csv", CSV.encode(), "text/csv")  # again: idempotent
    assert "0 added, 0 updated, 11 unchanged" in ((await boss.next_reply(10)).text or "")
    bad = CSV.replace("Boston Opioid Prescribing Update,Mass CME,2", "Bad Row,Mass CME,-2")
    await boss.upload("catalogue.csv", bad.encode(), "text/csv")
    assert "1 rejected" in ((await boss.next_reply(10)).text or "")
    await boss.upload("courses.xlsx", b"PK\x03\x04 a spreadsheet", "application/vnd.ms-excel")
    said = (await boss.next_reply(10)).text or ""  # QA round 6: "That file isn't a PDF"
    assert "save it as CSV" in said and "PDF" not in said, said

    ana = bot.user(1001, "Ana")
    other = CSV.replace("b-", "x-")
    await ana.upload("courses.csv", other.encode(), "text/csv")
    reply = await ana.next_reply(10)
    assert "Imported" not in (reply.text or "")
    async with transaction(bot.services.sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(Course)) == 11


async def test_the_sample_catalogue_gives_a_new_user_results(bot: BotUnderTest) -> None:
    from bot.courses.sample import load_sample_if_empty

    assert await load_sample_if_empty(bot.services.sessionmaker, START) > 100
    assert await load_sample_if_empty(bot.services.sessionmaker, START) == 0
    ana = bot.user(1001, "Ana")
    found = await ask(ana, "courses near Chicago")
    assert titles(found) and "Courses near Chicago, IL" in texts_of(found)
    online = await ask(ana, "online opioid courses")
    assert titles(online) and "Online courses" in texts_of(online)


def test_searches_fit_in_callback_data_and_come_back_unchanged() -> None:
    from bot.domain import topics
    from handlers.callbacks import decode, encode
    from handlers.course_query import CourseQuery, _topic_codes, topic_code

    assert len(_topic_codes()) == len(topics.topic_ids())  # no two topics share a code
    widest = CourseQuery(
        place="c-33.869_-151.209", radius=600, online=True, start=date(2027, 1, 1),
        end=date(2031, 12, 31), topics=tuple(sorted(topics.topic_ids(), key=len)[-3:]),
        max_price=99999,
    )  # fmt: skip
    press = decode(encode("cs", 995, *widest.args()))
    assert press is not None and CourseQuery.from_args(press.args[1:]) == widest
    assert topic_code("ethics") == topic_code("ethics")
    for forged in (
        ("x",),
        ("g1", "9m", "", "", "", "zzzz", ""),
        ("g1", "5m", "o", "", "", "", "-1"),
    ):
        assert CourseQuery.from_args(forged) is None


async def test_a_misspelt_topic_read_as_a_place_is_offered_as_the_topic(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    typo = await ask(ana, "/courses implict bias online")
    assert "I don't know a place called “implict bias”." in texts_of(typo)
    assert "If that was a topic: did you mean Implicit bias?" in texts_of(typo)
    assert typo.buttons[0] == ["Implicit bias courses"]  # before places named like it
    await ana.press("Implicit bias courses")
    found = await ana.next_edit()
    assert "Online courses" in (found.text or "") and "Implicit bias" in (found.text or "")

    nowhere = await ask(ana, "/courses implict bias")  # no online to search without a place
    assert "If that was a topic: did you mean Implicit bias?" in texts_of(nowhere)
    assert ["Implicit bias courses"] not in nowhere.buttons
    both = await ask(ana, "implict bias courses in Bostn")  # the topic words come before "in"
    assert "I don't know a place called “Bostn”" in texts_of(both)
    assert "I don't know the topic “implict bias”, so the search covers every topic" in (
        texts_of(both)
    )
    assert both.buttons[0] == ["Boston, MA"]
    wrong_day = await ask(ana, "ethics courses online on 31 February")
    assert "That date doesn't exist" in texts_of(wrong_day)
    evening = await ask(ana, "evening opioid courses near Boston")  # QA: "covers every topic"
    assert "I left out “evening”, which I don't know as a topic." in texts_of(evening)
    assert "Opioid prescribing" in texts_of(evening) and "every topic" not in texts_of(evening)
    counted = await ask(ana, "2 ethics courses near Boston")  # QA: "I don't know the topic “2”"
    assert "I don't know the topic" not in texts_of(counted)
    far = await ask(ana, "courses within 5000 miles of Boston")  # QA: said 5000, searched 621
    assert "(within 621 mi" in texts_of(far)


async def test_a_one_letter_slip_in_a_topic_is_read_as_the_topic(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    online = await ask(ana, "/courses ethcs online")
    assert "Ethics Webinar Series" in texts_of(online) and "Medical ethics" in texts_of(online)
    assert "Opioid Prescribing Essentials" not in texts_of(online)
    which = await ask(ana, "opiod courses in Portland")
    assert "Which one?" in texts_of(which) and "opiod" not in texts_of(which)


async def test_misspelt_months_and_bare_ranges_are_dates_not_places(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    february = await ask(ana, "online opioid courses in Febuary")
    assert "I don't know a place" not in texts_of(february)
    assert titles(february) == ["Opioid Prescribing Essentials"]
    impossible = await ask(ana, "/courses online opioid Febuary 30")
    assert "That date doesn't exist" in texts_of(impossible)
    assert "place" not in texts_of(impossible)
    window = await ask(ana, "online courses Janurary 9 to Janurary 13")  # no "from"
    assert titles(window) == ["Internal Medicine Board Review"]


async def test_in_person_courses_show_the_venues_clock_too(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: a Portland, OR course listed only as 12:00 PM EST for a clinician in New York."""
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    found = await ask(ana, "ethics courses near Portland, OR")
    assert "Portland Oregon Ethics Day" in texts_of(found)
    assert "12:00 PM EST (9:00 AM PST where it takes place)" in texts_of(found)
    online = await ask(ana, "online courses")
    assert "where it takes place" not in texts_of(online)


async def test_searches_without_a_place_look_where_the_clinician_practises(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: "courses this week" asked "Where should I look?" though the time zone had been set
    from Boston; a shared location was forgotten at the next question."""
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    assert "Time zone set" in (await ask(ana, "/timezone Boston")).text
    near = await ask(ana, "opioid courses next month")
    assert "Courses near your location (Boston, MA)" in texts_of(near)
    assert "Boston Opioid Prescribing Update" in titles(near)
    await ana.send("/log 2 ethics yesterday")  # another question comes and goes
    await reply_with(ana, "Log this?")
    await ana.send("/cancel")
    await reply_with(ana, "OK, cancelled.")
    await ana.share_location(43.6591, -70.2568)  # Portland, Maine
    await reply_with(ana, "Courses near your location")
    await ana.send("/log 1 ethics yesterday")
    await reply_with(ana, "Log this?")
    again = await ask(ana, "ethics courses near me")
    assert "Portland, ME" in texts_of(again)
    await ana.send("/export")
    exported = json.loads((await ana.next_reply()).document_file.data)  # type: ignore[union-attr]
    assert exported["kept_between_messages"] == {"course_location": [43.66, -70.26]}


async def test_courses_i_need_says_what_no_course_covers_and_the_minimum_a_course_fills(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: an open mandate no course covers went unsaid under "mandated topics first", and a
    Category 1 course did not say it counts toward the Category 1 minimum."""
    await import_directly(bot, tmp_path)
    await seed_licence(
        bot, "us-tx-md", "Texas MD", date(2027, 6, 30), renewals_done=3,
        flags=["direct_patient_care"],
    )  # fmt: skip
    ana = bot.user(1001, "Ana")
    ranked = texts_of(await ask(ana, "Courses I need"))
    assert "No upcoming course here covers Identification and assistance of trafficked" in ranked
    assert "and its AMA PRA Category 1 Credit minimum (24 to go)" in ranked
    assert ranked.index("trafficked") < ranked.index("1. Opioid Prescribing Essentials")


@pytest.mark.parametrize(
    ("typed", "heading"),
    [("corses near dallas in march", "near Dallas, TX"),
     ("any cme near chicago this weekend?", "near Chicago, IL")],
)  # fmt: skip
async def test_course_questions_with_a_slip_or_cme_are_searches(
    bot: BotUnderTest, typed: str, heading: str
) -> None:
    """QA: both got "Sorry, I didn't understand that"."""
    from bot.courses.sample import load_sample_if_empty

    await load_sample_if_empty(bot.services.sessionmaker, START)
    ana = bot.user(1001, "Ana")
    await ana.send(typed)
    reply = texts_of(await ana.next_reply(10))
    assert heading in reply, reply


async def chose_the_boston_course(bot: BotUnderTest, tmp_path: Path) -> SandboxUser:
    """Ana finds the Boston opioid course and presses "Remind me"."""
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    await ask(ana, "/courses Boston within 100 miles")
    await ana.press("1. Boston Opioid Prescribing Update")
    details = await ana.next_reply()
    await ana.press("🔔 Remind me", message_id=details.message_id)
    await ana.callback_answer()
    await ana.next_edit()
    return ana


async def test_a_course_reminder_links_the_course_page_and_its_details(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: the reminder named the course and its time only; the page with the joining
    link, or the address, had to be searched for again."""
    ana = await chose_the_boston_course(bot, tmp_path)
    bot.clock.set(datetime(2026, 12, 9, 14, 30, tzinfo=UTC))  # the day before, 9:30 in Boston
    await tick_now(bot.app)
    reminder = await ana.next_reply(10)
    assert "Boston Opioid Prescribing Update</b> starts tomorrow" in (reminder.raw_text or "")
    ((page, more),) = keyboard_rows(reminder.reply_markup)
    assert (page.text, page.callback_data) == ("🔗 example.org", None)
    assert page.url == "https://example.org/b-opioid"
    assert more.text == "Details"
    await ana.press("Details", message_id=reminder.message_id)
    again = await ana.next_reply()
    assert "Register: example.org" in texts_of(again) and "Faneuil Hall" in texts_of(again)


async def test_after_a_chosen_course_the_bot_offers_to_log_its_credits(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: after the course ended nothing asked "did you attend? log its credits?" and
    /mycourses just emptied."""
    ana = await chose_the_boston_course(bot, tmp_path)
    async with transaction(bot.services.sessionmaker) as session:
        due = await session.scalar(
            select(ReminderOutbox.due_at).where(ReminderOutbox.dedupe_key.like("%:followup"))
        )
    assert due == datetime(2026, 12, 10, 18, 0, tzinfo=UTC)  # ended 11:00 EST, two hours on
    panel = await ask(ana, "/reminders")
    assert "log it? Boston Opioid Prescribing Update" in texts_of(panel)

    bot.clock.set(datetime(2026, 12, 10, 18, 1, tzinfo=UTC))
    await tick_now(bot.app)
    follow_up = await ana.next_reply(10)
    assert "How was <b>Boston Opioid Prescribing Update</b>?" in (follow_up.raw_text or "")
    assert follow_up.buttons == [["✅ Log 2 credits"]]
    await ana.press("✅ Log 2 credits", message_id=follow_up.message_id)
    proposal = await reply_with(ana, "Log this?")
    for shown in ("2 credits — AMA PRA Category 1 Credit", "Opioid prescribing",
                  "Boston Opioid Prescribing Update", "Provider: Mass CME", "Thu Dec 10, 2026"):
        assert shown in proposal, (shown, proposal)  # fmt: skip
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        entry = await session.scalar(select(CreditEntry))
    assert entry is not None and (entry.amount, entry.completed_on, entry.source) == (
        2, date(2026, 12, 10), "course"
    )


async def test_a_place_named_in_several_states_is_the_one_in_the_licence_state(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA: "Cleveland" asked an Ohio physician to choose between Ohio and Tennessee."""
    await import_directly(bot, tmp_path)
    await seed_licence(bot, "us-oh-md", "Ohio MD", date(2027, 1, 31), renewals_done=2)
    ana = bot.user(1001, "Ana")
    found = texts_of(await ask(ana, "courses near Cleveland"))
    assert "Several places" not in found
    assert "Cleveland, OH: the Cleveland in the state you are licensed in" in found, found
    bea = bot.user(1002, "Bea")  # no licence: asked
    asked = texts_of(await ask(bea, "courses near Cleveland"))
    assert "Several places are called “Cleveland”" in asked
    # QA round 7: a described requirement has no jurisdiction, but its name says Ohio.
    await bea.send("Ohio RN: 24 contact hours by 2027-10-31")
    await reply_with(bea, "Saved your requirement")
    await bea.replies_until_quiet(0.5)  # its status, "Add another?"
    found = texts_of(await ask(bea, "courses near Cleveland"))
    assert "Cleveland, OH: the Cleveland in the state you are licensed in" in found, found


async def test_a_course_reminder_gives_the_venues_time_too(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA round 6: a Chicago clinician's reminder for a Boston course gave Chicago time only."""
    ana = await chose_the_boston_course(bot, tmp_path)
    await ask(ana, "/timezone America/Chicago")
    bot.clock.set(datetime(2026, 12, 9, 15, 30, tzinfo=UTC))  # the day before, 9:30 in Chicago
    await tick_now(bot.app)
    reminder = (await ana.next_reply(10)).raw_text or ""
    assert "(Thu Dec 10, 08:00 CST; 09:00 EST where it takes place)" in reminder, reminder


async def test_courses_i_need_leaves_another_states_mandate_course_out(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA round 6: a Texas-specific course was offered for a Florida nurse's mandate. A
    course named for another state fills no mandate here; one for this state still does."""
    await import_directly(bot, tmp_path)
    state_courses = [
        {
            "id": f"{state}-opioid", "title": f"{name} Opioid Prescribing Rules", "credits": 4,
            "category": "ama_pra_1", "topics": ["opioid_prescribing"], "format": "live_online",
            "starts_at": f"2027-01-0{day}T12:00", "ends_at": f"2027-01-0{day}T16:00",
            "timezone": "America/Chicago", "price": 0,
        }
        for state, name, day in (("fl", "Florida", 5), ("tx", "Texas", 6))
    ]  # fmt: skip
    path = tmp_path / "states.json"
    path.write_text(json.dumps(state_courses), encoding="utf-8")
    summary = await import_source(
        bot.services.sessionmaker, str(path), now=START, options=ImportOptions()
    )
    assert summary.ok and not summary.rejected, summary
    await seed_licence(
        bot, "us-tx-md", "Texas MD", date(2027, 6, 30), renewals_done=1,
        flags=["direct_patient_care"],
    )  # fmt: skip
    ana = bot.user(1001, "Ana")
    text = texts_of(await ask(ana, "courses I need"))
    blocks = {block.split("\n", 1)[0]: block for block in text.split("\n\n")}
    texas = next(b for title, b in blocks.items() if "Texas Opioid" in title)
    florida = next(b for title, b in blocks.items() if "Florida Opioid" in title)
    assert "✅ 4 credits of Pain management and opioid prescribing" in texas, text
    assert "✅" not in florida and "toward Texas MD's total" in florida, text


async def test_courses_i_need_for_contact_hours_name_the_courses_own_credit(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA round 7: a nurse was told a physicians' course gave "20 contact hours" toward her
    requirement; it gives 20 credits, which count only if her board accepts them."""
    from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement

    await import_directly(bot, tmp_path)
    spec = parse_custom_requirement("Ohio RN: 24 contact hours by 2027-10-31", "rn")
    assert isinstance(spec, CustomRequirementSpec)
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        owner.profession = "rn"
        await licences.add(
            session, owner, label="Ohio RN", now=START, custom_rule=spec.to_dict(),
            renewal_date=spec.deadline,
        )  # fmt: skip
    text = texts_of(await ask(bot.user(1001, "Ana"), "courses I need"))
    assert (
        "➕ 20 credits toward Ohio RN's total (24 still needed), if your board accepts "
        "AMA PRA Category 1 Credit" in text
    ), text
    assert "20 contact hours" not in text


async def test_a_course_after_the_licence_deadline_says_so(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA round 8: "courses near …" listed a course after the renewal date without a word;
    it would count toward the next cycle, not the one due."""
    await import_directly(bot, tmp_path)
    await seed_licence(bot, "us-oh-md", "Ohio MD", date(2027, 1, 31), renewals_done=2)
    ana = bot.user(1001, "Ana")
    found = texts_of(await ask(ana, "opioid courses near Boston"))
    blocks = {block.split("\n", 1)[0]: block for block in found.split("\n\n")}
    late = next(block for head, block in blocks.items() if "Spring Review" in head)
    assert "⏳ After your deadline for Ohio MD (Jan 31, 2027)" in late, found
    early = next(block for head, block in blocks.items() if "Prescribing Update" in head)
    assert "⏳" not in early, found
    # Complete for this cycle: a later course costs nothing (QA round 11: the line stood
    # under four of five courses for two complete licences).
    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        await credits.add(
            session, owner, completed_on=date(2026, 11, 1), amount=Decimal(50),
            category="ama_pra_1", topics=["duty_to_report"], title="All of it", now=START,
        )  # fmt: skip
    found = texts_of(await ask(ana, "opioid courses near Boston"))
    assert "After your deadline" not in found, found


async def test_courses_i_need_does_not_count_toward_a_total_already_met(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """QA round 9: with 100 of 40 credits and only a 1-hour mandate open, courses said
    "1 credit toward GA's total (1 still needed)"."""
    await import_directly(bot, tmp_path)
    ana = bot.user(1001, "Ana")
    await ana.send("Georgia: I need 10 credits by 2027-06-30, 2 of them opioid prescribing")
    await reply_with(ana, "Saved your requirement")
    await ana.replies_until_quiet(0.5)
    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        await credits.add(
            session, owner, completed_on=date(2026, 11, 1), amount=Decimal(12),
            category="ama_pra_1", topics=["ethics"], title="Ethics", now=START,
        )  # fmt: skip
    text = texts_of(await ask(ana, "Courses I need"))
    assert "Opioid prescribing" in text and "2 still needed" in text, text
    assert "total" not in text, text
    assert "(due Jun 30, 2027), due" not in text, text  # the date once (QA round 10)
