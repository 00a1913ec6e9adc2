"""Feed refresh over real HTTP: validators remembered, failures recorded, data kept."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses.feeds import refresh_feeds
from bot.courses.fetch import Limits
from bot.courses.importer import ImportOptions
from bot.store import courses as store
from bot.store.db import transaction

from .conftest import NOW, FeedServer, Reply, no_sleep

CSV = (
    b"id,title,credits,start,format\n"
    b"f1,Ethics,1,2027-01-05 12:00,webinar\n"
    b"f2,Bias,2,2027-01-06,webinar\n"
)
OPTIONS = ImportOptions(limits=Limits(attempts=2, request_timeout=2), sleep=no_sleep)


@pytest.mark.postgres
async def test_refresh_uses_validators_and_survives_a_failing_feed(
    sessionmaker: async_sessionmaker[AsyncSession], feed_server: FeedServer
) -> None:
    state = {"mode": "ok"}

    def answer(headers: dict[str, str]) -> Reply:
        if state["mode"] == "down":
            return Reply(500, b"oops")
        if headers.get("if-none-match") == '"1"':
            return Reply(304, headers={"ETag": '"1"'})
        return Reply(200, CSV, {"Content-Type": "text/csv", "ETag": '"1"'})

    good = feed_server.route("/good.csv", answer)
    html = feed_server.route(
        "/html", Reply(200, b"<html>login</html>", {"Content-Type": "text/html"})
    )
    async with httpx.AsyncClient() as client:
        first = await refresh_feeds(sessionmaker, [good, html], client, NOW, options=OPTIONS)
        second = await refresh_feeds(sessionmaker, [good], client, NOW, options=OPTIONS)
        state["mode"] = "down"
        third = await refresh_feeds(sessionmaker, [good], client, NOW, options=OPTIONS)

    assert (first[0].added, first[1].fatal) == (
        2,
        "127.0.0.1 sent an HTML page, not a course catalogue (a login page?)",
    )
    assert second[0].not_modified
    assert third[0].fatal == "HTTP 500 from 127.0.0.1 (tried 2 times)"
    async with transaction(sessionmaker) as session:
        feeds = {f.url: f for f in await store.list_feeds(session)}
        assert await store.count_courses(session, source=good, status="active") == 2
    assert (feeds[good].etag, feeds[good].last_status) == ('"1"', "error")
    assert feeds[good].last_error == "HTTP 500 from 127.0.0.1 (tried 2 times)"
    assert feeds[good].last_success_at == NOW and feeds[good].courses_count == 2
    assert feeds[html].last_status == "error" and feeds[html].last_success_at is None
