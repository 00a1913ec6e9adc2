"""Prometheus metrics, one registry per application (tests run several side by side)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from telegram import Update


def update_type(update: object) -> str:
    """A low-cardinality label for an update: message, command, callback_query, ..."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    message = update.message
    if message is not None:
        if message.text and message.text.startswith("/"):
            return "command"
        if message.document is not None:
            return "document"
        if message.photo:
            return "photo"
        if message.location is not None:
            return "location"
        return "message"
    if update.edited_message is not None:
        return "edited_message"
    if update.channel_post is not None:
        return "channel_post"
    return "other"


class Metrics:
    """The counters an operator watches; ``render()`` is the /metrics body."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "cme_updates_total", "Updates handled, by type", ["type"], registry=self.registry
        )
        self.handler_seconds = Histogram(
            "cme_handler_seconds",
            "Time to handle one update",
            ["type"],
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.handler_errors = Counter(
            "cme_handler_errors_total", "Updates whose handler raised", registry=self.registry
        )
        self.reminders = Counter(
            "cme_reminders_total",
            "Reminder delivery outcomes (sent, retried, failed, dropped, superseded, blocked)",
            ["outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "cme_telegram_429_total", "429 Too Many Requests answers", registry=self.registry
        )
        self.reminders_pending = Gauge(
            "cme_reminders_pending", "Reminders waiting in the outbox", registry=self.registry
        )
        self.outbox_lag = Gauge(
            "cme_outbox_lag_seconds",
            "How late the oldest due, unsent reminder is",
            registry=self.registry,
        )
        self.feed_refreshes = Counter(
            "cme_feed_refresh_total",
            "Course feed refreshes, by result",
            ["result"],
            registry=self.registry,
        )
        self.webhook_rejected = Counter(
            "cme_webhook_rejected_total",
            "Webhook requests refused, by reason",
            ["reason"],
            registry=self.registry,
        )

    def reminder_outcome(self, outcome: str) -> None:
        if outcome == "rate_limited":
            self.rate_limited.inc()
        else:
            self.reminders.labels(outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
