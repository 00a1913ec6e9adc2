"""What clinicians type instead of pressing: "hi", "save", "done", "/cancel" at a fix,
short units and phrasings (QA, second round in the sandbox chat). Chat behaviour only:
on SQLite (the store's semantics are tested on both databases)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Clinician, CreditEntry, Licence, ReminderOutbox
from scheduler.jobs import tick_now
from tests.e2e.conftest import BotUnderTest, name_licence, reply_with, seed_licence, start_as
from tests.reports.certificates import ABIM, ACCME, certificate_pdf, png_bytes


async def fix(user: SandboxUser, button: str, answer: str) -> str:
    """Press a draft's fix button (🧩 Topic, ✏️ Title…), skip its question, type the answer;
    the reply to it."""
    await user.press(button)
    await user.next_reply()
    await user.send(answer)
    return (await user.next_reply()).text or ""


async def test_hi_sets_up_a_new_clinician_and_done_ends_the_licences(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    await ana.send("hi")
    assert "Hello Ana" in (await ana.next_reply()).text
    assert "What is your profession?" in (await ana.next_reply()).text
    await ana.press("Physician (MD)")
    assert "Which licence" in (await ana.next_reply()).text
    await ana.send("done")  # was searched as a licence name: DEA registration
    assert "Where do you practise?" in (await ana.next_reply()).text
    await reply_with(ana, "Or keep the time zone as it is")
    # The time zone is optional: a log here ends the question (it was looked up as a place:
    # "I don't know '2 ethics yesterday'. Try a city and state, or a ZIP code.")
    await ana.send("2 ethics yesterday")
    assert "Time zone left at America/New_York" in (await ana.next_reply()).text
    assert "All set" in (await ana.next_reply()).text
    assert "Log this?" in (await ana.next_reply()).text


async def test_save_typed_and_cancel_at_a_fix_keep_the_draft(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/log 2 ethics yesterday")
    await ana.next_reply()
    await ana.press("📅 Date")
    await ana.next_reply()
    await ana.send("/cancel")  # drops the date change, not the entry
    assert "stays as it was" in (await ana.next_reply()).text
    await ana.send("save")
    assert "Saved" in (await ana.next_reply()).text
    async with transaction(bot.services.sessionmaker) as session:
        assert len((await session.execute(select(CreditEntry))).all()) == 1


async def test_short_units_typos_beside_topics_and_how_am_i_doing(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("2 cr ethics 11-03-2026")
    assert "Tue Nov 3, 2026" in (await ana.next_reply()).text
    await ana.send("did 2 hrs opiod safe prescribing webinar on nov 3")
    proposal = await ana.next_reply()
    assert ["Did you mean Opioid prescribing?"] in proposal.buttons
    await ana.send("how am i doing")
    assert "no licences" in (await ana.next_reply()).text


async def test_the_topic_answer_replaces_and_a_typo_gets_buttons(bot: BotUnderTest) -> None:
    """QA: the Topic answer was added to the wrong topic, and a typo listed names to retype."""
    ana = bot.user()
    await ana.send("/log 2 ethics yesterday")
    await ana.next_reply()
    # A one-letter slip is read, and it replaces ethics.
    assert "Topics: Opioid prescribing\n" in await fix(ana, "🧩 Topic", "opiod")
    assert "I don't know the topic" in await fix(ana, "🧩 Topic", "paliative careing")
    draft = await ana.next_reply()
    assert ["Did you mean Palliative care?"] in draft.buttons
    assert "Topics: Opioid prescribing\n" in draft.text  # kept (QA: a typo wiped them)
    await ana.press("Did you mean Palliative care?")
    assert "Topics: Palliative care\n" in (await ana.next_edit()).text
    await ana.press("🧩 Topic")
    await ana.next_reply()
    await ana.send("ethics, human trafficking")  # QA: refused, and the topics wiped
    both = (await ana.next_reply()).text
    assert "Topics: Medical ethics, Human trafficking" in both


async def test_the_log_example_without_log_is_a_log(bot: BotUnderTest) -> None:
    """ "All set ... log credits with /log 2 ethics yesterday": typed without /log it got
    "Sorry, I didn't understand that"; a number then a topic is a log, unless it asks
    for courses."""
    ana = bot.user()
    await ana.send("2 ethics yesterday")
    proposal = (await ana.next_reply()).text
    assert "Log this?" in proposal and "Topics: Medical ethics" in proposal, proposal
    await ana.press("✅ Save")
    await reply_with(ana, "no licences or certifications yet")
    await ana.send("1.5 controlled substance 12/1")
    proposal = (await ana.next_reply()).text
    assert "Log this?" in proposal and "Dec 1" in proposal, proposal
    await ana.press("✅ Save")
    await reply_with(ana, "no licences or certifications yet")
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(CreditEntry.amount, CreditEntry.topics))).all()
    assert sorted((str(a), t) for a, t in rows) == [
        ("1.50", ["controlled_substance_prescribing"]),
        ("2.00", ["ethics"]),
    ]
    await ana.send("2 ethics courses near Boston")
    assert "Log this?" not in (await ana.next_reply()).text


async def test_status_questions_in_everyday_words(bot: BotUnderTest) -> None:
    """QA: these got "Sorry, I didn't understand that"."""
    ana = bot.user()
    for question in ("am I on track", "whats due", "where do I stand", "am i compliant",
                     "do I need ethics"):  # fmt: skip
        await ana.send(question)
        reply = (await ana.next_reply()).text
        assert "You have no licences or certifications yet" in reply, (question, reply)


async def test_certificates_read_what_was_claimed_and_what_the_licences_count(
    bot: BotUnderTest,
) -> None:
    """QA: "a maximum of 25 ... Credits claimed: 2.5" proposed 25; "250 credits" was saved
    without a word; an ABIM-only clinician's MOC certificate was logged as Category 1."""
    def certificate(*lines: str) -> bytes:
        return certificate_pdf([("CERTIFICATE OF COMPLETION", -20), *((ln, 12) for ln in lines)])

    async def proposed(*lines: str) -> str:
        """Upload a certificate; the proposal's text (then Cancel it)."""
        await ana.upload("cert.pdf", certificate(*lines), "application/pdf")
        await ana.next_reply()  # "I read your certificate"
        proposal = (await ana.next_reply()).text
        await ana.press("Cancel")
        return proposal

    ana = bot.user()
    assert "renewal deadline" in await name_licence(ana, "ABIM 100 points")
    await ana.send("Dec 31 2029")
    await reply_with(ana, "Add another licence?")
    assert "2.5 credits" in await proposed(
        "Updates in Cardiology 2026", "Completed November 3, 2026",
        "designated for a maximum of 25 AMA PRA Category 1 Credits", "Credits claimed: 2.5",
    )  # fmt: skip
    assert "10 points — ABIM MOC points" in await proposed(
        "Updates in Cardiology 2026", "Completed November 3, 2026",
        "This activity is designated for 10 AMA PRA Category 1 Credits",
        "Successful completion earns 10 ABIM MOC points",
    )  # fmt: skip
    await ana.upload("odd.pdf", certificate(
        "Grand Rounds", "Completed November 3, 2026", "awarded 250 AMA PRA Category 1 Credits",
    ), "application/pdf")  # fmt: skip
    assert "the amount I read on it, 250, is not one I can log" in (await ana.next_reply()).text
    await ana.send("/cancel")
    await reply_with(ana, "OK, cancelled.")
    await ana.upload("future.pdf", certificate(
        "Grand Rounds", "Completed March 3, 2027", "awarded 2 AMA PRA Category 1 Credits",
    ), "application/pdf")  # fmt: skip
    replies = [(await ana.next_reply()).text or "" for _ in range(3)]  # read, note, draft
    assert any("The date printed on it is in the future, so I put today" in r for r in replies)


async def test_the_edit_screen_of_a_deleted_entry_says_so_at_the_first_press(
    bot: BotUnderTest,
) -> None:
    """QA: it asked "How many credits?" and re-rendered; only Save said the entry was gone."""
    ana = bot.user()
    await ana.send("/log 2 ethics yesterday")
    await ana.next_reply()
    await ana.press("✅ Save")
    await ana.next_edit()
    await reply_with(ana, "no licences or certifications yet")
    await ana.send("/credits")
    listing = await ana.next_reply()
    await ana.press("✏️ 1", message_id=listing.message_id)
    edit_screen = await ana.next_reply()
    await ana.press("🗑 1", message_id=listing.message_id)
    await reply_with(ana, "Delete “")
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    await ana.press("🔢 Amount", message_id=edit_screen.message_id)
    assert "That entry no longer exists." in (await ana.next_edit()).text


async def test_a_caption_says_what_a_certificate_certifies(bot: BotUnderTest) -> None:
    """QA: "3 credits ethics on Nov 4" as the caption of a certificate was ignored (2.5
    opioid credits on Nov 3 were proposed); a photo's caption was asked again."""
    ana = bot.user()
    pdf = certificate_pdf(ACCME)
    await ana.upload("accme.pdf", pdf, "application/pdf", caption="3 credits ethics on Nov 4")
    assert "took the amount, date and topic from your caption" in (await ana.next_reply()).text
    proposal = (await ana.next_reply()).text
    assert "3 credits" in proposal and "Medical ethics" in proposal and "Nov 4" in proposal
    assert "Opioid Prescribing: Evaluating Risk and Safe Tapering" in proposal  # its title
    await ana.press("Cancel")
    await ana.send_photo(png_bytes(), caption="2 credits ethics yesterday")
    assert "Log this?" in (await ana.next_reply()).text


async def test_a_question_while_a_photo_waits_for_its_details_is_answered(
    bot: BotUnderTest,
) -> None:
    """QA round 7: after a photo, every question got "I couldn't find how many credits"
    until /cancel. Now the question is answered, and the photo still takes its line."""
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30))
    ana = bot.user(1001, "Ana")
    await ana.send_photo(png_bytes())
    assert "please tell me what it certifies" in await reply_with(ana, "tell me what")
    await ana.send("how many credits do I still need?")
    assert "Texas Medical Board" in await reply_with(ana, "Texas Medical Board")
    await ana.send("help")
    assert "What I can do" in await reply_with(ana, "What I can do")
    await ana.send("2 credits ethics yesterday")
    proposal = await reply_with(ana, "Log this?")
    assert "📎" in proposal, "the photo is still the one being logged"


async def test_the_log_example_with_typos_is_still_a_log(bot: BotUnderTest) -> None:
    """Review, in the sandbox: "2 ethcs yesterdy" got "Sorry, I didn't understand that"."""
    ana = bot.user()
    await ana.send("2 ethcs yesterdy")
    proposal = await ana.next_reply()
    assert "Log this?" in proposal.text and ["Did you mean Medical ethics?"] in proposal.buttons


async def test_a_certificate_draft_takes_a_new_title_and_provider(bot: BotUnderTest) -> None:
    """QA: a certificate read as "the Medical Knowledge MOC activity" (or its file name)
    could not be renamed before saving, and its provider was neither shown nor editable."""
    ana = bot.user()
    await ana.upload("accme-certificate.pdf", certificate_pdf(ACCME), "application/pdf")
    await ana.next_reply()
    proposal = await ana.next_reply()
    assert ["✏️ Title", "🏛 Provider"] in proposal.buttons
    await ana.press("✏️ Title")
    assert "What is the activity called?" in (await ana.next_reply()).text
    await ana.send("!!!")
    assert "needs a letter or a number" in (await ana.next_reply()).text
    await ana.send("  Safe   tapering\nworkshop ")
    assert "• Title: Safe tapering workshop\n" in (await ana.next_reply()).text
    said = await fix(ana, "🏛 Provider", "???")  # QA: quietly read as "none"
    assert "A provider's name needs a letter or a number" in said
    await ana.send("Mass General CME")
    assert "• Provider: Mass General CME" in (await ana.next_reply()).text
    await ana.press("✅ Save")
    assert "Safe tapering workshop" in (await ana.next_edit()).text
    await reply_with(ana, "no licences or certifications yet")

    await ana.send("/credits")
    await ana.next_reply()
    await ana.press("✏️ 1")
    assert "• Provider: Mass General CME" in (await ana.next_reply()).text
    assert "Provider" not in await fix(ana, "🏛 Provider", "none")
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        entry = (await session.execute(select(CreditEntry))).scalar_one()
    assert (entry.title, entry.provider) == ("Safe tapering workshop", None)


async def test_a_log_typed_at_the_licence_question_is_not_a_licence(bot: BotUnderTest) -> None:
    """Review (sandbox): "2 ethcs yesterdy" at "Which licence?" chose ABIM "an activity
    every 2 years" (its alias "2 year") and asked for its renewal date."""
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    await reply_with(ana, "What is your profession?")
    await ana.press("Physician (MD)")
    await reply_with(ana, "Which licence or certification?")
    await ana.send("2 ethcs yesterdy")
    assert "looks like credits to log" in (await ana.next_reply()).text
    await ana.send("Texas")
    assert "Texas Medical Board" in (await ana.next_reply()).text


async def test_add_another_licence_answered_by_typing(bot: BotUnderTest) -> None:
    """Sandbox: "done" typed at "Add another licence? [Add another licence] [Done]" got
    "Sorry, I didn't understand that"; a licence's name typed there adds it."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("Ohio")
    assert "State Medical Board of Ohio" in (await ana.next_reply()).text
    await ana.send("Jan 31 2027")
    await reply_with(ana, "Add another licence?")
    await ana.send("Florida")
    assert "Florida" in (await ana.next_reply()).text
    await ana.send("Jan 31 2028")
    await reply_with(ana, "How many times")
    await ana.send("3")
    await reply_with(ana, "DEA registration")
    await ana.send("yes")
    await reply_with(ana, "Add another licence?")
    await ana.send("done")
    assert "Where do you practise?" in (await ana.next_reply()).text
    async with transaction(bot.services.sessionmaker) as session:
        florida = await session.scalar(select(Licence).where(Licence.label.like("Florida%")))
    assert florida is not None and florida.flags  # the typed "yes" was the answer


async def test_add_another_licence_tells_a_licence_from_a_log(bot: BotUnderTest) -> None:
    for user_id, typed, answer in (
        (1001, "ABIM 100 points", "renewal deadline"),  # a licence, though it reads as a log
        (1002, "2 ethics yesterday", "Log this?"),  # a log: proposed
    ):
        user = bot.user(user_id, "Ana")
        await start_as(user, "Physician (MD)")
        await user.send("Ohio")
        await user.next_reply()
        await user.send("Jan 31 2027")
        await reply_with(user, "Add another licence?")
        await user.send(typed)
        await reply_with(user, answer)
    # QA: the set-up ended there without a word about the time zone it never asked.
    assert "Your time zone is America/New_York: if you practise elsewhere" in " ".join(
        m.text or "" for m in user.messages
    )


async def test_start_during_the_licence_questions_resumes_them(bot: BotUnderTest) -> None:
    """QA: /start at "When does it next expire?" said "Welcome back" and dropped the set-up
    (the date typed next was not understood)."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.send("Ohio")
    assert "When does it next expire" in (await ana.next_reply()).text
    await ana.send("/start")
    await reply_with(ana, "Let's continue where we left off.")
    await reply_with(ana, "When does it next expire")
    await ana.send("Jan 31 2027")
    await reply_with(ana, "Add another licence?")
    await ana.send("/start")
    await reply_with(ana, "Add another licence?")
    await ana.send("done")
    assert "Where do you practise?" in (await ana.next_reply()).text
    await ana.send("/start")
    await reply_with(ana, "Where do you practise?")


async def test_one_activity_with_two_kinds_of_credit_counts_for_both(bot: BotUnderTest) -> None:
    """QA: "1 cat 1 credit and 1 MOC point" kept only the first; a certificate giving both
    Category 1 credits and ABIM MOC points logged only one for a Texas + ABIM internist."""
    ana = bot.user()
    await name_licence(ana, "Texas")
    await ana.send("Aug 31 2027")
    await reply_with(ana, "How many times")
    await ana.send("3")
    await reply_with(ana, "One more question")
    await ana.send("yes")
    await reply_with(ana, "Add another licence?")
    await name_licence(ana, "ABIM 100 points")
    await ana.send("Dec 31 2029")
    await reply_with(ana, "Add another licence?")

    await ana.send("2 cat 1 credits and 2 MOC points sepsis update yesterday")
    proposal = (await ana.next_reply()).text
    assert "• 2 credits — AMA PRA Category 1" in proposal
    assert "• and 2 points — ABIM MOC points (the same activity)" in proposal
    await ana.press("✅ Save")
    assert "Saved: 2 credits + 2 points, Sepsis" in (await ana.next_edit()).text
    toward = (await ana.next_reply()).text
    assert "Texas Medical Board" in toward and "ABIM MOC (5-year points)" in toward

    await ana.upload("abim.pdf", certificate_pdf(ABIM), "application/pdf")
    await ana.next_reply()
    proposal = (await ana.next_reply()).text
    assert "• 12 credits — AMA PRA Category 1" in proposal
    assert "• and 10 points — ABIM MOC points (the same activity)" in proposal
    await ana.press("✅ Save")
    await ana.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(CreditEntry).order_by(CreditEntry.id))).scalars()
        saved = [(e.title, str(e.amount), e.category) for e in rows]
    assert saved == [
        ("Sepsis", "2.00", "ama_pra_1"),
        ("Sepsis", "2.00", "moc"),
        ("MKSAP 19: Hematology and Oncology", "12.00", "ama_pra_1"),
        ("MKSAP 19: Hematology and Oncology", "10.00", "moc"),
    ]
    # QA: a requirement that takes any credit counted the activity twice (2 + 2).
    await ana.send("I need 40 credits by 2027-06-30")
    await reply_with(ana, "Saved your requirement")
    await ana.send("/status")
    status = await reply_with(ana, "/ 40 credits")
    assert "14 / 40 credits" in status  # 2 (Sepsis, once) + 12 (MKSAP, the larger)

    # QA: editing one kind moved only it; the activity's date and title are shared.
    await ana.send("/credits")
    listing = await reply_with(ana, "Your credits")
    assert "2. Nov 23, 2026 — 2 credits (AMA PRA Category 1 Credit) — Sepsis" in listing
    await ana.press("✏️ 2")
    await ana.next_reply()
    await ana.press("✏️ Title")
    await ana.next_reply()
    await ana.send("Sepsis update 2026")
    await ana.next_reply()
    await ana.press("✅ Save")
    await reply_with(ana, "Counts toward")
    async with transaction(bot.services.sessionmaker) as session:
        titles = (await session.execute(select(CreditEntry.title))).scalars().all()
    assert sorted(titles).count("Sepsis update 2026") == 2

    # QA: /undo took back one kind of the activity and left the other.
    ana = bot.user()  # read from here on
    await ana.send("1 cat 1 credit and 1 MOC point ethics yesterday")
    await ana.next_reply()
    await ana.press("✅ Save")
    assert "Saved" in (await ana.next_edit()).text
    await reply_with(ana, "Counts toward")
    await ana.send("/undo")
    assert "(1 credit + 1 point," in (await ana.next_reply()).text
    await ana.press("Delete")
    assert "Deleted" in (await ana.next_edit()).text
    async with transaction(bot.services.sessionmaker) as session:
        left = (await session.execute(select(CreditEntry.title))).scalars().all()
    assert len(left) == 4 and "Medical ethics" not in left


async def test_the_profession_and_the_kind_of_credit_can_be_typed(bot: BotUnderTest) -> None:
    """QA: "MD" or "physican md" at the profession buttons, and "cat 2" at the credit-kind
    buttons, got "Sorry, I didn't understand that"."""
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    await reply_with(ana, "What is your profession?")
    await ana.send("hello?")
    assert "Which of these is your profession?" in (await ana.next_reply()).text
    await ana.send("physican md")
    assert "Which licence" in (await ana.next_reply()).text
    await ana.send("/cancel")
    await reply_with(ana, "OK, cancelled.")
    await ana.send("/log 2 ethics yesterday")
    await ana.next_reply()
    assert "2 credits — AMA PRA Category 2" in await fix(ana, "🏷 Category", "cat 2")
    unknown = await fix(ana, "🏷 Category", "gold stars")
    assert "I don't know the kind of credit “gold stars”" in unknown
    async with transaction(bot.services.sessionmaker) as session:
        profession = await session.scalar(select(Clinician.profession))
    assert profession == "md"


async def test_the_day_asked_for_a_month_is_answered(bot: BotUnderTest) -> None:
    """QA: "… in October" asked "On which day did you complete it?"; "Oct 15" then got
    "Sorry, I didn't understand that"."""
    ana = bot.user()
    await ana.send("I did 6 category 2 credits reading journals in October")
    assert "On which day did you complete it?" in (await ana.next_reply()).text
    await ana.send("tomorrow")
    assert "in the future" in (await ana.next_reply()).text
    await ana.send("Oct 15")
    proposal = (await ana.next_reply()).text
    assert "6 credits — AMA PRA Category 2" in proposal and "Oct 15, 2026" in proposal
    await ana.send("/log 2 ethics 1999")
    assert "On which day" in (await ana.next_reply()).text
    await ana.send("how many credits do I still need?")  # not an answer: answered as asked
    assert "no licences" in (await ana.next_reply()).text


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("½ credit ethics today", "0.5"),
     ("half a credit of ethics today", "0.5"),
     ("2 and a half hours ethics yesterday", "2.5")],
)  # fmt: skip
async def test_amounts_typed_as_people_say_them(bot: BotUnderTest, typed: str, amount: str) -> None:
    """QA: each got "Sorry, I didn't understand that"."""
    ana = bot.user()
    await ana.send(typed)
    draft = await reply_with(ana, "Log this?")
    assert f"• {amount} credits —" in draft


@pytest.mark.parametrize("typed", ["2 credits ethics on Nov 3 2026",
                                   "1.5 hrs opioid course renewal 11/03/2026"])
async def test_a_log_with_a_year_is_not_a_requirement(bot: BotUnderTest, typed: str) -> None:
    ana = bot.user()
    await ana.send(typed)
    assert "Log this?" in (await ana.next_reply()).text


async def test_thanks_gets_a_reply(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("thanks! 👍")
    assert "You're welcome" in (await ana.next_reply()).text
    await ana.send("🙏 thanks!")  # QA round 6: "didn't understand"
    assert "You're welcome" in (await ana.next_reply()).text
    await ana.send("when does my license expire?")  # QA round 6: "didn't understand"
    assert "didn't understand" not in (await ana.next_reply()).text


async def test_ceus_are_asked_about_before_the_draft(bot: BotUnderTest) -> None:
    """QA: "1 CEU" became 10 credits without a word; then (an NP's session) a warning under
    the draft was not enough: one tap on Save logged ten times the hours meant."""
    ana = bot.user()
    await ana.send("1 CEU pharmacology yesterday")
    asked = await ana.next_reply()
    assert asked.text.startswith("1 CEU: 10 credits or 1 credit?"), asked.text
    assert asked.buttons == [["10 credits (1 CEU)"], ["1 credit"]], asked.buttons
    await ana.press("10 credits (1 CEU)")  # a CEU is ten contact hours
    draft = (await ana.next_edit()).text
    assert draft.startswith("Log this?\n• 10 credits —") and "CEU" not in draft, draft


async def test_a_certificate_or_a_log_during_the_set_up_then_continues_it(
    bot: BotUnderTest,
) -> None:
    """QA: a certificate sent at "Which licence?" (as the greeting invites), then saved,
    lost the set-up: "California" was not understood and /start did not resume it."""
    ana = bot.user(1001, "Ana")
    await start_as(ana, "Physician (MD)")
    await ana.upload("accme.pdf", certificate_pdf(ACCME), "application/pdf")
    await reply_with(ana, "Log this?")
    await ana.press("✅ Save")
    await ana.next_edit()
    # Not "You have no licences … add one" first (QA round 6): the set-up asks for it.
    assert (await ana.next_reply()).text == "Let's continue where we left off."
    await reply_with(ana, "Which licence")
    await ana.send("/log 1 ethics yesterday")
    await reply_with(ana, "Log this?")
    await ana.send("/start")  # with the log still waiting for Save
    await reply_with(ana, "Let's continue where we left off.")
    await reply_with(ana, "Which licence")
    await ana.send("Ohio")
    await reply_with(ana, "When does it next expire")


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("undo", "There is nothing to undo."),
        ("delete my last entry", "There is nothing to undo."),
        ("oops that was wrong, delete it", "There is nothing to undo."),  # QA round 8
        ("show my credits", "You haven't logged any credits yet."),
        ("stop reminders", "All reminders are paused."),
        ("reminders", "Your reminders"),
        ("quiet hours", "Your reminders"),
        ("help", "What I can do"),
        ("change my time zone to Chicago", "Time zone set to America/Chicago"),
        ("time zone", "Where do you practise?"),
        ("remove my Florida license", "Which licence or certification?"),
        ("my courses", "remind you"),
        ("privacy", "rivacy"),
    ],
)
async def test_a_command_asked_for_in_words_is_answered_by_it(
    bot: BotUnderTest, said: str, answer: str
) -> None:
    """QA: each of these got "Sorry, I didn't understand that"."""
    ana = bot.user(1001, "Ana")
    await ana.send(said)
    reply = (await ana.next_reply()).text or ""
    assert answer in reply and "didn't understand" not in reply, reply


async def _pending_reminders(bot: BotUnderTest) -> int:
    async with transaction(bot.services.sessionmaker) as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(ReminderOutbox)
                .where(ReminderOutbox.status == "pending")
            ) or 0
        )  # fmt: skip


async def test_stop_reminders_in_words_pauses_them_and_resume_undoes_it(
    bot: BotUnderTest,
) -> None:
    """QA round 6: "stop reminders" only opened the panel, and nothing stopped."""
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30))
    await tick_now(bot.app)
    planned = await _pending_reminders(bot)
    assert planned > 0
    ana = bot.user(1001, "Ana")
    await ana.send("please stop my reminders")
    paused = await ana.next_reply()
    assert "All reminders are paused." in (paused.text or "")
    assert ["▶️ Resume"] in paused.buttons
    assert await _pending_reminders(bot) == 0
    await ana.send("turn on reminders")
    resumed = await ana.next_reply()
    assert "paused" not in (resumed.text or "") and ["⏸ Pause all"] in resumed.buttons
    assert await _pending_reminders(bot) == planned


async def test_small_things_qa_found(bot: BotUnderTest) -> None:
    """QA nits: an empty file was "not a PDF"; /license was unknown; a described
    requirement's source read "entered by you (checked …)"."""
    ana = bot.user(1001, "Ana")
    await ana.upload("certificate.pdf", b"", "application/pdf")
    assert "That file is empty" in await reply_with(ana, "empty")
    await ana.send("/license")
    assert "Which licence" in await reply_with(ana, "Which licence")
    await ana.send("I need 20 hours by 2027-09-30, 2 of them ethics")
    await reply_with(ana, "Saved your requirement")
    await ana.send("/status")
    status = await reply_with(ana, "My requirement")
    assert "Source: as you described it on Nov 24, 2026" in status, status


async def test_a_log_told_as_a_story_is_proposed(bot: BotUnderTest) -> None:
    """QA round 7: a long, natural message got "Sorry, I didn't understand that"."""
    ana = bot.user(1001, "Ana")
    await ana.send(
        "Hi, just got back from the AOA OMED conference in Philadelphia, I earned 12 AOA "
        "1-A credits there, it ended Oct 25, can you log that for me please"
    )
    draft = await reply_with(ana, "Log this?")
    assert "12 credits — AOA Category 1-A" in draft, draft
    assert "AOA OMED conference Philadelphia" in draft and "Oct 25" in draft, draft
