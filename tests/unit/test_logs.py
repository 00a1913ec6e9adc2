"""Logs: one JSON object per line on request, never a bot token."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import JsonFormatter, RedactingFilter, current_update_id, current_user_id, redact

TOKEN = "123456789:AAHk3x_secretSecretSecret-ABCDEFG"


def test_tokens_are_redacted_everywhere() -> None:
    line = f"POST https://api.telegram.org/bot{TOKEN}/getUpdates"
    assert TOKEN not in redact(line) and "[token]" in redact(line)
    assert TOKEN.split(":")[1] not in redact(f"failed for {TOKEN}")


def test_json_lines_carry_update_and_user_ids() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("cme.test.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    current_update_id.set(77)
    current_user_id.set(1001)
    try:
        logger.warning("request to %s failed", f"https://x/bot{TOKEN}/sendMessage")
    finally:
        logger.removeHandler(handler)
        current_update_id.set(None)
        current_user_id.set(None)
    entry = json.loads(stream.getvalue().strip())
    assert entry["update_id"] == 77 and entry["user_id"] == 1001
    assert TOKEN not in entry["msg"] and entry["level"] == "WARNING"
