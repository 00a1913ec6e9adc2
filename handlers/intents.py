"""What a free-text message asks for: the router's tests, shared with the steps that let
a message for another feature pass instead of misreading it as their answer."""

from __future__ import annotations

import re

from bot.domain.log_parse import looks_like_a_log, starts_with_credits
from handlers.course_query import looks_like_course_request
from handlers.status import is_status_question

_HOURS_FIRST = re.compile(r"\s*\d+(?:[.,]\d+)?\s*(?:h|hrs?|hours?)\b", re.IGNORECASE)
_SEARCH_WORDS = re.compile(
    r"\b(?:near|around|within|online|upcoming|next|this|any|find|show|where)\b", re.IGNORECASE
)


def is_log(text: str) -> bool:
    """ "I did 3 credits of ethics", "2 ethics yesterday" (not "2 ethics courses near Boston")."""
    searching = bool(_SEARCH_WORDS.search(text))
    if searching and looks_like_course_request(text):
        return False  # "2 credit courses near Boston": a search, though it has "2 credit"
    if _HOURS_FIRST.match(text) and not searching:
        return True  # "1.5h opiod course on 3rd nov" (QA round 9: searched for "1.5h")
    return looks_like_a_log(text) or (
        starts_with_credits(text) and not looks_like_course_request(text)
    )


def is_other_request(text: str) -> bool:
    """A log, a course question or a status question: not an answer to a place question."""
    return is_log(text) or looks_like_course_request(text) or is_status_question(text)


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
