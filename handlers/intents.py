"""What a free-text message asks for: the router's tests, shared with the steps that let
a message for another feature pass instead of misreading it as their answer."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from bot.domain import dates
from bot.domain.log_parse import amount_with_unit, looks_like_a_log, starts_with_credits
from handlers.course_query import looks_like_course_request
from handlers.status import is_status_question

_HOURS_FIRST = re.compile(r"\s*\d+(?:[.,]\d+)?\s*(?:h|hrs?|hours?)\b", re.IGNORECASE)
# A course of the past: "… course on 3rd nov", "… course yesterday" (not "2h webinars").
_LOGGED_COURSE = re.compile(
    r"\bcourse\b.*\b(?:on|yesterday|yest|ago|last)\b|\b(?:on|last)\b.*\bcourse\b", re.I
)
# When the words say it is done ("2h this morning", "1h online course yesterday").
_PAST = re.compile(
    r"\b(?:yesterday|yest|yday|ago|last\s+\w+|this\s+(?:morning|afternoon|evening)|today"
    r"|on\s+(?:\d|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)
_SEARCH_WORDS = re.compile(
    r"\b(?:near|around|within|online|upcoming|next|this|any|find|show|where)\b", re.IGNORECASE
)


_FINDING = re.compile(r"\b(?:find|show|search|looking\s+for|upcoming|near)\b", re.IGNORECASE)


def is_log(text: str, now: datetime | None = None, tz: tzinfo | str = "UTC") -> bool:
    """ "I did 3 credits of ethics", "2 ethics yesterday" (not "2 ethics courses near Boston").
    With ``now``, an amount in credits or hours on a day already past is a log, whatever
    else the line says (QA: "… AANP webinar, 11/20/2026" was searched as a course)."""
    if (
        now is not None
        and "?" not in text
        and amount_with_unit(text)
        and not _FINDING.search(text)
        and _dated_in_the_past(text, now, tz)
    ):
        return True
    searching = bool(_SEARCH_WORDS.search(text)) and not _PAST.search(text)
    course_question = looks_like_course_request(text)
    if searching and course_question:
        return False  # "2 credit courses near Boston": a search, though it has "2 credit"
    if (
        _HOURS_FIRST.match(text)
        and not searching
        and "?" not in text  # "3 hours left?" asks (review)
        and not is_status_question(text)
        and not (course_question and not _LOGGED_COURSE.search(text))
    ):
        return True  # "1.5h opiod course on 3rd nov" (QA round 9: searched for "1.5h")
    return (
        looks_like_a_log(text)
        or (starts_with_credits(text) and not course_question)
        or _hours_of_a_topic_on_a_day(text, searching, now, tz)
    )


_PLURAL_COURSES = re.compile(
    r"\b(?:courses|classes|conferences|webinars|workshops|seminars)\b", re.IGNORECASE
)


def _hours_of_a_topic_on_a_day(
    text: str, searching: bool, now: datetime | None, tz: tzinfo | str
) -> bool:
    """ "4 pharmacology hours, AANP webinar, 11/20/2026", "logged 4 pharmacology hours at
    … on 11/20/2026": a topic between the amount and its unit, and a day (QA: searched as a
    course, or not understood). Not "I still need 4 pharmacology hours" (no day), nor
    "2 pharmacology credit courses in December" (courses, a month: a search)."""
    if searching or "?" in text or _PLURAL_COURSES.search(text):
        return False
    if not amount_with_unit(text, only_terms=True) or is_status_question(text):
        return False
    found = dates.extract_date_phrase(text)
    if found is None or now is None:
        return found is not None
    reason = dates.check_past_date(found.phrase, now, tz).reason
    return reason in (None, dates.DateReason.IN_FUTURE)  # a day: "in the future" is said


def _dated_in_the_past(text: str, now: datetime, tz: tzinfo | str) -> bool:
    """A day that can only be past ("11/20/2026", "yesterday"), not "Dec 12", which a
    search reads as the next Dec 12."""
    found = dates.extract_date_phrase(text)
    return (
        found is not None
        and dates.check_past_date(found.phrase, now, tz).ok
        and dates.check_future_range(found.phrase, now, tz).value is None
    )


def is_other_request(text: str) -> bool:
    """A log, a course or status question, or a request in words: not an answer to the
    question pending (QA round 10: "quiet hours 10pm to 12pm" was looked up as a licence,
    "I'm in a meeting" as a place)."""
    return (
        is_log(text)
        or looks_like_course_request(text)
        or is_status_question(text)
        or said_in_words(text)
    )


def said_in_words(text: str) -> bool:
    """A request a command answers, typed in words ("stop reminders", "I'm in London")."""
    from handlers.phrases import is_phrase  # phrases builds on the handlers that use this

    return is_phrase(text)


_YES = frozenset({"y", "yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "i do"})
_NO = frozenset({"n", "no", "nope", "nah", "not", "false", "i don't", "i dont", "i do not"})


def yes_or_no(text: str) -> bool | None:
    """A typed answer to a yes/no question (its buttons not pressed); None if neither."""
    words = " ".join(text.lower().replace("’", "'").split()).strip(" .!,")
    if words in _YES:
        return True
    if words in _NO:
        return False
    return None
