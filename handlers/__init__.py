"""Every handler is registered here, in one place, in an order that matters.

All chat handlers share group 0, where the first match wins: feature handlers first,
the catch-all fallbacks last, so they answer only what no feature took. (Handlers in
different groups would *all* run, and the fallback would answer every message twice.)
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    admin,
    basic,
    callbacks,
    cancel,
    courses,
    credits,
    documents,
    errors,
    licences,
    onboarding,
    privacy,
    reminders,
    status,
    text,
    transcript,
)


def register_all(app: Application) -> None:  # type: ignore[type-arg]
    basic.register(app)
    cancel.register(app)
    status.register(app)
    credits.register(app)
    transcript.register(app)
    documents.register(app)
    licences.register(app)
    onboarding.register(app)  # before courses: a shared location may answer its question
    reminders.register(app)
    privacy.register(app)
    admin.register(app)
    courses.register(app)
    callbacks.register(app)
    text.register(app)  # free text, after every command handler
    basic.register_fallbacks(app)  # keep last
    app.add_error_handler(errors.on_error)  # type: ignore[arg-type]
