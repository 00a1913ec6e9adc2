"""/stats names the configured feeds before their first refresh (QA round 11: "Feeds: none
configured" for the first 30 s while COURSE_FEEDS was set)."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.feeds import refresh_tick
from tests.e2e.conftest import BotUnderTest

ADMIN = 9001
FEED = "http://127.0.0.1:9/catalogue.csv"  # nothing listens on port 9


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": str(ADMIN), "course_feeds": FEED}


async def test_a_configured_feed_is_listed_before_and_after_its_first_refresh(
    bot: BotUnderTest,
) -> None:
    boss = bot.user(ADMIN, "Boss")
    await boss.send("/stats")
    text = (await boss.next_reply()).text
    assert f"• {FEED}: configured, not fetched yet" in text, text
    assert "none configured" not in text
    await refresh_tick(bot.app.bot_data.services)
    await boss.send("/stats")
    text = (await boss.next_reply()).text
    assert f"• {FEED}: last refreshed never — last error: cannot reach 127.0.0.1" in text, text
    assert "not fetched yet" not in text
