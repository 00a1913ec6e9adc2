"""Hypothesis strategies for every kind of update the bot can receive.

Each strategy yields an *action* (a small frozen dataclass); :class:`tests.fuzz.world.World`
turns it into a real update pushed through the sandbox. Texts mix pure noise (any
Unicode, RTL, zero-width, emoji, 4096+ characters, "/" alone) with the bot's own
vocabulary, so the random walk reaches deep into the conversations instead of bouncing
off the "I did not understand" reply.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from bot import texts
from tests.fuzz import known_bugs

# ------------------------------------------------------------------------------ actions


@dataclass(frozen=True)
class Say:
    """Private text from the fuzzed user (commands included when the text starts with /)."""

    text: str


@dataclass(frozen=True)
class Command:
    """``/name args`` with a proper bot_command entity (optionally ``/name@bot``)."""

    name: str
    args: str
    mention: bool = False


@dataclass(frozen=True)
class PressButton:
    """Press one of the inline buttons the bot really showed (index modulo how many)."""

    index: int


@dataclass(frozen=True)
class Forge:
    """Press with arbitrary callback data on one of the bot's messages in this chat."""

    data: str
    message: int = 0  # which bot message (modulo), counted from the newest


@dataclass(frozen=True)
class Locate:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Upload:
    file_name: str
    mime_type: str | None
    data: bytes
    caption: str | None = None

    def __repr__(self) -> str:  # keep failure reports readable
        head = self.data[:24]
        return (
            f"Upload({self.file_name!r}, {self.mime_type!r}, <{len(self.data)} bytes "
            f"{head!r}...>, caption={self.caption!r})"
        )


@dataclass(frozen=True)
class Photo:
    data: bytes
    caption: str | None = None

    def __repr__(self) -> str:
        return f"Photo(<{len(self.data)} bytes {self.data[:16]!r}>, caption={self.caption!r})"


@dataclass(frozen=True)
class EditEarlier:
    """Edit one of the user's earlier text messages (index modulo how many)."""

    index: int
    text: str


@dataclass(frozen=True)
class InGroup:
    """Something posted in a group the bot is in (the sender may be an anonymous admin)."""

    text: str
    anonymous: bool = False
    supergroup: bool = False


@dataclass(frozen=True)
class ChannelPost:
    text: str


@dataclass(frozen=True)
class Raw:
    """A raw update: no ``from``, other update kinds, odd message contents."""

    kind: str
    text: str = ""


@dataclass(frozen=True)
class Newcomer:
    """A user the bot has never seen, with an arbitrary name, says something."""

    first_name: str
    text: str


@dataclass(frozen=True)
class LogAndSave:
    """Log a line, then press the draft's Save (reaches saving, counting, re-planning)."""

    line: str


@dataclass(frozen=True)
class Tap:
    """Press the newest button carrying exactly this callback data (if the bot showed one)."""

    data: str


Action = (
    Say | Command | PressButton | Forge | Locate | Upload | Photo | EditEarlier | InGroup
    | ChannelPost | Raw | Newcomer | LogAndSave | Tap
)  # fmt: skip

# -------------------------------------------------------------------------------- texts

SPECIAL_TEXTS = (
    "/", "//", "/ ", " ", "\u200b", "\u200e\u200f", "\ufeff", "\u202eevil", "مرحبا بالعالم",
    "שלום עולם 3 credits", "👩🏽‍⚕️🧑‍⚕️💉", "🏳️‍🌈" * 50, "a\u0301" * 200, "<b>bold", "</i>",
    "&amp;&lt;", "<a href='x'>", "%s %d {0} {name}", "{}", "'; DROP TABLE clinicians; --",
    "\\", known_bugs.scrub("\x00") or "\x01", "\x1b[31m", "\r\n\r\n", "\t", "NaN", "-1",
    "1e309", "9" * 40, "0",
    "２．５ credits", "Ⅻ credits", "٣ credits", "3,5 credits", "∞ credits",
)  # fmt: skip

PHRASES = (
    "how many credits do I still need?", "what's left for Texas?", "status", "when is my renewal",
    "I did 3 credits of ethics yesterday", "2.5 credits opioid prescribing Nov 3",
    "1 hour medical errors last week", "I need 40 credits by 2027-06-30, 2 of them ethics",
    "50 credits by 2028-01-31", "courses near Boston next month", "online courses about ethics",
    "courses in 02115", "ethics courses within 10 km of Paris", "courses near me",
    "courses I need", "Courses that fit my gaps", "Texas", "Florida", "ABIM", "California MD",
    "Boston", "Portland", "Springfield", "Zurich", "10001", "00000", "90210", "none", "skip",
    "yes", "no", "March 1980", "3/1975", "2026-06-30", "2099-01-01", "1900-01-01", "Feb 30 2027",
    "tomorrow", "yesterday", "next friday", "3", "41", "7, 1", "180 90 30", "22-7", "21:00-08:00",
    "off", "ethics", "opioids", "safe prescribing", "cardiology", texts.COURSES_ONLINE_ONLY,
    texts.COURSES_I_NEED, texts.TIMEZONE_SHARE_LOCATION, texts.COURSES_SEND_LOCATION,
)  # fmt: skip

HIDDEN_COMMANDS = ("stats", "broadcast", "licenses", "menu", "settings", "admin")


def any_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Any Unicode (surrogates excluded: they cannot be sent as UTF-8 JSON)."""
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=max_size).map(
        known_bugs.scrub
    )


def long_text() -> st.SearchStrategy[str]:
    return st.builds(
        lambda n, unit: (unit * (n // len(unit) + 1))[:n],
        st.integers(4000, 5000),
        st.sampled_from(["x", "é", "😀", "ab ", "credits ", "\u200b", "مر"]),
    )


def chat_text() -> st.SearchStrategy[str]:
    """What a user might type: noise, the bot's vocabulary, or both glued together."""
    vocabulary = st.sampled_from(PHRASES)
    return st.one_of(
        any_text(),
        st.sampled_from(SPECIAL_TEXTS),
        vocabulary,
        vocabulary,
        st.builds(lambda a, b: f"{a} {b}", vocabulary, any_text(40)),
        st.builds(lambda a, b: f"{a}{b}", any_text(20), vocabulary),
        long_text(),
    )


AMOUNTS = ("1", "2.5", "0.25", "0.5", "10", "100", "1000", "0", "-1", "1e3", "½", "2,5", "3.333")
DATES = ("yesterday", "today", "Nov 3", "last week", "2026-11-01", "2025-01-01", "2030-01-01",
         "3 days ago", "on friday", "11/03/2026", "31/12/2026", "")  # fmt: skip


def topic_words() -> st.SearchStrategy[str]:
    from bot.domain import topics

    return st.sampled_from([t.replace("_", " ") for t in topics.topic_ids()] + ["opioids"])


def log_lines() -> st.SearchStrategy[str]:
    """Well-formed credit logs with random parts: these reach the draft and Save."""
    return st.builds(
        lambda lead, amount, unit, topic, title, when: (
            f'{lead}{amount} {unit} {topic} "{title}" {when}'.strip()
        ),
        st.sampled_from(["/log ", "I did ", "", "did "]),
        st.one_of(st.sampled_from(AMOUNTS), st.decimals(0, 60, places=2).map(str)),
        st.sampled_from(["credits", "hours", "", "AMA PRA Category 1 credits", "MOC points"]),
        topic_words(),
        st.one_of(st.sampled_from(["Safe prescribing", "Grand rounds"]), any_text(40)),
        st.sampled_from(DATES),
    )


def requirement_lines() -> st.SearchStrategy[str]:
    """Custom requirements ("I need 40 credits by 2027-06-30, 2 of them ethics")."""
    return st.builds(
        lambda n, when, k, topic: f"I need {n} credits by {when}, {k} of them {topic}",
        st.integers(0, 500),
        st.sampled_from(["2027-06-30", "June 2027", "2026-11-25", "2020-01-01", "2999-12-31"]),
        st.integers(0, 600),
        topic_words(),
    )


def command_names() -> st.SearchStrategy[str]:
    known = [name for name, _ in texts.COMMANDS]
    return st.one_of(
        st.sampled_from(known),
        st.sampled_from(known).map(str.upper),
        st.sampled_from(HIDDEN_COMMANDS),
        st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True),
    )


def commands() -> st.SearchStrategy[Command]:
    return st.builds(Command, command_names(), st.one_of(st.just(""), chat_text()), st.booleans())


# ----------------------------------------------------------------------- callback data


def callback_actions() -> list[str]:
    """Every button action the router knows (importing handlers registers them all)."""
    import handlers  # noqa: F401
    from handlers.callbacks import _routes

    return sorted(_routes)


FORGED_TEMPLATES = (
    "cred:del:{id}", "cred:delyes:{id}", "cred:edit:{id}", "cred:page:{id}", "lic:del:{id}",
    "lic:delyes:{id}", "lic:date:{id}", "lic:rule:us-tx-md", "lic:ren:{id}", "lic:flag:x:y",
    "chart:{id}", "snz:{id}:7", "snz:{id}:1", "snz:{id}:30", "mute:{id}", "rem:unmute:{id}",
    "rem:pause", "rem:resume", "cd:{id}", "cr:{id}:1", "cr:{id}:0", "cu:{id}", "tz:{id}",
    "log:save", "log:save:dup", "log:cancel", "log:date", "logc:ama_pra_1", "logt:ethics",
    "bcast:send:{hex}", "bcast:cancel:{hex}", "forget:no", "onb:prof:md", "onb:prof:zz",
    "onb:tz", "onb:done", "cg:0::50", "cg:{id}:zzz:50", "cs:0:::::::", "cs:{id}::50m:o::::",
    "gaps", "noop",
)  # fmt: skip


def callback_data(target_ids: tuple[int, ...] = ()) -> st.SearchStrategy[str]:
    """Random bytes-as-text, well-formed junk, and valid-looking data aimed at others' ids."""
    ids = st.one_of(
        st.integers(0, 60),
        st.sampled_from(target_ids or (1,)),
        st.integers(-5, 10**13),
        st.just(2**63),
    )
    token = st.from_regex(r"[A-Za-z0-9_.\-]{0,12}", fullmatch=True)
    route = st.sampled_from(callback_actions())
    return st.one_of(
        any_text(80),
        st.builds(":".join, st.lists(st.one_of(route, token), min_size=1, max_size=9)),
        st.builds(
            lambda template, n, h: template.format(id=n, hex=h),
            st.sampled_from(FORGED_TEMPLATES),
            ids,
            st.from_regex(r"[0-9a-f]{8}", fullmatch=True),
        ),
        st.builds(lambda a: a + ":" + "9" * 70, route),  # over Telegram's 64 bytes
    )


# ------------------------------------------------------------------------- coordinates


def locations() -> st.SearchStrategy[Locate]:
    edge_lat = st.sampled_from([90.0, -90.0, 89.99999, -89.99999, 0.0, 66.5, -0.0])
    edge_lon = st.sampled_from([180.0, -180.0, 179.99999, -179.99999, 0.0, -0.0])
    invalid = st.sampled_from([91.0, -91.0, 1e6, -1e300, 180.0001, 360.0, 1e308])
    lat = st.one_of(edge_lat, st.floats(-90, 90, allow_nan=False))
    lon = st.one_of(edge_lon, st.floats(-180, 180, allow_nan=False))
    if "invalid_coordinates" not in known_bugs.OPEN:
        lat, lon = st.one_of(lat, invalid), st.one_of(lon, invalid)
    return st.builds(Locate, lat, lon)


# ------------------------------------------------------------------------------- files


@cache
def _certificate_pdfs() -> tuple[bytes, ...]:
    """Real certificate PDFs (as providers draw them), made once per process."""
    from tests.reports import certificates

    return (
        certificates.certificate_pdf(certificates.ACCME),
        certificates.certificate_pdf(certificates.NURSING),
        certificates.certificate_pdf(certificates.ABIM),
        certificates.scanned_pdf(),
    )


@cache
def _images() -> tuple[bytes, ...]:
    from PIL import Image

    made = []
    for fmt, size in (("JPEG", (40, 30)), ("PNG", (1, 1)), ("GIF", (3, 3)), ("WEBP", (8, 8))):
        buffer = io.BytesIO()
        Image.new("RGB", size, "white").save(buffer, fmt)
        made.append(buffer.getvalue())
    return tuple(made)


def _mutate(data: bytes, cuts: list[tuple[int, int]], truncate: int | None) -> bytes:
    buffer = bytearray(data)
    for position, value in cuts:
        buffer[position % len(buffer)] = value
    if truncate is not None:
        buffer = buffer[: truncate % (len(buffer) + 1)]
    return bytes(buffer)


def _mutated(originals: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.builds(
        _mutate,
        originals,
        st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
        st.one_of(st.none(), st.integers(0, 10**6)),
    )


def file_bytes() -> st.SearchStrategy[bytes]:
    pdfs = st.sampled_from(_certificate_pdfs())
    return st.one_of(
        st.binary(max_size=4096),
        st.builds(lambda tail: b"%PDF-1.7\n" + tail, st.binary(max_size=4096)),
        pdfs,
        _mutated(pdfs),
        st.sampled_from(_images()),
        _mutated(st.sampled_from(_images())),
        st.sampled_from([b"", b"%PDF-", b"PK\x03\x04", b"BEGIN:VCALENDAR\r\n", b"{}", b"[]"]),
        st.sampled_from([10 * 1024 * 1024 + 1]).map(lambda n: b"%PDF-1.4\n" + bytes(n)),
    )


FILE_NAMES = (
    "certificate.pdf", "CERT.PDF", "scan.jpg", "photo.jpeg", "x.png", "catalogue.csv",
    "courses.ics", "data.json", "noextension", ".pdf", "a" * 300 + ".pdf", "../../etc/passwd",
    "con.pdf", "résumé ñ 证书.pdf", "\u202egpj.exe", "<script>.pdf", "",
)  # fmt: skip
MIME_TYPES = (
    None, "application/pdf", "image/jpeg", "image/png", "image/heic", "text/csv", "text/calendar",
    "application/json", "application/octet-stream", "application/zip", "x/y",
)  # fmt: skip


def uploads() -> st.SearchStrategy[Upload]:
    return st.builds(
        Upload,
        st.one_of(st.sampled_from(FILE_NAMES), any_text(40)),
        st.sampled_from(MIME_TYPES),
        file_bytes(),
        st.one_of(st.none(), chat_text()),
    )


def photos() -> st.SearchStrategy[Photo]:
    return st.builds(
        Photo, st.one_of(st.sampled_from(_images()), st.binary(max_size=2048)),
        st.one_of(st.none(), chat_text()),
    )  # fmt: skip


# ------------------------------------------------------------------------- other kinds

RAW_KINDS = (
    "private_without_from", "group_without_from", "from_a_bot", "sticker", "contact", "voice",
    "dice", "poll", "venue", "new_chat_members", "left_chat_member", "pinned_message",
    "my_chat_member_kicked", "my_chat_member_member", "inline_query", "poll_answer",
    "chat_join_request", "message_reaction", "empty_message", "edited_channel_post",
    "reply_to_unknown", "forwarded", "via_bot", "caption_only_document", "sender_chat_private",
)  # fmt: skip


def actions(target_ids: tuple[int, ...] = ()) -> st.SearchStrategy[Any]:
    """One action of any kind, weighted toward what exercises the most code."""
    return st.one_of(
        st.builds(Say, chat_text()),
        st.builds(Say, chat_text()),
        st.builds(Say, log_lines()),
        st.builds(Say, requirement_lines()),
        commands(),
        commands(),
        st.builds(PressButton, st.integers(0, 1000)),
        st.builds(PressButton, st.integers(0, 1000)),
        st.builds(PressButton, st.integers(0, 1000)),
        st.builds(Forge, callback_data(target_ids), st.integers(0, 50)),
        locations(),
        uploads(),
        photos(),
        st.builds(EditEarlier, st.integers(0, 100), chat_text()),
        st.builds(InGroup, chat_text() | commands().map(lambda c: f"/{c.name} {c.args}"),
                  st.booleans(), st.booleans()),
        st.builds(ChannelPost, chat_text()),
        st.builds(Raw, st.sampled_from(RAW_KINDS), any_text(60)),
        st.builds(Newcomer, any_text(64), chat_text()),
        st.builds(LogAndSave, log_lines()),
        st.builds(LogAndSave, log_lines()),
    )  # fmt: skip
