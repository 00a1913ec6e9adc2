"""Chat with the bot from a terminal as a clinician, through the sandbox (``cme-bot chat``).

Why: a new user with no Telegram token can try the real bot end to end. Lines typed are sent
as messages (commands with their entities); the bot's messages, including ones a scheduler
pushes later, are printed as they arrive by a background task; a plain number presses a
button of the keyboard just shown. Stdin is read with ``loop.add_reader`` (a thread for
streams without a file descriptor), so the event loop never blocks on input.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot.sandbox.incoming import SandboxCore
from bot.sandbox.records import ChatEvent, InlineButton, keyboard_rows
from bot.sandbox.render import render_message
from bot.sandbox.user import SandboxUser

LocalCommand = Callable[[str], Awaitable[str]]
Coordinates = tuple[float, float]
PlaceResolver = Callable[[str], Coordinates | Awaitable[Coordinates | None] | None]
QUIT = frozenset({"quit", "exit"})
_NUMBER = re.compile(r"(#)?\s*(\d{1,3})")
_COORDINATES = re.compile(r"(-?\d+(?:\.\d+)?)[\s,;]+(-?\d+(?:\.\d+)?)")


class LineReader:
    """Lines from a stream into an asyncio queue (None at end of input), without blocking."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._fd: int | None = None
        self._buffer = b""

    def start(self) -> None:
        with contextlib.suppress(AttributeError, OSError, ValueError, NotImplementedError):
            fd = self.stream.fileno()
            self._loop.add_reader(fd, self._on_readable, fd)
            self._fd = fd
            return
        threading.Thread(target=self._read_blocking, name="chat-input", daemon=True).start()

    def stop(self) -> None:
        if self._fd is not None:
            self._loop.remove_reader(self._fd)
            self._fd = None

    def _on_readable(self, fd: int) -> None:
        chunk = os.read(fd, 65536)
        if not chunk:
            self.stop()
            if self._buffer:
                self.queue.put_nowait(self._buffer.decode(errors="replace"))
            self.queue.put_nowait(None)
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self.queue.put_nowait(line.decode(errors="replace"))

    def _read_blocking(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop may be gone at exit
            for line in iter(self.stream.readline, ""):
                self._loop.call_soon_threadsafe(self.queue.put_nowait, line.rstrip("\n"))
            self._loop.call_soon_threadsafe(self.queue.put_nowait, None)


def _read_file(argument: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of a user-given path, None if it is not a readable file."""
    path = Path(argument).expanduser()
    return (path.name, path.read_bytes()) if path.is_file() else None


class TerminalChat:
    """The chat session: prints bot events, turns typed lines into user actions."""

    def __init__(
        self,
        sandbox: SandboxCore,
        user: SandboxUser,
        *,
        downloads_dir: Path,
        console: Console | None = None,
        commands: dict[str, LocalCommand] | None = None,
        place_resolver: PlaceResolver | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.user = user
        self.downloads_dir = downloads_dir
        self.console = console or Console(highlight=False)
        self.commands = {name.lstrip("/").lower(): fn for name, fn in (commands or {}).items()}
        self.place_resolver = place_resolver
        self.keyboard: list[InlineButton] = []
        self.keyboard_message_id: int | None = None
        self.keyboard_is_latest = False
        self.reply_keyboard: list[dict[str, Any]] = []
        self.reply_keyboard_one_time = False
        self._latest_message_id: int | None = None
        self._event_index = len(sandbox.chat_events(user.chat_id))
        self._tasks: set[asyncio.Task[None]] = set()

    # -- output ---------------------------------------------------------------------------
    def banner(self) -> None:
        """Say who is talking to whom, and list the local commands."""
        bot = self.sandbox.bot_user
        name = self.sandbox.user_info(self.user.user_id)["first_name"]
        self.console.print(
            f"[bold]CME sandbox chat[/]: you are {name} (user {self.user.user_id}), talking to "
            f"@{bot['username']}. Nothing leaves this machine."
        )
        self.console.print("Type messages or /commands for the bot. Local commands:")
        table = Table.grid(padding=(0, 2))
        table.add_row(" [bold]1[/], [bold]2[/], …", "press that button of the keyboard just shown")
        table.add_row(" [bold]#1[/]", "press a button of the latest keyboard, even later")
        where = " (or /where PLACE)" if self.place_resolver else ""
        table.add_row(" [bold]/where LAT LON[/]", f"share a location{where}")
        table.add_row(" [bold]/upload PATH[/]", "send a file as a document")
        table.add_row(" [bold]/photo PATH[/]", "send a picture")
        for name, fn in sorted(self.commands.items()):
            table.add_row(f" [bold]/{name}[/]", (inspect.getdoc(fn) or "").split("\n")[0])
        table.add_row(" [bold]/quit[/]", "leave")
        self.console.print(table)
        self.console.print(f"Files the bot sends are saved in {self.downloads_dir}")

    def note(self, text: str, style: str = "dim") -> None:
        self.console.print(Text(text, style=style))

    def show(self, event: ChatEvent) -> None:
        """Print one thing the bot did and keep track of the keyboard to press by number."""
        message = event.message
        self._track_keyboard(event)
        if event.kind == "delete":
            self.note(f"(bot deleted message #{message.message_id})")
            return
        label = "bot (edited)" if event.kind == "edit" else "bot"
        rows = keyboard_rows(message.reply_markup)
        self.console.print(render_message(message, self.downloads_dir, label=label, keyboard=rows))

    def _track_reply_keyboard(self, markup: dict[str, Any] | None) -> None:
        """Reply keyboards stay until the bot removes them (or one use, if one-time)."""
        if not markup:
            return
        if markup.get("remove_keyboard"):
            self.reply_keyboard = []
        elif "keyboard" in markup:
            self.reply_keyboard = [
                b if isinstance(b, dict) else {"text": b} for row in markup["keyboard"] for b in row
            ]
            self.reply_keyboard_one_time = bool(markup.get("one_time_keyboard"))

    def _track_keyboard(self, event: ChatEvent) -> None:
        """A plain number presses a button only while its keyboard is on the latest message."""
        if event.kind == "message":
            self._track_reply_keyboard(event.message.reply_markup)
        message_id = event.message.message_id
        buttons = [] if event.kind == "delete" else event.message.inline_buttons
        if event.kind == "message":
            self._latest_message_id = message_id
        elif message_id != self.keyboard_message_id and not buttons:
            return
        if buttons:
            self.keyboard, self.keyboard_message_id = buttons, message_id
        elif message_id == self.keyboard_message_id:
            self.keyboard, self.keyboard_message_id = [], None
        self.keyboard_is_latest = (
            bool(self.keyboard) and self.keyboard_message_id == self._latest_message_id
        )

    async def watch(self) -> None:
        """Print the bot's messages, edits and deletions as they happen."""
        while True:
            event = await self.sandbox.wait_for_event(self.user.chat_id, self._event_index)
            self._event_index += 1
            try:
                self.show(event)
            except Exception as exc:  # a rendering bug must not end the chat
                self.note(f"(could not show message #{event.message.message_id}: {exc!r})", "red")

    # -- input ----------------------------------------------------------------------------
    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        text = line.strip()
        if not text:
            return True
        number = _NUMBER.fullmatch(text)
        if number and (number.group(1) or self._keyboard_number_ok(int(number.group(2)))):
            await self._press(int(number.group(2)))
            return True
        if number and 1 <= int(number.group(2)) <= len(self.reply_keyboard):
            await self._tap(self.reply_keyboard[int(number.group(2)) - 1])
            return True
        if not text.startswith("/"):
            await self.user.send(text)
            return True
        word, _, argument = text.partition(" ")
        name = word[1:].split("@")[0].lower()
        argument = argument.strip()
        if name in QUIT:
            return False
        if name in self.commands:
            await self._run_local(name, argument)
        elif name == "where":
            await self._where(argument)
        elif name in ("upload", "photo"):
            await self._send_file(name, argument)
        else:
            await self.user.send(text)
        return True

    def _keyboard_number_ok(self, number: int) -> bool:
        return self.keyboard_is_latest and 1 <= number <= len(self.keyboard)

    async def _press(self, number: int) -> None:
        if not 1 <= number <= len(self.keyboard) or self.keyboard_message_id is None:
            self.note(f"(no button {number} to press)", "red")
            return
        button = self.keyboard[number - 1]
        if button.callback_data is None:
            self.note(f"(that button opens {button.url})", "cyan")
            return
        self.note(f"(you pressed “{button.text}”)")
        update_id = await self.user.press_data(button.callback_data, self.keyboard_message_id)
        self._spawn(self._show_callback_answer(update_id))

    async def _tap(self, button: dict[str, Any]) -> None:
        """A reply-keyboard button: sends its text, or asks for what it requests."""
        if self.reply_keyboard_one_time:
            self.reply_keyboard = []
        if button.get("request_location"):
            self.note("(this button shares your location: use /where LAT LON or /where PLACE)")
        elif button.get("request_contact"):
            self.note("(sharing a contact is not supported in the sandbox chat)", "red")
        else:
            self.note(f"(you tapped “{button['text']}”)")
            await self.user.send(button["text"])

    async def _show_callback_answer(self, update_id: int) -> None:
        with contextlib.suppress(TimeoutError):
            answer = await self.user.callback_answer(update_id, timeout=15.0)
            if answer.text:
                kind = "alert" if answer.show_alert else "popup"
                self.note(f"({kind}) {answer.text}", "bold magenta")

    async def _run_local(self, name: str, argument: str) -> None:
        try:
            output = await self.commands[name](argument)
        except Exception as exc:
            self.note(f"/{name} failed: {exc}", "red")
            return
        if output:
            self.note(output, "cyan")

    async def _where(self, argument: str) -> None:
        match = _COORDINATES.fullmatch(argument)
        coordinates: Coordinates | None = None
        if match:
            coordinates = float(match.group(1)), float(match.group(2))
        elif argument and self.place_resolver is not None:
            found = self.place_resolver(argument)
            coordinates = await found if inspect.isawaitable(found) else found
            if coordinates is None:
                self.note(f"(don't know where “{argument}” is; try /where LAT LON)", "red")
                return
        if coordinates is None or not (
            -90 <= coordinates[0] <= 90 and -180 <= coordinates[1] <= 180
        ):
            self.note("(usage: /where 42.36 -71.06)", "red")
            return
        self.note(f"(you shared the location {coordinates[0]}, {coordinates[1]})")
        await self.user.share_location(*coordinates)

    async def _send_file(self, kind: str, argument: str) -> None:
        found = await asyncio.to_thread(_read_file, argument) if argument else None
        if found is None:
            self.note(f"(usage: /{kind} PATH to an existing file)", "red")
            return
        name, data = found
        if kind == "photo":
            await self.user.send_photo(data)
        else:
            await self.user.upload(name, data)
        self.note(f"(you sent {name}, {len(data)} bytes)")

    async def settle(self, quiet: float = 0.5, limit: float = 5.0) -> None:
        """Wait until the bot has been silent for ``quiet`` s (at most ``limit`` s)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            seen = len(self.sandbox.chat_events(self.user.chat_id))
            try:
                await self.sandbox.wait_for_event(self.user.chat_id, seen, quiet)
            except TimeoutError:
                break
        await asyncio.sleep(0)  # let the watcher print the last event

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def run_terminal_chat(
    sandbox: SandboxCore,
    user: SandboxUser,
    *,
    downloads_dir: Path,
    commands: dict[str, LocalCommand] | None = None,
    place_resolver: PlaceResolver | None = None,
    input_stream: IO[str] | None = None,
    console: Console | None = None,
    banner: bool = True,
) -> None:
    """Chat as ``user`` until /quit or end of input.

    ``commands`` maps extra local command names (``"advance"`` for ``/advance 30d``) to async
    callables taking the argument text and returning a line to show; their docstring's first
    line appears in the banner. ``place_resolver`` turns ``/where Boston`` into coordinates.
    """
    import sys

    chat = TerminalChat(
        sandbox,
        user,
        downloads_dir=downloads_dir,
        console=console,
        commands=commands,
        place_resolver=place_resolver,
    )
    if banner:
        chat.banner()
    reader = LineReader(input_stream or sys.stdin)
    reader.start()
    watcher = asyncio.ensure_future(chat.watch())
    try:
        while (line := await reader.queue.get()) is not None:
            if not await chat.handle_line(line):
                break
        else:  # end of input (e.g. piped lines): show what the bot still has to say
            await chat.settle()
    finally:
        reader.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await chat.close()
        chat.note("bye")
