"""QA reports of 2026-12-06, end to end: zones typed as zones, "Huston", a course
reminder sent twice, a snoozed reminder listed twice, 12-hour quiet hours and years in
/reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.sandbox.records import keyboard_rows
from bot.sandbox.user import SandboxUser
from bot.store import clinicians, licences
from bot.store.db import transaction
from bot.store.models import Course, Licence, ReminderOutbox
from handlers.callbacks import encode
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest, reply_with, seed_licence, start_as

QA_DAY = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)  # Sunday, 10:00 in Chicago
CHICAGO = ZoneInfo("America/Chicago")


async def reply_to(user: SandboxUser, text: str) -> str:
    await user.send(text)
    return (await user.next_reply()).text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/London", "Time zone set to Europe/London. Your local time is 16:00 on Sun Dec 6"),
        ("America/Chicago", "Time zone set to America/Chicago. Your local time is 10:00"),
        ("UTC+2", "Time zone set to Etc/GMT-2 (UTC+2). Your local time is 18:00 on Sun Dec 6"),
        ("GMT-5", "Time zone set to Etc/GMT+5 (UTC-5). Your local time is 11:00"),
        ("EST", "Time zone set to America/New_York (US Eastern time). Your local time is 11:00"),
        ("PST", "Time zone set to America/Los_Angeles (US Pacific time). Your local time is 08:00"),
        ("central time", "Time zone set to America/Chicago (US Central time)."),
        ("AKST", "Time zone set to America/Anchorage (US Alaska time). Your local time is 07:00"),
    ],
)
async def test_timezone_accepts_zone_names_offsets_and_us_zones(
    bot: BotUnderTest, typed: str, expected: str
) -> None:
    bot.clock.set(QA_DAY)
    reply = await reply_to(bot.user(), f"/timezone {typed}")
    assert reply.startswith(expected), reply
    assert ("does not follow daylight saving" in reply) == typed.startswith(("UTC", "GMT"))


async def test_zone_typos_and_the_where_question_share_the_zone_reading(
    bot: BotUnderTest,
) -> None:
    bot.clock.set(QA_DAY)
    ana = bot.user()
    typo = await reply_to(ana, "/timezone Europe/Londn")
    assert "Did you mean Europe/London" in typo and "East London" not in typo
    assert "whole-hour offsets" in await reply_to(ana, "/timezone UTC+5:30")
    await ana.send("/timezone")  # asked "Where do you practise?", answered like onboarding
    assert "Where do you practise?" in (await ana.next_reply()).text
    assert "America/Chicago (US Central time)" in await reply_to(ana, "CST")


async def test_a_tiny_town_spelt_like_houston_asks_which_one(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/timezone Huston")
    question = await ana.next_reply()
    assert question.text == "Which one did you mean?"
    assert question.buttons == [["Houston, Texas, US"], ["Huston, Idaho, US"]]
    await ana.press("Houston, Texas, US")
    assert "America/Chicago (Houston, Texas, US)" in (await ana.next_reply()).text


async def set_quiet_hours(user: SandboxUser, text: str) -> str:
    await user.send("/reminders")
    await user.next_reply()
    await user.press("Change quiet hours")
    await user.next_reply()
    return await reply_to(user, text)


async def test_quiet_hours_in_12_hour_forms_and_off(bot: BotUnderTest) -> None:
    ana = bot.user()
    assert "Quiet hours: 22:00–06:00" in await set_quiet_hours(ana, "10pm to 6am")
    assert "Quiet hours: 21:00–07:00" in await set_quiet_hours(ana, "9p-7a")
    assert "Quiet hours: off" in await set_quiet_hours(ana, "off")
    # QA: "9am-9am" turned them off without a word
    assert "starts and ends at the same time" in await set_quiet_hours(ana, "9am-9am")
    assert "Quiet hours: off" in (await ana.next_reply()).text
    assert "00:00–00:00" not in await set_quiet_hours(ana, "off")


@pytest.mark.parametrize(
    ("choice", "kept"),
    [("Quiet 23:00–07:00 (reminders in the day)", "Quiet hours: 23:00–07:00"),
     ("Quiet 07:00–23:00, as I typed", "Quiet hours: 07:00–23:00")],
)  # fmt: skip
async def test_quiet_hours_that_leave_only_the_night_are_asked_about(
    bot: BotUnderTest, choice: str, kept: str
) -> None:
    """QA: "7am-11pm" (the waking hours) was taken: every reminder moved to 02:50."""
    ana = bot.user()
    asked = await set_quiet_hours(ana, "7am-11pm")
    assert "means reminders only between 23:00 and 07:00" in asked
    await ana.press(choice)
    assert kept in await reply_with(ana, "Quiet hours:")


async def test_quiet_hours_inside_the_working_day_are_asked_about(bot: BotUnderTest) -> None:
    """QA round 7: "9am to 5pm" was taken as quiet through the working day, when it may
    have meant "only remind me then"."""
    ana = bot.user()
    asked = await set_quiet_hours(ana, "9am to 5pm")
    assert "means reminders only between 17:00 and 09:00" in asked
    await ana.press("Quiet 17:00–09:00 (reminders in the day)")
    assert "Quiet hours: 17:00–09:00" in await reply_with(ana, "Quiet hours:")


async def test_reminder_days_typed_with_and(bot: BotUnderTest) -> None:
    """QA: "60 30 7 and 1" got "Please send whole days between 1 and 730"."""
    ana = bot.user()
    await ana.send("/reminders")
    await ana.next_reply()
    await ana.press("Change days")
    await ana.next_reply()
    await ana.send("60 30 7 and 1")
    assert "60, 30, 7, 1" in await reply_with(ana, "60, 30, 7, 1")


async def test_a_reminder_day_already_past_is_said(bot: BotUnderTest) -> None:
    """QA round 7: "300" with fewer days to the deadline was dropped without a word."""
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30))
    ana = bot.user(1001, "Ana")
    await ana.send("/reminders")
    await ana.next_reply()
    await ana.press("Change days")
    await ana.next_reply()
    await ana.send("300, 60, 7")
    said = await reply_with(ana, "300-day")
    assert "so the 300-day reminder starts with the next cycle" in said, said
    await ana.press("Change days")
    await ana.next_reply()
    await ana.send("400, 300, 7")  # QA round 10: "the 60, 30-day reminder comes"
    said = await reply_with(ana, "300-day")
    assert "so the 400- and 300-day reminders start with the next cycle" in said, said


async def add_course(bot: BotUnderTest, starts_at: datetime) -> int:
    async with transaction(bot.services.sessionmaker) as session:
        course = Course(
            source="qa", source_id=f"qa-{starts_at:%Y%m%d%H%M}", title="Early Sepsis Rounds",
            credits=Decimal(1), category="ama_pra_1", topics=[], format="online",
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=1),
            timezone="America/New_York", content_hash="qa", created_at=QA_DAY, updated_at=QA_DAY,
        )  # fmt: skip
        session.add(course)
        await session.flush()
        return course.id


async def remind_me(user: SandboxUser, course_id: int) -> None:
    await user.send("/reminders")  # any message of the bot will do to press on
    listing = await user.next_reply()
    await user.press_data(encode("cr", course_id, 1), listing.message_id)


async def test_an_early_course_is_reminded_once_not_twice(bot: BotUnderTest) -> None:
    """QA: quiet 22:00-07:00 in Chicago, a course at 07:30 EST (06:30 CST) on Sun Jan 3:
    "starts tomorrow" came at 07:00 on Jan 2 and again at 21:59."""
    sent = await course_reminders_seen(
        bot, "22:00-07:00", datetime(2027, 1, 3, 12, 30, tzinfo=UTC),
        [(2027, 1, 2, 7, 1), (2027, 1, 2, 22, 0), (2027, 1, 3, 6, 29)],
    )  # fmt: skip
    assert sent == [["📅 Reminder: Early Sepsis Rounds starts tomorrow "], [], []]


async def test_an_early_course_chosen_the_day_before_is_reminded_that_evening(
    bot: BotUnderTest,
) -> None:
    """QA round 3: chosen at 10:00 for 07:00 the next day (quiet 21:00-08:00): the day-before
    reminder had passed and the hour-before fell in quiet hours, so none came at all."""
    sent = await course_reminders_seen(
        bot, "21:00-08:00", datetime(2026, 12, 7, 7, 0, tzinfo=CHICAGO),
        [(2026, 12, 6, 20, 44), (2026, 12, 6, 20, 46), (2026, 12, 7, 6, 59)],
    )  # fmt: skip
    assert sent == [[], ["📅 Reminder: Early Sepsis Rounds starts tomorrow "], []]


async def course_reminders_seen(
    bot: BotUnderTest, quiet: str, starts_at: datetime, moments: list[tuple[int, ...]]
) -> list[list[str]]:
    """A Chicago clinician with these quiet hours asks to be reminded of a course; the
    reminders (text up to the time in brackets) that arrive by each local moment."""
    bot.clock.set(QA_DAY)
    ana = bot.user()
    await reply_to(ana, "/timezone America/Chicago")
    await set_quiet_hours(ana, quiet)
    await remind_me(ana, await add_course(bot, starts_at))
    await ana.callback_answer()
    ana.mark_all_read()
    sent = []
    for local in moments:
        bot.clock.set(datetime(*local, tzinfo=CHICAGO))
        await tick_now(bot.app)
        sent.append([m.text.split("(")[0] for m in await ana.replies_until_quiet(quiet=0.3)])
    return sent


async def test_a_late_course_is_reminded_before_quiet_hours_begin(bot: BotUnderTest) -> None:
    """QA: a 22:30 course, quiet from 21:00: the hour-before reminder (21:30) moved to the next
    morning, after the start, and was dropped; it now comes at 20:45 that evening."""
    sent = await course_reminders_seen(
        bot, "9pm-8am", datetime(2027, 1, 5, 22, 30, tzinfo=CHICAGO),
        [(2027, 1, 5, 8, 1), (2027, 1, 5, 20, 44), (2027, 1, 5, 20, 46)],
    )  # fmt: skip
    assert sent == [
        ["📅 Reminder: Early Sepsis Rounds starts today "],
        [],
        ["📅 Reminder: Early Sepsis Rounds starts in 1 hour 44 minutes "],
    ]


async def test_remind_me_promises_what_was_scheduled(bot: BotUnderTest) -> None:
    """QA: under a day before the start, only the hour-before reminder exists."""
    bot.clock.set(QA_DAY)
    ana = bot.user()
    await reply_to(ana, "/timezone America/Chicago")
    await set_quiet_hours(ana, "22:00-07:00")
    soon = await add_course(bot, QA_DAY + timedelta(hours=5))
    await remind_me(ana, soon)
    assert (await ana.callback_answer()).text == "I'll remind you an hour before it starts."
    early = await add_course(bot, datetime(2027, 1, 3, 12, 30, tzinfo=UTC))  # 06:30 local
    await remind_me(ana, early)
    promise = (await ana.callback_answer()).text  # quiet until 07:00: not "a day before"
    assert promise == "I'll remind you on Sat Jan 2 2027, 07:00 CST."
    now = await add_course(bot, QA_DAY + timedelta(minutes=40))  # QA: "outside your quiet
    await remind_me(ana, now)  # hours" at 10:00, which is not in quiet hours
    assert (await ana.callback_answer()).text.startswith("It starts within the hour")
    await reply_to(ana, "/reminders")
    await ana.press("⏸ Pause all")
    await ana.next_edit()
    later = await add_course(bot, QA_DAY + timedelta(days=3))
    await remind_me(ana, later)  # review: paused, yet it promised a day and an hour
    assert "reminders are paused" in ((await ana.callback_answer()).text or "")


async def texas_licence(bot: BotUnderTest, renewal: date) -> SandboxUser:
    ana = bot.user(1001, "Ana")
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=bot.clock.now(),
        )  # fmt: skip
        await licences.add(
            session, owner, label="Texas Medical Board", rule_id="us-tx-md",
            renewal_date=renewal, renewals_done=3, flags=[], now=bot.clock.now(),
        )  # fmt: skip
    return ana


async def pending_renewals(bot: BotUnderTest) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.scalars(
            select(ReminderOutbox)
            .where(ReminderOutbox.status == "pending", ReminderOutbox.kind == "renewal")
            .order_by(ReminderOutbox.due_at)
        )
        return list(rows)


async def fire_step(bot: BotUnderTest, ana: SandboxUser, step: str) -> str:
    """Plan, move the clock just past the ladder step ``step`` (":d14"), deliver it; its text."""
    await tick_now(bot.app)
    row = next(r for r in await pending_renewals(bot) if r.dedupe_key.endswith(step))
    bot.clock.set(row.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    return (await ana.next_reply()).raw_text or ""


@pytest.mark.postgres
async def test_snoozing_onto_a_ladder_step_lists_and_sends_it_once(bot: BotUnderTest) -> None:
    """QA: "Snooze 1 week" on the 14-day reminder lands on the 7-day one's slot."""
    ana = await texas_licence(bot, date(2027, 3, 31))
    await tick_now(bot.app)
    d14, d7 = (r for r in await pending_renewals(bot) if r.dedupe_key.endswith(("d14", "d7")))
    bot.clock.set(d14.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    assert "renews in <b>14 days</b>" in ((await ana.next_reply()).raw_text or "")

    await ana.press("Snooze 1 week")
    slot = f"{d7.due_at.astimezone(ZoneInfo('America/New_York')):%a %b %-d, %H:%M}"
    assert f"remind you again on {slot}" in (await ana.next_reply()).text
    overview = await reply_to(ana, "/reminders")
    assert overview.count(f"{slot} — renewal reminder: Texas Medical Board") == 1

    bot.clock.set(d7.due_at + timedelta(minutes=1))
    await tick_now(bot.app)
    assert len(await ana.replies_until_quiet(quiet=0.3)) == 1


async def test_reminders_in_another_year_show_the_year(bot: BotUnderTest) -> None:
    await texas_licence(bot, date(2027, 6, 30))
    await tick_now(bot.app)  # planned in Nov 2026; the first step is Jan 1, 2027
    overview = await reply_to(bot.user(1001, "Ana"), "/reminders")
    assert "• Fri Jan 1 2027, " in overview


async def test_a_snooze_never_goes_past_the_deadline(bot: BotUnderTest) -> None:
    """Review: "Snooze 1 week" on the 1-day reminder fired after the deadline, "renews in
    24 days" of a date gone."""
    ana = await texas_licence(bot, date(2027, 3, 31))
    await fire_step(bot, ana, ":d1")
    reminder = ana.messages[-1]
    assert reminder.buttons[0] == ["Snooze 1 day"], "a week would pass the deadline"
    # A week's snooze from an older reminder's keyboard still stops at the deadline.
    day_snooze = keyboard_rows(reminder.reply_markup)[0][0].callback_data or ""
    await ana.press_data(day_snooze.removesuffix(":1") + ":7", reminder.message_id)
    assert "remind you again on Wed Mar 31," in (await ana.next_reply()).text


async def test_a_snooze_on_the_deadline_day_after_its_slot_promises_nothing(
    bot: BotUnderTest,
) -> None:
    """QA: "Snooze 1 day" pressed on the deadline day after the reminder time said "I'll
    remind you again on Fri Mar 31, 10:50", a time already past, and nothing came."""
    ana = await texas_licence(bot, date(2027, 3, 31))
    await fire_step(bot, ana, ":d1")
    bot.clock.set(datetime(2027, 3, 31, 22, 0, tzinfo=UTC))  # 18:00 in New York
    await ana.press("Snooze 1 day")
    said = (await ana.next_reply()).text
    assert "The deadline is Mar 31, 2027, so there is no later reminder" in said
    assert not [r for r in await pending_renewals(bot) if ":snooze:" in r.dedupe_key]


async def test_mst_asks_denver_or_arizona(bot: BotUnderTest) -> None:
    reply = await reply_to(bot.user(1001, "Ana"), "/timezone MST")
    assert "Denver" in reply and "Arizona" in reply and "America/Phoenix" in reply


async def test_close_spellings_of_an_unknown_place_are_buttons(bot: BotUnderTest) -> None:
    """They were a sentence: "Did you mean Boston, Massachusetts, US, Boshan, China, ...?"."""
    ana = bot.user()
    await ana.send("/timezone Bostn")
    question = await ana.next_reply()
    assert question.text.startswith("I don't know “Bostn”. Did you mean one of these?")
    assert ["Boston, Massachusetts, US"] in question.buttons
    await ana.press("Boston, Massachusetts, US")
    assert "America/New_York (Boston, Massachusetts, US)" in (await ana.next_reply()).text


async def test_a_snooze_follows_a_move_to_another_time_zone(bot: BotUnderTest) -> None:
    """Review: a snooze kept its UTC moment after /timezone (09:xx New York became 06:xx
    in Los Angeles); it is "remind me on that day", at the clinician's time there."""
    ana = await texas_licence(bot, date(2027, 3, 31))
    await fire_step(bot, ana, ":d14")
    await ana.press("Snooze 1 day")
    await reply_with(ana, "I'll remind you again")
    snoozed = next(r for r in await pending_renewals(bot) if ":snooze:" in r.dedupe_key)
    new_york = snoozed.due_at.astimezone(ZoneInfo("America/New_York"))
    await reply_to(ana, "/timezone America/Los_Angeles")
    moved = next(r for r in await pending_renewals(bot) if ":snooze:" in r.dedupe_key)
    los_angeles = moved.due_at.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (los_angeles.date(), los_angeles.time()) == (new_york.date(), new_york.time())
    assert moved.due_at - snoozed.due_at == timedelta(hours=3)


async def test_one_of_several_licences_can_be_muted_from_reminders(bot: BotUnderTest) -> None:
    """QA: a licence's reminders could only be stopped from a reminder that had arrived."""
    ana = await texas_licence(bot, date(2027, 3, 31))
    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        await licences.add(
            session, owner, label="Florida Board of Medicine", rule_id="us-fl-md",
            renewal_date=date(2027, 1, 31), renewals_done=3, flags=[], now=bot.clock.now(),
        )  # fmt: skip
    await tick_now(bot.app)
    await ana.send("/reminders")
    overview = await ana.next_reply()
    assert ["🔕 Mute Texas Medical Board"] in overview.buttons
    await ana.press("🔕 Mute Texas Medical Board")
    muted = (await ana.next_edit()).text or ""
    assert "Muted: Texas Medical Board" in muted
    async with transaction(bot.services.sessionmaker) as session:
        texas = await session.scalar(
            select(ReminderOutbox.id).where(
                ReminderOutbox.status == "pending",
                ReminderOutbox.kind == "renewal",
                ReminderOutbox.target_id == select(Licence.id)
                .where(Licence.label == "Texas Medical Board")
                .scalar_subquery(),
            )
        )
    assert texas is None  # its pending reminders are gone; Florida's stay
    assert [r for r in await pending_renewals(bot)]
    await ana.send("/licences")  # QA: the muting showed nowhere else
    listed = (await ana.next_reply()).text or ""
    assert "Texas Medical Board — renews" in listed and "reminders muted" in listed
    assert listed.count("reminders muted") == 1
    await ana.press("🔔 Unmute Texas Medical Board", message_id=overview.message_id)
    assert "Muted" not in ((await ana.next_edit()).text or "")


async def test_travel_said_in_words_moves_the_time_zone(bot: BotUnderTest) -> None:
    """QA round 9: "I'm in London until Jan" and "back in philly now, change timezone" got
    "Sorry, I didn't understand that"."""
    ana = bot.user(1001, "Ana")
    await ana.send("I'm in London until Jan")
    asked = await ana.next_reply()  # London: England, Ontario, Kentucky…
    assert "Several places" in asked.text, asked.text
    assert "When you're back, tell me" in (await ana.next_reply()).text
    await ana.send("I'm in a meeting")  # QA round 10: looked up as a place while asked
    assert "Try a city" not in (await ana.next_reply()).text
    await ana.send("I'm in London until Jan")
    asked = await ana.next_reply()
    await ana.next_reply()
    await ana.press("London, England, GB", message_id=asked.message_id)
    assert "Time zone set to Europe/London" in (await ana.next_reply()).text
    await ana.send("back in philly now, change timezone")
    offer = await ana.next_reply()
    assert "Move your time zone there?" in offer.text, offer.text  # asked, not done
    await ana.press("Philadelphia, Pennsylvania, US")
    assert "Time zone set to America/New_York" in (await ana.next_reply()).text
    await ana.send("I'm in a meeting")
    assert (await ana.next_reply()).text.startswith("Sorry, I didn't understand")


async def test_quiet_hours_and_reminder_days_said_in_a_message(bot: BotUnderTest) -> None:
    """QA round 10: "quiet hours 10pm to 12pm pls, i work nights" and "remind me 60, 30, 7
    and 1 days before" were understood only after the /reminders buttons."""
    ana = bot.user(1001, "Ana")
    await ana.send("quiet hours 10pm to 12pm pls, i work nights")
    assert "Quiet hours: 22:00–12:00" in (await ana.next_reply()).text
    await ana.send("remind me 60, 30, 7 and 1 days before")
    said = "\n".join(m.text or "" for m in await ana.replies_until_quiet(0.5))
    assert "60, 30, 7, 1 days before" in said, said
    await ana.send("no messages before 9am or after 8pm please")  # QA round 11
    assert "Quiet hours: 20:00–09:00" in (await ana.next_reply()).text
    await ana.send("nothing after 9pm or before 7am")  # QA round 12
    assert "Quiet hours: 21:00–07:00" in (await ana.next_reply()).text


async def test_a_time_zone_request_at_the_set_ups_question_is_its_answer(
    bot: BotUnderTest,
) -> None:
    """Review: "change my time zone to Chicago" at "Where do you practise?" said "Time zone
    left at America/New_York", then set Chicago."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.press("Skip")
    await reply_with(ana, "Where do you practise?")
    await ana.replies_until_quiet(0.5)
    await ana.send("change my time zone to Chicago")
    said = "\n".join(m.text or "" for m in await ana.replies_until_quiet(1.0))
    assert "Time zone set to America/Chicago" in said and "left at" not in said, said
