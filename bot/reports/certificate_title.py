"""The activity title on a certificate, and the topics its words name.

Templates put the title after a phrase ("has completed", "participated in the activity
titled") or a label ("Course title:"), on the same line or the next ones; a title goes
on until a line that cannot be part of it (a date, an amount, a signature, a label).
Without such a phrase, a quoted line, then an upper-case line, is the best guess.
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.domain.topics import fold, normalize_topic
from bot.reports.certificate_credits import first_claim_start
from bot.reports.certificate_dates import find_dates
from bot.reports.certificate_provider import DEGREE, ORG, PROVIDER_LABEL, STOP_START
from bot.reports.certificate_types import Proposal

__all__ = ["propose_title", "topics_in"]

_INTRO = re.compile(
    r"\b(?:for\s+(?:(?:successfully|successful|the)\s+)*(?:completing|completion\s+of|participating\s+in"
    r"|participation\s+in|attending|attendance\s+at)"
    r"|(?:has|have)\s+(?:successfully\s+)?(?:completed|attended|participated\s+in)"
    r"|successfully\s+completed|participated\s+in|titled|entitled"
    r"|for\s+(?:the\s+)?(?:following\s+)?(?:activity|course|program(?:me)?|session)(?=\W*$)"
    r"|^(?:completed|attended))\b\W*",
    re.I,
)
_FILLER_WORDS = (
    r"the|a|an|this|following|live|online|internet|web-?based|enduring|material|journal-?based"
    r"|on-?demand|recorded|accredited|educational|cme|ce|continuing|medical|nursing|education"
    r"|activity|course|program(?:me)?|webinar|webcast|session|module|event|lecture|conference"
    r"|symposium|workshop|meeting|podcast|self-?study|certified|grand\s+rounds"
    # ACPE's activity types (QA round 13: "the knowledge-based home-study activity" was
    # the title, the quoted one under it lost)
    r"|(?:knowledge|application|practice)-?\s*based|home-?\s*study"
)
_FILLER = re.compile(
    rf"^(?:(?:{_FILLER_WORDS})(?:\s+|(?=:)|$))*(?:(?:titled|entitled|called|named)\b\W*|:\s*|$)",
    re.I,
)
_TITLE_LABEL = re.compile(
    r"^(?:(?:activity|course|program|session|module|event|lecture)\s+(?:title|name)|title"
    r"|activity|course|program)\s*:\s*(.*)$",
    re.I,
)
_TAIL = re.compile(
    r"\s+(?:and\s+(?:is|was|has\s+been)\s+awarded|and\s+(?:has\s+)?earned|for\s+a\s+"
    r"(?:maximum|total)\s+of|earning|with\s+a\s+(?:maximum|total))\b.*$",
    re.I,
)
_HEADER_WORDS = frozenset({
    "certificate", "certificates", "of", "completion", "attendance", "participation",
    "achievement", "credit", "continuing", "medical", "nursing", "education", "cme", "ce",
    "award", "this", "is", "to", "certify", "that", "the", "and", "professional", "development",
    "record", "transcript",
})  # fmt: skip
_CONNECTORS = frozenset({
    "and", "of", "for", "in", "the", "to", "with", "a", "an", "on", "or", "at", "by", "vs",
    "versus", "from",
})  # fmt: skip
_QUOTED = re.compile(r"[“\"‘']([^”\"’']{6,160})[”\"’']")
# "New York State Department of Health approved course": what kind of course, not its
# title, which is on the next line (QA round 13).
_DESCRIPTOR = re.compile(
    r"^(?:the\s+|an?\s+)?[\w\s.&,'’-]{0,80}?\b(?:approved|accredited|certified|designated)\s+"
    r"(?:course|activity|program(?:me)?|training|module|webinar|session)\W*$",
    re.I,
)


def propose_title(lines: list[str]) -> Proposal[str] | None:
    """The first title introduced by a phrase or label; else a quoted or upper-case line."""
    for index, line in enumerate(lines):
        labelled = _TITLE_LABEL.match(line)
        if labelled:
            rest, confidence = labelled.group(1), 0.9
        else:
            intro = _INTRO.search(line)
            if intro is None:
                continue
            rest, confidence = line[intro.end() :], 0.85
            filler = _FILLER.match(rest)
            if filler:
                rest = rest[filler.end() :]
        if quoted := _quoted_near(lines, index, line[len(line) - len(rest) :]):
            return quoted  # a quoted title is the title, whatever words come before it
        rest = _cut_tail(rest)
        if _DESCRIPTOR.match(rest):
            rest = ""
        same_line = bool(rest)
        nxt = index + 1
        if not rest:
            if nxt < len(lines) and _DESCRIPTOR.match(lines[nxt]):
                nxt += 1  # "… approved course" on its own line, the title under it
            if nxt >= len(lines) or _is_stop(lines[nxt]):
                continue
            rest, nxt, confidence = _cut_tail(lines[nxt]), nxt + 1, 0.8
            if not rest:
                continue
        parts = [rest]
        while len(parts) < 3 and nxt < len(lines) and _continues(parts, lines[nxt], same_line):
            parts.append(_cut_tail(lines[nxt]))
            nxt += 1
        title = _tidy(" ".join(parts))
        if title and not _is_header(title):
            return Proposal(title, confidence, " / ".join(lines[index:nxt]))
    return _title_fallback(lines)


def _quoted_near(lines: list[str], index: int, rest: str) -> Proposal[str] | None:
    """A quoted title in what follows an intro or label: on its line, or on one of the two
    lines after it before anything that ends a title."""
    candidates = [(rest, lines[index])]
    for line in lines[index + 1 : index + 3]:
        if _is_stop(line) and not _QUOTED.search(line):
            break
        candidates.append((line, line))
    for text, line in candidates:
        quoted = _QUOTED.search(text)
        if quoted and not _is_header(quoted.group(1)):
            return Proposal(_tidy(quoted.group(1)), 0.9, line)
    return None


def _title_fallback(lines: list[str]) -> Proposal[str] | None:
    """A quoted line, else the line under the certificate's heading, else an upper-case
    line that is not the heading itself."""
    for line in lines:
        quoted = _QUOTED.search(line)
        if quoted and not _is_header(quoted.group(1)):
            return Proposal(_tidy(quoted.group(1)), 0.6, line)
    if under := _under_heading(lines):
        return under
    for line in lines:
        letters = [ch for ch in line if ch.isalpha()]
        if (
            len(letters) >= 8
            and len(line.split()) >= 2
            and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)
            and not _is_header(line)
            and not _is_stop(line)
            and not ORG.search(line.title())
        ):
            return Proposal(_tidy(line), 0.4, line)
    return None


def _under_heading(lines: list[str]) -> Proposal[str] | None:
    """ "CERTIFICATE OF ATTENDANCE" then "Opioid Prescribing: Safe Practices": the line
    under a heading-only line, when it is neither a person, an organisation nor a date."""
    for heading, line in pairwise(lines):
        if not _is_header(heading) or not re.search(r"[a-z]", heading, re.I):
            continue
        if (
            len(line.split()) >= 2
            and not _is_header(line)
            and not _is_stop(line)
            and not ORG.search(line)
            and not _AWARDED_TO.search(line)
            and _cut_tail(line) == line.strip(" ,;-–—")
        ):
            return Proposal(_tidy(line), 0.5, f"{heading} / {line}")
    return None


# "Dr. John Smith has earned": the clinician, not the activity (QA: taken as its title).
_AWARDED_TO = re.compile(r"\b(?:has|have)\s+(?:earned|received|been\s+awarded)\W*$", re.I)


def _cut_tail(text: str) -> str:
    """Drop what follows a title on its line: "on <date>", "and is awarded 2 credits"."""
    cut = len(text)
    tail = _TAIL.search(text)
    if tail:
        cut = tail.start()
    dates = find_dates(text)
    if dates:
        cut = min(cut, dates[0].start)
    claim = first_claim_start(text)
    if claim is not None:
        cut = min(cut, claim)
    text = text[:cut]
    # "Completed on <date>": nothing but "on" is left, and it is no title (QA: "Title: on")
    return re.sub(r"(?:(?:^|\s+)(?:on|dated|and|for))+\W*$", "", text, flags=re.I).strip(" ,;-–—")


def _is_stop(line: str) -> bool:
    """A line that cannot be part of a title: a date, an amount, a label, a signature."""
    return bool(
        STOP_START.search(line)
        or DEGREE.search(line)
        or PROVIDER_LABEL.search(line)
        or find_dates(line)
        or first_claim_start(line) is not None
    )


def _continues(parts: list[str], line: str, same_line: bool) -> bool:
    """Whether ``line`` carries on a title that started on the lines in ``parts``."""
    if _is_stop(line) or ORG.search(line):
        return False
    previous = parts[-1]
    if not previous or previous.endswith((":", "-", "–", "—", ",", "&", "/")):
        return bool(previous)
    if line[:1].islower():
        return True
    if previous.split()[-1].lower() in _CONNECTORS or line.split()[0].lower() in _CONNECTORS:
        return True
    if previous.count("“") > previous.count("”") or previous.count('"') % 2:
        return True
    words = [w for w in line.split() if w[:1].isalpha()]
    titled = bool(words) and sum(w[:1].isupper() for w in words) >= 0.6 * len(words)
    return not same_line and titled and len(" ".join(parts)) + len(line) <= 160


def _tidy(title: str) -> str:
    title = title.strip(" \"'“”‘’.,;:-–—")
    return title if len(title) <= 200 else title[:199].rstrip() + "…"


def _is_header(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return not words or all(word in _HEADER_WORDS for word in words)


_ACRONYM = re.compile(r"^[A-Z]{2,5}$")
_AMBIGUOUS = frozenset({
    "risk", "safety", "errors", "error", "communication", "documentation", "meeting",
    "conference", "pain", "aids", "mate",
})  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def topics_in(title: str) -> tuple[str, ...]:
    """Topic ids named in the title, longest phrase first ("opioid prescribing" beats "opioid").

    A single word counts only when it is specific: short or ambiguous words ("risk",
    "safety", "mat") match only as upper-case acronyms (HIV, SUD, MAT).
    """
    words = _WORD.findall(title)
    used = [False] * len(words)
    found: list[tuple[int, str]] = []
    for size in range(min(5, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            chunk = words[start : start + size]
            if size == 1 and not _specific_word(chunk[0]):
                continue
            if size > 1 and len(fold(" ".join(chunk)).split()) < 2:
                continue  # "Risk in" folds to "risk": judged as the single word it is
            topic = normalize_topic(" ".join(chunk))
            if topic is None:
                continue
            found.append((start, topic))
            for i in range(start, start + size):
                used[i] = True
    return tuple(dict.fromkeys(topic for _, topic in sorted(found)))


def _specific_word(word: str) -> bool:
    if _ACRONYM.match(word):
        return True
    folded = fold(word)
    return len(folded) >= 4 and folded not in _AMBIGUOUS
