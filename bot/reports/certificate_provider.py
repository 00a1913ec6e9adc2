"""Who provided the activity, and the line patterns that mark signatures and organisations.

Best evidence first: a "Provided by" label, then the subject of an accreditation
statement ("X is accredited by the ACCME", "X designates this activity"), then a line
naming an organisation, and last an "Accredited by" line (often the accreditor, not
the provider, hence its low confidence).
"""

from __future__ import annotations

import re

from bot.reports.certificate_dates import find_dates
from bot.reports.certificate_types import Proposal

__all__ = ["DEGREE", "ORG", "PROVIDER_LABEL", "STOP_START", "propose_provider"]

STOP_START = re.compile(
    r"^(?:on|and|date|provided|presented|jointly|sponsored|accredited|awarded|issued|this|that"
    r"|credits?|hours?|contact|certificate|signature|signed|director|chair|president|dean"
    r"|physicians?|nurses?|pharmacists?|participants?|designat\w*|to|by|in\s+(?:joint|partner))\b"
    r"|\b(?:designates|is\s+accredited|is\s+approved|has\s+been\s+(?:reviewed|approved))\b",
    re.I,
)

DEGREE = re.compile(
    r",\s*(?:MD|DO|PhD|RN|NP|PA-C|PharmD|MSN|BSN|FACP|MPH|DNP|APRN|FNP|CRNA|MBBS)\b"
)

ORG = re.compile(
    r"\b(?:University|Society|College|Medical\s+Association|Academy|Association|Institute"
    r"|Foundation|Health\s+System|School\s+of\s+Medicine|Medical\s+Center|Hospital)\b"
)

PROVIDER_LABEL = re.compile(
    r"\b(?:jointly\s+provided\s+by|provided\s+by|presented\s+by|(?:co-?)?sponsored\s+by"
    r"|offered\s+by|issued\s+by|hosted\s+by|developed\s+by"
    r"|(?:accredited\s+|activity\s+|cme\s+|ce\s+)?provider(?:\s+name)?\s*:)\W*(?P<rest>.*)$",
    re.I,
)
_ACCREDITED_BY = re.compile(r"^accredited\s+by\W*(?P<rest>.*)$", re.I)
_NAME_WORD = re.compile(r"[A-Z][\w'’&.,-]*|of|the|and|for|at|in|on|&|\([A-Z]{2,}\)")
_VERB = re.compile(
    r"\b(?:is\s+accredited|designates\s+this|is\s+approved\s+(?:by|as)"
    r"|has\s+been\s+approved\s+as)\b"
)
_PROVIDER_TAIL = re.compile(
    r"\s+(?:in\s+(?:joint\s+)?(?:partnership|collaboration|association)\s+with"
    r"|(?:and\s+)?is\s+accredited|designates|on\s+behalf\s+of)\b.*$"
    r"|\.\s+[A-Z].*$",
    re.I,
)
_ACCREDITORS = re.compile(
    r"Accreditation\s+Council|Credentialing\s+Center|\bACCME\b|\bANCC\b|\bACPE\b"
    r"|Joint\s+Accreditation|American\s+Board\s+of",
    re.I,
)


def propose_provider(lines: list[str], flat: str) -> Proposal[str] | None:
    """The provider by the best evidence available (see the module docstring)."""
    for index, line in enumerate(lines):
        labelled = PROVIDER_LABEL.search(line)
        if labelled:
            rest = labelled.group("rest")
            if not rest and index + 1 < len(lines):
                rest = lines[index + 1]
            name = _clean_provider(rest)
            if name:
                return Proposal(name, 0.9, line)
    for verb in _VERB.finditer(flat):
        name = _clean_provider(_subject(flat, verb.start()))
        if name and not name.lower().startswith(("this", "it ")) and len(name.split()) >= 2:
            return Proposal(name, 0.8, f"{name} {verb.group(0)}")
    for line in lines:
        if (
            ORG.search(line)
            and len(line.split()) <= 12
            and not _ACCREDITORS.search(line)
            and not STOP_START.search(line)
            and not find_dates(line)
        ):
            name = _clean_provider(line)
            if name:
                return Proposal(name, 0.55, line)
    for line in lines:
        accredited = _ACCREDITED_BY.match(line)
        if accredited and (name := _clean_provider(accredited.group("rest"))):
            return Proposal(name, 0.45, line)
    return None


def _subject(flat: str, verb_at: int) -> str:
    """The run of capitalised words just before a verb ("The ACP" in "The ACP designates"),
    from its own line or, when the verb starts a line, the line before. Walking back word
    by word keeps this linear: a regex for it backtracked for seconds on hostile text."""
    start = flat.rfind("\n", 0, verb_at) + 1
    before = flat[start:verb_at]
    if not before.strip() and start > 0:
        before = flat[flat.rfind("\n", 0, start - 1) + 1 : start - 1]
    chain: list[str] = []
    for word in reversed(before[-160:].split()):
        if not _NAME_WORD.fullmatch(word):
            break
        chain.append(word)
    return " ".join(reversed(chain))


def _clean_provider(text: str) -> str:
    text = _PROVIDER_TAIL.sub("", text.strip())
    text = re.sub(r"^(?:the|by|and|of|for|in|at|on)\s+", "", text, flags=re.I)
    text = text.strip(" .,;:-–—")
    if len(text) > 120 or sum(ch.isalpha() for ch in text) < 3:
        return ""
    return text
