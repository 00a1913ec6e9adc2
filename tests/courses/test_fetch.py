"""Fetching over real HTTP (a local server): conditional requests, limits, retries."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.courses.fetch import FeedState, FetchError, Limits, fetch

from .conftest import FeedServer, Reply, no_sleep

CSV = b"title,credits,start\nA,1,2027-01-05\n"
# Only the timeout test needs a short timeout; the others get a generous one, so a
# loaded CI machine (4 test workers on 2 cores) cannot turn a slow answer into a retry.
RETRIES = Limits(attempts=3, backoff=0.5, request_timeout=10)
SHORT_TIMEOUT = Limits(attempts=3, backoff=0.5, request_timeout=0.1)


async def test_etag_and_last_modified_make_the_next_fetch_a_304(feed_server: FeedServer) -> None:
    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(
            200, CSV, {"Content-Type": "text/csv", "ETag": '"v1"',
                       "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT"},
        )  # fmt: skip

    url = feed_server.route("/courses.csv", answer)
    async with httpx.AsyncClient() as client:
        first = await fetch(url, client=client)
        second = await fetch(url, client=client, state=first.state)
    assert (first.content, first.kind) == (CSV, "csv")
    assert first.state == FeedState('"v1"', "Tue, 24 Nov 2026 10:00:00 GMT")
    assert second.not_modified and second.content is None
    assert second.state == first.state
    sent = feed_server.requests[-1][1]
    assert sent["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"


async def test_timeouts_are_retried_with_backoff_then_fail(feed_server: FeedServer) -> None:
    url = feed_server.route("/slow", Reply(200, CSV, delay=0.5))
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match=r"did not answer within 0.1 s \(tried 3 times\)"):
            await fetch(url, client=client, limits=SHORT_TIMEOUT, sleep=record)
    assert delays == [0.5, 1.0]


async def test_server_errors_are_retried_until_success(feed_server: FeedServer) -> None:
    answers = iter([Reply(503, b"busy"), Reply(502, b"bad gateway"), Reply(200, CSV)])
    url = feed_server.route("/flaky.csv", lambda _h: next(answers))
    async with httpx.AsyncClient() as client:
        fetched = await fetch(url, client=client, limits=RETRIES, sleep=no_sleep)
    assert fetched.content == CSV
    assert len(feed_server.requests) == 3


async def test_client_errors_are_not_retried(feed_server: FeedServer) -> None:
    url = feed_server.url("/missing.csv")
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match="HTTP 404"):
            await fetch(url, client=client, limits=RETRIES, sleep=no_sleep)
    assert len(feed_server.requests) == 1


async def test_an_html_page_is_refused_without_reading_it(feed_server: FeedServer) -> None:
    page = b"<html>" + b"x" * (5 * 1024 * 1024) + b"</html>"
    url = feed_server.route("/login", Reply(200, page, {"Content-Type": "text/html"}, chunks=50))
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match="sent an HTML page"):
            await fetch(url, client=client)


async def test_reading_stops_beyond_the_size_cap(feed_server: FeedServer) -> None:
    # No content type, no length: only counting bytes can stop it.
    body = b"title,credits,start\n" + b"x" * (5 * 1024 * 1024 + 10)
    url = feed_server.route("/huge", Reply(200, body, chunks=64, no_length=True))
    async with httpx.AsyncClient() as client:
        too_much = r"kept sending \(reading stopped\), more than the 5.0 MB limit"
        with pytest.raises(FetchError, match=too_much):
            await fetch(url, client=client)


async def test_declared_oversize_is_refused_up_front(feed_server: FeedServer) -> None:
    url = feed_server.route("/big.csv", Reply(200, b"x" * 2048, {"Content-Type": "text/csv"}))
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match=r"sent 0.0 MB, more than the 0.0 MB limit"):
            await fetch(url, client=client, limits=Limits(max_bytes=1024))


async def test_html_served_as_csv_is_caught_by_sniffing(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/sneaky.csv", Reply(200, b"<!DOCTYPE html><p>oops", {"Content-Type": "text/csv"})
    )
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match="HTML page"):
            await fetch(url, client=client)


async def test_unreachable_host_fails_with_one_line() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(FetchError, match=r"cannot reach 127.0.0.1.*tried 2 times"):
            await fetch(
                "http://127.0.0.1:9/x.csv", client=client, limits=Limits(attempts=2),
                sleep=no_sleep,
            )  # fmt: skip


async def test_local_files(tmp_path: Path) -> None:
    path = tmp_path / "feed.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    fetched = await fetch(str(path))
    assert fetched.kind == "ics"
    with pytest.raises(FetchError, match="no such file"):
        await fetch(str(tmp_path / "nope.csv"))
    with pytest.raises(FetchError, match=r"feed.ics is 0.0 MB, more than the 0.0 MB limit$"):
        await fetch(str(path), limits=Limits(max_bytes=4))
