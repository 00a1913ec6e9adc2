"""Telegram text formatting: HTML / MarkdownV2 → plain text + entities, as the Bot API does it.

Why: the sandbox must reject what Telegram rejects (a stray ``<br>`` or an unescaped ``.`` in
MarkdownV2 is a 400 in production), and it must store the *visible* text plus entities, since
that is what a user sees and what tests assert on. Offsets are in UTF-16 code units, as in
Telegram. One deliberate strictness: an unknown named entity such as ``&nbsp;`` is rejected,
where Telegram would show it literally; either way it is a bug in the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ALLOWED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAME = re.compile(r"[^\s>/]*")
_ATTR = re.compile(r"""\s*([A-Za-z_:][-\w:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


class ParseError(ValueError):
    """Text Telegram would refuse with 'Bad Request: can't parse entities: …'."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, Telegram's unit for lengths and offsets."""
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring addressed by a Telegram (UTF-16) offset and length."""
    raw = text.encode("utf-16-le")
    return raw[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def utf16_index_map(text: str) -> dict[int, int]:
    """Map every UTF-16 offset that starts a code point (and the end) to a Python index."""
    mapping: dict[int, int] = {}
    pos = 0
    for index, char in enumerate(text):
        mapping[pos] = index
        pos += 2 if ord(char) > 0xFFFF else 1
    mapping[pos] = len(text)
    return mapping


@dataclass
class _Open:
    tag: str
    kind: str
    start: int
    attrs: dict[str, str] = field(default_factory=dict)


class _Builder:
    """Accumulates visible text and entities while tracking the UTF-16 position."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _decode_entity(match: re.Match[str]) -> str:
    body = match.group(1)
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    elif body in ALLOWED_ENTITIES:
        return ALLOWED_ENTITIES[body]
    else:
        raise ParseError(f'Unsupported HTML entity "&{body};"')
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise ParseError(f'Invalid character reference "&{body};"')
    return chr(code)


def _unescape_attr(value: str) -> str:
    if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) >= 2:
        value = value[1:-1]
    return _ENTITY.sub(_decode_entity, value)


def _parse_attrs(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        if match.group(1):
            attrs[match.group(1).lower()] = _unescape_attr(match.group(2) or "")
    return attrs


def _open_tag(name: str, attrs: dict[str, str], stack: list[_Open], pos: int, at: int) -> _Open:
    if name not in TAG_TYPES:
        raise ParseError(f'Unsupported start tag "{name}" at byte offset {at}')
    kind = TAG_TYPES[name]
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if name == "tg-emoji" and "emoji-id" not in attrs:
        raise ParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {at}')
    if name == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    if name == "code" and stack and stack[-1].tag == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language.removeprefix("language-")
    return _Open(name, kind, pos, attrs)


def _close_entity(builder: _Builder, opened: _Open) -> None:
    extra: dict[str, Any] = {}
    if opened.kind == "text_link":
        url = opened.attrs.get("href", "")
        if not url:
            return
        extra["url"] = url
    elif opened.kind == "custom_emoji":
        extra["custom_emoji_id"] = opened.attrs["emoji-id"]
    elif opened.kind == "pre" and opened.attrs.get("language"):
        extra["language"] = opened.attrs["language"]
    builder.entity(opened.kind, opened.start, **extra)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML; raise :class:`ParseError` with Telegram's wording."""
    builder = _Builder()
    stack: list[_Open] = []
    i, size = 0, len(source)
    while i < size:
        char = source[i]
        if char == "&":
            match = _ENTITY.match(source, i)
            if match:
                builder.add(_decode_entity(match))
                i = match.end()
                continue
        if char == ">":
            raise ParseError(f"Unexpected end of tag at byte offset {_byte_offset(source, i)}")
        if char != "<":
            builder.add(char)
            i += 1
            continue
        at = _byte_offset(source, i)
        end = source.find(">", i)
        if end == -1:
            raise ParseError(f"Unclosed start tag at byte offset {at}")
        if source.startswith("</", i):
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise ParseError(f'Unexpected end tag "</{name}>" at byte offset {at}')
            opened = stack.pop()
            if name and name != opened.tag:
                raise ParseError(
                    f'Unmatched end tag at byte offset {at}, expected "</{opened.tag}>", '
                    f'found "</{name}>"'
                )
            if opened.tag != "code" or not stack or stack[-1].tag != "pre":
                _close_entity(builder, opened)
            i = end + 1
            continue
        name_match = _NAME.match(source, i + 1)
        name = name_match.group(0).lower() if name_match else ""
        attrs = _parse_attrs(source[i + 1 + len(name) : end])
        stack.append(_open_tag(name, attrs, stack, builder.pos, at))
        i = end + 1
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return builder.result()


MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _md_marker(source: str, i: int, legacy: bool) -> tuple[str, int] | None:
    """Which entity marker starts at ``i`` (kind, marker length), if any."""
    if source.startswith("```", i):
        return "pre", 3
    simple = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}
    if not legacy:
        if source.startswith("__", i):
            return "underline", 2
        if source.startswith("||", i):
            return "spoiler", 2
        simple["~"] = "strikethrough"
    kind = simple.get(source[i])
    return (kind, 1) if kind else None


def parse_markdown(source: str, *, legacy: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2 (or legacy Markdown) with Telegram's escaping rules."""
    builder = _Builder()
    stack: list[tuple[str, int, int]] = []  # (kind, start pos, byte offset)
    i, size = 0, len(source)
    while i < size:
        char = source[i]
        top = stack[-1][0] if stack else None
        if char == "\\" and i + 1 < size and (not legacy or source[i + 1] in "_*`["):
            builder.add(source[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            closing = "```" if top == "pre" else "`"
            if source.startswith(closing, i):
                kind, start, _ = stack.pop()
                builder.entity(kind, start)
                i += len(closing)
            else:
                builder.add(char)
                i += 1
            continue
        if char == "]" and top == "text_link":
            match = re.match(r"\]\(((?:[^)\\]|\\.)*)\)", source[i:])
            if not match:
                raise ParseError(
                    f"Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                )
            _, start, _ = stack.pop()
            builder.entity("text_link", start, url=re.sub(r"\\(.)", r"\1", match.group(1)))
            i += match.end()
            continue
        marker = _md_marker(source, i, legacy)
        if marker:
            kind, length = marker
            if top == kind:
                _, start, _ = stack.pop()
                builder.entity(kind, start)
                i += length
            else:
                i = _open_marker(source, i, kind, length, builder, stack)
            continue
        if not legacy and char == ">" and (i == 0 or source[i - 1] == "\n"):
            i += 1  # block quotation marker: accepted, not modelled as an entity
            continue
        if not legacy and char in MDV2_RESERVED:
            raise ParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        builder.add(char)
        i += 1
    if stack:
        kind, _, at = stack[-1]
        if legacy:
            raise ParseError(f"Can't find end of the entity starting at byte offset {at}")
        raise ParseError(f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {at}")
    return builder.result()


def _open_marker(
    source: str,
    i: int,
    kind: str,
    length: int,
    builder: _Builder,
    stack: list[tuple[str, int, int]],
) -> int:
    """Open a markdown entity at ``i``; return the index after its marker (and pre language)."""
    at = _byte_offset(source, i)
    i += length
    if kind == "pre":
        newline = source.find("\n", i)
        if newline != -1 and re.fullmatch(r"[\w+#-]*", source[i:newline]):
            i = newline + 1
    stack.append((kind, builder.pos, at))
    return i


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities for ``text`` sent with ``parse_mode`` (None: plain)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown(text)
    if mode == "markdown":
        return parse_markdown(text, legacy=True)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")
