"""Dates on certificates: every common format, and which one is the completion date.

Certificates print several dates (release, expiry, completion, issue). A date is
scored by the label just before it: "Date of completion" beats "Date:", which beats an
unlabelled date; release and expiry dates are dropped. Numeric dates are read as US
month/day unless that is impossible (13/11/2026 is the 13th of November); dotted dates
(03.11.2026) are day.month as in Europe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["DateHit", "completion_date", "find_dates"]

EARLIEST = date(1980, 1, 1)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS = (
    # November 3, 2026 / Nov. 3-5, 2026 (a range ends on its last day)
    re.compile(
        rf"\b{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s*[-–—]\s*)?{_DAY},?\s+{_YEAR}\b", re.I
    ),
    # 3 Nov 2026 / 3rd of November, 2026
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I),
    # 2026-11-03, 2026/11/03, 2026.11.03 (year first: always year, month, day)
    re.compile(r"\b(?P<year>(?:19|20)\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\b"),
    # 11/03/2026, 11-03-2026, 11/03/26
    re.compile(r"\b(?P<m>\d{1,2})[/-](?P<d>\d{1,2})[/-](?P<y>(?:19|20)?\d{2})\b"),
    # 03.11.2026 (day first)
    re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>(?:19|20)\d{2})\b"),
)
_COMPLETION = re.compile(
    r"(?:date\s+of\s+(?:completion|attendance|participation|activity|course)|completion\s+date"
    r"|completed(?:\s+on)?|date\s+completed|(?:activity|course|session|event)\s+dates?"
    r"|attended(?:\s+on)?|awarded(?:\s+on)?|date\s+awarded|earned\s+on|date\s+earned)"
    r"\W*(?:on\W*)?$",
    re.I,
)
# When the certificate was issued: the activity's own dates ("Dates: October 1-3") beat it
# (QA: "Issued: November 30" was proposed for a course of October 1-3).
_ISSUED = re.compile(
    r"(?:date\s+of\s+issue|issued(?:\s+on)?|issue\s+date|date\s+issued)\W*(?:on\W*)?$", re.I
)
_GENERIC = re.compile(r"(?:\bdates?\W*|\bon\s+|\bdated\s+)$", re.I)
_IGNORED = re.compile(
    r"(?:release|released|expir\w*|expires|valid\w*|through|until|thru|terminat\w*|review\w*"
    r"|revis\w*|updated|effective|print\w*|birth|dob|born|approv\w*|renew\w*)\b[^\d]{0,25}$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateHit:
    """A date found in the text, with its position and how it was labelled."""

    value: date
    start: int
    end: int
    score: float  # 0.9 completion label, 0.75 "Date:"/"on", 0.5 unlabelled
    evidence: str


def find_dates(text: str) -> list[DateHit]:
    """Every valid date in ``text``, in order, scored by its label; ignored labels dropped."""
    found: dict[int, tuple[int, date]] = {}
    taken = bytearray(len(text) + 1)  # inside an earlier match: linear, however many dates
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if taken[start]:
                continue
            value = _to_date(match)
            if value is not None:
                found[start] = (end, value)
                taken[start:end] = b"\x01" * (end - start)
    hits: list[DateHit] = []
    previous_end = 0
    for start in sorted(found):
        end, value = found[start]
        before = text[max(previous_end, start - 48) : start]
        previous_end = end
        if _IGNORED.search(before):
            continue
        if _COMPLETION.search(before):
            score = 0.9
        elif _GENERIC.search(before):
            score = 0.75
        elif _ISSUED.search(before):
            score = 0.6
        else:
            score = 0.5
        evidence = " ".join(text[max(0, start - 30) : end].split())
        hits.append(DateHit(value, start, end, score, evidence))
    return hits


def completion_date(text: str, today: date) -> tuple[DateHit | None, bool]:
    """The best completion date (not after ``today``, not before 1980) and whether a future
    date had to be skipped (a typo, or a clock set wrong: worth a warning)."""
    skipped_future = False
    best: DateHit | None = None
    for hit in find_dates(text):
        if hit.value > today:
            skipped_future = skipped_future or hit.score > 0.5
            continue
        if hit.value < EARLIEST:
            continue
        # Labelled: the first wins. Unlabelled: the latest (completion follows release).
        if (
            best is None
            or hit.score > best.score
            or (hit.score == best.score == 0.5 and hit.value > best.value)
        ):
            best = hit
    return best, skipped_future


def _to_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    try:
        if groups.get("mon"):
            month = _MONTHS[groups["mon"].lower()[:3]]
            return date(int(groups["year"]), month, int(groups["day"]))
        if groups.get("year"):
            return date(int(groups["year"]), int(groups["m"]), int(groups["d"]))
        year = int(groups["y"])
        year += 2000 if year < 100 else 0
        first, second = int(groups["m"]), int(groups["d"])
        if first > 12 >= second:  # 13/11/2026 can only be day/month
            first, second = second, first
        return date(year, first, second)
    except (ValueError, KeyError):
        return None
