"""Amounts and credit types printed on certificates.

A certificate often prints two amounts: what the activity is designated for ("a maximum
of 3 AMA PRA Category 1 Credits") and what this clinician claimed or was awarded. Every
amount is kept as a :class:`CreditClaim`; "claimed/awarded" raises confidence and
"maximum/up to" lowers it, so the best guess is the clinician's own figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bot.domain.numbers import CONTACT_HOURS_PER_CEU
from bot.domain.topics import normalize_category
from bot.reports.certificate_types import CreditClaim, Proposal

__all__ = ["category_only", "credit_claims", "first_claim_start"]

_NUM = r"(?<![\w.,/-])\(?(?P<n>\d{1,3}(?:[.,]\d{1,2})?)\)?"
_MOC_CONTEXT = re.compile(r"\bMOC\b|Maintenance\s+of\s+Certification|\bABIM\b", re.I)
_PHARMACY = re.compile(r"\bACPE\b|pharmac", re.I)
_NURSING = re.compile(r"\bANCC\b|\bnurs|\bNCPD\b|Credentialing\s+Center", re.I)


def _roman(value: str) -> str:
    return {"I": "1", "II": "2"}.get(value.upper(), value)


@dataclass(frozen=True, slots=True)
class _Context:
    """What the whole certificate says about its audience, looked up once per text."""

    moc: bool
    contact: tuple[str, float]  # what "contact hours" mean here, and how sure we are

    @classmethod
    def of(cls, text: str) -> _Context:
        pharmacy, nursing = bool(_PHARMACY.search(text)), bool(_NURSING.search(text))
        if pharmacy and not nursing:
            contact = ("ACPE", 0.85)
        elif nursing:
            contact = ("ANCC", 0.85)
        else:
            contact = ("contact hours", 0.65)
        return cls(bool(_MOC_CONTEXT.search(text)), contact)


_Phrase = Callable[[re.Match[str], _Context], tuple[str | None, float]]
_SPECIFIC: tuple[tuple[re.Pattern[str], _Phrase], ...] = (
    (
        re.compile(rf"{_NUM}\s+(?:AOA\s+)?Category\s+(?P<c>[12])\s*-?\s*(?P<l>[AB])\b", re.I),
        lambda m, _: (f"AOA Category {m['c']}{m['l'].upper()}", 0.85),
    ),
    (
        re.compile(rf"{_NUM}\s+AAPA\s+Category\s+(?P<c>1|2|II|I)\b", re.I),
        lambda m, _: (f"AAPA Category {_roman(m['c'])}", 0.85),
    ),
    (
        re.compile(
            rf"{_NUM}\s+(?:AMA\s+PRA\s+)?Category\s+(?P<c>1|2|II|I)\b(?:\s+CME)?\s+Credits?", re.I
        ),
        lambda m, _: (f"AMA PRA Category {_roman(m['c'])}", 0.85),
    ),
    (
        re.compile(rf"{_NUM}\s+(?:AAFP\s+)?(?P<c>Prescribed|Elective)\s+credits?", re.I),
        lambda m, _: (f"AAFP {m['c']}", 0.85),
    ),
    (
        re.compile(
            rf"{_NUM}\s+(?:(?:ABIM|ABP|ABA|ABS|ABFM|Medical\s+Knowledge|MK|Part\s+(?:II|IV|2|4))"
            r"\s+)*(?:MOC\s+)?(?:points?|pts)\b",
            re.I,
        ),
        lambda _, ctx: ("MOC points", 0.85) if ctx.moc else (None, 0.6),
    ),
    (
        re.compile(
            rf"{_NUM}\s+(?:(?:ANCC|nursing|NCPD|CNE|ACPE|pharmacy|continuing\s+education|CE|CPE)"
            r"\s+)*contact\s+hours?",
            re.I,
        ),
        lambda _, ctx: ctx.contact,
    ),
    (
        re.compile(rf"{_NUM}\s+(?:ACPE|CPE|pharmacy\s+CE)\s+(?:credits?|hours?|units?)", re.I),
        lambda _, __: ("ACPE", 0.85),
    ),
)
# "1.5 CEUs": ten contact hours each (IACET, ACPE), as /log reads them; the chat asks
# whether they were hours said as CEUs (QA round 13: "couldn't find the number of credits").
_CEUS = re.compile(rf"{_NUM}\s+(?:(?:IACET|ACPE|pharmacy|nursing)\s+)?CEUs?\b", re.I)
_GENERIC = re.compile(
    rf"{_NUM}\s+(?:CME\s+|CE\s+|continuing\s+(?:medical\s+)?education\s+)?"
    r"(?:credit\s+hours?|credits?|hours?|hrs?|CE)\b",  # "6.0 CE" (QA round 7)
    re.I,
)
_LABELLED = re.compile(
    r"\b(?P<unit>contact\s+hours?|MOC\s+points|credits?|hours|points|CME|CE)\s*"
    r"(?:awarded|earned|claimed|granted)?"
    rf"\s*:\s*{_NUM}",
    re.I,
)
_NOT_AN_AMOUNT = re.compile(r"(?:category|cat\.?|part|level|type|module|step|tier)\s*$", re.I)
_CLAIMED = re.compile(
    r"(?:claimed|awarded|earned|received|granted|total\s+of|total)\W+(?:[\w-]+\W+){0,3}$", re.I
)
_MAXIMUM = re.compile(r"(?:maximum|up\s+to|max\.?)\W+(?:of\W+)?$", re.I)
_CLAIMED_LABEL = re.compile(r"\b(?:claimed|awarded|earned|granted)\b", re.I)


def credit_claims(text: str) -> list[CreditClaim]:
    """Every amount with a unit, in order; confidence up for "claimed", down for "maximum"."""
    found: list[tuple[int, int, Decimal, str, str | None, float, str]] = []
    taken = bytearray(len(text) + 1)  # characters already inside a claim (linear, not O(n²))
    context = _Context.of(text)

    def add(
        match: re.Match[str], amount: Decimal, category: str | None, base: float, ceus: str = ""
    ) -> None:
        found.append((match.start(), match.end(), amount, match.group(0), category, base, ceus))
        taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())

    for pattern, phrase_of in _SPECIFIC:
        for match in pattern.finditer(text):
            amount = _amount(match["n"])
            if amount is None or any(taken[match.start() : match.end()]):
                continue
            phrase, base = phrase_of(match, context)
            add(match, amount, normalize_category(phrase) if phrase else None, base)
    for match in _CEUS.finditer(text):
        ceus = _amount(match["n"])
        if ceus is None or ceus * CONTACT_HOURS_PER_CEU > 500 or any(
            taken[match.start() : match.end()]
        ):
            continue
        # Below a printed amount in hours ("2.0 contact hours (0.2 CEUs)"), which wins.
        hours, said = ceus * CONTACT_HOURS_PER_CEU, format(ceus.normalize(), "f")
        add(match, hours, normalize_category(context.contact[0]), 0.7, said)
    for pattern in (_GENERIC, _LABELLED):
        for match in pattern.finditer(text):
            amount = _amount(match["n"])
            if (
                amount is None
                or any(taken[match.start() : match.end()])
                or _NOT_AN_AMOUNT.search(text[max(0, match.start() - 12) : match.start()])
            ):
                continue
            if pattern is _LABELLED:
                add(match, amount, _labelled_category(match["unit"], context), 0.75)
            else:
                add(match, amount, None, 0.6)
    claims = []
    for start, _end, amount, phrase, category, base, ceus in sorted(found, key=lambda f: f[0]):
        before = text[max(0, start - 60) : start]
        if _CLAIMED.search(before) or _CLAIMED_LABEL.search(phrase):  # "Credits claimed: 2.5"
            base += 0.1
        elif _MAXIMUM.search(before):
            base -= 0.1
        claims.append(
            CreditClaim(amount, category, " ".join(phrase.split()), round(base, 2), ceus=ceus)
        )
    return claims


def _labelled_category(unit: str, context: _Context) -> str | None:
    """The category a label's unit implies: "Contact hours: 2" on a nursing certificate."""
    unit = unit.lower()
    if unit.startswith("contact"):
        return normalize_category(context.contact[0])
    if unit.startswith("moc") or (unit.startswith("point") and context.moc):
        return normalize_category("MOC points")
    return None


def first_claim_start(text: str) -> int | None:
    starts = [m.start() for p, _ in _SPECIFIC for m in p.finditer(text)]
    starts += [
        m.start()
        for m in _GENERIC.finditer(text)
        if not _NOT_AN_AMOUNT.search(text[max(0, m.start() - 12) : m.start()])
    ]
    return min(starts, default=None)


def _amount(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return value if Decimal(0) < value <= Decimal(500) else None


_CATEGORY_ONLY = (
    (re.compile(r"AMA\s+PRA\s+Category\s+1\b(?!\s*-?\s*[AB]\b)", re.I), "AMA PRA Category 1"),
    (re.compile(r"\bAOA\s+Category\s+1\s*-?\s*A\b", re.I), "AOA Category 1A"),
    (_MOC_CONTEXT, "MOC points"),
    (re.compile(r"\bcontact\s+hours?\b", re.I), "contact hours"),
)


def category_only(text: str) -> Proposal[str] | None:
    """A category named without an amount next to it ("designated for AMA PRA Category 1")."""
    for pattern, phrase in _CATEGORY_ONLY:
        match = pattern.search(text)
        if match and (category := normalize_category(phrase)):
            return Proposal(category, 0.5, match.group(0))
    return None
