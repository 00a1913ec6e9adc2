"""Webhook mode: an ASGI app (starlette + uvicorn) feeding PTB's update queue.

Several processes can sit behind one URL on one PostgreSQL: updates are deduplicated
by ``update_id`` in the database (Telegram re-sends an update whose webhook call
failed or took over 60 s), conversation state lives in the database, and reminder
dispatch elects one active sender.
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.context import Services
from bot.store.db import ping, transaction
from bot.store.models import ProcessedUpdate
from bot.store.outbox import counts_by_status, oldest_due

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000  # Telegram updates are small; anything bigger is not Telegram
DEDUPE_KEEP = timedelta(days=2)


async def remember_update(services: Services, update_id: int) -> bool:
    """Record an update id; False if some process already took it."""
    async with transaction(services.sessionmaker) as session:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        result = await session.execute(
            insert(ProcessedUpdate)
            .values(update_id=update_id, received_at=services.clock.now())
            .on_conflict_do_nothing(index_elements=["update_id"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_old_updates(services: Services) -> int:
    cutoff = services.clock.now() - DEDUPE_KEEP
    async with transaction(services.sessionmaker) as session:
        result = await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.received_at < cutoff)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _parse_update(body: bytes, bot: Any) -> Update | None:
    """An Update from a webhook body, or None (logged) for anything malformed."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an update object")
        return Update.de_json(data, bot)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("malformed webhook body: %s", type(exc).__name__)
        return None


async def _read_capped(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def build_webhook_app(application: Any, *, secret: str, path: str) -> Starlette:
    """The ASGI app: POST ``path`` for Telegram, GET /healthz and /metrics for operators."""
    services: Services = application.bot_data.services
    metrics = services.metrics
    expected = secret.encode()

    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        # Constant-time comparison, before reading or parsing anything.
        if not hmac.compare_digest(given, expected):
            metrics.webhook_rejected.labels("secret").inc()
            return Response(status_code=403)
        body = await _read_capped(request, MAX_BODY_BYTES)
        if body is None:
            metrics.webhook_rejected.labels("too_large").inc()
            return Response(status_code=413)
        update = _parse_update(body, application.bot)
        if update is None:
            metrics.webhook_rejected.labels("malformed").inc()
            return Response(status_code=400)
        if not await remember_update(services, update.update_id):
            metrics.webhook_rejected.labels("duplicate").inc()
            return Response(status_code=200)  # already taken: tell Telegram to stop re-sending
        await application.update_queue.put(update)
        return Response(status_code=200)

    async def healthz(_: Request) -> Response:
        try:
            await ping(services.engine)  # type: ignore[arg-type]
        except Exception as exc:  # any failure means "not healthy"
            return JSONResponse({"status": "unhealthy", "database": type(exc).__name__}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def metrics_endpoint(_: Request) -> Response:
        await refresh_outbox_gauges(services)
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    return Starlette(
        routes=[
            Route(path, telegram, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ]
    )


async def refresh_outbox_gauges(services: Services) -> None:
    """Pending count and lag are read from the outbox when scraped (the truth is there)."""
    now = services.clock.now()
    try:
        async with transaction(services.sessionmaker) as session:
            counts = await counts_by_status(session)
            oldest = await oldest_due(session, now)
    except Exception:  # a scrape must not fail because the database blinked
        log.warning("could not read outbox gauges", exc_info=True)
        return
    services.metrics.reminders_pending.set(counts.get("pending", 0))
    services.metrics.outbox_lag.set((now - oldest).total_seconds() if oldest else 0)
