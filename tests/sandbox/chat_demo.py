"""Terminal chat with the echo bot through the sandbox; driven by test_terminal in a pty.

Run by hand: ``.venv/bin/python -m tests.sandbox.chat_demo [DOWNLOADS_DIR]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from bot.sandbox import BotApiSandbox
from bot.sandbox.ptb import polling, sandbox_builder
from bot.sandbox.terminal import run_terminal_chat
from tests.sandbox.echo_bot import add_handlers


def resolve(place: str) -> tuple[float, float] | None:
    return (42.36, -71.06) if place.lower() == "boston" else None


async def main(downloads: Path) -> None:
    async with BotApiSandbox() as sandbox:
        app = sandbox_builder(sandbox).build()
        add_handlers(app)
        async with polling(app, sandbox):
            user = sandbox.user(1001, "Ana")

            async def later(argument: str) -> str:
                """Have the bot write on its own in a moment, like a scheduler would."""

                async def push() -> None:
                    await asyncio.sleep(0.2)
                    await app.bot.send_message(user.chat_id, "A reminder from the scheduler")

                app.create_task(push())
                return "the bot will write in 0.2 s"

            await run_terminal_chat(
                sandbox,
                user,
                downloads_dir=downloads,
                commands={"later": later},
                place_resolver=resolve,
            )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="cme-chat-"))
    asyncio.run(main(target))
