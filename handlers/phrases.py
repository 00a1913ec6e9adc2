"""Requests a command answers, typed in words: "undo", "show my credits", "stop reminders",
"change my time zone to Chicago" (QA: each got "Sorry, I didn't understand that").

Only short, whole messages match (a sentence about something else never does), and each
opens what its command opens: nothing is deleted or changed without the usual buttons,
but for pausing and resuming reminders, which the panel shown then undoes in one press.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot import texts
from bot.domain import places, topics
from bot.domain.reminders import parse_ladder, parse_quiet_hours
from handlers import basic, courses, credits, flows, licences, onboarding, privacy, reminders
from handlers import transcript as transcript_handlers
from handlers.turn import Turn

_POLITE = r"(?:(?:please|pls|can\s+you|could\s+you|i\s+want\s+to|i'?d\s+like\s+to)\s+)?"
_END = r"\s*(?:please|pls)?\s*[.!?]*\s*"


def _phrase(body: str) -> re.Pattern[str]:
    return re.compile(rf"\s*{_POLITE}(?:{body}){_END}", re.IGNORECASE)


def _command(handler: Callable[..., Awaitable[None]]) -> Callable[[Turn, re.Match[str]], Any]:
    """The Turn function behind a command's PTB callback (``clinician_handler`` wraps it)."""
    inner: Callable[[Turn], Awaitable[None]] = getattr(handler, "__wrapped__", handler)

    async def run(turn: Turn, _: re.Match[str]) -> None:
        await inner(turn)

    return run


def _pausing(*, paused: bool) -> Callable[[Turn, re.Match[str]], Any]:
    async def run(turn: Turn, _: re.Match[str]) -> None:
        await reminders.pause_typed(turn, paused)

    return run


# "pause reminders until Jan 15", "no reminders for 2 weeks", "don't remind me until
# January" (sandbox: "until Jan" was not understood).
_PAUSE_UNTIL = _phrase(
    r"(?:(?:stop|pause|mute|silence|turn\s+off|disable|hold(?:\s+off(?:\s+on)?)?|snooze)\s+"
    r"(?:all\s+)?"
    r"(?:my\s+|the\s+|these\s+|any\s+)?reminders?(?:\s+off)?"
    r"|no\s+(?:more\s+)?reminders?|reminders?\s+off"
    r"|(?:don'?t|do\s+not|stop)\s+remind(?:ing)?\s+me(?:\s+(?:of\s+)?anything)?)"
    r"\s+(?P<how>until|untill|untl|till|til|'til|through|thru|over|for)\s+"
    r"(?P<when>[^?!]{2,40}?)"
)


async def _pause_until(turn: Turn, match: re.Match[str]) -> None:
    await reminders.pause_until_typed(turn, match.group("how"), match.group("when"))


def _specialty_words() -> str:
    """Every name of a specialty the vocabulary knows ("internist", "family physician")."""
    names = topics.vocabulary().specialties
    words = {
        word.lower()
        for term in (names.get(s) for s in names.ids if s != "other") if term is not None
        for word in (term.label, *term.aliases)
    }
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


# "I'm an internist", "my specialty is radiology" (QA round 11: not understood, and nothing
# else could say it, so California's geriatrics never applied).
_SPECIALTY = _phrase(
    r"(?:(?:actually|well|oh|so|no|sorry)[\s,]+)*"
    r"(?:(?:i'?m|i\s+am)\s+(?:actually\s+|really\s+)?(?:an?\s+)?"
    r"|(?:my\s+)?specialty\s*(?:is|:|=)?\s*"
    r"|i\s+(?:actually\s+)?(?:practi[cs]e|work\s+in|do)\s+)(?P<what>"
    rf"{_specialty_words()})(?:\s+(?:doc|doctor|physician|specialist))?"
)


def specialty_said(text: str) -> str | None:
    """The specialty a message says ("I am a family physician", "actually I practice family
    medicine"), if it is only that: read before the profession, which "family physician"
    also names (QA round 12: the profession was set, the specialty not)."""
    match = _SPECIALTY.fullmatch(text)
    return None if match is None else match.group("what")


# "export my credits for the Florida board audit", "I need a report of my hours for an AANP
# audit" (QA round 11: not understood): the transcript, of the licence named if any.
_AUDIT = re.compile(
    r"(?=.{0,160}$)(?=.*\baudit(?:s|ed|or|ors)?\b)(?=.*\b(?:export|send|give|need|want|get"
    r"|download|prepare|print|make|report|transcript|pdf|file|records?|proof|summary"
    r"|documentation)\b).*"
    r"|\s*(?:please\s+)?(?:export|download|send|give)\s+(?:me\s+)?(?:all\s+)?(?:of\s+)?"
    r"(?:my\s+)?(?:credits|cme|ce|hours|entries|logs?)\b.{0,80}",
    re.IGNORECASE | re.DOTALL,
)


async def _audit(turn: Turn, match: re.Match[str]) -> None:
    await transcript_handlers.send_transcript(turn, match.group(0))


_ADD_LICENCE = _phrase(
    r"(?:add|track|set\s+up)\s+(?:my\s+|a\s+|an\s+|the\s+)?(?P<name>[a-z][a-z .'()/-]{1,40}?)"
)


async def _add_licence(turn: Turn, match: re.Match[str]) -> bool:
    return await licences.add_named(turn, match.group("name"))


_TIME_ZONE = _phrase(
    r"(?:(?:change|set|update)\s+)?(?:my\s+)?time\s*zone(?:\s+(?:to|is|=)?\s*(?P<place>.{2,60}?))?"
)


def time_zone_place(text: str) -> str | None:
    """The place of "change my time zone to Chicago" ("" when none is named), or None when
    the text is not that request."""
    said = _TIME_ZONE.fullmatch(text)
    return None if said is None else (said.group("place") or "").strip()


async def _time_zone(turn: Turn, match: re.Match[str]) -> None:
    place = (match.group("place") or "").strip()
    if not place:
        await onboarding.ask_timezone(turn)
        return
    await flows.expect(turn, "timezone_where")
    await onboarding.read_place(turn, place)


_SWITCH_ZONE = r"(?:\W+(?:please\s+)?(?:change|set|update|switch)\s+(?:my\s+)?time\s*zone)?"
_TRAVEL = re.compile(
    r"\s*(?:(?:i'?m|i\s+am)\s+(?:now\s+|currently\s+)?"
    r"(?:travel+ing\s+to|staying\s+in|working\s+in|in)\s+(?P<place>[a-z][a-z .'-]{1,40}?)"
    r"(?:\s+(?P<until>(?:until|till|til|through|for)\s+[\w ,.'-]{1,30}?))?"
    r"|(?:i'?m\s+|i\s+am\s+)?(?:back|home)\s+in\s+(?P<back>[a-z][a-z .'-]{1,40}?)"
    r"|(?:i\s+(?:have\s+)?|i'?ve\s+)?moved\s+to\s+(?P<moved>[a-z][a-z .'-]{1,40}?))"
    rf"(?:\s+now)?{_SWITCH_ZONE}[.!]*\s*",
    re.IGNORECASE,
)


async def _travel(turn: Turn, match: re.Match[str]) -> bool:
    """ "I'm in London until Jan", "back in philly now, change timezone" (QA round 9: not
    understood): the place is offered as a button, so a phrase that only looks like travel
    ("I'm working in ER") changes nothing unless pressed (review)."""
    place = (match.group("place") or match.group("back") or match.group("moved") or "").strip()
    found = await asyncio.to_thread(places.resolve, place)
    if isinstance(found, places.Resolved):
        candidates, question = [found.place], texts.TIMEZONE_TRAVEL_CONFIRM
    elif isinstance(found, places.Ambiguous):
        candidates, question = list(found.candidates), onboarding.ambiguity_text(found)
    else:
        return False  # "I'm in a meeting": not a place, and not this request
    await flows.expect(turn, "timezone_where")
    await onboarding.offer_places(turn, candidates, question)
    if match.group("until"):
        turn.say(texts.TIMEZONE_UNTIL_HINT)
    return True


async def _quiet_hours(turn: Turn, match: re.Match[str]) -> bool:
    """ "quiet hours 10pm to 12pm pls, i work nights": set as the /reminders question
    would (QA round 10: only the panel's button understood it)."""
    if parse_quiet_hours(match.group("range")) is None:
        return False
    await flows.expect(turn, "reminder_quiet")
    await reminders.quiet_answered(turn, match.group("range"))
    return True


async def _ladder(turn: Turn, match: re.Match[str]) -> bool:
    """ "remind me 60, 30, 7 and 1 days before": the renewal reminder days."""
    if parse_ladder(match.group("days")) is None:
        return False
    await flows.expect(turn, "reminder_ladder")
    await reminders.ladder_answered(turn, match.group("days"))
    return True


_QUIET_SET = re.compile(
    r"\s*(?:(?:set|change|make)\s+(?:my\s+)?)?quiet\s+hours?\s*(?:to|are|is|:|=|from)?\s*"
    r"(?P<range>\S.{2,80})",
    re.IGNORECASE,
)
# "no messages before 9am or after 8pm please" (QA round 11: only "8pm-9am" was read)
_QUIET_ENDS = re.compile(
    r"\s*(?:please\s+)?(?:nothing|(?:(?:no|(?:don'?t|do\s+not|never)\s+send(?:\s+me)?"
    r"(?:\s+any)?)\s+(?:messages?|reminders?|notifications?|texts?|pings?)))\s+"
    r"(?P<range>(?:before|after|until|past)\b.{3,60})",
    re.IGNORECASE,
)
_LADDER_SET = re.compile(
    r"\s*(?:please\s+|pls\s+)?remind\s+me\s+(?P<days>\d[\d ,;and]*\s*days?"
    r"(?:\s+(?:before|ahead|prior))?(?:\s+(?:the\s+|my\s+)?(?:deadlines?|renewals?))?"
    r"(?:\s+(?:please|pls))?)\s*[.!]*\s*",
    re.IGNORECASE,
)


_PROFESSION_SAID = re.compile(
    r"\s*(?:sorry,?\s+)?(?:(?:wrong|mis\w*)\s+(?:button|one|tap|choice),?\s+)?(?:"
    r"(?:i'?m|i\s+am)\s+(?:actually\s+|really\s+)?(?:an?\s+)?(?P<said>[a-z ()]{2,30}?)"
    r"|(?:change|set|update|switch)\s+my\s+profession(?:\s+to)?\s+(?:an?\s+)?"
    r"(?P<to>[a-z ()]{2,30}?)"
    r"|my\s+profession\s+is\s+(?:an?\s+)?(?P<is>[a-z ()]{2,30}?))"
    r"\s*(?:not\s+an?\s+[a-z ]{2,30}?)?[.!]*\s*",
    re.IGNORECASE,
)


def profession_said(text: str) -> str | None:
    """The profession a message says the clinician has ("sorry, wrong button, I'm actually
    a pharmacist", "change my profession to nurse"), if it is only that."""
    from handlers.onboarding import profession_in

    match = _PROFESSION_SAID.fullmatch(text)
    if match is None:
        return None
    return profession_in(match.group("said") or match.group("to") or match.group("is") or "")


_MY = r"(?:(?:show|list|see|view|open|check)\s+(?:me\s+)?)?(?:all\s+)?(?:of\s+)?(?:my\s+)?"
_LICENCE = r"licen[cs]es?|certifications?"
_PHRASES: tuple[tuple[re.Pattern[str], Callable[[Turn, re.Match[str]], Any]], ...] = (
    (_phrase(r"help|commands|menu|what\s+can\s+you\s+do|how\s+does\s+this\s+work"),
     _command(basic.show_help)),
    (_phrase(r"(?:(?:oops|sorry|no)\W+)*(?:that\s+was\s+(?:wrong|a\s+mistake)\W+)?(?:"
             r"undo(?:\s+(?:that|it|the\s+last\s+(?:one|entry|log)))?"
             r"|(?:delete|remove|undo)\s+(?:that|it|that\s+one)"
             r"|(?:delete|remove|undo)\s+(?:my\s+|the\s+)?last\s+(?:one|entry|log|credits?))"),
     _command(credits.undo)),
    (_phrase(rf"{_MY}(?:credits|entries|logs|logged\s+credits|credit\s+entries)"
             r"|(?:edit|delete|remove)\s+an?\s+entry"),
     _command(credits.list_credits)),
    (_phrase(r"(?:stop|pause|mute|silence|turn\s+off|disable|no\s+more)\s+(?:all\s+)?"
             r"(?:my\s+|the\s+|these\s+)?reminders?|reminders?\s+off"),
     _pausing(paused=True)),
    (_PAUSE_UNTIL, _pause_until),
    (_AUDIT, _audit),
    (_phrase(r"(?:resume|unpause|restart|turn\s+on|enable|unmute)\s+(?:all\s+)?"
             r"(?:my\s+|the\s+)?reminders?|reminders?\s+on"),
     _pausing(paused=False)),
    (_phrase(r"(?:(?:show|see|check|my|stop|pause|mute|turn\s+off|disable|resume|unpause"
             r"|turn\s+on|enable|change|set)\s+)*(?:my\s+|the\s+)?reminders?"
             r"(?:\s+(?:settings|off|on))?|quiet\s+hours"),
     _command(reminders.reminders_command)),
    (_phrase(rf"{_MY}(?:{_LICENCE})|(?:add|remove|delete)\s+(?:a\s+|an\s+|another\s+|my\s+)?"
             rf"(?:[a-z]+\s+){{0,3}}(?:{_LICENCE})|i\s+renewed(?:\s+my)?(?:\s+[a-z]+){{0,3}}"
             r"|(?:change|update|fix)\s+(?:my\s+)?(?:[a-z]+\s+){0,3}(?:renewal|expiry|expiration)"
             r"(?:\s+date)?(?:\s+.{0,40})?"),
     _command(licences.list_licences)),
    (_phrase(rf"{_MY}(?:courses|subscriptions|chosen\s+courses|course\s+reminders)"),
     _command(courses.mycourses_command)),
    (_TIME_ZONE, _time_zone),
    (_phrase(r"(?:export|download)(?:\s+(?:all\s+)?(?:my\s+)?(?:data|everything|records?))?"),
     _command(privacy.export)),
    (_phrase(rf"{_MY}(?:transcript|audit\s+(?:report|pdf|file)|cme\s+report)"),
     _command(transcript_handlers.transcript)),
    (_phrase(r"privacy(?:\s+policy)?|what\s+do\s+you\s+(?:store|keep|know\s+about\s+me)"),
     _command(privacy.privacy)),
    (_TRAVEL, _travel),
    (_QUIET_SET, _quiet_hours),
    (_QUIET_ENDS, _quiet_hours),
    (_ADD_LICENCE, _add_licence),
    (_LADDER_SET, _ladder),
)  # fmt: skip


def is_phrase(text: str) -> bool:
    """Whether ``text`` is one of these requests."""
    return any(pattern.fullmatch(text) for pattern, _ in _PHRASES)


async def maybe_handle(turn: Turn, text: str) -> bool:
    """Answer ``text`` as its command would, when it is one of these requests."""
    for pattern, handler in _PHRASES:
        match = pattern.fullmatch(text)
        if match is not None and await handler(turn, match) is not False:
            return True
    return False
