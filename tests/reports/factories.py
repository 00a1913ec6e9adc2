"""Realistic transcript inputs built through the real credit arithmetic."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from bot.domain.credits import CreditItem, LicenceFacts, status_for_all
from bot.reports.model import TranscriptLicence, transcript_licence

TODAY = date(2026, 11, 23)
TEXAS = LicenceFacts(
    rule_id="us-tx-md",
    licence_id="TX-M1234",
    renewal_date=date(2027, 8, 31),
    renewals_done=1,
    flags=frozenset({"direct_patient_care"}),
)
FLORIDA = LicenceFacts(
    rule_id="us-fl-md", licence_id="ME 98765", renewal_date=date(2028, 1, 31), renewals_done=2
)
_TITLES = (
    "Safe Opioid Prescribing <2026> & Beyond",
    "Medical Ethics at the End of Life",
    "Grand Rounds: Sepsis Bundles",
    '=HYPERLINK("http://evil.example","click")',
    "Prevention of Medical Errors",
    "Domestic Violence: Screening & Referral",
    "Journal Club — Hypertension",
)
_PROVIDERS = (
    "University of Texas Southwestern Medical Center",
    "Société Française de Cardiologie",
    "+Medscape Education",
    "American College of Physicians",
    "",
)
_TOPICS = (
    frozenset({"opioid_prescribing"}),
    frozenset({"ethics"}),
    frozenset({"sepsis"}),
    frozenset(),
    frozenset({"medical_errors"}),
    frozenset({"domestic_violence", "ethics"}),
    frozenset(),
)


def entries(count: int, seed: int = 7, start: date = date(2025, 9, 2)) -> list[CreditItem]:
    """``count`` logged activities spread over the current Texas/Florida cycles."""
    rnd = random.Random(seed)
    items = []
    for index in range(count):
        kind = index % len(_TITLES)
        items.append(
            CreditItem(
                entry_id=f"e{index:04d}",
                completed_on=start + timedelta(days=rnd.randrange(0, 440)),
                amount=Decimal(rnd.choice(("0.5", "1", "1.25", "2", "3"))),
                category=rnd.choice(("ama_pra_1", "ama_pra_1", "ama_pra_2")),
                topics=_TOPICS[kind],
                title=f"{_TITLES[kind]} #{index}",
            )
        )
    return items


def providers(items: list[CreditItem]) -> dict[str, str]:
    return {item.entry_id: _PROVIDERS[i % len(_PROVIDERS)] for i, item in enumerate(items)}


def licences(count: int, seed: int = 7) -> list[TranscriptLicence]:
    """Texas and Florida transcripts over the same ``count`` entries."""
    items = entries(count, seed)
    statuses = status_for_all([TEXAS, FLORIDA], items, TODAY)
    certified = {item.entry_id for item in items[::3]}
    return [
        transcript_licence(s, items, providers=providers(items), certificates=certified)
        for s in statuses
    ]
