"""A nurse practitioner's log lines, end to end (QA, sandbox session by an NP): hours of a
conference on a topic of their own, a duration beside the amount, a topic before the unit,
edit requests, "pharm", CEUs and amounts with more than two decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
from bot.sandbox.user import SandboxUser
from bot.store import clinicians, licences
from bot.store.db import transaction
from bot.store.models import CreditEntry
from tests.e2e.conftest import START, BotUnderTest, reply_with

TEXAS_APRN = "Texas APRN: 75 contact hours including 25 pharmacology by 2027-10-31"


async def nurse_practitioner(bot: BotUnderTest) -> SandboxUser:
    """Ana, an NP whose Texas APRN licence wants 25 of its 75 contact hours in pharmacology."""
    spec = parse_custom_requirement(TEXAS_APRN, "np")
    assert isinstance(spec, CustomRequirementSpec)
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        owner.profession = "np"
        await licences.add(
            session, owner, label="Texas APRN", now=START, custom_rule=spec.to_dict(),
            renewal_date=spec.deadline,
        )  # fmt: skip
    return bot.user(1001, "Ana")


async def entries(bot: BotUnderTest) -> list[tuple[Decimal, list[str], str]]:
    """(amount, topics, title) of every entry, in the order saved."""
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(CreditEntry).order_by(CreditEntry.id))).scalars()
        return [(row.amount, list(row.topics), row.title) for row in rows]


async def test_hours_of_a_conference_on_pharmacology_count_alone(bot: BotUnderTest) -> None:
    """QA: "18 contact hours including 6 pharmacology" was one entry of 18 hours on
    pharmacology, titled "Texas NP conference including 6": 18 counted toward the
    25-hour pharmacology minimum."""
    ana = await nurse_practitioner(bot)
    await ana.send(
        "Attended the Texas NP conference Oct 14-16, 2026, 18 contact hours including 6 "
        "pharmacology"
    )
    draft = (await ana.next_reply()).text
    assert "• 18 contact hours — ANCC" in draft, draft
    assert "• Topics: Pharmacology for 6 of the 18 contact hours; no topic for the other 12" in (
        draft
    ), draft
    assert "• Title: Texas NP conference\n" in draft, draft
    assert (
        "Logged as two entries of this activity: 12 contact hours with no topic, 6 contact "
        "hours of Pharmacology; so 6 count toward Pharmacology, not all 18." in draft
    ), draft
    await ana.press("✅ Save")
    saved = (await ana.next_edit()).text
    assert saved.startswith("Saved: 18 contact hours (6 of them Pharmacology), Texas NP"), saved
    await reply_with(ana, "Counts toward: Texas APRN")
    assert await entries(bot) == [
        (Decimal("12.00"), [], "Texas NP conference"),
        (Decimal("6.00"), ["pharmacology"], "Texas NP conference"),
    ]
    await ana.send("/status")
    status = (await ana.next_reply()).text
    assert "Pharmacology: 6 of 25" in status, status

    await ana.send("/undo")  # both parts go: the activity was logged once
    assert "(12 contact hours + 6 contact hours, Oct 16, 2026)" in (await ana.next_reply()).text
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    assert await entries(bot) == []


async def test_other_ways_to_say_a_part(bot: BotUnderTest) -> None:
    ana = await nurse_practitioner(bot)
    for line in (
        "Texas NP conference Oct 16, 2026, 18 contact hours of which 6 pharmacology",
        "Texas NP conference Oct 16, 2026, 18 contact hours incl. 6 hrs pharmacology",
        "Texas NP conference Oct 16, 2026, 18 contact hours (6 pharmacology)",
    ):
        await ana.send(line)
        draft = (await ana.next_reply()).text
        assert "Pharmacology for 6 of the 18 contact hours" in draft, (line, draft)
        assert "• Title: Texas NP conference\n" in draft, (line, draft)
    await ana.send("Texas NP conference Oct 16, 2026, 18 contact hours including 20 pharmacology")
    refused = (await ana.next_reply()).text
    assert refused.startswith("The hours on a topic of their own (20) are more than"), refused


async def test_a_part_typed_at_the_topic_question_splits_the_entry(bot: BotUnderTest) -> None:
    """QA: editing an entry's topic, "6 of the 18 hours were pharmacology" got "I don't
    know the topic …" and nothing said what to type."""
    ana = await nurse_practitioner(bot)
    await ana.send("18 contact hours Texas NP conference Oct 16")
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    await reply_with(ana, "Counts toward")
    await ana.send("/credits")
    await ana.next_reply()
    await ana.press("✏️ 1")
    assert "Change this entry to:" in (await ana.next_reply()).text
    await ana.press("🧩 Topic")
    await ana.next_reply()
    await ana.send("lots of pharm stuff")
    unknown = (await ana.next_reply()).text
    assert "6 of the 18 hours were pharmacology" in unknown, unknown  # a way forward
    await ana.send("6 of the 20 hours were pharmacology")
    assert (await ana.next_reply()).text.startswith("This is 18 contact hours, not 20")
    await ana.send("6 of the 18 hours were pharmacology")
    draft = (await ana.next_reply()).text
    assert draft.startswith("Change this entry to:"), draft
    assert "Pharmacology for 6 of the 18 contact hours; no topic for the other 12" in draft
    await ana.press("✅ Save")
    updated = (await ana.next_edit()).text
    assert updated.startswith("Updated: 18 contact hours (6 of them Pharmacology)"), updated
    assert await entries(bot) == [
        (Decimal("12.00"), [], "Texas NP conference"),
        (Decimal("6.00"), ["pharmacology"], "Texas NP conference"),
    ]


async def test_how_long_a_conference_lasted_is_not_its_hours(bot: BotUnderTest) -> None:
    """QA: "I went to a 3 day conference last week, got 12 hours" was proposed as 3 contact
    hours titled "went day conference 12"."""
    ana = await nurse_practitioner(bot)
    await ana.send("I went to a 3 day conference last week, got 12 hours")
    draft = (await ana.next_reply()).text
    assert "• 12 contact hours — ANCC" in draft, draft
    assert "• Title: conference\n" in draft and "Tue Nov 17, 2026" in draft, draft
    await ana.send("12 hrs from the 3-day Pri-Med conference Jul 10-12")  # as before
    draft = (await ana.next_reply()).text
    assert "• 12 contact hours — ANCC" in draft, draft
    assert "• Title: 3-day Pri-Med conference\n" in draft, draft


async def test_hours_of_a_topic_on_a_past_day_are_logged(bot: BotUnderTest) -> None:
    """QA: "4 pharmacology hours, AANP webinar, 11/20/2026" was searched as a course ("That
    date has passed; I look for upcoming courses"); "logged 4 pharmacology hours at the
    AANP webinar on 11/20/2026" got "Sorry, I didn't understand that"."""
    ana = await nurse_practitioner(bot)
    for line in (
        "4 pharmacology hours, AANP webinar, 11/20/2026",
        "logged 4 pharmacology hours at the AANP webinar on 11/20/2026",
    ):
        await ana.send(line)
        draft = (await ana.next_reply()).text
        assert draft.startswith("Log this?\n• 4 contact hours — ANCC"), (line, draft)
        assert "• Topics: Pharmacology\n• Title: AANP webinar\n" in draft, (line, draft)
        assert "• Completed: Fri Nov 20, 2026" in draft, (line, draft)
    await ana.send("5 pharmacology hours AANP national conference Sept 23 2028")
    assert (await ana.next_reply()).text == (  # as "5 hours pharmacology …" is answered
        "“Sept 23 2028” is in the future, but you can only log what you have completed."
    )
    bot.clock.set(datetime(2028, 10, 2, 15, tzinfo=UTC))
    await ana.send("5 pharmacology hours AANP national conference Sept 23 2028")
    draft = await reply_with(ana, "Log this?")
    assert "• 5 contact hours — ANCC" in draft and "Sat Sep 23, 2028" in draft, draft
    assert "• Title: AANP national conference\n" in draft, draft


async def save_line(ana: SandboxUser, line: str) -> None:
    await ana.send(line)
    assert "Log this?" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    await ana.next_edit()
    await reply_with(ana, "Counts toward")


async def test_an_edit_request_changes_the_entry_it_names(bot: BotUnderTest) -> None:
    """QA: "change the wound care entry to 2.5 hours" proposed a new entry titled "change
    wound care entry"."""
    ana = await nurse_practitioner(bot)
    await ana.send("change the wound care entry to 2.5 hours")  # nothing logged yet
    assert (await ana.next_reply()).text.startswith("You haven't logged any credits yet, so")
    await save_line(ana, "2 contact hours Wound Care Update Nov 10")
    await save_line(ana, "1 contact hour ethics Nov 12")
    await ana.send("change the wound care entry to 2.5 hours")
    offer = await ana.next_reply()
    assert offer.text.startswith("Change this entry to:\n• 2.5 contact hours"), offer.text
    assert "• Title: Wound Care Update\n" in offer.text, offer.text
    assert ["✅ Save", "Cancel"] in offer.buttons, offer.buttons
    await ana.press("✅ Save")
    assert (await ana.next_edit()).text.startswith("Updated: 2.5 contact hours, Wound Care")
    await reply_with(ana, "Counts toward")
    assert sorted(await entries(bot)) == [
        (Decimal("1.00"), ["ethics"], "Medical ethics"),
        (Decimal("2.50"), [], "Wound Care Update"),
    ]

    for statement in ("actually the wound care one was 2 hours, please fix",
                      "the wound care workshop should be 2 hours, not 2.5"):  # QA round 12
        await ana.send(statement)
        offer = await ana.next_reply()
        assert offer.text.startswith("Change this entry to:\n• 2 contact hours"), offer.text
        await ana.press("Cancel")
        await ana.next_edit()

    await ana.send("change the sepsis entry to 3 hours")  # none fits: said, and the list
    assert (await ana.next_reply()).text.startswith("I found no entry like “sepsis”")
    listing = await ana.next_reply()
    assert "Your credits" in listing.text and ["✏️ 1", "✏️ 2"] in listing.buttons

    await ana.send("/log 1 ethics yesterday")  # a draft waits: still an edit, not a log
    await ana.next_reply()
    await ana.send("change the wound care entry to 3 hours")
    offer = (await ana.next_reply()).text
    assert offer.startswith("Change this entry to:\n• 3 contact hours"), offer
    await ana.press("Cancel")
    await ana.next_edit()

    await save_line(ana, "1 contact hour wound care dressings Nov 14")
    await ana.send("change the wound care entry to 2")  # two fit: which one?
    which = await ana.next_reply()
    assert which.text.startswith("Several entries fit “wound care”. Which one?"), which.text
    assert "Wound Care Update" in which.text and "wound care dressings" in which.text
    await ana.press("✏️ 1")
    assert "Change this entry to:" in (await ana.next_reply()).text
    assert len(await entries(bot)) == 3, "nothing new was logged"


async def test_pharm_is_pharmacology(bot: BotUnderTest) -> None:
    """QA: "2.5 hrs pharm last Tuesday" → "Topics: none, Title: pharm", with "Did you mean
    State laws and rules?" above "Pharmacology"."""
    ana = await nurse_practitioner(bot)
    await ana.send("2.5 hrs pharm last Tuesday")
    draft = await ana.next_reply()
    assert "• Topics: Pharmacology\n• Title: Pharmacology\n" in draft.text, draft.text
    assert not any("Did you mean" in label for row in draft.buttons for label in row)
    await ana.send("Texas NP conference Oct 16, 2026, 18 contact hours (6 pharm)")
    draft = await ana.next_reply()
    assert "Pharmacology for 6 of the 18 contact hours" in draft.text, draft.text


async def test_ceus_are_asked_about_before_anything_is_logged(bot: BotUnderTest) -> None:
    """QA: "2 CEUs controlled substances 12/3" was proposed as 20 contact hours with a
    warning below, and one tap on Save logged 20 hours; nurses often say CEUs for hours."""
    ana = await nurse_practitioner(bot)
    await ana.send("2 CEUs controlled substances 12/3")
    asked = await ana.next_reply()
    assert asked.text.startswith("2 CEUs: 20 contact hours or 2 contact hours?"), asked.text
    assert asked.buttons == [["20 contact hours (2 CEUs)"], ["2 contact hours"]]
    await ana.send("save")  # not before the question is answered
    assert (await ana.next_reply()).text.startswith("2 CEUs: 20 contact hours or 2")
    await ana.send("/courses")  # another question sets it aside: "save" still asks
    assert "Where should I look" in (await ana.next_reply()).text
    await ana.send("save")
    assert (await ana.next_reply()).text.startswith("2 CEUs: 20 contact hours or 2")
    assert await entries(bot) == []
    await ana.press("2 contact hours", message_id=asked.message_id)
    draft = (await ana.next_edit()).text
    assert draft.startswith("Log this?\n• 2 contact hours — ANCC"), draft
    assert "Controlled-substance prescribing" in draft and "Wed Dec 3, 2025" in draft
    await ana.press("✅ Save", message_id=asked.message_id)
    await ana.next_edit()
    await reply_with(ana, "Counts toward")
    assert [amount for amount, _, _ in await entries(bot)] == [Decimal("2.00")]

    await ana.send("0.5 CEU ethics yesterday")
    assert "0.5 CEUs: 5 contact hours or 0.5 contact hours?" in (await ana.next_reply()).text
    await ana.send("ceus")  # typed instead of pressed
    assert "• 5 contact hours — ANCC" in (await ana.next_reply()).text


async def test_an_amount_rounded_to_hundredths_says_so(bot: BotUnderTest) -> None:
    """QA: "log 1.234 hours ethics" became 1.23 hours without a word."""
    ana = await nurse_practitioner(bot)
    await ana.send("log 1.234 hours ethics")
    draft = (await ana.next_reply()).text
    assert "• 1.23 contact hours — ANCC" in draft, draft
    assert "1.234 rounded to 1.23: amounts keep two decimals" in draft, draft
    await ana.press("🔢 Amount")
    await ana.next_reply()
    await ana.send("1.255")
    fixed = (await ana.next_reply()).text
    assert "• 1.26 contact hours" in fixed and "1.255 rounded to 1.26" in fixed, fixed
    await ana.press("🔢 Amount")
    await ana.next_reply()
    await ana.send("1.25")
    fixed = (await ana.next_reply()).text
    assert "• 1.25 contact hours" in fixed and "rounded" not in fixed, fixed
    await ana.send("log 1.5 hours ethics")
    assert "rounded" not in (await ana.next_reply()).text
