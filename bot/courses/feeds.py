"""Scheduled refresh of course feeds, remembering validators and failures per feed.

A failing feed keeps its last good courses (nothing is cancelled on an error) and the
error is recorded on its ``course_feeds`` row for operators; an unchanged feed costs one
conditional request (304). A feed that suddenly drops many of its upcoming courses (a
truncated or half-generated response) is refused like such a file is by the CLI: nothing
changes, nobody is told of a cancellation, and the row says how to accept the drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.courses.fetch import FeedState
from bot.courses.importer import (
    CANCEL_GUARD_SHARE,
    ImportOptions,
    ImportSummary,
    import_source,
    source_key,
)
from bot.store import courses as store
from bot.store.db import transaction


async def refresh_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    urls: Iterable[str],
    http_client: httpx.AsyncClient,
    now: datetime,
    *,
    options: ImportOptions = ImportOptions(),
) -> list[ImportSummary]:
    """Refresh every feed once, in order; one feed's failure never affects another."""
    options = replace(options, mark_missing_cancelled=True, guard_cancellations=True)
    summaries = []
    for url in dict.fromkeys(urls):
        async with transaction(sessionmaker) as session:
            feed = await store.get_or_create_feed(session, url, now=now)
            state = FeedState(feed.etag, feed.last_modified)
        summary = await import_source(
            sessionmaker, url, now=now, http_client=http_client, feed_state=state, options=options
        )
        await _record(sessionmaker, url, summary, now)
        summaries.append(summary)
    return summaries


async def _record(
    sessionmaker: async_sessionmaker[AsyncSession], url: str, summary: ImportSummary, now: datetime
) -> None:
    async with transaction(sessionmaker) as session:
        feed = await store.get_or_create_feed(session, url, now=now)
        feed.last_checked_at = now
        feed.updated_at = now
        if summary.fatal is not None:
            feed.last_status = "error"
            feed.last_error = summary.fatal
            return
        if summary.refused is not None:
            # The validators are not kept: the next refresh fetches the feed whole again.
            feed.last_status = "refused"
            feed.last_error = texts.FEED_CANCEL_REFUSED.format(
                missing=summary.refused.missing, listed=summary.refused.listed,
                share=round(CANCEL_GUARD_SHARE * 100), url=url,
            )  # fmt: skip
            return
        if summary.not_modified:
            feed.last_status = "not_modified"
            feed.last_error = None
        else:
            feed.last_status = "partial" if summary.rejected else "ok"
            feed.last_error = (
                f"{len(summary.rejected)} rejected; first: {summary.rejected[0].location}: "
                f"{summary.rejected[0].reason}"
                if summary.rejected
                else None
            )
            feed.last_success_at = now
            feed.courses_count = await store.count_courses(
                session, source=source_key(url), status="active"
            )
        if summary.feed_state is not None:
            feed.etag = summary.feed_state.etag
            feed.last_modified = summary.feed_state.last_modified
