"""The specialty, asked where a requirement depends on it and said in words any time (QA
round 11: California's geriatrics, for internists and family physicians with a panel over
25% aged 65+, could never apply: nothing asked or stored the specialty)."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Clinician
from tests.e2e.conftest import BotUnderTest, reply_with, start_as

GERIATRICS = "Geriatric medicine (20% of your CME): 0 of 10 h"


async def specialties(bot: BotUnderTest) -> list[str]:
    async with transaction(bot.services.sessionmaker) as session:
        return list(await session.scalar(select(Clinician.specialties)) or [])


async def add_california(ana: SandboxUser, over_65: str) -> None:
    await start_as(ana, "Physician (MD)")
    await ana.send("California")
    await reply_with(ana, "renewal deadline")
    await ana.send("August 31 2027")
    await reply_with(ana, "already renewed")
    await ana.press("3")
    await reply_with(ana, "aged 65 or older")
    await ana.press(over_65)


async def test_the_specialty_is_asked_when_a_requirement_depends_on_it(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    await add_california(clinician, "Yes")
    asked = await clinician.next_reply()
    assert "what is your specialty?" in asked.text, asked.text
    assert asked.buttons == [["Family medicine"], ["Internal medicine"], ["Another specialty"]]
    await clinician.send("I'm an internist")  # typed as a sentence, not pressed
    status = await reply_with(clinician, "Due Aug 31, 2027")
    assert GERIATRICS in status, status
    assert await specialties(bot) == ["internal_medicine"]


async def test_not_asked_when_nothing_depends_on_it(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    await add_california(clinician, "No")  # geriatrics needs the 65+ panel
    assert "Saved" in (await clinician.next_reply()).text
    assert await specialties(bot) == []


async def test_said_in_words_it_changes_what_is_required(
    bot: BotUnderTest, clinician: SandboxUser
) -> None:
    await add_california(clinician, "Yes")
    await clinician.next_reply()
    await clinician.press("Another specialty")
    assert GERIATRICS not in await reply_with(clinician, "Due Aug 31, 2027")
    await reply_with(clinician, "Add another licence?")
    await clinician.send("I'm an internist")
    said = await reply_with(clinician, "Noted: your specialty is Internal medicine")
    assert GERIATRICS in await reply_with(clinician, "Due Aug 31, 2027"), said
    await clinician.send("my specialty is radiology")
    status = await reply_with(clinician, "Due Aug 31, 2027")
    assert "(not required for Radiology)" in status and GERIATRICS not in status, status
    for said, specialty in (("I am a family physician", "Family medicine"),  # QA round 12:
                            ("actually I practice radiology", "Radiology")):  # profession only
        await clinician.send(said)
        assert specialty in await reply_with(clinician, "Noted: your specialty")
        await reply_with(clinician, "Due Aug 31, 2027")
    await clinician.send("I'm tired")  # not a specialty: not taken for one
    assert "specialty" not in (await clinician.next_reply()).text
    assert await specialties(bot) == ["radiology"]
