"""Logging: one line per event, JSON on request, never a token or licence number."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

# Bot tokens look like 123456789:AA...; PTB puts them in every request URL.
_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b|bot\d+:[A-Za-z0-9_-]+")
_EXTRA_FIELDS = ("update_id", "user_id", "bot_username", "event")


# Set while an update is handled (bot/concurrency.py), so every log line says whose it is.
current_update_id: ContextVar[int | None] = ContextVar("current_update_id", default=None)
current_user_id: ContextVar[int | None] = ContextVar("current_user_id", default=None)


_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Scrub ``value`` (the configured token, the webhook secret) from every log line and
    CLI message too: the pattern misses short or odd-shaped tokens, and PTB quotes a
    rejected one in full ("The token `999:WRONG` was rejected", QA round 11)."""
    if value:
        _SECRETS.add(value)
        _, sep, secret = value.partition(":")
        if sep and len(secret) >= 4:
            _SECRETS.add(secret)  # also the part after the bot id, alone


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "[token]")
    return _TOKEN.sub("[token]", text)


class RedactingFilter(logging.Filter):
    """Scrub tokens from every record, whichever library logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = current_update_id.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id.get()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in _EXTRA_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{field}={getattr(record, field)}"
            for field in _EXTRA_FIELDS
            if getattr(record, field, None) is not None
        ]
        return f"{line} [{' '.join(extras)}]" if extras else line


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL (with the bot token) at INFO.
    for noisy in ("httpx", "httpcore", "apscheduler", "uvicorn.access", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
