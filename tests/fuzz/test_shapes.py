"""Every hand-built raw update parses in python-telegram-bot.

A malformed update would not test the bot: PTB's Updater cannot parse the whole
getUpdates batch, logs CRITICAL and never confirms it, so polling jams on it.
"""

from __future__ import annotations

import pytest
from telegram import Bot, Update

from bot.sandbox.server import BotApiSandbox
from tests.fuzz import strategies as s
from tests.fuzz.world import World, raw_update


class _Harness:
    def __init__(self, sandbox: BotApiSandbox) -> None:
        self.sandbox = sandbox

    def user(self, user_id: int, first_name: str, **kwargs: object) -> object:
        return self.sandbox.user(user_id, first_name, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", s.RAW_KINDS)
async def test_raw_update_parses(kind: str) -> None:
    async with BotApiSandbox() as sandbox:
        world = World.__new__(World)
        world.bot = _Harness(sandbox)  # type: ignore[assignment]
        world.chats, world.newcomers, world.actions, world.replies = set(), 0, 0, 0
        world.__post_init__()
        raw_update(world, s.Raw(kind, "hello"))
        assert sandbox.pending_updates
        for update in sandbox.pending_updates:
            Update.de_json(dict(update), Bot(sandbox.token))
