"""The dispatcher against the sandbox: once, on time, within limits, every outcome recorded."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.constants import ParseMode
from telegram.ext import Defaults, ExtBot

from bot.clock import ManualClock
from bot.sandbox.server import BotApiSandbox
from bot.store import outbox
from bot.store.db import transaction
from bot.store.models import Clinician, ReminderOutbox
from scheduler.dispatcher import Dispatcher
from tests.scheduler.conftest import NOW, make_dispatcher, seed_notices

pytestmark = pytest.mark.postgres


def delivered(sandbox: BotApiSandbox, chat_ids: range) -> Counter[str]:
    """How often each notice reached its chat (a clinician's notices due together come
    as one message, one part each)."""
    return Counter(
        part
        for chat_id in chat_ids
        for message in sandbox.messages(chat_id)
        for part in (message.text or "").split("\n\n")
    )


async def rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[ReminderOutbox]:
    async with transaction(sessionmaker) as session:
        return list((await session.execute(select(ReminderOutbox))).scalars())


async def test_due_rows_are_sent_once_and_recorded(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 120, users=40)
    async with transaction(sessionmaker) as session:  # one not yet due
        owner = (await session.execute(select(Clinician).limit(1))).scalar_one()
        await outbox.upsert_planned(
            session,
            [
                outbox.Planned(
                    owner.id, "notice", None, "later", NOW + timedelta(hours=1), {"text": "later"}
                )
            ],
            NOW,
        )
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers, batch_size=50)
    stats = await dispatcher.drain()
    assert stats.sent == 120 and stats.failed == 0
    counts = delivered(sandbox, range(10_000, 10_040))
    assert len(counts) == 120 and set(counts.values()) == {1}
    assert "later" not in counts
    by_status = Counter(row.status for row in await rows(sessionmaker))
    assert by_status == {"sent": 120, "pending": 1}
    assert all(r.telegram_message_id for r in await rows(sessionmaker) if r.status == "sent")
    assert (await dispatcher.drain()).claimed == 0  # nothing sent twice

    clock.advance(timedelta(hours=2))
    assert (await dispatcher.drain()).sent == 1


async def test_rate_limited_sandbox_429_is_retried_not_lost(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    sandbox.rate_limiter.enabled = True
    sandbox.rate_limiter.per_second = 10
    sandbox.rate_limiter.reset()
    await seed_notices(sessionmaker, sandbox, 20)
    dispatcher = make_dispatcher(
        tg_bot, sessionmaker, clock, registry=dispatchers, rate=0
    )  # deliberately too fast
    stats = await dispatcher.drain()
    assert stats.sent == 20
    assert stats.rate_limited >= 1
    assert set(delivered(sandbox, range(10_000, 10_020)).values()) == {1}


async def test_paced_dispatch_gets_no_429(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    sandbox.rate_limiter.enabled = True
    sandbox.rate_limiter.per_second = 30
    sandbox.rate_limiter.reset()
    # 3 per chat, too long to make one message: per-chat pacing matters.
    await seed_notices(sessionmaker, sandbox, 30, users=10, pad=2500)
    # Margins a loaded CI machine keeps: with 28/s and 1.05 s, a send delayed ~60 ms on its
    # way to the sandbox put two of one chat's within its 1 s window (1 of 4 suite runs).
    dispatcher = make_dispatcher(
        tg_bot, sessionmaker, clock, registry=dispatchers, rate=25, per_chat=1.25
    )
    stats = await dispatcher.drain()
    assert stats.sent == 30 and stats.messages == 30 and stats.rate_limited == 0


async def test_server_errors_are_retried_with_backoff_then_delivered(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    sandbox.faults.error_rate = 0.4
    sandbox.faults.reseed(7)
    await seed_notices(sessionmaker, sandbox, 50)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    first = await dispatcher.drain()
    assert first.retried > 0 and first.sent + first.retried == 50
    retried = [r for r in await rows(sessionmaker) if r.status == "pending"]
    assert all(r.last_error and r.due_at > NOW for r in retried)
    sandbox.faults.error_rate = 0
    clock.advance(timedelta(hours=1))
    await dispatcher.drain()
    assert Counter(r.status for r in await rows(sessionmaker)) == {"sent": 50}
    assert set(delivered(sandbox, range(10_000, 10_050)).values()) == {1}


async def test_persistent_failures_end_as_failed_with_the_error(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    sandbox.faults.error_rate = 1.0
    await seed_notices(sessionmaker, sandbox, 3)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    for _ in range(8):
        await dispatcher.drain()
        clock.advance(timedelta(hours=12))
    final = await rows(sessionmaker)
    assert {r.status for r in final} == {"failed"}
    assert all("gave up" in (r.last_error or "") for r in final)


async def test_blocked_user_is_marked_inactive_and_their_reminders_cancelled(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 4, users=2)
    async with transaction(sessionmaker) as session:
        blocked = (
            await session.execute(select(Clinician).where(Clinician.telegram_id == 10_000))
        ).scalar_one()
        await outbox.upsert_planned(
            session,
            [
                outbox.Planned(
                    blocked.id, "notice", None, "future", NOW + timedelta(days=1), {"text": "x"}
                )
            ],
            NOW,
        )
    sandbox.block(10_000)
    stats = await make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers).drain()
    assert stats.blocked >= 1 and stats.sent == 2
    async with transaction(sessionmaker) as session:
        refreshed = await session.get(Clinician, blocked.id)
        assert refreshed is not None and refreshed.active is False
        statuses = Counter(
            r.status
            for r in (
                await session.execute(
                    select(ReminderOutbox).where(ReminderOutbox.clinician_id == blocked.id)
                )
            ).scalars()
        )
    assert statuses["pending"] == 0 and statuses["cancelled"] >= 1


async def test_nothing_to_say_is_dropped_not_sent(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 1)
    async with transaction(sessionmaker) as session:
        row = (await session.execute(select(ReminderOutbox))).scalar_one()
        row.payload = {}
    stats = await make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers).drain()
    assert stats.dropped == 1 and sandbox.messages(10_000) == []


async def test_expired_lease_is_reclaimed_by_another_worker(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 10)
    async with transaction(sessionmaker) as session:  # a worker that claims and dies
        claimed = await outbox.claim_due(
            session, now=clock.now(), limit=10, worker="dead", lease=timedelta(minutes=2)
        )
        assert len(claimed) == 10
    survivor = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    assert (await survivor.drain()).claimed == 0  # leases still valid
    clock.advance(timedelta(minutes=3))
    assert (await survivor.drain()).sent == 10


async def test_shutdown_releases_claimed_rows(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 5)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    async with transaction(sessionmaker) as session:
        await outbox.claim_due(
            session, now=clock.now(), limit=5, worker=dispatcher.worker, lease=timedelta(hours=1)
        )
    await dispatcher.shutdown()
    assert {r.status for r in await rows(sessionmaker)} == {"pending"}


async def test_concurrent_claims_never_share_a_row(
    sandbox: BotApiSandbox,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    await seed_notices(sessionmaker, sandbox, 300, users=30)

    async def claimer(name: str) -> list[int]:
        got: list[int] = []
        while True:
            async with transaction(sessionmaker) as session:
                batch = await outbox.claim_due(
                    session, now=clock.now(), limit=7, worker=name, lease=timedelta(minutes=5)
                )
            if not batch:
                return got
            got += [row.id for row in batch]

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(4)))
    all_ids = [row_id for result in results for row_id in result]
    assert len(all_ids) == 300 and len(set(all_ids)) == 300


async def test_a_reminder_due_in_the_clinicians_night_waits_for_the_morning(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """QA round 7: after a pause (downtime, a jump of the clock) a course reminder due
    earlier came at 22:26, in the clinician's quiet hours. It waits for them to end."""
    await seed_notices(sessionmaker, sandbox, 1)
    async with transaction(sessionmaker) as session:
        owner = (await session.execute(select(Clinician))).scalar_one()
        owner.timezone = "America/New_York"  # NOW is 15:00 UTC: 10:00 there
    night = NOW + timedelta(hours=13)  # 04:00 UTC: 23:00 in New York, quiet until 08:00
    clock.set(night)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.deferred) == (0, 1)
    (row,) = await rows(sessionmaker)
    assert row.status == "pending" and row.due_at == NOW + timedelta(hours=22)  # 08:00 there
    clock.set(row.due_at)
    assert (await dispatcher.drain()).sent == 1
    assert len(delivered(sandbox, range(10_000, 10_001))) == 1


async def test_a_row_its_sender_placed_in_quiet_hours_goes_out_then(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """Review: an urgent course change (under 12 hours away) is queued for now even at
    night; the quiet-hours hold for late rows kept it until the morning."""
    await seed_notices(sessionmaker, sandbox, 0, users=1)
    night = NOW + timedelta(hours=13)  # 23:00 in New York, in quiet hours
    async with transaction(sessionmaker) as session:
        owner = (await session.execute(select(Clinician))).scalar_one()
        owner.timezone = "America/New_York"
        await outbox.upsert_planned(
            session, [outbox.Planned(owner.id, "notice", None, "urgent", night, {"text": "moved"})],
            NOW,
        )  # fmt: skip
    clock.set(night)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.deferred) == (1, 0)


async def test_a_clinicians_rows_due_together_make_one_message_recorded_on_each(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """QA: reminders due in the same minute came as separate messages. One message, in due
    order; each row sent once, with that message's id; nothing sent again."""
    await seed_notices(sessionmaker, sandbox, 6, users=2)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.messages) == (6, 2)
    assert [m.text for m in sandbox.messages(10_000)] == ["notice #0\n\nnotice #2\n\nnotice #4"]
    assert [m.text for m in sandbox.messages(10_001)] == ["notice #1\n\nnotice #3\n\nnotice #5"]
    sent = await rows(sessionmaker)
    assert {r.status for r in sent} == {"sent"}
    by_chat = {(r.clinician_id, r.telegram_message_id) for r in sent}
    assert len(by_chat) == 2  # one message id per clinician, on each of their rows
    assert (await dispatcher.drain()).claimed == 0


async def test_a_merged_message_that_fails_leaves_every_row_to_retry(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """A failed send loses none of the rows it carried, and the retry sends them once."""
    sandbox.faults.error_rate = 1.0
    await seed_notices(sessionmaker, sandbox, 3, users=1)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    stats = await dispatcher.drain()
    assert (stats.retried, stats.sent) == (3, 0)
    assert {(r.status, r.attempts) for r in await rows(sessionmaker)} == {("pending", 1)}
    sandbox.faults.error_rate = 0
    clock.advance(timedelta(hours=1))
    assert (await dispatcher.drain()).messages == 1
    assert [m.text for m in sandbox.messages(10_000)] == ["notice #0\n\nnotice #1\n\nnotice #2"]
    assert {r.status for r in await rows(sessionmaker)} == {"sent"}


async def test_a_part_telegram_refuses_does_not_take_the_others_down(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """Review: one part Telegram refuses (here its HTML) failed the whole merged message,
    and every row with it for good. The parts then go one by one: only that one fails."""
    await seed_notices(sessionmaker, sandbox, 3, users=1)
    ids = [row.id for row in sorted(await rows(sessionmaker), key=lambda row: row.id)]
    async with transaction(sessionmaker) as session:
        broken = await session.get(ReminderOutbox, ids[1])
        assert broken is not None
        broken.payload = {"text": "notice <b>#1"}
    html_bot = ExtBot(  # as the bot's own: replies are HTML
        sandbox.token, base_url=sandbox.base_url, defaults=Defaults(parse_mode=ParseMode.HTML)
    )
    async with html_bot:
        dispatcher = make_dispatcher(html_bot, sessionmaker, clock, registry=dispatchers)
        stats = await dispatcher.drain()
    assert (stats.sent, stats.failed, stats.messages) == (2, 1, 2)
    assert [m.text for m in sandbox.messages(10_000)] == ["notice #0", "notice #2"]
    status = {r.id: r.status for r in await rows(sessionmaker)}
    assert status == {ids[0]: "sent", ids[1]: "failed", ids[2]: "sent"}


async def test_an_unexpected_error_in_a_send_is_recorded_not_left_sending(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Review: an exception other than Telegram's left the rows 'sending' until their
    lease ran out, then they were sent again as possible duplicates."""
    await seed_notices(sessionmaker, sandbox, 2, users=1)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(dispatcher, "_send_one", broken)
    stats = await dispatcher.drain()
    assert stats.retried == 2
    assert {(r.status, r.attempts) for r in await rows(sessionmaker)} == {("pending", 1)}
    monkeypatch.undo()
    clock.advance(timedelta(hours=1))
    assert (await dispatcher.drain()).sent == 2


async def test_rows_too_long_together_are_packed_into_few_messages(
    sandbox: BotApiSandbox,
    tg_bot: Bot,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    dispatchers: list[Dispatcher],
) -> None:
    """Within Telegram's 4096 characters: 1,500 each, two to a message."""
    await seed_notices(sessionmaker, sandbox, 5, users=1, pad=1500)
    dispatcher = make_dispatcher(tg_bot, sessionmaker, clock, registry=dispatchers)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.messages) == (5, 3)
    assert [m.text.count("notice #") for m in sandbox.messages(10_000)] == [2, 2, 1]
