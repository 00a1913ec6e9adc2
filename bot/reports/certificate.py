"""Reading an uploaded certificate PDF into proposed credit-entry fields.

Uploads are untrusted: the size is checked before anything is parsed, the file must
really be a PDF (a photo renamed ``.pdf`` is told apart so the chat can say why), and
any parser failure becomes a :class:`CertificateProblem` instead of an exception.
Only the first pages are read, within a time budget, because certificates are one page
and a hostile file should not hold a worker thread.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from bot.reports.certificate_text import (
    CertificateReading,
    CreditClaim,
    Proposal,
    parse_certificate_text,
)

if TYPE_CHECKING:
    from pypdf import PageObject

__all__ = [
    "MAX_BYTES",
    "CertificateProblem",
    "CertificateReading",
    "CreditClaim",
    "ExtractedText",
    "Proposal",
    "extract_text",
    "parse_certificate_text",
    "read_certificate",
]

_log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 3
TIME_BUDGET = 3.0  # seconds of text extraction before the rest is given up
MAX_CONTENT_BYTES = 1_000_000  # a certificate page draws in tens of kB
_MAGIC = b"%PDF-"
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0", "application/msword"),
)

ProblemCode = Literal["too_large", "not_pdf", "unreadable"]


@dataclass(frozen=True, slots=True)
class CertificateProblem:
    """Why a file could not be read; ``detail`` refines it for the reply.

    ``not_pdf``: ``empty``, a MIME type such as ``image/jpeg`` (suggest sending the PDF),
    or ``unknown``. ``unreadable``: ``encrypted``, ``truncated``, ``corrupt``, ``no_pages``.
    """

    code: ProblemCode
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """Text of the first pages, the page count, and warnings such as ``time_cap``."""

    text: str
    pages: int
    warnings: tuple[str, ...]


def read_certificate(
    data: bytes,
    file_name: str,
    today: date,
    *,
    max_bytes: int = MAX_BYTES,
    time_budget: float = TIME_BUDGET,
) -> CertificateReading | CertificateProblem:
    """Check and read an uploaded certificate; never raises on bad input."""
    extracted = extract_text(data, max_bytes=max_bytes, time_budget=time_budget)
    if isinstance(extracted, CertificateProblem):
        return extracted
    try:
        reading = parse_certificate_text(extracted.text, today)
    except Exception:  # a parser bug must not lose the upload: ask for the fields instead
        _log.exception("certificate text parsing failed for %r", file_name)
        reading = CertificateReading(needs_manual=True, warnings=("parse_error",))
    return replace(
        reading,
        file_name=file_name,
        pages=extracted.pages,
        warnings=(*extracted.warnings, *reading.warnings),
    )


def extract_text(
    data: bytes, *, max_bytes: int = MAX_BYTES, time_budget: float = TIME_BUDGET
) -> ExtractedText | CertificateProblem:
    """The text of the first pages, or the reason there is none to read."""
    if len(data) > max_bytes:
        return CertificateProblem("too_large", f"{len(data)} bytes")
    if not data.strip():
        return CertificateProblem("not_pdf", "empty")
    offset = data.find(_MAGIC, 0, 1024)
    if offset < 0:
        return CertificateProblem("not_pdf", _sniff(data))
    if b"%%EOF" not in data[-2048:]:
        return CertificateProblem("unreadable", "truncated")
    try:
        return _pdf_text(data[offset:], time_budget)
    except Exception:  # pypdf raises many types on hostile input; none may escape
        return CertificateProblem("unreadable", "corrupt")


def _pdf_text(data: bytes, time_budget: float) -> ExtractedText | CertificateProblem:
    from pypdf import PasswordType, PdfReader

    started = time.monotonic()
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # owner-password-only files open without one
        except Exception:
            opened = PasswordType.NOT_DECRYPTED
        if opened == PasswordType.NOT_DECRYPTED:
            return CertificateProblem("unreadable", "encrypted")
    count = len(reader.pages)
    if count == 0:
        return CertificateProblem("unreadable", "no_pages")
    warnings: list[str] = []
    if count > MAX_PAGES:
        warnings.append("pages_skipped")
    texts: list[str] = []
    deadline = started + time_budget
    for number in range(min(count, MAX_PAGES)):
        try:
            texts.append(_page_text(reader.pages[number], deadline))
        except _OutOfTime:
            warnings.append("time_cap")
            break
        except _TooComplex:
            warnings.append("too_complex")
        except Exception:
            if number == 0:
                raise
            warnings.append("page_error")
    return ExtractedText("\n".join(texts), count, tuple(warnings))


class _OutOfTime(Exception):
    """Raised from inside pypdf's operator loop when the time budget is spent."""


class _TooComplex(Exception):
    """A page's drawing instructions are too long to be a certificate's."""


def _page_text(page: PageObject, deadline: float) -> str:
    """A page's text, giving up past ``deadline``.

    pypdf cannot be interrupted from outside a thread, but it calls a visitor for every
    drawing operator, and raising there stops it. The size cap bounds the parsing that
    happens before the first operator (a 200 kB crafted file took 29 s without these).
    """
    if time.monotonic() > deadline:
        raise _OutOfTime
    contents = page.get_contents()
    size = len(contents.get_data()) if contents is not None else 0
    if size + _forms_size(page.get("/Resources"), MAX_CONTENT_BYTES - size) > MAX_CONTENT_BYTES:
        raise _TooComplex

    def check(*_: object) -> None:
        if time.monotonic() > deadline:
            raise _OutOfTime

    return page.extract_text(visitor_operand_before=check) or ""


def _forms_size(resources: object, budget: int, depth: int = 0) -> int:
    """Decoded size of the form XObjects a page draws (stops counting past ``budget``).

    Forms are parsed when drawn, so a huge one hidden behind a small page would bypass
    the page's own size check.
    """
    from pypdf.generic import DictionaryObject

    resources = getattr(resources, "get_object", lambda: resources)()
    if depth > 4 or not isinstance(resources, DictionaryObject):
        return 0
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not isinstance(xobjects, DictionaryObject):
        return 0
    total = 0
    for ref in xobjects.values():
        form = ref.get_object()
        if total > budget or not isinstance(form, DictionaryObject):
            break
        if form.get("/Subtype") == "/Form":
            total += len(form.get_data())  # type: ignore[attr-defined]
            total += _forms_size(form.get("/Resources"), budget - total, depth + 1)
    return total


def _sniff(data: bytes) -> str:
    """What a non-PDF upload probably is, so the reply can say "that is a photo"."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[4:12] in {b"ftypheic", b"ftypheix", b"ftypmif1"}:
        return "image/heic"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return "unknown"
