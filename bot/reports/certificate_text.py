"""Proposed credit-entry fields from a certificate's text.

Certificates follow a few templates (ACCME "has participated in ... and is awarded",
nursing "contact hours", ABIM "MOC points"), so labelled phrases and the structure
around them get us most of the way without OCR or a model. Every field is a
*proposal* with a confidence and the text it came from: the chat shows it and asks the
clinician to confirm, so a wrong guess costs one tap, never a wrong credit.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.domain.activity_format import find_uan, format_in_text, uan_format
from bot.domain.state_approved import state_approved
from bot.reports.certificate_credits import category_only, credit_claims
from bot.reports.certificate_dates import completion_date, find_dates
from bot.reports.certificate_provider import propose_provider
from bot.reports.certificate_title import propose_title, topics_in
from bot.reports.certificate_types import CertificateReading, CreditClaim, Proposal

__all__ = ["CertificateReading", "CreditClaim", "Proposal", "parse_certificate_text"]

MIN_TEXT = 10  # fewer letters/digits than this: a scan, nothing to read
_MAX_TEXT = 20_000  # a certificate is 1-3k characters; the cap bounds regex time
_MAX_LINE = 400


def parse_certificate_text(text: str, today: date) -> CertificateReading:
    """Propose title, provider, completion date, amount, category and topics from text."""
    lines = _lines(text[:_MAX_TEXT])
    flat = "\n".join(lines)
    if sum(ch.isalnum() for ch in flat) < MIN_TEXT:
        return CertificateReading(needs_manual=True, warnings=("no_text",))
    warnings: list[str] = []
    title = propose_title(lines)
    hit, skipped_future = completion_date(flat, today)
    if skipped_future:
        warnings.append("future_date_ignored")
    completed = Proposal(hit.value, hit.score, hit.evidence) if hit else None
    claims = credit_claims(flat)
    if _several_activities(lines):
        warnings.append("several_activities")
    best = max(claims, key=lambda c: c.confidence, default=None)
    amount = Proposal(best.amount, best.confidence, best.phrase) if best else None
    category = None
    if best is not None and best.category is not None:
        category = Proposal(best.category, best.confidence, best.phrase)
    elif (fallback := category_only(flat)) is not None:
        category = fallback
    found_uan = find_uan(flat)
    uan = found_uan.group("uan").upper() if found_uan else ""
    named = topics_in(title.value) if title else ()
    return CertificateReading(
        title=title,
        provider=propose_provider(lines, flat),
        completed_on=completed,
        amount=amount,
        category=category,
        topics=state_approved(named, flat),
        claims=tuple(claims),
        activity_type=(uan_format(uan) if uan else None) or format_in_text(flat),
        uan=uan,
        warnings=tuple(warnings),
    )


def _several_activities(lines: list[str]) -> bool:
    """A transcript: lines that each give a date and an amount, on two days or more (QA:
    one entry took the first row's amount and the second row's date)."""
    days = {
        found[0].value
        for line in lines
        if (found := find_dates(line))
        and (credit_claims(line) or _AMOUNT_LAST.search(line[found[-1].end :]))
    }
    return len(days) >= 2


# "Sepsis Update 10/01/2026 1.0": a table row's amount after its date, with no unit
_AMOUNT_LAST = re.compile(r"^\D*?(?<![\d.])\d{1,3}(?:\.\d{1,2})?\s*$")


# ----------------------------------------------------------------------- text
def _lines(text: str) -> list[str]:
    """NFKC (ligatures, ™ -> TM, non-breaking spaces), one space between words, no blanks."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    lines = (" ".join(raw.split())[:_MAX_LINE] for raw in text.splitlines())
    return [line for line in lines if line]
