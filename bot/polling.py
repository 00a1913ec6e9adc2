"""Knowing whether this process ever polled successfully, to settle 409 Conflicts.

When two processes poll one token, Telegram ends the older poll with 409 whenever the
newer one polls, and vice versa: both see conflicts. The process that never had a
successful ``getUpdates`` is the newcomer and must refuse to run; the incumbent keeps
serving and warns.
"""

from __future__ import annotations

from typing import Any

from telegram.request import HTTPXRequest


class PollingRequest(HTTPXRequest):
    """The request object PTB uses for getUpdates only; remembers a 200 answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.succeeded = False

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == 200:
            self.succeeded = True
        return status, payload
