"""Flood limits, injected faults and blocked users, switched on per test at run time."""

from __future__ import annotations

import httpx

from bot.sandbox import BotApiSandbox
from tests.sandbox.conftest import BotApi

USER = 1001


class FakeTime:
    """A monotonic clock the test moves by hand: no sleeping for rate windows."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def limited(sandbox: BotApiSandbox) -> FakeTime:
    clock = FakeTime()
    sandbox.rate_limiter.time_fn = clock
    sandbox.rate_limiter.enabled = True
    sandbox.rate_limiter.reset()
    return clock


async def test_per_chat_limit_answers_429_with_retry_after(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    sandbox.add_user(USER)
    clock = limited(sandbox)
    await api.ok("sendMessage", chat_id=USER, text="one")
    status, body = await api.call("sendMessage", chat_id=USER, text="two")
    assert status == 429
    assert body["parameters"] == {"retry_after": 1}
    assert body["description"] == "Too Many Requests: retry after 1"
    assert sandbox.stats.rate_limited == 1 and sandbox.stats.rate_limited_by_chat[USER] == 1
    clock.now += 1.0
    await api.ok("sendMessage", chat_id=USER, text="two, later")
    assert [m.text for m in sandbox.messages(USER)] == ["one", "two, later"]


async def test_overall_and_group_limits(sandbox: BotApiSandbox, api: BotApi) -> None:
    clock = limited(sandbox)
    for user_id in range(1, 32):
        sandbox.add_user(user_id)
    statuses = [
        (await api.call("sendMessage", chat_id=user_id, text="hi"))[0] for user_id in range(1, 32)
    ]
    assert statuses == [200] * 30 + [429]
    clock.now += 1.0
    sandbox.add_chat(-100, "group", title="Residents")
    for _ in range(20):
        await api.ok("sendMessage", chat_id=-100, text="to the group")
        clock.now += 1.0
    status, body = await api.call("sendMessage", chat_id=-100, text="one too many")
    assert status == 429 and 1 <= body["parameters"]["retry_after"] <= 60
    sandbox.rate_limiter.enabled = False
    await api.ok("sendMessage", chat_id=-100, text="limits off")


async def test_fault_rates_are_roughly_as_configured_and_reproducible(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    sandbox.add_user(USER)
    sandbox.faults.error_rate, sandbox.faults.drop_rate = 0.2, 0.1

    async def outcomes(count: int) -> list[str]:
        seen = []
        for i in range(count):
            try:
                status, _ = await api.call("sendMessage", chat_id=USER, text=f"m{i}")
                seen.append(str(status))
            except httpx.RemoteProtocolError:
                seen.append("dropped")
        return seen

    sandbox.faults.reseed(7)
    first = await outcomes(150)
    assert 15 <= first.count("502") <= 50, first.count("502")
    assert 5 <= first.count("dropped") <= 30, first.count("dropped")
    assert first.count("200") == len(sandbox.messages(USER))
    assert sandbox.stats.faults["error"] == first.count("502")
    assert sandbox.stats.faults["drop"] == first.count("dropped")
    assert (await api.call("getMe"))[0] == 200  # only send* methods fail
    sandbox.faults.reseed(7)
    assert await outcomes(150) == first


async def test_drop_after_send_delivers_but_loses_the_answer(
    sandbox: BotApiSandbox, api: BotApi
) -> None:
    sandbox.add_user(USER)
    sandbox.faults.drop_after_rate = 1.0
    try:
        await api.call("sendMessage", chat_id=USER, text="did it arrive?")
        raise AssertionError("the connection should have been dropped")
    except httpx.RemoteProtocolError:
        pass
    assert [m.text for m in sandbox.messages(USER)] == ["did it arrive?"]
    assert sandbox.stats.faults["drop_after"] == 1


async def test_blocked_chat_answers_403(sandbox: BotApiSandbox, api: BotApi) -> None:
    sandbox.add_user(USER)
    sandbox.block(USER)
    status, body = await api.call("sendMessage", chat_id=USER, text="reminder")
    assert status == 403
    assert body["description"] == "Forbidden: bot was blocked by the user"
    assert sandbox.stats.forbidden == 1 and sandbox.messages(USER) == []
    sandbox.unblock(USER)
    await api.ok("sendMessage", chat_id=USER, text="reminder")
