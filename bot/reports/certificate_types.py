"""What reading a certificate produces: proposals with a confidence, never final values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

__all__ = ["CertificateReading", "CreditClaim", "Proposal"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Proposal(Generic[T]):
    """A guessed value, how sure we are (0-1) and the text it was read from."""

    value: T
    confidence: float
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class CreditClaim:
    """An amount of credit printed on the certificate ("2.5 AMA PRA Category 1 Credits")."""

    amount: Decimal
    category: str | None
    phrase: str
    confidence: float
    ceus: str = ""  # printed in CEUs (this many): ``amount`` is them as contact hours


@dataclass(frozen=True, slots=True)
class CertificateReading:
    """What could be read; a None field was not found. ``needs_manual``: no text at all."""

    file_name: str = ""
    pages: int = 0
    title: Proposal[str] | None = None
    provider: Proposal[str] | None = None
    completed_on: Proposal[date] | None = None
    amount: Proposal[Decimal] | None = None
    category: Proposal[str] | None = None
    topics: tuple[str, ...] = ()
    claims: tuple[CreditClaim, ...] = ()
    activity_type: str | None = None  # how it was attended: its UAN's letter, else its words
    uan: str = ""  # the ACPE Universal Activity Number printed on it
    needs_manual: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        """Fields to ask the clinician for."""
        fields = ("title", "provider", "completed_on", "amount", "category")
        return tuple(name for name in fields if getattr(self, name) is None)
