"""After /start: profession, licences, time zone. Skippable, resumable (/start again)."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from datetime import datetime

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.ext import Application, MessageHandler, filters

from bot import texts
from bot.domain import geo, places, topics, zones
from bot.store import licences as licence_store
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.intents import is_other_request
from handlers.replan import replan
from handlers.turn import Turn, clinician_handler

MAX_PLACE_BUTTONS = 6


def _profession_buttons() -> list[list[tuple[str, str]]]:
    return [
        [(label, encode("onb", "prof", code)) for label, code in texts.ONBOARD_PROFESSIONS[:3]],
        [(label, encode("onb", "prof", code)) for label, code in texts.ONBOARD_PROFESSIONS[3:]],
        [(texts.SKIP, encode("onb", "prof", "skip"))],
    ]


async def begin(turn: Turn) -> None:
    """First contact: ask the profession (pressed or typed; the rest follows)."""
    await flows.expect(turn, "onboarding_profession", onboarding="profession")
    turn.say(texts.ONBOARD_PROFESSION, _profession_buttons())


@flows.step("onboarding_profession")
async def profession_typed(turn: Turn, text: str) -> bool | None:
    """ "MD", "physican md", "nurse" typed instead of pressed (QA: not understood)."""
    from handlers.licences import ask_which

    profession = profession_in(text)
    if profession is not None:
        turn.clinician.profession = profession
        await ask_which(turn, onboarding=True)
        return None
    if is_other_request(text):
        return False
    turn.say(texts.ONBOARD_PROFESSION_AGAIN, _profession_buttons())
    return None


_PROFESSION_WORDS = ("physician", "nurse", "practitioner", "pharmacist", "assistant")


def profession_in(text: str) -> str | None:
    """The profession a short answer names: as a whole, by one of its words, or by a
    misspelt word ("physican")."""
    found = topics.normalize_profession(text)
    if found is not None:
        return found
    words = [
        (close[0] if (close := difflib.get_close_matches(w, _PROFESSION_WORDS, 1, 0.8)) else w)
        for w in re.findall(r"[a-z]+", text.lower())[:5]
    ]
    for size in range(len(words), 0, -1):  # "nurse practitioner" before "nurse"
        for start in range(len(words) - size + 1):
            found = topics.normalize_profession(" ".join(words[start : start + size]))
            if found is not None:
                return found
    return None


async def resume(turn: Turn) -> bool:
    """/start while onboarding is unfinished: ask its current question again (/start, a
    command, dropped the question itself: ``turn.abandoned`` holds it)."""
    pending = flows.state(turn)
    if (turn.abandoned or {}).get("onboarding"):
        pending = turn.abandoned or {}
    paused = flows.held(turn, flows.SETUP)
    if not pending.get("onboarding") and isinstance(paused, dict):
        pending = paused
    if paused is not None:
        await flows.release(turn, flows.SETUP)
    stage = pending.get("onboarding")
    if stage is True:  # the licence questions
        from handlers.licences import resume_question

        turn.say(texts.ONBOARD_RESUME)
        await resume_question(turn, pending)
        return True
    if stage == "profession":
        turn.say(texts.ONBOARD_RESUME)
        await begin(turn)
        return True
    if stage == "timezone":
        turn.say(texts.ONBOARD_RESUME)
        await ask_timezone(turn, onboarding=True)
        return True
    return False


@route("onb")
async def onboarding_pressed(turn: Turn, press: Press) -> None:
    from handlers.licences import ask_which

    if press.arg(0) == "prof":
        code = press.arg(1)
        if code != "skip":
            profession = topics.normalize_profession(code)
            if profession is None:
                turn.answer(texts.BUTTON_EXPIRED)
                return
            turn.clinician.profession = profession
        await ask_which(turn, onboarding=True)
    elif press.arg(0) == "tz":
        await ask_timezone(turn, onboarding=True)
    elif press.arg(0) == "done":
        await finish(turn)
    else:
        turn.answer(texts.BUTTON_EXPIRED)


async def change_profession(turn: Turn, profession: str) -> None:
    """ "Sorry, wrong button, I'm a pharmacist": the profession changes; during the set-up
    its licence question is asked again with that profession's licences (QA round 7:
    nothing but /forget changed it)."""
    from handlers.licences import ask_which, profession_name

    turn.clinician.profession = profession
    name = html.escape(profession_name(profession))
    pending = flows.state(turn)
    at_licence = pending.get("onboarding") is True and pending.get("step") == "licence_which"
    if at_licence or pending.get("onboarding") == "profession":
        turn.say(texts.PROFESSION_SET.format(profession=name))
        await ask_which(turn, onboarding=True)
        return
    turn.say(texts.PROFESSION_SET.format(profession=name) + texts.PROFESSION_SET_LICENCES)


async def continue_after_detour(turn: Turn) -> None:
    """Once a detour taken during the set-up is over (the certificate logged or dropped),
    ask the set-up's question again, as /start would."""
    if flows.held(turn, flows.SETUP) is not None and not flows.state(turn).get("step"):
        await resume(turn)


async def finish(turn: Turn) -> None:
    await flows.release(turn, flows.SETUP)
    await flows.clear(turn)
    turn.say(texts.ONBOARD_DONE, reply_markup=ReplyKeyboardRemove())


# ------------------------------------------------------------------ time zone
def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.TIMEZONE_SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_timezone(turn: Turn, *, onboarding: bool = False) -> None:
    await flows.expect(turn, "timezone_where", onboarding="timezone" if onboarding else None)
    ask = texts.TIMEZONE_ASK.format(zone=html.escape(turn.clinician.timezone))
    if onboarding and (home := await _licence_state_zone(turn)) is not None:
        ask = texts.TIMEZONE_ASK_STATE.format(zone=html.escape(home.tz), state=home.state)
    turn.say(ask, reply_markup=location_keyboard())
    if onboarding:
        turn.say(texts.TIMEZONE_SKIP_HINT, [[(texts.SKIP, encode("onb", "done"))]])


async def _licence_state_zone(turn: Turn) -> places.StateZone | None:
    """At set-up, before the question: the zone of the state the licences are in, adopted
    while the zone is still the default (QA: a Texas physician who skipped the question
    got New York's 09:00, 08:00 in Texas)."""
    clinician = turn.clinician
    if clinician.timezone != turn.context.services.settings.default_timezone:
        return None
    held = await licence_store.list_for(turn.session, clinician)
    home = places.state_zone(licence.jurisdiction for licence in held)
    if home is None or home.tz == clinician.timezone:
        return None
    await _store_zone(turn, home.tz)
    return home


@flows.step("timezone_where")
async def where_answered(turn: Turn, text: str) -> bool | None:
    """A zone name or offset ("America/Chicago", "CST", "UTC+2") first, else a place.

    The question is optional and the zone already set: a log or a question about credits
    or courses ends it and is answered as such ("2 ethics yesterday" was looked up as a
    place)."""
    from handlers.phrases import time_zone_place  # phrases builds on this module

    if (place := time_zone_place(text)) is not None:  # "change my time zone to Chicago":
        if not place:  # the answer, not another request (it was kept, then changed)
            await ask_timezone(turn, onboarding=flows.state(turn).get("onboarding") == "timezone")
            return None
        text = place
    if is_other_request(text):
        if flows.state(turn).get("onboarding") == "timezone":
            turn.say(texts.TIMEZONE_KEPT.format(zone=html.escape(turn.clinician.timezone)))
            await finish(turn)  # "All set", and the location keyboard goes
        else:
            await flows.clear(turn)
        return False
    await read_place(turn, text)
    return None


async def read_place(turn: Turn, text: str) -> None:
    """Set the zone from a zone name, an offset or a place, or say what to try instead."""
    zone = zones.parse_zone(text)
    if isinstance(zone, zones.ZoneMatch):
        await set_zone(turn, zone)
        return
    if isinstance(zone, zones.ZoneUnknown):
        _say_zone_unknown(turn, text, zone)
        return
    result = places.resolve(text)
    if isinstance(result, places.Resolved):
        await set_place(turn, result.place)
    elif isinstance(result, places.Ambiguous):
        await offer_places(turn, result.candidates, ambiguity_text(result))
    elif result.suggestions:  # buttons: "Boston, Massachusetts, US, Boshan, China" read badly
        await offer_places(
            turn, result.suggestions, texts.TIMEZONE_SUGGEST.format(text=_shown(text))
        )
    else:
        turn.say(texts.TIMEZONE_NOT_FOUND.format(text=_shown(text)))


def _shown(text: str) -> str:
    return html.escape(text[:60])


def ambiguity_text(result: places.Ambiguous) -> str:
    return _AMBIGUITY_TEXTS[result.hint]


async def offer_places(turn: Turn, candidates: Sequence[places.Place], question: str) -> None:
    """Places to pick from, as buttons (their ids kept for the press)."""
    candidates = candidates[:MAX_PLACE_BUTTONS]
    await flows.update_state(turn, places=[place.id for place in candidates])
    buttons = [
        [(place.display_name[:60], encode("tz", index))] for index, place in enumerate(candidates)
    ]
    turn.say(question, buttons)


_AMBIGUITY_TEXTS = {
    "same_name": texts.TIMEZONE_PICK,
    "region_only": texts.TIMEZONE_REGION_ONLY,
    "close_spelling": texts.TIMEZONE_CLOSE_SPELLING,
}


def _say_zone_unknown(turn: Turn, text: str, zone: zones.ZoneUnknown) -> None:
    shown = _shown(text)
    if zone.reason == "partial_hour":
        turn.say(texts.TIMEZONE_PARTIAL_HOUR.format(text=shown))
        return
    if zone.reason == "ambiguous":
        turn.say(texts.TIMEZONE_AMBIGUOUS.format(text=shown, zones=" or ".join(zone.suggestions)))
        return
    names = ", ".join(html.escape(name) for name in zone.suggestions)
    hint = texts.TIMEZONE_ZONE_SUGGEST.format(names=names) if names else ""
    turn.say(texts.TIMEZONE_ZONE_UNKNOWN.format(text=shown, hint=hint))


@route("tz")
async def place_pressed(turn: Turn, press: Press) -> None:
    ids = flows.state(turn).get("places") or []
    index = press.int_arg(0)
    if index is None or index >= len(ids):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    place = places.get_place(ids[index])
    if place is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await set_place(turn, place)


async def set_place(turn: Turn, place: places.Place) -> None:
    """Adopt the place's time zone; reminders are re-planned for the new local day. Course
    searches without a place look near it from now on."""
    from handlers.courses import remember_location

    onboarding = await _adopt(turn, place.tz)
    await remember_location(turn, place.lat, place.lon)
    turn.say(
        texts.TIMEZONE_SET.format(
            zone=html.escape(place.tz),
            place=html.escape(place.display_name),
            local=_clock(turn.now.astimezone(turn.tz)),
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    if onboarding:
        turn.say(texts.ONBOARD_DONE)


async def set_zone(turn: Turn, zone: zones.ZoneMatch) -> None:
    """Adopt a zone typed as such; a fixed offset is said to ignore daylight saving."""
    onboarding = await _adopt(turn, zone.tz)
    label = f" ({html.escape(zone.label)})" if zone.label != zone.tz else ""
    reply = texts.TIMEZONE_SET_ZONE.format(
        zone=html.escape(zone.tz), label=label, local=_clock(turn.now.astimezone(turn.tz))
    )
    turn.say(reply + (texts.TIMEZONE_FIXED_NOTE if zone.fixed else ""),
             reply_markup=ReplyKeyboardRemove())  # fmt: skip
    if onboarding:
        turn.say(texts.ONBOARD_DONE)


async def _adopt(turn: Turn, tz: str) -> bool:
    """Store the zone and re-plan; True when this answered the onboarding question."""
    onboarding = flows.state(turn).get("onboarding") == "timezone"
    await flows.clear(turn)
    await _store_zone(turn, tz)
    return onboarding


async def _store_zone(turn: Turn, tz: str) -> None:
    """The clinician's zone, and their reminders re-planned for its local day."""
    turn.clinician.timezone = tz
    turn.clinician.updated_at = turn.now
    await replan(turn)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M on %a %b %-d")


@clinician_handler
async def location_shared(turn: Turn) -> None:
    """A shared location: answers the time-zone question, else searches nearby courses."""
    message = turn.update.effective_message
    location = message.location if message else None
    if location is None:
        return
    if not geo.is_valid_coordinates(location.latitude, location.longitude):
        turn.say(texts.LOCATION_INVALID)
        return
    if flows.state(turn).get("step") == "timezone_where":
        await set_place(turn, places.place_from_coordinates(location.latitude, location.longitude))
        return
    from handlers import courses

    near = getattr(courses, "courses_near_location", None)
    if near is None:
        turn.say(texts.UNSUPPORTED_MESSAGE)
        return
    await near(turn, location.latitude, location.longitude)


@clinician_handler
async def timezone_command(turn: Turn) -> None:
    """/timezone Boston, or /timezone alone to be asked."""
    message = turn.update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message else ""
    if text:
        await flows.expect(turn, "timezone_where")
        await read_place(turn, text)  # asked for by name: not another request
        return
    await ask_timezone(turn)


def register(app: Application) -> None:  # type: ignore[type-arg]
    from telegram.ext import CommandHandler

    app.add_handler(CommandHandler("timezone", timezone_command))
    app.add_handler(MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, location_shared))
