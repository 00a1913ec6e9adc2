"""CME assistant bot: the core shared by handlers, scheduler and CLI."""

import os

# Opt in to python-telegram-bot's future behaviour now: durations (RetryAfter.retry_after)
# as timedelta, which our code already handles; silences a deprecation warning per 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
