"""Operator commands: only ADMIN_IDS see them; broadcasts go through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.store.db import transaction
from bot.store.models import Clinician
from scheduler.jobs import tick_now
from tests.e2e.conftest import START, BotUnderTest, reply_with
from tests.e2e.test_timezone_and_reminders_fixes import add_course

ADMIN = 9001
pytestmark = pytest.mark.postgres


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": f"{ADMIN},1087968824"}


async def test_non_admins_get_the_ordinary_unknown_command_reply(bot: BotUnderTest) -> None:
    ana = bot.user(1001, "Ana")
    for command in ("/stats", "/broadcast hi all"):
        await ana.send(command)
        reply = await ana.next_reply()
        assert "I don't know the command" in reply.text


async def test_admin_stats(bot: BotUnderTest) -> None:
    for user_id in (1001, 1002):
        user = bot.user(user_id, f"U{user_id}")
        await user.send("/start")
        await reply_with(user, "What is your profession?")
    for days in (-30, 30):  # QA: a course of last month was counted as one on offer
        await add_course(bot, START + timedelta(days=days))
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/stats")
    reply = await boss.next_reply()
    assert "Clinicians: 3 active, 0 blocked" in reply.text
    assert "Courses: 1 upcoming or under way, by catalogue:" in reply.text, reply.text
    assert "• qa: 1 (last changed 2026-12-06 16:00 UTC)" in reply.text  # QA round 9


async def test_broadcast_previews_confirms_and_is_delivered_once(bot: BotUnderTest) -> None:
    users = [bot.user(user_id, f"U{user_id}") for user_id in (1001, 1002, 1003)]
    for user in users:
        await user.send("/start")
        await reply_with(user, "What is your profession?")
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/broadcast New <opioid> courses are online & free")
    preview = await boss.next_reply()
    assert "4" in preview.text and "New <opioid> courses" in preview.text
    send_data = preview.button_data[0][0]
    assert send_data is not None
    intruder = users[0]  # forges the admin's button onto a message of their own
    await intruder.send("/help")
    own = await intruder.next_reply()
    assert "/broadcast" not in own.text  # QA: admins only, and to them /help names them
    await reply_with(intruder, "set-up is not finished")  # /start was left at its question
    await boss.send("/help")
    assert "/stats" in (await boss.next_reply()).text
    await intruder.press_data(send_data, own.message_id)
    assert (await intruder.callback_answer()) is not None
    await boss.press("Send to 4")
    assert "Queued for 4" in (await boss.next_edit()).text
    await tick_now(bot.app)
    for user in [*users, boss]:
        assert (await user.next_reply()).text == "New <opioid> courses are online & free"
    await boss.press_data(send_data, preview.message_id)  # pressed twice
    await tick_now(bot.app)
    for user in users:
        assert [m.text for m in user.messages if "New <opioid>" in (m.text or "")] == [
            "New <opioid> courses are online & free"
        ]
    await boss.send("/stats")  # messages the dispatcher sent, once each
    assert "last day 4 sent, 0 failed" in ((await boss.next_reply()).text or "")


async def test_broadcast_cancel_sends_nothing(bot: BotUnderTest) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/broadcast Hello")
    await boss.next_reply()
    await boss.press("Cancel")
    assert "nothing was sent" in (await boss.next_edit()).text
    await tick_now(bot.app)
    assert [m.text for m in boss.messages].count("Hello") == 0


async def test_a_broadcast_waits_for_each_clinicians_quiet_hours_to_end(
    bot: BotUnderTest,
) -> None:
    """QA: an announcement at 22:06 reached someone whose quiet hours began at 21:00."""
    ana, ben = bot.user(1001, "Ana"), bot.user(1002, "Ben")
    for user in (ana, ben):
        await user.send("/start")
        await reply_with(user, "What is your profession?")
    async with transaction(bot.services.sessionmaker) as session:
        sleeper = await session.scalar(select(Clinician).where(Clinician.telegram_id == 1002))
        assert sleeper is not None  # quiet 09:00-12:00 New York; START is 10:00 there
        sleeper.quiet_start_min, sleeper.quiet_end_min = 9 * 60, 12 * 60
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/broadcast Grand rounds moved to Friday")
    assert "when their quiet hours end" in (await boss.next_reply()).text
    await boss.press("Send to 3")
    await boss.next_edit()
    await tick_now(bot.app)
    assert (await ana.next_reply()).text == "Grand rounds moved to Friday"
    assert not any("Grand rounds" in (m.text or "") for m in ben.messages)
    bot.clock.set(datetime(2026, 11, 24, 12, 1, tzinfo=ZoneInfo("America/New_York")))
    await tick_now(bot.app)
    assert (await ben.next_reply()).text == "Grand rounds moved to Friday"
