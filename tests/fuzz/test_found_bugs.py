"""Deterministic reproductions of what the fuzzer found (one test per bug).

Each test names the input that failed; the fuzz suite would find it again, these say so
in one line and keep it fixed.
"""

from __future__ import annotations

import pytest

from bot import texts
from tests.e2e.conftest import BotUnderTest
from tests.fuzz.harness import recording_errors, settle

pytestmark = pytest.mark.postgres


async def _quiet_reply(bot: BotUnderTest, text: str) -> str:
    ana = bot.user(1001, "Ana")
    with recording_errors() as errors:
        update_id = await ana.send(text)
        await settle(bot, update_id)
        assert not errors.take()
    return (await ana.next_reply()).text


async def test_timezone_typo_offers_suggestions(bot: BotUnderTest) -> None:
    """/timezone Bostn crashed: suggestions are Places, html.escape got a Place."""
    ana = bot.user(1001, "Ana")
    with recording_errors() as errors:
        await settle(bot, await ana.send("/timezone Bostn"))
        assert not errors.take()
    assert ["Boston, Massachusetts, US"] in (await ana.next_reply()).buttons


async def test_timezone_command_with_a_question_is_answered(bot: BotUnderTest) -> None:
    """/timezone how many credits do I still need?: silence (the where-question let the
    question pass to the router, which never sees a command's arguments)."""
    assert await _quiet_reply(bot, "/timezone how many credits do I still need?")


async def test_an_amount_of_forty_nines_is_refused_not_an_error(bot: BotUnderTest) -> None:
    """/log 9999999999999999999999999999999999999999: rounding to hundredths raised
    decimal.InvalidOperation (more digits than the context holds)."""
    assert "more than I accept" in await _quiet_reply(bot, "/log " + "9" * 40)


@pytest.mark.parametrize(("latitude", "longitude"), [(91.0, 180.0), (-1000.0, 0.0), (0.0, 500.0)])
async def test_impossible_shared_location_gets_an_answer(
    bot: BotUnderTest, latitude: float, longitude: float
) -> None:
    """A location outside [-90, 90] x [-180, 180] got no reply at all (courses) or an error."""
    ana = bot.user(1001, "Ana")
    with recording_errors() as errors:
        update_id = await ana.share_location(latitude, longitude)
        await settle(bot, update_id)
        assert not errors.take()
    assert (await ana.next_reply(timeout=2)).text


async def test_nul_in_a_name_does_not_lock_the_user_out(bot: BotUnderTest) -> None:
    """PostgreSQL rejects NUL in text: a first name with \\x00 failed every update."""
    odd = bot.user(1002, "Ana\x00Maria")
    with recording_errors() as errors:
        update_id = await odd.send("/help")
        await settle(bot, update_id)
        assert not errors.take()
    assert "/status" in (await odd.next_reply()).text


@pytest.mark.parametrize(
    "text", ['/log 2 ethics "Safe\x00prescribing" yesterday', "I did 3 credits of ethics\x00"]
)
async def test_nul_in_a_logged_title_is_not_an_error(bot: BotUnderTest, text: str) -> None:
    """The draft (JSONB on PostgreSQL) and the title column both refuse NUL."""
    reply = await _quiet_reply(bot, text)
    assert reply


async def _many_of_everything(bot: BotUnderTest, count: int) -> None:
    """Ana with ``count`` licences (long labels, a mandate each) and course subscriptions."""
    from datetime import date

    from sqlalchemy import select

    from bot.courses.sample import load_sample_if_empty
    from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
    from bot.store import clinicians, subscriptions
    from bot.store import licences as licence_store
    from bot.store.db import transaction
    from bot.store.models import Course

    now = bot.clock.now()
    await load_sample_if_empty(bot.services.sessionmaker, now)
    topics = ["ethics", "opioid prescribing", "medical errors", "pain management", "sepsis"]
    async with transaction(bot.services.sessionmaker) as session:
        me, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=now,
        )  # fmt: skip
        found = await session.execute(select(Course).where(Course.starts_at > now).limit(count))
        for course in found.scalars():
            await subscriptions.subscribe(session, me, course.id, now)
        for i in range(count):
            spec = parse_custom_requirement(
                f"I need 40 credits by 2027-06-30, 10 of them {topics[i % len(topics)]}"
            )
            assert isinstance(spec, CustomRequirementSpec)
            await licence_store.add(
                session, me, label=f"Licence {i} " + "x" * 110, now=now,
                custom_rule=spec.to_dict(), renewal_date=date(2027, 6, 30),
            )  # fmt: skip


@pytest.mark.parametrize("request_text", ["/licences", "/mycourses", "courses I need"])
async def test_long_lists_fit_in_telegram_messages(bot: BotUnderTest, request_text: str) -> None:
    """One message per list: 40 licences or subscriptions passed 4096 characters."""
    await _many_of_everything(bot, 40)
    reply = await _quiet_reply(bot, request_text)
    assert "went wrong" not in reply


async def test_a_button_reply_that_hits_a_502_is_retried_not_lost(bot: BotUnderTest) -> None:
    """One 502 on the reply to a press: the reply is retried and arrives; no apology."""
    ana = bot.user(1001, "Ana")
    update_id = await ana.send("/help")
    await settle(bot, update_id)
    ana.mark_all_read()
    faults = bot.sandbox.faults
    faults.methods = frozenset({"sendmessage"})
    faults.error_rate = 0.5
    faults.reseed(1)  # draws 0.13 (the reply fails with 502), then 0.85 (the retry passes)
    update_id = await ana.press_data("lic:add", bot.sandbox.messages(1001)[-1].message_id)
    await settle(bot, update_id)
    faults.error_rate = 0.0
    assert bot.sandbox.stats.faults["error"] == 1
    assert "went wrong" not in (await ana.next_reply(timeout=2)).text


@pytest.mark.parametrize("settings_overrides", [{"reply_retry_seconds": 0.3}])
async def test_a_failed_button_reply_still_gets_the_apology(bot: BotUnderTest) -> None:
    """deliver() answers the press first; on_error's second answer() raised ("query is too
    old") inside its try, so the apology was never sent: the user saw nothing at all.
    Here the reply fails past its retry budget, then Telegram recovers for the apology."""
    ana = bot.user(1001, "Ana")
    update_id = await ana.send("/help")
    await settle(bot, update_id)
    ana.mark_all_read()
    faults = bot.sandbox.faults
    faults.methods = frozenset({"sendmessage"})
    faults.error_rate = 0.5
    # Draws 0.32 and 0.15 fail the reply and its one retry inside 0.3 s, 0.65 passes the apology.
    faults.reseed(7)
    with recording_errors() as errors:
        update_id = await ana.press_data("lic:add", bot.sandbox.messages(1001)[-1].message_id)
        await settle(bot, update_id)
        assert any("handler failed" in line for line in errors.take())
    faults.error_rate = 0.0
    assert bot.sandbox.stats.faults["error"] == 2
    assert (await ana.next_reply(timeout=2)).text == texts.REPLY_UNDELIVERED


@pytest.mark.parametrize("request_text", ["/licences", "/mycourses"])
async def test_long_lists_fit_in_one_keyboard(bot: BotUnderTest, request_text: str) -> None:
    """Two buttons per item: past 50 licences (or subscriptions) the keyboard broke
    Telegram's 100-button limit ("reply markup is too long")."""
    await _many_of_everything(bot, 60)
    reply = await _quiet_reply(bot, request_text)
    assert "went wrong" not in reply


@pytest.mark.parametrize("data", ["cred:del:2147483648", "lic:del:2541877544", "cd:99999999999"])
async def test_an_id_beyond_the_integer_columns_is_expired_not_an_error(
    bot: BotUnderTest, data: str
) -> None:
    """Forged "cred:del:2147483648": PostgreSQL refused the int32 argument, the update
    failed with a DataError."""
    ana = bot.user(1001, "Ana")
    await ana.send("/help")
    message = await ana.next_reply()
    with recording_errors() as errors:
        await settle(bot, await ana.press_data(data, message.message_id))
        assert not errors.take()
    assert (await ana.callback_answer()).text
