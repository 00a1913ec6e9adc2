"""QA round 13 (a New York physician with ABIM and a DEA registration; a pharmacist with
Florida and Texas licences described in words), through the real bot: renewal counts
answered after a rollover, the DEA training's status, the DEA answer cross-checked,
described licences picked by their state, status questions about a topic's due date, a
state's law topic kept, a requirement typed outside the set-up."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Licence
from tests.e2e.conftest import BotUnderTest, name_licence, reply_with, seed_licence

pytestmark = pytest.mark.postgres


async def stored_licences(bot: BotUnderTest) -> list[Licence]:
    async with transaction(bot.services.sessionmaker) as session:
        return list((await session.execute(select(Licence).order_by(Licence.id))).scalars())


async def said_after(ana: SandboxUser, wait: float = 1.0) -> str:
    return "\n".join(message.text or "" for message in await ana.replies_until_quiet(wait))


async def answer_again(ana: SandboxUser, count: str, *, index: int = 1) -> str:
    """/licences → "Answers n" → the renewal count typed → "No" to any yes/no question;
    everything said after the count."""
    await ana.send("/licences")
    await ana.next_reply()
    await ana.press(f"Answers {index}")
    asked = await reply_with(ana, "already renewed")
    await ana.send(count)
    said = [await ana.next_reply()]
    while "One more question" in (said[-1].text or ""):
        await ana.press("No")
        said.append(await ana.next_reply())
    return asked + "\n" + "\n".join(m.text or "" for m in said) + "\n" + await said_after(ana)


# ------------------------------------------------------------------ 1. renewals answered
async def test_a_count_answered_after_a_rollover_counts_as_of_today(bot: BotUnderTest) -> None:
    """QA: Florida expiring Jan 31, 2029, the clock past it, "Answers" → 5 (the count after
    the Jan 2029 renewal) gave "this is renewal 7" and no domestic violence course."""
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2029, 1, 31),
                       renewals_done=3)  # fmt: skip
    bot.clock.set(datetime(2029, 3, 1, 15, tzinfo=UTC))
    ana = bot.user()
    said = await answer_again(ana, "5")
    assert "not the one due Jan 31, 2031" in said, said
    assert "Domestic violence: 0 of 2 h — 2 to go" in said, said
    assert "this is renewal 6" in said and "renewal 7" not in said, said
    [licence] = await stored_licences(bot)
    assert (licence.renewals_done, licence.renewal_date) == (4, date(2029, 1, 31))

    # The date the status shows, typed afterwards, keeps the numbering (the move logic
    # reads the count against the stored date).
    await ana.send("/licences")
    await ana.next_reply()
    await ana.press("Renewal date 1")
    await ana.next_reply()
    await ana.send("Jan 31 2031")
    said = await said_after(ana)
    assert "this is renewal 6" in said and "renewal 7" not in said, said
    [licence] = await stored_licences(bot)
    assert (licence.renewals_done, licence.renewal_date) == (5, date(2031, 1, 31))


async def test_new_york_answered_after_its_rollover(bot: BotUnderTest) -> None:
    """QA: New York, "8" after its rollover gave "this is renewal 10"."""
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 2, 28), renewals_done=2)
    bot.clock.set(datetime(2027, 4, 1, 15, tzinfo=UTC))
    said = await answer_again(bot.user(), "8")
    assert "not the one due Feb 28, 2029" in said, said
    assert "this is renewal 9" in said and "renewal 10" not in said, said


async def test_a_count_smaller_than_the_cycles_rolled_past_moves_the_date(
    bot: BotUnderTest,
) -> None:
    """Stored Jan 31, 2029, now in 2031's next cycle (two rollovers), "1": the stored date
    cannot be right with that count, so the status's deadline replaces it."""
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2029, 1, 31),
                       renewals_done=0)  # fmt: skip
    bot.clock.set(datetime(2031, 3, 1, 15, tzinfo=UTC))
    said = await answer_again(bot.user(), "1")
    assert "this is renewal 2" in said, said
    [licence] = await stored_licences(bot)
    assert (licence.renewals_done, licence.renewal_date) == (1, date(2033, 1, 31))


async def test_the_set_up_with_a_passed_date_counts_as_of_today(bot: BotUnderTest) -> None:
    """The first set-up: a renewal date that has passed (the status counts the next one),
    then "2 renewals so far" is renewal 3 (domestic violence due), not 4."""
    ana = bot.user()
    assert "renewal deadline" in await name_licence(ana, "Florida")
    await ana.send("Jan 31 2026")
    asked = await reply_with(ana, "already renewed")
    assert "not the one due Jan 31, 2028" in asked, asked
    await ana.press("2")
    await reply_with(ana, "One more question")
    await ana.press("No")
    said = await said_after(ana)
    assert "Domestic violence: 0 of 2 h" in said and "this is renewal 3" in said, said
    [licence] = await stored_licences(bot)
    assert (licence.renewals_done, licence.renewal_date) == (1, date(2026, 1, 31))


# ------------------------------------------------------------------ 2. the DEA training
MATE = "Treatment and management of patients with opioid or other substance use disorders"


async def add_dea(ana: SandboxUser, expires: str = "May 31 2027") -> str:
    """/licences → "DEA" → its expiry; everything said after the date (nothing more is
    asked: the training's status follows from the dates)."""
    assert "renewal deadline" in await name_licence(ana, "DEA")
    await ana.send(expires)
    return await said_after(ana)


async def test_the_dea_set_up_asks_nothing_the_training_does_not_need(bot: BotUnderTest) -> None:
    """QA: setting up DEA asked "How many times have you already renewed this licence?",
    which changes nothing for a one-time training."""
    ana = bot.user()
    said = await add_dea(ana)
    assert "already renewed" not in said and "Saved" in said, said
    assert "was due at your renewal on May 31, 2024, or when you first registered if later" in (
        said
    ), said
    await ana.send("/licences")
    listed = await ana.next_reply()
    assert not any("Answers" in text for row in listed.buttons for text in row), listed.buttons


async def test_the_dea_training_partly_logged_is_said_as_such(bot: BotUnderTest) -> None:
    """QA: "3 of 8 h — 5 to go" directly above "No training is logged for it"; "Due May 31,
    2027 — 175 days left" beside "was due at your renewal on May 31, 2024"; the rollover
    note said "none is logged"."""
    from scheduler.jobs import tick_now
    from tests.e2e.test_credits_flow import confirm

    await seed_licence(bot, "us-dea-mate", "DEA registration", date(2027, 5, 31), renewals_done=1)
    ana = bot.user()
    await ana.send('/log 3 hours "Opioid use disorder update" substance use disorder on Oct 1')
    await confirm(ana)
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert f"{MATE}: 3 of 8 h — 5 to go" in text, text
    assert "No training is logged" not in text, text
    assert "Only 3 of 8 h is logged for it: if you did the rest, /log it" in text, text
    assert "Due May 31, 2027" not in text and "Renews May 31, 2027 — 188 days left" in text, text
    assert "not tied to that date: it was due at an earlier registration or renewal" in text, text

    await ana.send("what's due first?")
    listed = (await ana.next_reply()).text or ""
    assert "Renews May 31, 2027" in listed and "overdue: 5 h to log" in listed, listed

    await tick_now(bot.app)
    bot.clock.set(datetime(2027, 6, 1, 18, 0, tzinfo=UTC))
    await tick_now(bot.app)
    note = await reply_with(ana, "is behind you")
    assert "none is logged" not in note and "of which 3 of 8 h is logged" in note, note


# ------------------------------------------------------------------ 4. described, by state
async def pharmacist_in_two_states(bot: BotUnderTest) -> SandboxUser:
    """The QA pharmacist's two described licences, stored as QA's were (no jurisdiction:
    the state is only in the name, as a code)."""
    from bot.domain.custom_requirements import CustomRequirementSpec
    from bot.store import clinicians, licences

    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=bot.clock.now(),
        )  # fmt: skip
        owner.profession = "pharmacist"
        for label, deadline in (("TX RPh", date(2027, 3, 31)),
                                ("FL RPh license", date(2027, 9, 30))):  # fmt: skip
            spec = CustomRequirementSpec(total=30, deadline=deadline, name=label, every_months=24,
                                         unit_word="hours")  # fmt: skip
            await licences.add(session, owner, label=label, custom_rule=spec.to_dict(),
                               renewal_date=deadline, now=bot.clock.now())  # fmt: skip
    return bot.user()


async def transcript_caption(ana: SandboxUser, request: str) -> str:
    await ana.send(request)
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None, pdf.text
    csv_file = await ana.next_reply(10)
    assert csv_file.document_file is not None, csv_file.text
    return pdf.caption or ""


@pytest.mark.parametrize(
    "request_",
    ["/transcript florida", "/transcript FL", "/transcript fl", "/transcript FL RPh license",
     "export my credits for the Florida board audit"],
)  # fmt: skip
async def test_a_described_licence_is_picked_by_its_state(
    bot: BotUnderTest, request_: str
) -> None:
    """QA: "/transcript florida" → "I didn't follow" (the bot's own example); "/transcript
    FL" not understood; the exact name and the audit request gave both licences."""
    ana = await pharmacist_in_two_states(bot)
    caption = await transcript_caption(ana, request_)
    assert "Only FL RPh license." in caption, caption


@pytest.mark.parametrize(
    "question",
    ["what's left for FL?", "how many CEUs do I still need for my Florida license?"],
)
async def test_a_status_question_picks_a_described_licence_by_its_state(
    bot: BotUnderTest, question: str
) -> None:
    """QA: both licences, Texas first."""
    ana = await pharmacist_in_two_states(bot)
    await ana.send(question)
    text = (await ana.next_reply()).text or ""
    assert "FL RPh license" in text and "TX RPh" not in text, text
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert "FL RPh license" in text and "TX RPh" in text, text  # no state named: both


# ------------------------------------------------------------------ 3. DEA cross-checked
NY_PAIN = "Pain management, palliative care and addiction (3 hours every 3 years)"


async def test_new_yorks_dea_question_is_answered_by_the_tracked_registration(
    bot: BotUnderTest,
) -> None:
    """QA: a DEA registration tracked, New York's questions answered again with DEA = No
    silently dropped its pain-management/opioid course ("only for DEA registrants")."""
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 8, 31), renewals_done=2)
    await seed_licence(bot, "us-dea-mate", "DEA registration", date(2027, 5, 31))
    said = await answer_again(bot.user(), "2")
    assert "One more question" not in said, said
    assert "You track a DEA registration, so I count you as a DEA registrant here" in said, said
    assert f"{NY_PAIN}: 0 of 3 h" in said and "only for DEA registrants" not in said, said
    ny = next(licence for licence in await stored_licences(bot) if licence.rule_id == "us-ny-md")
    assert ny.flags == ["dea_registrant"]


async def test_a_dea_registration_added_counts_for_the_licences_that_ask(
    bot: BotUnderTest,
) -> None:
    """New York answered "not a registrant", then a DEA registration added: New York counts
    it (said), and removing the registration says New York still does."""
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 8, 31), renewals_done=2)
    ana = bot.user()
    said = await add_dea(ana)
    assert "You are now counted as a DEA registrant for New York" in said, said
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert f"{NY_PAIN}: 0 of 3 h" in text and "only for DEA registrants" not in text, text

    await ana.send("/licences")
    await ana.next_reply()
    await ana.press("Remove 2")
    await ana.next_reply()
    await ana.press("Remove it")
    said = await said_after(ana)
    assert "You are still counted as a DEA registrant for New York" in said, said


# ------------------------------------------------------------------ 5. status questions
NY_INFECTION = "Infection control and barrier precautions (NYSDOH approved)"


async def new_york_registrant(bot: BotUnderTest) -> SandboxUser:
    await seed_licence(bot, "us-ny-md", "New York", date(2027, 8, 31), renewals_done=2,
                       flags=["dea_registrant"])  # fmt: skip
    return bot.user()


@pytest.mark.parametrize(
    "question",
    ["when is my infection control course due again?", "when is infection control due?"],
)
async def test_when_a_topic_is_due(bot: BotUnderTest, question: str) -> None:
    """QA: "I don't know a place called “when due again”." and "not understood"."""
    ana = await new_york_registrant(bot)
    await ana.send(question)
    text = (await ana.next_reply()).text or ""
    assert "New York — due Aug 31, 2027" in text, text
    assert f"{NY_INFECTION}: 0 of 1 h — 1 to go" in text, text
    assert "Pain management" not in text, text


async def test_when_a_topic_done_is_next_needed(bot: BotUnderTest) -> None:
    """QA: "when do I need to redo the pain management training?" → "3 of 3 h ✓" and no
    date for the next one."""
    from tests.e2e.test_credits_flow import confirm

    ana = await new_york_registrant(bot)
    await ana.send('/log 3 hours "Pain management and opioids" pain management on Oct 1')
    await confirm(ana)
    await ana.send("when do I need to redo the pain management training?")
    text = (await ana.next_reply()).text or ""
    assert f"{NY_PAIN}: 3 of 3 h ✓" in text, text
    assert "Next needed by Jul 1, 2032" in text, text  # the law's next period (item 7)
    assert "what you have logged covers it until then" in text, text


async def test_live_hours_are_not_made_up(bot: BotUnderTest) -> None:
    """QA: "how many live hours do I have?" got the full status, "live" silently ignored."""
    from tests.e2e.test_credits_flow import confirm

    ana = await new_york_registrant(bot)
    await ana.send('/log 2 cat 1 "Sepsis review" on Oct 1')
    await confirm(ana)
    await ana.send("how many live hours do I have?")
    said = await said_after(ana)
    assert "None of your logged activities says whether it was live" in said, said
    await ana.send('/log 3 cat 1 "Sepsis summit" live on Oct 2')  # said how: counted
    await confirm(ana)
    await ana.send("how many live hours do I have?")
    said = await said_after(ana)
    assert "Recorded as live: 3 credits. 1 of your 2 logged activities" in said, said


# ------------------------------------------------------------------ 6. a state's topic kept
TEXAS_SENTENCE = (
    "I need 30 hours by March 31 2027 every 2 years, 1 of them texas pharmacy law, "
    "1 human trafficking, 2 texas ethics"
)


async def test_a_described_states_law_topic_counts_only_that_states_law(
    bot: BotUnderTest,
) -> None:
    """QA: "1 of them texas pharmacy law" became "1 hour of State laws and rules", then a
    Florida pharmacy-law course counted toward Texas's hour."""
    from tests.e2e.conftest import start_as
    from tests.e2e.test_credits_flow import confirm

    ana = bot.user()
    await start_as(ana, "Pharmacist")
    await ana.send(TEXAS_SENTENCE)
    saved = await reply_with(ana, "Saved your requirement")
    assert "1 hour of Texas laws and rules" in saved and "State laws" not in saved, saved
    # A topic with no state version is said to be generalised, not silently.
    assert "no state-specific version of “texas ethics”" in saved, saved
    await reply_with(ana, "Add another licence?")
    await ana.press("Done")
    await reply_with(ana, "Or keep the time zone as it is")
    await ana.press("Skip")
    await said_after(ana)

    await ana.send('/log 1 hour "Florida pharmacy law update" florida pharmacy law on Oct 1')
    await confirm(ana)
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert "Texas laws and rules: 0 of 1 h — 1 to go" in text, text
    assert "Only a course specific to Texas counts" in text, text
    assert "“1 hour Texas laws and rules”" in text, text

    await ana.send('/log 1 hour "Texas pharmacy law update" texas pharmacy law on Oct 2')
    await confirm(ana)
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert "Texas laws and rules: 1 of 1 h ✓" in text, text


# ------------------------------------------------------------------ 8. typed in passing
async def pharmacist(bot: BotUnderTest) -> SandboxUser:
    """A pharmacist past the set-up, no licence yet."""
    from bot.store import clinicians

    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=bot.clock.now(),
        )  # fmt: skip
        owner.profession = "pharmacist"
    return bot.user()


async def test_a_requirement_typed_in_passing_is_named_after_its_state_and_easy_to_undo(
    bot: BotUnderTest,
) -> None:
    """QA: typed as a plain message it became "My requirement" at once, though the sentence
    said Texas; nothing said how to undo it."""
    ana = await pharmacist(bot)
    await ana.send(
        "I need 24 ACPE contact hours by Sep 30 2027 every 2 years, 1 of them Texas pharmacy law"
    )
    saved = await ana.next_reply()
    assert "Saved your requirement" in saved.text, saved.text
    assert "Tracked as a new requirement, Texas requirement: not what you meant?" in saved.text
    assert ["✏️ Rename", "🗑 Remove"] in saved.buttons, saved.buttons
    [licence] = await stored_licences(bot)
    assert (licence.label, licence.jurisdiction) == ("Texas requirement", "US-TX")
    await ana.replies_until_quiet()

    await ana.press("🗑 Remove", message_id=saved.message_id)
    assert "Remove Texas requirement?" in (await ana.next_reply()).text
    await ana.press("Remove it")
    assert "Removed Texas requirement" in (await ana.next_edit()).text
    assert await stored_licences(bot) == []


async def test_a_requirement_naming_no_state_keeps_the_plain_name(bot: BotUnderTest) -> None:
    ana = await pharmacist(bot)
    await ana.send("I need 30 hours by Sep 30 2027 every 2 years, 2 of them pharmacology")
    saved = await ana.next_reply()
    assert "Tracked as a new requirement, My requirement" in saved.text, saved.text
    await ana.replies_until_quiet()
    await ana.press("✏️ Rename", message_id=saved.message_id)
    assert "What should I call" in (await ana.next_reply()).text
    await ana.send("GA RPh")
    assert "Renamed: GA RPh" in (await ana.next_reply()).text
    [licence] = await stored_licences(bot)
    assert (licence.label, licence.jurisdiction) == ("GA RPh", "US-GA")


# ------------------------------------------------------------------ 7. NY's own periods
async def test_new_yorks_pain_course_follows_the_laws_periods(bot: BotUnderTest) -> None:
    """QA: the 3-hour course was tied to the registration ("since Sep 1, 2025", due with
    the registration on Aug 31, 2028); the law sets periods ending July 1, 2020, 2023,
    2026, 2029…, so a course of Oct 2025 counts for the period that ended July 1, 2026."""
    from tests.e2e.test_credits_flow import confirm

    await seed_licence(bot, "us-ny-md", "New York", date(2028, 8, 31), renewals_done=2,
                       flags=["dea_registrant"])  # fmt: skip
    ana = bot.user()
    await ana.send('/log 3 hours "Pain, palliative care and addiction" pain management on '
                   "Oct 1 2025")  # fmt: skip
    await confirm(ana)
    await ana.send("/status")
    text = (await ana.next_reply()).text or ""
    assert f"{NY_PAIN}: 0 of 3 h — 3 to go" in text, text
    assert "this one Jul 2, 2026 – Jul 1, 2029" in text and "Sep 1, 2025" not in text, text

    await ana.send('/log 3 hours "Pain, palliative care and addiction" pain management on Nov 2')
    await confirm(ana)
    await ana.send("when do I need to redo the pain management course?")
    text = (await ana.next_reply()).text or ""
    assert f"{NY_PAIN}: 3 of 3 h ✓" in text and "Next needed by Jul 1, 2032" in text, text
