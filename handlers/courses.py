"""Courses in chat (placeholder until the courses chat lands; see issue 5)."""

from __future__ import annotations

from telegram.ext import Application

from handlers.turn import Turn


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Course commands are registered here."""


async def maybe_handle_text(turn: Turn, text: str) -> bool:
    """Course questions in free text; False when the text is not about courses."""
    return False


async def handle_admin_upload(turn: Turn, file_name: str, data: bytes) -> bool:
    """Catalogue files from admins; False when this upload is not one."""
    return False
