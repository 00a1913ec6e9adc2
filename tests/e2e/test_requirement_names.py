"""Described requirements named in the sentence, end to end: "for my Georgia licence" is a
name, a misspelt state is the same licence, and a repeat under a close name is not tracked
twice (sandbox: each typo added a requirement, every credit counted toward both)."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Licence
from tests.e2e.conftest import BotUnderTest, reply_with, start_as


async def held(bot: BotUnderTest) -> list[tuple[str, str | None]]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(Licence).order_by(Licence.id))).scalars().all()
        return [(row.label, row.jurisdiction) for row in rows]


async def describe(nurse: SandboxUser, sentence: str, answer: str) -> str:
    await nurse.send(sentence)
    return await reply_with(nurse, answer)


async def test_a_state_licence_named_after_for_and_its_misspelt_repeats(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    assert "describe its requirement" in await start_as(clinician, "Nurse")
    saved = await describe(
        clinician, "I need 30 hours for my Georgia licence by Decmber 2027", "Saved"
    )
    assert "30 hours from Jan 1, 2026 to Dec 31, 2027" in saved
    await reply_with(clinician, "Add another licence?")
    for repeat in (
        "Gerogia licence: I need 30 hours by Dec 2027",
        "Georgia, 30 hours by Dec 2027",
        "Georgia license: 30 contact hours due 12/31/2027",  # QA round 12: another unit word
        "I need 30 hours for Georiga by Dec 2027",
    ):
        said = await describe(clinician, repeat, "already track")
        assert "(Georgia licence)" in said, said
    assert await held(bot) == [("Georgia licence", "US-GA")]


async def test_two_licences_with_the_same_figures_are_both_kept(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    """A nurse may hold an RN and an APRN licence in one state, due the same day."""
    await start_as(clinician, "Nurse")
    await describe(clinician, "Georgia RN: I need 30 hours by Dec 2027", "Saved")
    await reply_with(clinician, "Add another licence?")
    await describe(clinician, "Georgia APRN: I need 30 hours by Dec 2027", "Saved")
    assert [label for label, _ in await held(bot)] == [
        "Georgia RN", "Georgia APRN",
    ]  # fmt: skip


async def test_a_recurring_requirement_names_only_its_current_cycle(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    """QA round 11: after the cycle moved on, "Texas APRN (due Mar 31, 2027) — 20 contact
    hours from Apr 1, 2025 to Mar 31, 2027" stood above "Due Mar 31, 2029"."""
    from datetime import UTC, datetime

    await start_as(clinician, "Nurse practitioner")
    await describe(
        clinician, "Texas APRN: I need 20 contact hours by 2027-03-31, 5 of them "
        "pharmacology, every 2 years", "Saved",
    )  # fmt: skip
    await reply_with(clinician, "Add another licence?")
    bot.clock.set(datetime(2027, 6, 1, 15, tzinfo=UTC))
    await clinician.send("/status")
    status = await reply_with(clinician, "Texas APRN")
    assert status.splitlines()[0] == (
        "Texas APRN — 20 contact hours every 2 years, this cycle Apr 1, 2027 – Mar 31, 2029"
    ), status
    assert "2025" not in status and "Due Mar 31, 2029" in status, status
    assert await held(bot) == [("Texas APRN", "US-TX")]


async def test_a_requirement_told_in_its_own_order_at_the_set_up(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    """QA round 11: matched to ABIM ("for another profession") and refused."""
    await start_as(clinician, "Nurse practitioner")
    saved = await describe(
        clinician, "My Texas APRN license renews every 2 years, next is 2027-03-31. I need 20 "
        "contact hours, 5 of them pharmacology", "Saved",
    )  # fmt: skip
    assert "including 5 contact hours of Pharmacology" in saved, saved
    assert await held(bot) == [("Texas APRN license", "US-TX")]


async def test_a_topic_said_later_is_added_to_the_requirement_it_names(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    """QA round 12: "also need 2 hours ethics for my Texas RN license by March 2027" became
    "Texas RN license 2", a 2-hour requirement of its own."""
    await start_as(clinician, "Nurse")
    await describe(
        clinician, "Texas RN license - I need 20 contact hours by March 31 2027 every two "
        "years", "Add another licence?",
    )  # fmt: skip
    added = await describe(
        clinician, "also need 2 hours ethics for my Texas RN license by March 2027", "Added to"
    )
    assert "Texas RN license: 2 contact hours of Medical ethics, within its 20" in added, added
    refused = await describe(
        clinician, "Texas RN license: I need 30 hours of ethics by March 2027", "changed nothing"
    )
    assert "more than Texas RN license's 20 contact hours" in refused, refused
    assert await held(bot) == [("Texas RN license", "US-TX")]
    await clinician.send("/status")
    assert "Medical ethics: 0 of 2 h" in await reply_with(clinician, "Due Mar 31, 2027")
