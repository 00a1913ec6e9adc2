"""QA nits in the set-up, end to end: a profession without state rules is not shown
physician examples; a described requirement's heading says its window once, without
"every renewal"."""

from __future__ import annotations

from tests.e2e.conftest import BotUnderTest, reply_with, start_as


async def test_a_pharmacist_is_asked_to_describe_the_requirement(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    asked = await start_as(ana, "Pharmacist")
    assert "I don't have state rules for a pharmacist licence yet" in asked
    assert "Florida MD" not in asked and "ABIM" not in asked
    await ana.send("I need 30 credits by 2027-06-30, 2 of them ethics")
    status = await reply_with(ana, "My requirement")
    heading = status.splitlines()[0]
    window = "30 credits from Jul 1, 2025 to Jun 30, 2027"  # no start given: two years
    assert heading == f"My requirement (due Jun 30, 2027) — {window}"
    assert "Medical ethics: 0 of 2 h — 2 to go (in your requirement)" in status
    assert "every renewal" not in status


async def test_a_physician_still_gets_state_examples(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    asked = await start_as(ana, "Physician (MD)")
    assert "e.g. Texas, Florida MD" in asked
