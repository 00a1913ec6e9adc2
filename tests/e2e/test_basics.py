"""/start, /help and the catch-all, through the sandbox and the real Application."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import texts
from bot.store.db import transaction
from bot.store.models import Clinician
from tests.e2e.conftest import BotUnderTest, reply_with

pytestmark = pytest.mark.postgres


async def test_start_greets_and_creates_the_clinician(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    reply = await ana.next_reply()
    assert "Hello Ana" in reply.text
    assert reply.text.count("•") == 3
    setup = await ana.next_reply()
    assert "What is your profession?" in setup.text and "Skip" in str(setup.buttons)
    async with transaction(bot.services.sessionmaker) as session:
        rows = (await session.execute(select(Clinician))).scalars().all()
    assert [(row.telegram_id, row.first_name, row.timezone) for row in rows] == [
        (1001, "Ana", "America/New_York")
    ]
    await ana.send("/start")
    assert "Welcome back" in (await ana.next_reply()).text


async def test_start_after_another_first_message_still_sets_up(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    await ana.send("/help")
    await ana.next_reply()
    await ana.send("/start")  # the row exists since /help, but nothing was ever set up
    assert "Hello Ana" in (await ana.next_reply()).text
    assert "What is your profession?" in (await ana.next_reply()).text
    await ana.press("Physician (MD)")
    await reply_with(ana, "Which licence or certification?")
    await ana.send("/start")  # something is set up now
    assert "Welcome back" in (await ana.next_reply()).text


async def test_help_lists_every_command(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/help")
    reply = await ana.next_reply()
    for command, _ in texts.COMMANDS:
        assert f"/{command}" in reply.text


async def test_command_menu_is_set_at_start(bot: BotUnderTest) -> None:
    commands = [c["command"] for c in bot.sandbox.commands[next(iter(bot.sandbox.commands))]]
    assert commands == [name for name, _ in texts.COMMANDS]


@pytest.mark.parametrize(
    "text",
    ["blah blah", "🙂🙂🙂", "x" * 4096, "é" * 5000, "<b>not html</b> & ;", "/"],
)
async def test_anything_unknown_gets_a_hint_never_silence(bot: BotUnderTest, text: str) -> None:
    ana = bot.user()
    await ana.send(text)
    reply = await ana.next_reply()
    assert reply.text
    assert "Traceback" not in reply.text


async def test_unknown_command_is_named(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/frobnicate now")
    reply = await ana.next_reply()
    assert "/frobnicate" in reply.text and "/help" in reply.text


async def test_group_chat_never_shows_personal_data(bot: BotUnderTest) -> None:
    chat_id = -100123
    bot.sandbox.push_text("/help", user_id=1001, chat_id=chat_id, chat_type="group")
    reply = await bot.sandbox.wait_for_message(chat_id)
    assert "privately" in reply.text and "t.me/cme_sandbox_bot?start=" in (reply.raw_text or "")
    assert bot.sandbox.messages(1001) == []  # nothing personal went anywhere


async def test_sticker_like_messages_get_a_hint(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.share_location(42.36, -71.06)
    reply = await ana.next_reply()
    assert reply.text


async def test_a_mistyped_command_is_named_with_the_one_meant(bot: BotUnderTest) -> None:
    """QA round 7: "/lgo" got only "I don't know the command /lgo"."""
    ana = bot.user(1001, "Ana")
    await ana.send("/lgo 2 ethics yesterday")
    assert (await ana.next_reply()).text == (
        "I don't know the command /lgo. Did you mean /log?"
    )
    await ana.send("/zzzz")
    assert "/help lists the ones I do" in (await ana.next_reply()).text
