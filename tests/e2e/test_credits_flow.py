"""Credits end to end: onboarding with Texas and Florida licences, logging three ways,
status with the exact figures the arithmetic predicts, bad input, edit, delete, undo."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.sandbox.user import SandboxUser
from bot.store import clinicians, credits
from bot.store.db import transaction
from bot.store.models import CreditEntry, Licence
from tests.e2e.conftest import BotUnderTest, reply_with, seed_licence, start_as

pytestmark = pytest.mark.postgres


async def onboard(ana: SandboxUser) -> None:
    """Profession, Texas (renewed 3 times, direct patient care), Florida (DEA), Boston."""
    assert "Which licence" in await start_as(ana, "Physician (MD)")
    await ana.send("Texas")
    assert "renewal deadline" in (await ana.next_reply()).text
    await ana.send("2027-06-30")
    assert "already renewed" in (await ana.next_reply()).text
    await ana.press("3")
    assert "direct patient care" in (await ana.next_reply()).text
    await ana.press("Yes")
    assert "Saved" in (await ana.next_reply()).text
    texas = await ana.next_reply()
    assert "Texas Medical Board" in texas.text
    assert "Add another licence?" in (await ana.next_reply()).text
    await ana.press("Add another licence")
    await ana.next_reply()
    await ana.send("florida md")
    await ana.next_reply()
    await ana.send("January 31, 2028")
    await ana.next_reply()
    await ana.press("2")
    assert "DEA" in (await ana.next_reply()).text
    await ana.press("Yes")
    await reply_with(ana, "Add another licence?")
    await ana.press("Done")
    assert "Where do you practise?" in (await ana.next_reply()).text
    await reply_with(ana, "Or keep the time zone as it is")
    await ana.send("Boston")
    assert "America/New_York" in (await ana.next_reply()).text
    await reply_with(ana, "All set.")


async def confirm(ana: SandboxUser, *, completes: str | None = None) -> str:
    """Press Save on the proposed entry; returns the 'counts toward' line. ``completes``:
    the licence the entry completes, whose 🎉 the save says next."""
    proposal = await ana.next_reply()
    assert "Log this?" in proposal.text, proposal.text
    await ana.press("✅ Save")
    await ana.next_edit()
    toward = (await ana.next_reply()).text
    if completes is not None:
        note = (await ana.next_reply()).text
        assert note.startswith(f"🎉 {completes} is complete for this cycle"), note
    return toward


async def test_onboarding_logging_and_exact_status(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    await onboard(ana)
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(Licence).order_by(Licence.id))).scalars().all()
        assert [(r.rule_id, r.renewal_date, r.renewals_done, r.flags) for r in rows] == [
            ("us-tx-md", date(2027, 6, 30), 3, ["direct_patient_care"]),
            ("us-fl-md", date(2028, 1, 31), 2, ["dea_registrant"]),
        ]

    # 1. one-line command
    await ana.send('/log 10 ethics "Ethics in practice" on Oct 1')
    toward = await confirm(ana)
    assert "Texas Medical Board (38 to go)" in toward and "Florida" in toward
    # 2. free text
    await ana.send("I did 3 credits of texas opioid on Sep 1")
    await confirm(ana)
    # 3. guided
    await ana.send("/log")
    assert "What did you do?" in (await ana.next_reply()).text
    await ana.send("2 medical errors 2026-11-02")
    await confirm(ana)

    await ana.send("how many credits do I still need?")
    texas = florida = await ana.next_reply()  # one message, a section per licence
    assert texas.text.index("Texas") < texas.text.index("Florida")
    # Texas: 15 of 48; Cat 1 15 of 24; ethics 2 done; trafficking 1 h to go.
    assert "15 / 48 credits" in texas.text
    assert "Still needed: 33 credits" in texas.text
    assert re.search(r"AMA PRA Category 1 Credit: 15 of 24 — 9 to go", texas.text)
    assert "trafficked persons: 0 of 1 h — 1 to go" in texas.text
    assert "Jun 30, 2027" in texas.text and "218 days left" in texas.text
    # Florida: 15 of 40, medical errors done, domestic violence 2 to go (3rd renewal).
    assert "15 / 40 credits" in florida.text
    assert "Prevention of medical errors: 2 of 2 h ✓" in florida.text
    assert "Domestic violence: 0 of 2 h — 2 to go" in florida.text
    assert "Source:" in florida.text and "checked" in florida.text

    await ana.send("what's left for Texas?")
    only = [await ana.next_reply(), *await ana.replies_until_quiet()]
    assert len(only) == 1 and "Texas" in only[0].text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/log 0 ethics", "Zero credits"),
        ("/log -3 ethics", "can't be negative"),
        ("/log abc", "couldn't find how many credits"),
        ("/log 500 ethics", "more than I accept"),
        ("/log 5000 contact hours ethics", "5000 contact hours in one activity"),  # QA rnd 10
        ("/log 2 ethics tomorrow", "in the future"),
        ("/log 2 ethics 1975-03-01", "before 1980"),
        ("/log 2 ethics 2026-02-30", "not a real date"),
        # QA: one entry of 3 credits with both topics, titled "2 Nov 4"
        ("I did 3 credits of ethics on Nov 3 and 2 credits of opioids on Nov 4",
         "more than one activity (3 credits and 2 credits)"),
        # QA round 7: one entry of 3 credits titled "2"
        ("log 3 credits yesterday and 2 today", "more than one activity (3 credits and 2)"),
    ],
)
async def test_bad_logs_explain_and_store_nothing(
    bot: BotUnderTest, line: str, expected: str
) -> None:
    ana = bot.user()
    await ana.send(line)
    reply = await ana.next_reply()
    assert expected in reply.text
    async with transaction(bot.services.sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(CreditEntry)) == 0


async def test_fix_buttons_duplicate_edit_delete_and_undo(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/log 2 opiod")
    proposal = await ana.next_reply()
    assert "today" in proposal.text
    await ana.press("Did you mean Opioid prescribing?")
    assert "Opioid prescribing" in (await ana.next_edit()).text
    await ana.press("📅 Date")
    await ana.next_reply()
    await ana.send("next week")
    assert "in the future" in (await ana.next_reply()).text
    await ana.send("yesterday")
    assert "Mon Nov 23, 2026" in (await ana.next_reply()).text
    await ana.press("🔢 Amount")
    await ana.next_reply()
    await ana.send("2.75")
    assert "2.75 credits" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    await ana.next_reply()

    await ana.send("/log 1 opioid yesterday")  # same title (the topic accepted above), same day
    await ana.next_reply()
    await ana.press("✅ Save")
    assert "already logged" in (await ana.next_reply()).text
    await ana.press("Cancel")
    await ana.next_edit()

    await ana.send("/credits")
    listing = await ana.next_reply()
    assert "1. Nov 23, 2026 — 2.75" in listing.text
    await ana.press("✏️ 1")
    assert "Change this entry to:" in (await ana.next_reply()).text  # not "Log this?"
    await ana.press("🔢 Amount")
    await ana.next_reply()
    await ana.send("3")
    await ana.next_reply()
    await ana.press("✅ Save")
    assert "Updated" in (await ana.next_edit()).text
    await ana.next_reply()
    async with transaction(bot.services.sessionmaker) as session:
        owner = await clinicians.find(session, 1001)
        assert owner is not None
        [entry] = await credits.list_for(session, owner)
        assert str(entry.amount) == "3.00" and entry.topics == ["opioid_prescribing"]

    await ana.send("/undo")  # asks first: a slip of the finger must not delete
    offer = await ana.next_reply()
    assert offer.text.startswith("Remove your last entry") and "(3 credits, Nov 23, 2026)" in (
        offer.text
    )
    await ana.press("Cancel")
    assert "nothing changed" in (await ana.next_edit()).text
    await ana.send("/undo")
    await ana.next_reply()
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    await ana.send("/undo")
    assert "nothing to undo" in (await ana.next_reply()).text


async def test_custom_requirement_in_plain_words(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("I need 40 credits by 2027-06-30, 2 of them ethics")
    assert "Saved your requirement" in (await ana.next_reply()).text
    status = await ana.next_reply()
    assert "0 / 40 credits" in status.text and "ethics" in status.text.lower()
    await reply_with(ana, "Add another licence?")
    await ana.send("/log 2 ethics yesterday")
    assert "to go" in await confirm(ana)


async def test_no_licences_yet_says_how_to_add_one(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/status")
    reply = await ana.next_reply()
    assert "no licences" in reply.text and reply.buttons


async def test_onboarding_is_skippable_and_resumable(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/start")
    await ana.next_reply()
    await ana.next_reply()  # profession question
    await ana.send("/help")  # wander off
    await ana.next_reply()
    assert "set-up is not finished" in (await ana.next_reply()).text
    await ana.send("/start")
    assert "Welcome back" in (await ana.next_reply()).text
    assert "continue where we left off" in (await ana.next_reply()).text
    assert "profession" in (await ana.next_reply()).text
    await ana.press("Skip")
    assert "Which licence" in (await ana.next_reply()).text
    await ana.press("Skip")
    assert "Where do you practise?" in (await ana.next_reply()).text
    await ana.next_reply()
    await ana.share_location(47.61, -122.33)  # Seattle
    assert "America/Los_Angeles" in (await ana.next_reply()).text
    assert "All set" in (await ana.next_reply()).text


async def test_a_question_while_a_draft_waits_is_answered_not_misread(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/log 2 ethics yesterday")
    draft = await ana.next_reply()
    await ana.send("how many credits do I still need?")
    assert "no licences" in (await ana.next_reply()).text
    await ana.send("thanks!")
    assert "You're welcome" in (await ana.next_reply()).text
    await ana.press("✅ Save", message_id=draft.message_id)  # the draft is still there
    assert "Saved" in (await ana.next_edit()).text


async def test_words_beside_a_quoted_title_are_not_dropped_silently(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send('/log 2.5 ethcs "Ethics grand rounds" Febuary 3')
    proposal = await ana.next_reply()
    assert "Title: Ethics grand rounds" in proposal.text
    assert "I didn't understand “ethcs”" in proposal.text
    assert "Feb 3, 2026" in proposal.text  # the misspelt month is still a month
    await ana.press("Did you mean Medical ethics?")
    assert "Medical ethics" in (await ana.next_edit()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        entry = (await session.execute(select(CreditEntry))).scalar_one()
    assert entry.title == "Ethics grand rounds" and entry.topics == ["ethics"]
    assert entry.completed_on == date(2026, 2, 3)


async def test_dates_that_cannot_be_logged_are_named_and_spans_end_on_their_last_day(
    bot: BotUnderTest,
) -> None:
    ana = bot.user()
    await ana.send('/log 2.5 ethics "Ethics grand rounds" Febuary 31')
    assert "“February 31” is not a real date" in (await ana.next_reply()).text
    await ana.send("/log 2 ethics in November")
    assert "“in November” is more than one day" in (await ana.next_reply()).text
    async with transaction(bot.services.sessionmaker) as session:
        assert (await session.execute(select(CreditEntry))).first() is None
    await ana.send('/log 12 ethics "Ethics summit" Nov 3 to Nov 5')
    assert "Nov 5, 2026" in (await ana.next_reply()).text  # completed on its last day


async def test_a_renewal_date_that_does_not_exist_is_named_and_nothing_saved(
    bot: BotUnderTest,
) -> None:
    ana = bot.user()
    await start_as(ana, "Physician (MD)")
    await ana.send("Texsa")
    assert "renewal deadline" in (await ana.next_reply()).text
    await ana.send("Febuary 31 2027")
    assert "“Febuary 31 2027” is not a real date" in (await ana.next_reply()).text
    await ana.send("sometime soon")
    assert "I couldn't read “sometime soon” as a date" in (await ana.next_reply()).text
    async with transaction(bot.services.sessionmaker) as session:
        assert (await session.execute(select(Licence))).first() is None
    await ana.send("Febuary 28 2027")  # a misspelt month is still the month
    assert "already renewed" in (await ana.next_reply()).text
    await ana.press("3")
    await ana.next_reply()
    await ana.press("Yes")
    assert "Saved" in (await ana.next_reply()).text
    async with transaction(bot.services.sessionmaker) as session:
        licence = (await session.execute(select(Licence))).scalar_one()
    assert licence.renewal_date == date(2027, 2, 28)


async def test_one_credit_is_one_credit_not_one_credits(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/log 1 ethics yesterday")
    assert "• 1 credit — " in (await ana.next_reply()).text
    await ana.press("✅ Save")
    assert "Saved: 1 credit, " in (await ana.next_edit()).text


async def test_a_misspelt_topic_among_other_words_is_offered(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("just finished 1.5 hrs opiod cme")
    assert "Topics: none" in (await ana.next_reply()).text
    await ana.press("Did you mean Opioid prescribing?")
    assert "Topics: Opioid prescribing" in (await ana.next_edit()).text
    await ana.send("/log 2 ethcis yesterday")
    await ana.next_reply()
    await ana.press("Did you mean Medical ethics?")
    assert "Title: Medical ethics" in (await ana.next_edit()).text  # not "ethcis"
    await ana.send("1 credit of domestic vilence")  # QA: two words, one slip: "Topics: none"
    await ana.next_reply()
    await ana.press("Did you mean Domestic violence?")
    fixed = (await ana.next_edit()).text
    assert "Topics: Domestic violence" in fixed and "Title: Domestic violence" in fixed


async def test_a_replaced_proposal_never_saves_the_newer_one(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/log 1 ethics yesterday")
    first = await ana.next_reply()
    await ana.send("/log 2 opioid yesterday")  # replaces the unsaved first one
    second = (await ana.next_reply()).text
    assert "2 credits" in second and "“Medical ethics” was not logged" in second
    await ana.press("✅ Save", message_id=first.message_id)
    assert "replaced by a newer one" in ((await ana.callback_answer()).text or "")
    async with transaction(bot.services.sessionmaker) as session:
        assert (await session.execute(select(CreditEntry))).first() is None  # not the opioid one
    await ana.press("✅ Save")  # the waiting one
    assert "Saved: 2 credits" in (await ana.next_edit()).text


async def test_a_log_with_a_month_day_date_saves_the_amount_typed(bot: BotUnderTest) -> None:
    """QA: '/log 3 "ACLS renewal" Aug 8' proposed (and saved) 8 credits on Aug 3."""
    ana = bot.user(1001, "Ana")
    await ana.send('/log 3 "ACLS renewal" Aug 8')
    proposal = await reply_with(ana, "ACLS renewal")
    assert "3 credits" in proposal and "Aug 8, 2026" in proposal, proposal
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        entry = await session.scalar(select(CreditEntry))
    assert entry is not None and (entry.amount, entry.completed_on) == (3, date(2026, 8, 8))


async def test_a_title_given_in_a_fix_names_its_topics(bot: BotUnderTest) -> None:
    """QA: a certificate's title fixed to "Ethics in Clinical Practice" still had no topic."""
    ana = bot.user(1001, "Ana")
    await ana.send("/log 2 yesterday")
    proposal = await reply_with(ana, "Log this?")
    assert "Topics: none" in proposal, proposal
    await ana.press("✏️ Title")
    await ana.next_reply()
    await ana.send("Ethics in Clinical Practice")
    fixed = await reply_with(ana, "Log this?")
    assert "Topics: Medical ethics" in fixed, fixed


async def test_a_credit_type_not_named_is_said_to_be_assumed(bot: BotUnderTest) -> None:
    """QA: "2 credits — AAPA Category 1 CME" was shown as read, though nothing named it."""
    ana = bot.user(1001, "Ana")
    await ana.send("/log 2 ethics yesterday")
    assumed = await reply_with(ana, "Log this?")
    assert "AMA PRA Category 1 Credit (your usual kind: tap 🏷 Category if not)" in assumed
    await ana.press("🏷 Category")
    await ana.next_reply()
    await ana.press("AMA PRA Category 2 Credit")
    chosen = (await ana.next_edit()).text or ""
    assert "AMA PRA Category 2 Credit" in chosen and "usual kind" not in chosen, chosen
    await ana.send("/log 1 cat 2 ethics yesterday")
    assert "usual kind" not in await reply_with(ana, "Log this?")


async def test_the_amount_asked_for_again_is_taken_and_a_typed_title_names_its_topic(
    bot: BotUnderTest,
) -> None:
    """QA round 6: "Zero credits can't be logged. How many did you earn?" then "1.5" was
    not understood; "Domestic Violence Update" logged no topic, so it met no mandate."""
    ana = bot.user(1001, "Ana")
    await ana.send("/log 0 ethics yesterday")
    await reply_with(ana, "Zero credits")
    await ana.send("1.5")
    proposal = await reply_with(ana, "Log this?")
    assert "1.5 credits" in proposal and "Medical ethics" in proposal, proposal
    await ana.send('/log 2 "Domestic Violence Update" Nov 20 2026')
    proposal = await reply_with(ana, "Log this?")
    assert "Topics: Domestic violence" in proposal, proposal


async def test_the_same_activity_under_other_words_is_caught(bot: BotUnderTest) -> None:
    """QA round 11: "a 2 hour medical errors course I took on January 20" and "/log 2
    medical errors Jan 20" were both saved, 4 hours counted for 2."""
    ana = bot.user(1001, "Ana")

    async def log(line: str) -> str:
        await ana.send(line)
        await reply_with(ana, "Log this?")
        await ana.press("✅ Save")
        return "\n".join(m.text or "" for m in await ana.replies_until_quiet(1.0))

    await log('/log 2 medical errors Nov 20 "Hospital safety course"')
    said = await log("/log 2 medical errors Nov 20")
    assert "already logged “Hospital safety course” on Fri Nov 20, 2026" in said, said
    await ana.press("Cancel")
    await ana.replies_until_quiet()
    assert "already logged" not in await log("/log 3 medical errors Nov 20")  # another one


async def test_a_credit_an_ended_cycle_would_not_take_is_not_said_to_count_there(
    bot: BotUnderTest,
) -> None:
    """QA round 11: a Category 2 credit dated in California's ended cycle "counts toward the
    cycle that ended Aug 31, 2025", though California takes Category 1 only."""
    await seed_licence(bot, "us-ca-md", "Medical Board of California", date(2027, 8, 31),
                       renewals_done=3)  # fmt: skip
    ana = bot.user(1001, "Ana")

    async def log(line: str) -> str:
        await ana.send(line)
        await reply_with(ana, "Log this?")
        await ana.press("✅ Save")
        return "\n".join(m.text or "" for m in await ana.replies_until_quiet(1.0))

    said = await log('/log 3 category 2 "Teaching residents" Aug 30 2025')
    assert "cycle that ended" not in said and "doesn't count" in said, said
    said = await log('/log 3 category 1 "Grand rounds" Aug 30 2025')
    assert "counts toward the cycle that ended Sun Aug 31, 2025" in said, said
