"""The Amount fix of a draft, end to end: a number in words is a number, and a wrong
answer names the draft's unit (QA: "twelve" at "How many points?" said "credits")."""

from __future__ import annotations

from datetime import date

from bot.store import clinicians, licences
from bot.store.db import transaction
from tests.e2e.conftest import START, BotUnderTest


async def test_points_amount_in_words_and_a_wrong_one(bot: BotUnderTest) -> None:
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        await licences.add(
            session, owner, label="ABIM", rule_id="abim-moc", renewal_date=date(2028, 12, 31),
            now=START,
        )  # fmt: skip
    ana = bot.user(1001, "Ana")
    await ana.send("/log 10 moc points sepsis yesterday")
    assert "10 points — ABIM MOC points" in (await ana.next_reply()).text
    await ana.press("🔢 Amount")
    assert "How many points?" in (await ana.next_reply()).text
    await ana.send("lots")
    assert (await ana.next_reply()).text == "“lots” is not a number of points. Write it like 2.5."
    await ana.send("twelve")
    assert "12 points — ABIM MOC points" in (await ana.next_reply()).text
