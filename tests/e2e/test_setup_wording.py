"""QA nits in the set-up, end to end: a profession without state rules is not shown
physician examples; a described requirement's heading says its window once, without
"every renewal"."""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Clinician, Licence, ReminderOutbox
from tests.e2e.conftest import (
    BotUnderTest,
    name_licence,
    reply_with,
    seed_licence,
    set_up_with_requirement,
    start_as,
)


async def test_a_pharmacist_is_asked_to_describe_the_requirement(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    asked = await start_as(ana, "Pharmacist")
    assert "I don't have state rules for a pharmacist licence yet" in asked
    assert "Florida MD" not in asked and "ABIM" not in asked
    await ana.send("I need 30 credits by 2027-06-30, 2 of them ethics")
    status = await reply_with(ana, "My requirement —")  # the status, not the saved reply
    heading = status.splitlines()[0]
    window = "30 credits from Jul 1, 2025 to Jun 30, 2027"  # no start given: two years
    assert heading == f"My requirement — {window}"
    assert "Medical ethics: 0 of 2 h — 2 to go (in your requirement)" in status
    assert "every renewal" not in status


async def test_a_physician_still_gets_state_examples(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    asked = await start_as(ana, "Physician (MD)")
    assert "e.g. Texas, Florida MD" in asked


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # START is Nov 24, 2026: long past, and 14 days past.
        ("March 3 2026", "Mar 3, 2026 has passed, so I'll count toward the next deadline, Mar 3"),
        ("Nov 10 2026", "Nov 10, 2026 has passed, so I'll count toward the next deadline, Nov 10"),
    ],
)
async def test_a_past_renewal_date_in_the_set_up_is_said(
    bot: BotUnderTest, typed: str, said: str
) -> None:
    """QA: a past date was taken without a word (the status then counted toward 2028)."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("Texas")
    assert "renewal deadline" in (await ana.next_reply()).text
    await ana.send(typed)
    assert said in (await ana.next_reply()).text
    assert "already renewed" in (await ana.next_reply()).text


@pytest.mark.parametrize(
    ("new_date", "window", "kept_start"),
    [
        # Two years back from the new date has begun: the window keeps its length.
        ("2028-03-31", "30 credits from Apr 1, 2026 to Mar 31, 2028", False),
        ("June 30 2026", "30 credits from Jul 1, 2024 to Jun 30, 2026", False),
        # It would begin after today (Nov 24, 2026): the start stays, and that is said.
        ("2029-09-30", "30 credits from Oct 1, 2025 to Sep 30, 2029", True),
    ],
)
async def test_a_described_requirement_keeps_its_window_length_on_a_new_date(
    bot: BotUnderTest, new_date: str, window: str, kept_start: bool
) -> None:
    """QA: a new date kept the old start: a 4-year window, or a 9-month one."""
    ana = bot.user(1001, "Ana")
    await set_up_with_requirement(ana, "I need 30 credits by 2027-09-30")
    await ana.send("/licences")
    await ana.next_reply()
    await ana.press("Renewal date 1")
    await ana.next_reply()
    await ana.send(new_date)
    said = await reply_with(ana, window)
    assert said.splitlines()[0].endswith(window)
    told = "\n".join(m.text or "" for m in ana.messages[-4:])
    assert ("so what you logged keeps counting" in told) is kept_start


async def test_a_deadline_without_a_year_is_the_next_such_day(bot: BotUnderTest) -> None:
    """QA: "dec 27" was not read as a renewal deadline (START is Nov 24, 2026)."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("Texas")
    assert "renewal deadline" in (await ana.next_reply()).text
    await ana.send("dec 27")
    assert "already renewed" in (await ana.next_reply()).text
    await ana.press("3")
    await reply_with(ana, "direct patient care")
    await ana.press("Yes")
    assert "Due Dec 27, 2026 — 33 days left" in await reply_with(ana, "Due ")


@pytest.mark.parametrize("typed", ["2", "12", "?!"])
async def test_a_bare_number_is_not_a_licence_name(bot: BotUnderTest, typed: str) -> None:
    """QA: "2" was matched to "ABIM ...: an activity every 2 years"."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send(typed)
    reply = (await ana.next_reply()).text
    assert "I don't have rules for" in reply and "ABIM" not in reply


async def test_skip_typed_at_the_licence_question_moves_on(bot: BotUnderTest) -> None:
    """QA: "skip" (the button's own word) was searched as a licence name."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("skip")
    assert "Where do you practise?" in (await ana.next_reply()).text


async def test_a_nurse_practitioner_can_require_pharmacology_and_pharmacy_law(
    bot: BotUnderTest,
) -> None:
    """QA: "pharmacology" and "pharmacy law" were unknown topics, with no list offered."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Nurse practitioner")
    await ana.send("I need 30 hours by 2027-09-30, 2 of them pharmacology and 1 pharmacy law")
    status = await reply_with(ana, "My requirement —")  # the status, not the saved reply
    assert "Pharmacology: 0 of 2 h" in status and "State laws and rules: 0 of 1 h" in status
    await ana.send("I need 20 hours by 2027-09-30, 2 of them zebra care")
    assert "Topics I know include ethics" in await reply_with(ana, "zebra care")


async def test_a_described_requirement_already_past_is_said(bot: BotUnderTest) -> None:
    """QA: saved without a word, then shown "Overdue by 41 days"."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Nurse practitioner")
    await ana.send("I need 20 hours by 2026-11-01, 2 of them ethics")
    saved = await reply_with(ana, "Saved your requirement")
    assert "Nov 1, 2026 has passed" in saved
    assert "I need 20 credits by 2028-11-01" in saved


async def described(
    user: SandboxUser, sentence: str, *, profession: str | None = None, before: str = ""
) -> str:
    """Set up as ``profession`` (or go on), name a licence first if ``before``, describe a
    requirement; the "Saved your requirement" reply (the set-up has asked for another)."""
    if profession is not None:
        await start_as(user, profession)
    if before:
        await user.send(before)
        await user.next_reply()
    await user.send(sentence)
    saved = await reply_with(user, "Saved your requirement")
    await reply_with(user, "Add another licence?")
    return saved


async def logged(user: SandboxUser, line: str) -> None:
    await user.send(line)
    await reply_with(user, "Log this?")
    await user.press("✅ Save")
    await user.next_edit()
    await reply_with(user, "Counts toward")


async def test_a_recurring_requirement_given_with_a_past_date_counts_the_current_cycle(
    bot: BotUnderTest,
) -> None:
    """Its last renewal date, with "every 2 years", was saved as a cycle long over."""
    ana = bot.user(1001, "Ana")
    saved = await described(
        ana, "California BRN: I need 30 contact hours every 2 years, renews March 14 2024, "
        "2 of them implicit bias", profession="Nurse practitioner",
    )  # fmt: skip
    assert "30 contact hours from Mar 15, 2026 to Mar 14, 2028" in saved
    assert "Mar 14, 2024 has passed; as it renews every 2 years" in saved
    await ana.send("/status")
    status = await reply_with(ana, "California BRN")
    assert "Mar 14, 2028" in status and "Overdue" not in status, status


async def test_a_nurses_contact_hours_are_called_contact_hours(bot: BotUnderTest) -> None:
    """QA round 6: a nurse's "24 contact hours" were shown, and reminded, as credits."""
    ana = bot.user(1001, "Ana")
    saved = await described(
        ana, "Ohio RN: 24 contact hours every 2 years, renews Oct 31 2027, 1 hour Ohio law "
        "and rules", profession="Nurse",
    )  # fmt: skip
    assert (
        "24 contact hours from Nov 1, 2025 to Oct 31, 2027, including 1 contact hour of "
        "Ohio laws and rules" in saved  # QA round 13: Ohio's, not any state's
    ), saved
    await ana.press("Done")
    await ana.replies_until_quiet(0.5)
    await logged(ana, "/log 2 contact hours pharmacology yesterday")
    await ana.send("/status")
    status = await reply_with(ana, "Ohio RN")
    assert "2 / 24 contact hours" in status and "Still needed: 22 contact hours" in status
    assert " credits" not in status, status
    await reply_with(ana, "set-up is not finished")  # its time-zone question is unanswered
    await ana.send("/transcript")  # QA round 7: headed "Continuing Medical Education"
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None
    first_page = PdfReader(io.BytesIO(pdf.document_file.data)).pages[0].extract_text()
    assert "Continuing Education transcript" in first_page, first_page
    assert "Medical" not in first_page.splitlines()[0]
    assert "Hours" in first_page and "Credits" not in first_page, first_page  # its column


async def _add_texas_licence(ana: SandboxUser) -> None:
    await ana.send("Texas")
    await reply_with(ana, "renewal deadline")
    await ana.send("2027-06-30")
    await reply_with(ana, "already renewed")
    await ana.press("3")
    await reply_with(ana, "direct patient care")
    await ana.press("Yes")
    await reply_with(ana, "Add another licence?")


async def test_a_texas_licence_sets_central_time_before_the_time_zone_question(
    bot: BotUnderTest,
) -> None:
    """QA: a Texas physician who skipped the question kept New York's clock (reminders an
    hour early); the licence's state now sets it, and the question says so."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await _add_texas_licence(ana)
    await ana.press("Done")
    asked = await reply_with(ana, "Where do you practise?")
    assert "Your licence is in Texas, so reminders now follow America/Chicago" in asked
    await reply_with(ana, "Or keep the time zone as it is")
    await ana.press("Skip")
    await reply_with(ana, "All set")
    async with transaction(bot.services.sessionmaker) as session:
        zone = await session.scalar(select(Clinician.timezone))
        dues = (await session.scalars(select(ReminderOutbox.due_at))).all()
    assert zone == "America/Chicago"
    assert dues and all(8 <= due.astimezone(ZoneInfo(zone)).hour < 13 for due in dues)

    await ana.send("/timezone Boston")  # a city still wins
    assert "Time zone set to America/New_York" in await reply_with(ana, "Time zone set")


@pytest.mark.parametrize("other", ["ABIM internal medicine", "Florida MD"])
async def test_national_or_several_states_leave_the_zone_to_the_question(
    bot: BotUnderTest, other: str
) -> None:
    """An ABIM certificate says nothing of where one works; Texas and Florida disagree."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    if other == "Florida MD":
        await _add_texas_licence(ana)
        await ana.press("Add another licence")
        await reply_with(ana, "Which licence")
    await ana.send(other)
    for _ in range(8):  # the licence's questions: a date, else its first button
        reply = await ana.next_reply()
        text, markup = reply.text or "", reply.reply_markup or {}
        if "Add another licence?" in text:
            break
        if "issued" in text:
            await ana.send("2019-07-15")
        elif "deadline" in text:
            await ana.send("2027-12-31")
        elif markup.get("inline_keyboard"):
            await ana.press(markup["inline_keyboard"][0][0]["text"])
    await ana.press("Done")
    asked = await reply_with(ana, "Where do you practise?")
    assert "Now using America/New_York" in asked
    async with transaction(bot.services.sessionmaker) as session:
        assert await session.scalar(select(Clinician.timezone)) == "America/New_York"


@pytest.mark.parametrize("answer", ["done", "press Done"])
async def test_add_another_licence_after_the_set_up_can_be_declined(
    bot: BotUnderTest, answer: str
) -> None:
    """QA: outside the set-up it offered only "➕ Add"; "done" was not understood."""
    ana = bot.user(1001, "Ana")
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2027, 1, 31))
    await name_licence(ana, "I need 30 credits by 2027-09-30")
    asked = await ana.next_reply()
    while "Add another licence?" not in (asked.text or ""):
        asked = await ana.next_reply()
    assert [label.strip() for row in asked.buttons for label in row][-1].endswith("Done")
    if answer == "done":
        await ana.send("done")
    else:
        await ana.press(asked.buttons[0][-1])
    assert "All set. /status shows where each licence stands" in await reply_with(ana, "All set")
    await ana.send("2 ethics yesterday")  # no question left open
    await reply_with(ana, "Log this?")


async def test_a_nurse_practitioner_describes_a_board_requirement_in_its_own_words(
    bot: BotUnderTest,
) -> None:
    """QA: refused as "for another profession (ABIM ...: an activity every 2 years)"."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Nurse practitioner")
    await ana.send(
        "California BRN: I need 30 contact hours every 2 years, renewal on my birthday "
        "March 14 2030, and 2 of them must be in implicit bias"
    )
    status = await reply_with(ana, "California BRN — ")
    assert "ABIM" not in status
    assert "30 contact hours every 2 years, this cycle Mar 15, 2028 – Mar 14, 2030" in status
    assert "Implicit bias: 0 of 2" in status


async def test_an_issue_date_nobody_knows_is_a_way_out_not_a_dead_end(
    bot: BotUnderTest,
) -> None:
    """QA: DEA → "I don't know" → "When was the licence issued?": "not sure", "skip" and
    "2024" were each "I couldn't read … as a date", with no button."""
    ana = bot.user(1001, "Ana")
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2027, 1, 31))
    await name_licence(ana, "DEA")
    await ana.press("I don't know")
    asked = await reply_with(ana, "When was the licence issued?")
    assert "March 2019" in asked
    assert ana.messages[-1].buttons == [["Cancel"]]
    await ana.send("2024")
    assert "Which month of 2024?" in await reply_with(ana, "Which month")
    await ana.send("not sure")
    said = await reply_with(ana, "haven't added it")
    assert "/licences adds it when you have one of them" in said
    async with transaction(bot.services.sessionmaker) as session:
        held = (await session.scalars(select(Licence.label))).all()
    assert held == ["Florida Board of Medicine"]
    await ana.send("2 ethics yesterday")  # the question is gone
    await reply_with(ana, "Log this?")


@pytest.mark.parametrize("accept", ["press", "yes"])
async def test_a_nearly_named_topic_can_be_accepted(bot: BotUnderTest, accept: str) -> None:
    """QA: "Did you mean Pharmacology?" had no button, and "yes" was searched as a licence."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Pharmacist")
    await ana.send("I need 30 hours by 2027-09-30, 2 of them pharmacolgy")
    asked = await reply_with(ana, "Did you mean Pharmacology?")
    assert "pharmacolgy" in asked
    if accept == "press":
        await ana.press("Yes: Pharmacology")
    else:
        await ana.send("yes")
    status = await reply_with(ana, "My requirement —")  # the status, not the saved reply
    assert "Pharmacology: 0 of 2" in status
    await reply_with(ana, "Add another licence?")  # the set-up goes on


async def test_a_physician_assistants_category_1_is_aapas(bot: BotUnderTest) -> None:
    """QA: a PA's "50 of them Category 1" was read as AMA PRA Category 1, so the AAPA
    Category 1 credits a PA earns did not count toward it."""
    ana = bot.user(1001, "Ana")
    saved = await described(
        ana, "NCCPA: I need 100 credits by 2028-12-31, 50 of them Category 1", profession="PA"
    )
    assert "including 50 AAPA Category 1 CME" in saved, saved
    await logged(ana, '/log 12 aapa category 1 "Emergency medicine review" yesterday')
    await logged(ana, '/log 2 ama pra category 1 "Sepsis update" yesterday')
    await ana.send("/status")
    status = await reply_with(ana, "NCCPA")
    assert "AAPA Category 1 CME: 14 of 50 — 36 to go" in status, status


async def test_a_florida_nurse_keeps_her_licence_name_and_is_never_offered_the_md_rule(
    bot: BotUnderTest,
) -> None:
    """QA: "Florida RN" (no shipped rule) became "My requirement (due …)", and "what's
    left for Florida?" then offered to add the Florida Board of Medicine's MD licence."""
    requirement = "I need 24 hours by 2027-04-30, 2 of them medical errors"
    # Bea's requirement is unnamed: "Florida" names no licence of hers.
    for user, before, label in ((bot.user(1001, "Ana"), "Florida RN", "Florida RN"),
                                (bot.user(1002, "Bea"), "", "My requirement")):  # fmt: skip
        await described(user, requirement, profession="Nurse", before=before)
        await user.send("Done")
        await user.replies_until_quiet()
        await user.send("what's left for Florida?")
        status = await reply_with(user, f"{label} — ")
        assert "Board of Medicine" not in status and "You haven't added" not in status, status


async def test_a_named_requirement_needs_no_i_need(bot: BotUnderTest) -> None:
    """QA: "Texas PA licence: 40 credits by …" (no "I need") was refused as another
    profession's rule (ABIM)."""
    ana = bot.user(1001, "Ana")
    saved = await described(
        ana, "Texas PA licence: 40 credits by 2027-08-31, 2 of them ethics and 2 human "
        "trafficking, 20 category 1", profession="PA",
    )  # fmt: skip
    assert "40 credits from" in saved and "20 AAPA Category 1 CME" in saved, saved
    await ana.send("/licences")
    assert "Texas PA licence — renews Aug 31, 2027" in await reply_with(ana, "Texas PA")


async def test_a_board_without_rules_keeps_its_name_on_the_requirement_described(
    bot: BotUnderTest,
) -> None:
    """QA: "NCCPA" had no rule; the requirement described next was "My requirement"."""
    ana = bot.user(1001, "Ana")
    await described(
        ana, "I need 100 credits by 2028-12-31, 50 of them Category 1", profession="PA",
        before="NCCPA",
    )  # fmt: skip
    await ana.send("/licences")
    listed = await reply_with(ana, "NCCPA")
    assert "1. NCCPA — renews Dec 31, 2028\n" in listed + "\n", listed


async def test_a_requirement_typed_at_add_another_is_added_and_once_only(
    bot: BotUnderTest,
) -> None:
    """QA round 7: the same requirement typed again at "Add another licence?" ended the
    set-up without the time-zone question and was tracked twice."""
    ana = bot.user(1001, "Ana")
    line = "Ohio RN: 24 contact hours every 2 years, renews Oct 31 2027"
    await described(ana, line, profession="Nurse")
    await ana.send(line)
    assert "You already track exactly this requirement" in await reply_with(ana, "already")
    await reply_with(ana, "Add another licence?")
    await ana.send("Florida RN: 24 contact hours every 2 years, renews Jan 31 2027")
    assert "Saved your requirement" in await reply_with(ana, "Saved your requirement")
    await reply_with(ana, "Add another licence?")
    await ana.press("Done")
    assert "Where do you practise?" in await reply_with(ana, "Where do you practise?")
    async with transaction(bot.services.sessionmaker) as session:
        labels = sorted((await session.scalars(select(Licence.label))).all())
    assert len(labels) == 2 and labels[0].startswith("Florida RN"), labels


async def test_a_look_at_status_during_the_set_up_keeps_its_question(bot: BotUnderTest) -> None:
    """QA round 7: /status at "When does it next expire?" lost the licence chosen; the
    date typed next was not understood, and /start asked for the licence again."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("Texas")
    await reply_with(ana, "renewal deadline")
    await ana.send("/status")
    await reply_with(ana, "no licences")
    assert "set-up is not finished" in await reply_with(ana, "/start")  # QA round 8
    await ana.send("/help")
    await reply_with(ana, "What I can do")
    await ana.send("2027-06-30")
    answer = (await ana.next_reply()).text
    assert "already renewed" in answer, answer  # the hint is said once per question
    await ana.send("/status")
    await reply_with(ana, "no licences")
    await ana.send("/start")
    await reply_with(ana, "Let's continue where we left off.")
    resumed = await reply_with(ana, "Texas Medical Board")  # its questions from the first
    assert "renewal deadline" in resumed or "expire" in resumed, resumed


async def test_a_wrong_profession_can_be_corrected_in_words(bot: BotUnderTest) -> None:
    """QA round 7: after the wrong button, "sorry, wrong button, I'm actually a
    pharmacist" got "I don't have rules for ...", and only /forget changed it."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Nurse practitioner")
    await ana.send("sorry, wrong button, I'm actually a pharmacist")
    assert "Profession set to <b>pharmacist</b>" in (await ana.next_reply()).raw_text
    assert "pharmacist" in (await ana.next_reply()).text.lower()  # its licence question
    await ana.press("Skip")
    await ana.replies_until_quiet(0.5)
    await ana.send("change my profession to nurse")
    changed = (await ana.next_reply()).text
    assert changed.startswith("Profession set to ") and "nurse" in changed, changed
    assert "/licences" in changed, changed
    async with transaction(bot.services.sessionmaker) as session:
        assert await session.scalar(select(Clinician.profession)) == "rn"
    await ana.send("I'm tired")
    assert "Profession set" not in (await ana.next_reply()).text


async def test_nccpa_described_in_its_own_shorthand_during_the_set_up(
    bot: BotUnderTest,
) -> None:
    """QA round 8: "NCCPA, 100 CME every 2 yrs, ..." was refused as another profession's
    rule (ABIM's "every 2 years")."""
    ana = bot.user(1001, "Ana")
    saved = await described(
        ana, "NCCPA, 100 CME every 2 yrs, at least 50 Category 1, 2 hrs substance use "
        "disorder, due 4/30/2027", profession="PA",
    )  # fmt: skip
    assert "100 credits from May 1, 2025 to Apr 30, 2027" in saved, saved


async def test_another_professions_rules_named_are_only_those_of_the_state_asked(
    bot: BotUnderTest,
) -> None:
    """QA round 10: a pharmacist's "what do I need for Florida?" listed New York's physician
    registration beside Florida's."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Pharmacist")
    await ana.send("what do I need for Florida?")
    said = await reply_with(ana, "another profession")
    assert "Florida" in said and "New York" not in said, said
