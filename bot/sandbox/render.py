"""Render the bot's messages for a terminal with rich: styled text, numbered buttons, files.

Why: the terminal chat should look like the Telegram message a clinician would get (bold,
links, keyboards), built from the same text + entities Telegram would return.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text

from bot.sandbox.markup import utf16_index_map
from bot.sandbox.records import InlineButton, SentFile, SentMessage

ENTITY_STYLES: dict[str, str] = {
    "bold": "bold",
    "italic": "italic",
    "underline": "underline",
    "strikethrough": "strike",
    "spoiler": "reverse",
    "code": "bold cyan",
    "pre": "cyan",
    "blockquote": "italic dim",
    "expandable_blockquote": "italic dim",
    "bot_command": "magenta",
}


def styled_text(text: str, entities: list[dict[str, Any]]) -> Text:
    """``text`` with Telegram entities (UTF-16 offsets) applied as rich styles."""
    rendered = Text(text)
    index = utf16_index_map(text)
    for entity in entities:
        start = index.get(entity["offset"])
        end = index.get(entity["offset"] + entity["length"])
        if start is None or end is None:
            continue
        if entity["type"] == "text_link":
            rendered.stylize(
                Style(link=entity.get("url"), underline=True, color="blue"), start, end
            )
        elif entity["type"] in ENTITY_STYLES:
            rendered.stylize(ENTITY_STYLES[entity["type"]], start, end)
    return rendered


def link_lines(text: str, entities: list[dict[str, Any]]) -> list[Text]:
    """Terminals may not show hyperlinks: list each link's target under the message."""
    index = utf16_index_map(text)
    lines = []
    for entity in entities:
        if entity["type"] != "text_link":
            continue
        start = index.get(entity["offset"], 0)
        end = index.get(entity["offset"] + entity["length"], len(text))
        lines.append(Text(f"  ↳ {text[start:end]}: {entity.get('url')}", style="dim"))
    return lines


def keyboard_lines(buttons: list[list[InlineButton]], first_number: int = 1) -> list[Text]:
    """One line per keyboard row: ``[1] Snooze 1 week   [2] Done``."""
    lines = []
    number = first_number
    for row in buttons:
        line = Text("  ")
        for button in row:
            line.append(f"[{number}] ", style="bold yellow")
            line.append(button.text + ("  ↗" if button.url else ""))
            line.append("   ")
            number += 1
        lines.append(line)
    return lines


def save_file(stored: SentFile, downloads_dir: Path, fallback_name: str) -> Path:
    """Write a file the bot sent into ``downloads_dir`` without overwriting older ones."""
    downloads_dir.mkdir(parents=True, exist_ok=True)
    name = Path(stored.file_name or fallback_name).name or fallback_name
    path = downloads_dir / name
    counter = 1
    while path.exists():
        path = downloads_dir / f"{Path(name).stem}-{counter}{Path(name).suffix}"
        counter += 1
    path.write_bytes(stored.data)
    return path


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def photo_name(message: SentMessage) -> str:
    data = message.photo or b""
    extension = ".png" if data.startswith(b"\x89PNG") else ".jpg" if data[:2] == b"\xff\xd8" else ""
    return f"photo_{message.chat_id}_{message.message_id}{extension or '.bin'}"


def render_message(
    message: SentMessage,
    downloads_dir: Path,
    *,
    label: str = "bot",
    keyboard: list[list[InlineButton]] | None = None,
) -> RenderableType:
    """A bot message as terminal lines; documents and photos are saved to ``downloads_dir``."""
    parts: list[RenderableType] = [Text(f"{label} › #{message.message_id}", style="bold green")]
    if message.text is not None:
        parts.append(styled_text(message.text, message.entities))
        parts.extend(link_lines(message.text, message.entities))
    if message.document_file:
        path = save_file(message.document_file, downloads_dir, f"file_{message.message_id}")
        size = human_size(message.document_file.size)
        parts.append(Text(f"📄 {path.name} ({size}) saved to {path}", style="cyan"))
    if message.photo_file:
        path = save_file(message.photo_file, downloads_dir, photo_name(message))
        parts.append(Text(f"🖼  picture saved to {path}", style="cyan"))
    if message.caption:
        parts.append(styled_text(message.caption, message.entities))
    if message.venue:
        parts.append(Text(f"📍 {message.venue['title']}, {message.venue['address']}", style="cyan"))
    elif message.location:
        parts.append(Text(f"📍 {message.location[0]:.5f}, {message.location[1]:.5f}", style="cyan"))
    if keyboard:
        parts.extend(keyboard_lines(keyboard))
    elif message.reply_keyboard:
        parts.append(Text("  keyboard:", style="dim"))
        parts.extend(
            keyboard_lines([[InlineButton(t) for t in row] for row in message.reply_keyboard])
        )
    return Group(*parts)
