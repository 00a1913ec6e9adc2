"""Courses in chat: /courses, natural questions, shared locations, "Courses I need", /mycourses.

Thin on purpose: place resolution, date parsing, search and ranking live in bot/; this
module reads the request, calls them and renders. A search is carried whole in its
buttons (see ``course_query``), so paging, widening and "Which Portland?" work in any
process and after restarts; only the last shared location is kept, coarsened to ~1 km,
in the clinician's conversation state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, time, timedelta

from telegram import KeyboardButton, ReplyKeyboardMarkup
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot import texts
from bot.courses.ranking import Ranked
from bot.domain import dates, geo, places, topics
from bot.domain.log_parse import (
    MAX_CREDITS_PER_ENTRY,
    LogDraft,
    clip_title,
    default_category_for,
    looks_like_a_log,
)
from bot.store import courses as course_store
from bot.store import licences as licence_store
from bot.store import subscriptions
from bot.store.courses import CourseHit
from bot.store.models import Course, Licence
from bot.tracking import cycle_end_on, facts_for, licence_states, load_views
from bot.views import number, unit_word
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.course_admin import handle_admin_upload
from handlers.course_gaps import Candidate, needs_for, rank
from handlers.course_query import (
    DEFAULT_RADIUS,
    DEFAULT_UNIT,
    CourseQuery,
    Request,
    coordinates_token,
    is_place_token,
    looks_like_course_request,
    parse_request,
    place_of,
    place_token,
    short_name,
)
from handlers.course_views import (
    Deadline,
    after_deadline_line,
    button_title,
    course_ics,
    course_lines,
    detail_text,
    esc,
    header,
    ics_name,
    place_text,
    when_text,
)
from handlers.credits import propose
from handlers.reminders import course_subscribed_text
from handlers.replan import replan
from handlers.turn import Buttons, Turn, clinician_handler

__all__ = [
    "courses_near_location",
    "handle_admin_upload",
    "maybe_handle_text",
    "register",
    "show_gap_courses",
]

PAGE = 5
GAP_POOL = 300  # candidates ranked for "Courses I need" (mandate courses, then any)
STEP = "courses_where"
LOCATION_KEY = "course_location"
LOCATION_DECIMALS = 2  # ~1 km: enough for a 50-mile search, no more than that is kept
MAX_CHOICES = 6


# ------------------------------------------------------------------------ entry points


@clinician_handler
async def courses_command(turn: Turn) -> None:
    """/courses [what, where, when]: search, or ask where when the place is missing."""
    message = turn.update.effective_message
    args = (message.text or "").partition(" ")[2].strip() if message else ""
    if not args:
        await _ask_where(turn, CourseQuery())
        return
    request = parse_request(args, turn.now, turn.clinician.timezone)
    await _answer(turn, request)


@clinician_handler
async def mycourses_command(turn: Turn) -> None:
    """/mycourses: the courses this clinician asked to be reminded about."""
    text, buttons = await _my_courses(turn)
    turn.say(text, buttons)


@clinician_handler
async def location_shared(turn: Turn) -> None:
    """A shared location: search near it (with any filters given just before)."""
    message = turn.update.effective_message
    if message is None or message.location is None:
        return
    await courses_near_location(turn, message.location.latitude, message.location.longitude)


async def courses_near_location(turn: Turn, latitude: float, longitude: float) -> None:
    """Courses near a shared location; the location is remembered for "near me".

    Called by onboarding's location handler (registered first: a location may answer
    its time-zone question) and by this module's own, a fallback.
    """
    current = flows.state(turn)
    mine = current.get("step") == STEP
    partial = _partial(current) if mine else CourseQuery()
    if mine:
        await flows.clear(turn)
    await remember_location(turn, latitude, longitude)
    query = replace(partial, place=coordinates_token(latitude, longitude))
    await _search(turn, query, 0)


async def remember_location(turn: Turn, latitude: float, longitude: float) -> None:
    """Where searches without a place look: the last location shared, or the place the
    time zone was set from. Held past other questions (it was lost at the next one)."""
    where = [round(latitude, LOCATION_DECIMALS), round(longitude, LOCATION_DECIMALS)]
    await flows.hold(turn, LOCATION_KEY, where)


async def maybe_handle_text(turn: Turn, text: str) -> bool:
    """Course questions in free text; False when the text is not about courses."""
    said = " ".join(text.split()).casefold()
    if said == texts.COURSES_ONLINE_ONLY.casefold():
        await _search(turn, CourseQuery(online=True), 0)
        return True
    if said == texts.COURSES_I_NEED.casefold():
        await show_gap_courses(turn)
        return True
    if not looks_like_course_request(text):
        return False
    await _answer(turn, parse_request(text, turn.now, turn.clinician.timezone))
    return True


async def show_gap_courses(turn: Turn) -> None:
    """Courses ranked by how much of each licence's missing mandates and credits they fill."""
    await _gap_page(turn, 0, "", DEFAULT_RADIUS, edit=False)


@flows.step(STEP)
async def where_answered(turn: Turn, text: str) -> None:
    """The answer to "Where should I look?": a place, "Online only" or "Courses I need"."""
    partial = _partial(flows.state(turn))
    said = " ".join(text.split()).casefold()
    if said == texts.COURSES_I_NEED.casefold():
        await _end_step(turn)
        await show_gap_courses(turn)
        return
    if said == texts.COURSES_ONLINE_ONLY.casefold():
        await _end_step(turn)
        await _search(turn, replace(partial, online=True, place=""), 0)
        return
    if await _other_intent(turn, text):
        return
    request = parse_request(text, turn.now, turn.clinician.timezone)
    if not request.has_where and not request.gaps and request.date_problem is None:
        await _ask_where(turn, _merge(partial, request.query))
        return
    await _end_step(turn)
    await _answer(turn, replace(request, query=_merge(partial, request.query)))


async def _other_intent(turn: Turn, text: str) -> bool:
    """A credit log or a status question typed instead of a place abandons the question."""
    from handlers import credits, status

    if looks_like_a_log(text):
        await _end_step(turn)
        await credits.log_text(turn, text)
        return True
    if status.is_status_question(text) and (
        not looks_like_course_request(text) or status.is_topic_due_question(text)
    ):
        await _end_step(turn)
        await status.say_status(turn, text)
        return True
    return False


# ------------------------------------------------------------------------------ search


async def _answer(turn: Turn, request: Request) -> None:
    """Turn a parsed request into results, a place question, or a helpful refusal."""
    if request.date_problem is not None:
        turn.say(texts.COURSES_BAD_DATE.get(request.date_problem, texts.COURSES_BAD_DATE_OTHER))
        return
    query = request.query
    if request.gaps:
        token = ""
        if request.place_text:
            found = await asyncio.to_thread(places.resolve, request.place_text, "US")
            token = place_token(found.place) if isinstance(found, places.Resolved) else ""
        miles = max(1, round(query.radius_km / geo.KM_PER_MILE))
        await _gap_page(turn, 0, token, miles, edit=False)
        return
    note = _unknown_topic_note(request.unknown_words, known=bool(query.topics))
    if request.place_text:
        found = await asyncio.to_thread(places.resolve, request.place_text, "US")
        if isinstance(found, places.Resolved):
            await _search(turn, replace(query, place=place_token(found.place)), 0, note=note)
        elif isinstance(found, places.Ambiguous):
            home = await _in_licence_state(turn, found)
            if home is None:
                _offer_places(turn, request.place_text, found, query, note)
                return
            other = next(p for p in found.candidates if p is not home)
            note += texts.COURSES_PLACE_LICENCE_STATE.format(
                place=esc(short_name(home)), text=esc(request.place_text[:40]),
                other=esc(other.region or other.region_code or ""),
            )  # fmt: skip
            await _search(turn, replace(query, place=place_token(home)), 0, note=note)
        else:
            _place_unknown(turn, request.place_text, found, query, note)
        return
    if request.near_me:
        saved = _saved_location(turn)
        if saved is None:
            await _ask_where(turn, query, text=texts.COURSES_ASK_LOCATION)
            return
        await _search(turn, replace(query, place=coordinates_token(*saved)), 0, note=note)
        return
    if query.online:
        await _search(turn, replace(query, place=""), 0, note=note)
        return
    if (saved := _saved_location(turn)) is not None:  # QA: asked again where they practise
        await _search(turn, replace(query, place=coordinates_token(*saved)), 0, note=note)
        return
    await _ask_where(turn, query)


async def _search(
    turn: Turn, query: CourseQuery, offset: int, *, edit: bool = False, note: str = ""
) -> None:
    """One page of results (or an empty result with ways to widen it)."""
    place = await asyncio.to_thread(place_of, query.place) if query.place else None
    if query.place and place is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    if place is None and not query.online:
        query = replace(query, online=True)
    after, before = query.window(turn.now, turn.clinician.timezone)
    result = await course_store.search_courses(
        turn.session,
        near=(place.lat, place.lon) if place else None,
        radius_km=query.radius_km,
        online=query.online,
        starts_after=after,
        starts_before=before,
        topics=query.topics,
        max_price=query.max_price,
        limit=PAGE,
        offset=offset,
    )
    title = header(query, short_name(place) if place else None, turn.tz, turn.now)
    if not result.hits:
        text, buttons = await _nothing_found(turn, query, title + note)
    else:
        deadlines = await _licence_deadlines(turn, result.hits)
        text, buttons = _results(
            turn, query, title + note, result.hits, offset, result.total, deadlines
        )
    (turn.edit if edit else turn.say)(text, buttons)


async def _licence_deadlines(turn: Turn, hits: Sequence[CourseHit]) -> list[Deadline]:
    """Each licence's current deadline while credits are still needed, earliest first;
    deadlines already past are left out, and so are licences complete for this cycle (QA
    round 11: "after your deadline" under four of five courses, both licences named
    complete). The statuses are worked out only when a course starts after a deadline:
    the search stays a query and a page, most of the time."""
    today = turn.local_now.date()
    rulebook = turn.context.services.rulebook
    found: list[tuple[date, str, Licence]] = []
    for licence in await licence_store.list_for(turn.session, turn.clinician):
        when = cycle_end_on(licence, turn.clinician, today, today, rulebook)
        when = when or licence.renewal_date
        if when is not None and when >= today:
            found.append((when, licence.label, licence))
    latest_start = max((hit.course.starts_at.astimezone(turn.tz).date() for hit in hits),
                       default=today)  # fmt: skip
    if any(when < latest_start for when, _, _ in found):
        complete = {
            view.licence.id for view in await load_views(
                turn.session, turn.clinician, today, rulebook
            ) if view.status is not None and view.status.complete
        }  # fmt: skip
        found = [item for item in found if item[2].id not in complete]
    return [
        _deadline(turn, when, label, licence) for when, label, licence in sorted(
            found, key=lambda item: (item[0], item[1])
        )
    ]  # fmt: skip


def _deadline(turn: Turn, when: date, label: str, licence: Licence) -> Deadline:
    """The deadline with what its rule counts (a rule no longer shipped: any course)."""
    try:
        rule = facts_for(licence, turn.clinician).rule(turn.context.services.rulebook)
    except (KeyError, ValueError):
        return Deadline(when, label)
    categories = None if rule.total_categories is None else frozenset(rule.total_categories)
    wanted = frozenset(topic for mandate in rule.mandates for topic in mandate.topics)
    return Deadline(when, label, categories, rule.total > 0, wanted)


def _results(
    turn: Turn,
    query: CourseQuery,
    title: str,
    hits: list[CourseHit],
    offset: int,
    total: int,
    deadlines: list[Deadline],
) -> tuple[str, Buttons]:
    blocks = [title]
    rows: list[list[tuple[str, str]]] = []
    for n, hit in enumerate(hits, start=offset + 1):
        lines = course_lines(
            n, hit.course, hit.distance_km, query.unit, turn.tz, turn.now, hit.more_dates
        )
        if (late := after_deadline_line(hit.course, deadlines, turn.tz)) is not None:
            lines.insert(2, late)  # under the date it is about
        blocks.append("\n".join(lines))
        rows.append([(button_title(n, hit.course), encode("cd", hit.course.id))])
    order = texts.COURSES_ORDER_NEAR if query.place else texts.COURSES_ORDER_DATE
    blocks.append(
        texts.COURSES_SHOWING.format(
            first=offset + 1, last=offset + len(hits), total=total, order=order
        )
    )
    nav = []
    if offset > 0:
        nav.append((texts.COURSES_PREVIOUS, _search_data(max(0, offset - PAGE), query)))
    if offset + len(hits) < total:
        nav.append((texts.COURSES_MORE, _search_data(offset + PAGE, query)))
    if nav:
        rows.append(nav)
    return "\n\n".join(blocks), rows


async def _nothing_found(turn: Turn, query: CourseQuery, title: str) -> tuple[str, Buttons]:
    """Say so, and offer the wider searches that could find something."""
    if not await course_store.any_active_course(turn.session):
        return texts.COURSES_NONE_AT_ALL, []
    options: list[tuple[str, str]] = []
    if (wider := query.widened()) is not None:
        label = texts.COURSES_WIDEN.format(radius=wider.radius, unit=wider.unit)
        options.append((label, _search_data(0, wider)))
    if query.place and not query.online:
        options.append((texts.COURSES_ADD_ONLINE, _search_data(0, replace(query, online=True))))
    if query.start or query.end:
        options.append(
            (texts.COURSES_ANY_DATE, _search_data(0, replace(query, start=None, end=None)))
        )
    if query.topics:
        options.append((texts.COURSES_ANY_TOPIC, _search_data(0, replace(query, topics=()))))
    text = f"{title}\n\n{texts.COURSES_NONE}" + (texts.COURSES_NONE_WIDEN if options else "")
    return text, [options[i : i + 2] for i in range(0, len(options), 2)]


def _search_data(offset: int, query: CourseQuery) -> str:
    """Callback data for a search page; drops topics rather than exceed 64 bytes."""
    while True:
        try:
            return encode("cs", offset, *query.args())
        except ValueError:
            if not query.topics:
                raise
            query = replace(query, topics=query.topics[:-1])


async def _in_licence_state(turn: Turn, found: places.Ambiguous) -> places.Place | None:
    """The one same-named place in a state the clinician is licensed in (QA: "Cleveland"
    asked an Ohio physician to choose between Ohio and Tennessee), else None."""
    if found.hint != "same_name":
        return None
    held = await licence_store.list_for(turn.session, turn.clinician)
    # A described requirement's name may give its state ("Ohio RN": QA round 7, "courses
    # near Columbus" asked which Columbus).
    states = {state for licence in held for state in licence_states(licence)}
    home = [p for p in found.candidates if p.region_code in states]
    return home[0] if len(home) == 1 else None


def _offer_places(
    turn: Turn, text: str, found: places.Ambiguous, query: CourseQuery, note: str
) -> None:
    """Which of several places; ``note`` says which words were not a known topic."""
    choices = found.candidates[:MAX_CHOICES]
    rows = [
        [(short_name(p), _search_data(0, replace(query, place=place_token(p))))] for p in choices
    ]
    if found.hint == "region_only":
        turn.say(texts.COURSES_PICK_CITY + note, rows)
    else:
        turn.say(texts.COURSES_PICK_PLACE.format(text=esc(text)) + note, rows)


def _place_unknown(
    turn: Turn, text: str, found: places.NotFound, query: CourseQuery, note: str
) -> None:
    suggestions = found.suggestions[:4]
    message = texts.COURSES_PLACE_UNKNOWN.format(text=esc(text[:80]))
    rows = [
        [(short_name(p), _search_data(0, replace(query, place=place_token(p))))]
        for p in suggestions
    ]
    message += texts.COURSES_PLACE_SUGGEST if rows else texts.COURSES_PLACE_HINT
    # "ethcs online" reads as a place; if the words are close to a topic, say so, and
    # when the search knows where to look without a place (online), offer it in one tap.
    close = [t for t in topics.suggest_topics(text, 1) if t not in query.topics]
    if close:
        label = topics.label(close[0])
        message += texts.COURSES_PLACE_OR_TOPIC.format(topic=esc(label))
        if query.online:
            with_topic = replace(query, topics=(*query.topics, close[0]))
            button = texts.COURSES_TOPIC_BUTTON.format(topic=clip_title(label, 40))
            rows.insert(0, [(button, _search_data(0, with_topic))])  # before "Etah, India"
    turn.say(message + note, rows)


def _unknown_topic_note(words: tuple[str, ...], *, known: bool = False) -> str:
    """Words read as an unknown topic; the search covers every topic only when no other
    topic was named ("evening opioid course": it searches opioid courses)."""
    if not words:
        return ""
    phrase = " ".join(words)
    names = [topics.label(t) for t in topics.suggest_topics(phrase, 3)]
    hint = texts.COURSES_TOPIC_HINT.format(names=esc(", ".join(names))) if names else ""
    template = texts.COURSES_UNKNOWN_WORDS if known else texts.COURSES_UNKNOWN_TOPIC
    return template.format(words=esc(phrase[:60]), hint=hint)


# ---------------------------------------------------------------------- asking where


async def _ask_where(
    turn: Turn, partial: CourseQuery, *, text: str = texts.COURSES_ASK_WHERE
) -> None:
    """Ask for a place with a location button; the next text answers (filters kept)."""
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton(texts.COURSES_SEND_LOCATION, request_location=True)],
            [KeyboardButton(texts.COURSES_ONLINE_ONLY), KeyboardButton(texts.COURSES_I_NEED)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=texts.COURSES_WHERE_PLACEHOLDER,
    )
    await flows.expect(turn, STEP, q=list(partial.args()))
    turn.say(text, reply_markup=keyboard)


def _partial(state: dict[str, object]) -> CourseQuery:
    args = state.get("q")
    found = CourseQuery.from_args(list(args)) if isinstance(args, list) else None
    return found or CourseQuery()


def _merge(partial: CourseQuery, new: CourseQuery) -> CourseQuery:
    """Filters typed earlier, overridden by whatever the new message says."""
    explicit_radius = (new.radius, new.unit) != (DEFAULT_RADIUS, DEFAULT_UNIT)
    return CourseQuery(
        place=new.place or partial.place,
        radius=new.radius if explicit_radius else partial.radius,
        unit=new.unit if explicit_radius else partial.unit,
        online=new.online or partial.online,
        start=new.start if new.start or new.end else partial.start,
        end=new.end if new.start or new.end else partial.end,
        topics=tuple(dict.fromkeys((*partial.topics, *new.topics)))[:3],
        max_price=new.max_price if new.max_price is not None else partial.max_price,
    )


async def _end_step(turn: Turn) -> None:
    await flows.clear(turn)


def _saved_location(turn: Turn) -> tuple[float, float] | None:
    value = flows.held(turn, LOCATION_KEY)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    ):
        return float(value[0]), float(value[1])
    return None


# ---------------------------------------------------------------------- course detail


@route("cs")
async def search_pressed(turn: Turn, press: Press) -> None:
    """A page, a widened search, or a place chosen among several."""
    offset = press.int_arg(0)
    query = CourseQuery.from_args(press.args[1:])
    if offset is None or query is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _search(turn, query, offset, edit=True)


@route("cd")
async def details_pressed(turn: Turn, press: Press) -> None:
    """Description, registration link, and buttons: "Remind me", "Add to calendar"."""
    course = await _course(turn, press)
    if course is None:
        return
    subscribed = await _is_subscribed(turn, course.id)
    turn.say(detail_text(course, turn.tz, turn.now), _detail_buttons(course, subscribed))


@route("ci")
async def calendar_pressed(turn: Turn, press: Press) -> None:
    """The course as an .ics file, only when asked for (QA: every Details press sent one)."""
    course = await _course(turn, press)
    if course is None:
        return
    if course.status == "cancelled":
        turn.answer(texts.COURSE_CANCELLED_NO_CALENDAR)
        return
    turn.document(
        course_ics(course, turn.now),
        ics_name(course),
        caption=texts.COURSE_ICS_CAPTION.format(title=esc(course.title[:200])),
    )


@route("cdl")
async def log_course_pressed(turn: Turn, press: Press) -> None:
    """ "✅ Log 12 credits" under a chosen course's follow-up: its credits as a proposal to
    check and save, dated its last day (today at the latest)."""
    course = await _course(turn, press)
    if course is None:
        return
    if course.credits <= 0 or course.starts_at > turn.now:
        turn.answer(texts.COURSE_NOT_LOGGABLE)
        return
    ended = min(course.ends_at.astimezone(turn.tz).date(), turn.local_now.date())
    draft = LogDraft(
        amount=min(course.credits, MAX_CREDITS_PER_ENTRY), completed_on=ended,
        category=course.category, topics=tuple(course.topics), title=clip_title(course.title),
        provider=course.provider[:200] if course.provider else None, category_given=True,
        activity_type=_COURSE_FORMATS.get(course.format),
    )  # fmt: skip
    await propose(turn, draft, source="course")


# A catalogue's format as the entry's activity type ("hybrid": how it was attended is
# the clinician's to say, with 🎓 Format).
_COURSE_FORMATS = {
    "in_person": "live", "workshop": "live_course", "live_online": "internet_live",
    "on_demand": "enduring",
}  # fmt: skip


@route("cr")
async def remind_pressed(turn: Turn, press: Press) -> None:
    """Subscribe (``cr:id:1``) or unsubscribe (``cr:id:0``), then re-plan reminders."""
    course = await _course(turn, press)
    if course is None:
        return
    if press.arg(1) == "1":
        if course.status != "active" or course.starts_at <= turn.now:
            turn.answer(texts.COURSE_NOT_REMINDABLE)
            return
        await subscriptions.subscribe(turn.session, turn.clinician, course.id, turn.now)
        turn.answer(course_subscribed_text(turn, course))
    else:
        await subscriptions.unsubscribe(turn.session, turn.clinician, course.id)
        turn.answer(texts.COURSE_UNSUBSCRIBED)
    await replan(turn)
    subscribed = press.arg(1) == "1"
    turn.edit(detail_text(course, turn.tz, turn.now), _detail_buttons(course, subscribed))


@route("cu")
async def unsubscribe_pressed(turn: Turn, press: Press) -> None:
    """Unsubscribe from /mycourses, then show the list again."""
    course_id = press.int_arg(0)
    if course_id is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    removed = await subscriptions.unsubscribe(turn.session, turn.clinician, course_id)
    if removed:
        await replan(turn)
    turn.answer(texts.COURSE_UNSUBSCRIBED)
    text, buttons = await _my_courses(turn)
    turn.edit(text, buttons)


async def _course(turn: Turn, press: Press) -> Course | None:
    course_id = press.int_arg(0)
    course = await course_store.get_course(turn.session, course_id) if course_id else None
    if course is None:
        turn.answer(texts.COURSE_GONE)
    return course


def _detail_buttons(course: Course, subscribed: bool) -> Buttons:
    calendar = (texts.COURSE_ADD_TO_CALENDAR, encode("ci", course.id))
    if subscribed:
        stop = (texts.COURSE_STOP_REMINDING, encode("cr", course.id, 0))
        return [[stop, calendar] if course.status != "cancelled" else [stop]]
    if course.status != "active":
        return []
    return [[(texts.COURSE_REMIND_ME, encode("cr", course.id, 1)), calendar]]


async def _is_subscribed(turn: Turn, course_id: int) -> bool:
    mine = await subscriptions.list_for(turn.session, turn.clinician)
    return any(course.id == course_id for _, course in mine)


async def _my_courses(turn: Turn) -> tuple[str, Buttons]:
    mine = [
        course
        for _, course in await subscriptions.list_for(turn.session, turn.clinician)
        if course.ends_at > turn.now
    ]
    if not mine:
        return texts.MYCOURSES_EMPTY, []
    lines = [texts.MYCOURSES_HEADER]
    rows: list[list[tuple[str, str]]] = []
    for n, course in enumerate(mine, start=1):
        if course.status == "cancelled":
            lines.append(texts.MYCOURSES_ITEM_CANCELLED.format(n=n, title=esc(course.title)))
        else:
            where = texts.MYCOURSES_ONLINE if course.latitude is None else place_text(course)
            lines.append(
                texts.MYCOURSES_ITEM.format(
                    n=n,
                    title=esc(course.title),
                    when=when_text(course, turn.tz, turn.now),
                    where=where,
                )
            )
        rows.append(
            [
                (texts.MYCOURSES_DETAILS.format(n=n), encode("cd", course.id)),
                (texts.MYCOURSES_UNSUBSCRIBE.format(n=n), encode("cu", course.id)),
            ]
        )
    return "\n".join(lines), rows


# ------------------------------------------------------------------- courses I need


@route("gaps")
async def gaps_pressed(turn: Turn, press: Press) -> None:
    """The "Courses that fit" button under renewal reminders and /status."""
    await show_gap_courses(turn)


@route("cg")
async def gap_page_pressed(turn: Turn, press: Press) -> None:
    offset, radius = press.int_arg(0), press.int_arg(2)
    token = press.arg(1)
    if offset is None or not radius or (token and not is_place_token(token)):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _gap_page(turn, offset, token, radius, edit=True)


async def _gap_page(turn: Turn, offset: int, token: str, radius: int, *, edit: bool) -> None:
    """One page of courses ranked by the mandates and credits they fill before each deadline."""
    services = turn.context.services
    clinician = turn.clinician
    views = await load_views(turn.session, clinician, turn.local_now.date(), services.rulebook)
    if not views:
        turn.say(texts.COURSES_NEED_NO_LICENCES)
        return
    needs = needs_for(views, clinician, services.rulebook)
    if not needs.gaps:
        if needs.missing_facts:
            missing = ", ".join(
                esc(texts.FACT_NAMES.get(f, f)) for f in dict.fromkeys(needs.missing_facts)
            )
            turn.say(texts.COURSES_NEED_UNKNOWN.format(missing=missing))
        else:
            turn.say(texts.COURSES_NEED_NOTHING)
        return
    if not token and (saved := _saved_location(turn)) is not None:
        token = coordinates_token(*saved)
    place = await asyncio.to_thread(place_of, token) if token else None
    query = CourseQuery(place=token if place else "", radius=radius, online=True)
    latest = needs.latest_due or turn.local_now.date()
    before = dates.localize(latest + timedelta(days=1), time(0, 0), clinician.timezone)
    pool: dict[int, CourseHit] = {}
    searches = [needs.wanted_topics] if needs.wanted_topics else []
    if any(not need.topics for need in needs.by_key.values()):
        searches.append(frozenset())  # any course helps a total still short
    for wanted in searches:
        found = await course_store.search_courses(
            turn.session,
            near=(place.lat, place.lon) if place else None,
            radius_km=query.radius_km,
            online=True,
            starts_after=turn.now,
            starts_before=max(before, turn.now + timedelta(minutes=1)),
            topics=wanted,
            limit=GAP_POOL,
        )
        for hit in found.hits:
            pool.setdefault(hit.course.id, hit)
        if len(pool) >= GAP_POOL:
            break
    ranked = rank(needs, [hit.course for hit in pool.values()])
    where = (
        texts.COURSES_NEED_WHERE_NEAR.format(
            radius=radius, unit=query.unit, place=esc(short_name(place))
        )
        if place
        else texts.COURSES_NEED_WHERE_ONLINE
    )
    title = texts.COURSES_NEED_HEADER.format(where=where)
    if not ranked:
        (turn.edit if edit else turn.say)(f"{title}\n\n{texts.COURSES_NEED_NONE}", None)
        return
    page = ranked[offset : offset + PAGE]
    blocks = [title]
    rows: list[list[tuple[str, str]]] = []
    for n, item in enumerate(page, start=offset + 1):
        hit = pool[item.course.id]
        lines = course_lines(
            n, hit.course, hit.distance_km, query.unit, turn.tz, turn.now, hit.more_dates
        )
        for fill in item.fills:
            need = needs.by_key[fill.licence]
            if need.topics:
                lines.append(
                    texts.COURSES_NEED_FILLS_MANDATE.format(
                        hours=number(fill.hours),
                        unit=unit_word(fill.hours, need.unit),
                        title=esc(need.title),
                        remaining=number(need.remaining),
                        licence=esc(need.licence),
                        due=f"{need.due:%b %-d, %Y}",
                    )
                )
            else:
                # QA: it didn't say the course also counts toward the Category 1 minimum.
                minimums = "".join(
                    texts.COURSES_NEED_FILLS_MINIMUM.format(label=esc(label), left=number(left))
                    for category, label, left in need.minimums
                    if category == hit.course.category
                )
                unit, says = need.unit, topics.category_says(hit.course.category)
                if need.unit in HOURS_UNITS and says != need.unit:
                    # A nurse's contact hours from a physicians' course: in its own unit,
                    # and only if her board takes it (QA round 7: "20 contact hours" of AOA
                    # Category 1-A).
                    unit = says
                    minimums += texts.COURSES_NEED_IF_ACCEPTED.format(
                        category=esc(topics.category_label(hit.course.category))
                    )
                lines.append(
                    texts.COURSES_NEED_FILLS_TOTAL.format(
                        hours=number(fill.hours),
                        unit=unit_word(fill.hours, unit),
                        licence=esc(need.licence),
                        remaining=number(need.remaining),
                        minimums=minimums,
                    )
                )
        blocks.append("\n".join(lines))
        rows.append([(button_title(n, hit.course), encode("cd", hit.course.id))])
    filled = {fill.licence for item in ranked for fill in item.fills}
    uncovered = [need.title for need in needs.mandates if need.key not in filled]
    if offset == 0 and uncovered:  # QA: "mandated topics first" above a telehealth course
        blocks.insert(1, texts.COURSES_NEED_UNCOVERED.format(titles=esc("; ".join(uncovered))))
    if offset == 0 and (own := _own_credit_missing(turn.clinician.profession, ranked)):
        # QA round 13: physicians' courses listed to a pharmacist as fits, none ACPE
        blocks.insert(1, texts.COURSES_NEED_NOT_YOURS.format(own=esc(own)))
    some_filled = len(uncovered) < len(needs.mandates)
    showing = texts.COURSES_NEED_SHOWING if some_filled else texts.COURSES_NEED_SHOWING_TOTALS
    blocks.append(showing.format(first=offset + 1, last=offset + len(page), total=len(ranked)))
    nav = []
    if offset > 0:
        nav.append(
            (texts.COURSES_PREVIOUS, encode("cg", max(0, offset - PAGE), query.place, radius))
        )
    if offset + len(page) < len(ranked):
        nav.append((texts.COURSES_MORE, encode("cg", offset + PAGE, query.place, radius)))
    if nav:
        rows.append(nav)
    (turn.edit if edit else turn.say)("\n\n".join(blocks), rows)


HOURS_UNITS = frozenset({"hours", "contact hours"})
_OWN_CE = frozenset({"pharmacist", "rn", "np"})


def _own_credit_missing(profession: str | None, ranked: Sequence[Ranked[Candidate]]) -> str:
    """The label of a pharmacist's or nurse's own kind of CE when no course listed gives
    it ("" when one does, or for physicians)."""
    if profession not in _OWN_CE:
        return ""
    own = default_category_for(profession)
    if any(topics.qualifies(item.course.category, {own}) for item in ranked):
        return ""
    return topics.category_label(own)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Course commands and shared locations (before the catch-all fallbacks)."""
    app.add_handler(CommandHandler("courses", courses_command))
    app.add_handler(CommandHandler("mycourses", mycourses_command))
    app.add_handler(MessageHandler(filters.LOCATION, location_shared))
