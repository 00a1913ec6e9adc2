"""/status and "how many credits do I still need?": the exact answer per licence."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain import date_spelling, dates, places, topics
from bot.domain.credits import CreditItem, NextNeeded
from bot.domain.log_parse import clip_title
from bot.domain.requirements import Rule, RuleBook
from bot.reports.certificate_title import topics_in
from bot.store import credits as credit_store
from bot.store.models import Licence
from bot.tracking import LicenceView, credit_item, licence_states, load_views, next_needed_for
from bot.views import (
    day,
    deadline_line,
    note_is_cut,
    number,
    only_past_due_left,
    render_rule_notes,
    render_status,
    render_topic_status,
    render_verdict,
    still_needed,
    topic_mandates,
)
from handlers.callbacks import Press, encode, route
from handlers.course_query import COUNTS_QUESTION
from handlers.turn import Turn, clinician_handler

# "what's due first?", "which licence is due soonest" (QA round 11: the full status of each)
_DUE_FIRST = (
    r"due\s+(?:first|next|soonest|earliest)|(?:which|what)\s+(?:licen[cs]e|one|certification"
    r"|requirement)s?\s+(?:is|are|comes?)\s+(?:due|up)"
)
# "am I done?" asks for a yes or no on completion; "am I on track?" on pace. Both are
# status questions too: their figures follow the yes or no.
_DONE = r"am\s+i\s+(?:done|complete|finished|compliant)|compliant|compliance"
_PACE = (
    r"on\s+tra(?:ck|k|c)|am\s+i\s+(?:behind|ahead|ok(?:ay)?|good|fine)|will\s+i\s+make\s+it"
)  # "on trak": QA typed it
_STATUS_QUESTION = re.compile(
    r"\b(?:how\s+many|how\s+much|still\s+need|left|remaining|status|progress|"
    r"when\s+is\s+my|when\s+do\s+i|deadlines?|renewal|where\s+am\s+i"
    r"|how\s+am\s+i\s+doing|how\s+(?:am\s+i|is\s+it)\s+going"
    # QA: "whats due", "where do I stand", "do I need ethics", "what do I need"
    r"|what(?:'?s|\s+is)\s+due|where\s+do\s+i\s+stand|(?:do|what\s+do)\s+i\s+(?:still\s+)?need"
    r"|when\s+does\s+my\b.{0,40}\b(?:expire|renew|run\s+out)"  # QA round 6
    rf"|{_DUE_FIRST}"
    rf"|{_DONE}|{_PACE})\b",
    re.IGNORECASE,
)
_DONE_QUESTION = re.compile(rf"\b(?:{_DONE})\b", re.IGNORECASE)
_PACE_QUESTION = re.compile(rf"\b(?:{_PACE}|behind|ahead)\b", re.IGNORECASE)
_DEADLINE_QUESTION = re.compile(
    rf"\b(?:{_DUE_FIRST}|deadlines?|dead\s+lines?|due\s+dates?|renewal\s+dates?|expir\w*\s+dates?"
    r"|when\s+(?:is|are|do|does)\b.{0,40}\b(?:due|renew\w*|expir\w*))\b",
    re.IGNORECASE,
)
_AMOUNT_QUESTION = re.compile(
    r"\b(?:how\s+(?:many|much)|credits?|hours?|points?|need|left|remaining|to\s+go|status)\b",
    re.IGNORECASE,
)


_DUE_ORDER = ("first", "next", "soonest", "earliest")
_AFTER_DUE = re.compile(r"\b(due\s+)([A-Za-z]{4,9})\b", re.IGNORECASE)


def spell_due_order(text: str) -> str:
    """ "what's due frist?" → "what's due first?" (QA: the full status instead of the
    deadline list): the word right after "due" only, read as the month names are
    ("frist", "soonets", "earlist"), so "due soon" or "due friday" stay as typed."""

    def spelt(match: re.Match[str]) -> str:
        return match[1] + (date_spelling.slip_of(match[2], _DUE_ORDER) or match[2])

    return _AFTER_DUE.sub(spelt, text)


def is_status_question(text: str) -> bool:
    """ "how many credits do I still need?", "when is my renewal?", "what's left for Texas?",
    "is my child abuse course ok for pennsylvania?"."""
    text = spell_due_order(text)
    return bool(
        _STATUS_QUESTION.search(text) or COUNTS_QUESTION.search(text)
        or is_topic_due_question(text)
    )  # fmt: skip


_WHEN_NEEDED = re.compile(
    r"\bwhen\b.{0,80}?\b(?:due|needed|expir\w*|redo|repeat|retake|renew\w*)\b",
    re.IGNORECASE,
)


def is_topic_due_question(text: str) -> bool:
    """ "when is my infection control course due again?", "when is infection control due?":
    when a mandated topic is due, a status question even with "course" in it (QA round 13:
    read as a course search near "when due again", or not understood)."""
    return bool(_WHEN_NEEDED.search(text)) and bool(topics_in(text) or _misspelt_topics(text))


async def views(turn: Turn) -> list[LicenceView]:
    return await load_views(
        turn.session, turn.clinician, turn.local_now.date(), turn.context.services.rulebook
    )


_GENERIC = frozenset(
    {"board", "medical", "medicine", "licence", "license", "state", "due", "requirement"}
)
_BEFORE_PLACE = frozenset({"for", "in"})
_STATE_NAME_COMMON = frozenset({"new", "north", "south", "west"})  # "new credits"


def _asked_words(text: str) -> set[str]:
    """The question's words that may name a licence. Two-letter ones ("FL", "for tx") count
    only in capitals or after "for"/"in": lower-case "oh" or "me" is rarely a state."""
    tokens = re.findall(r"[A-Za-z]+", text)
    return {
        token.lower()
        for i, token in enumerate(tokens)
        if len(token) >= 3 or (len(token) == 2 and (token.isupper() or _after_for(tokens, i)))
    }


def _after_for(tokens: list[str], index: int) -> bool:
    return index > 0 and tokens[index - 1].lower() in _BEFORE_PLACE


def _names(view: LicenceView, rulebook: RuleBook) -> set[str]:
    return licence_names(view.licence, rulebook)


def licence_names(licence: Licence, rulebook: RuleBook) -> set[str]:
    """Words that name a licence: its label's, its state code ("tx") and its rule's
    one-word aliases ("tex", "fla")."""
    names = set(re.findall(r"[a-z]{3,}", licence.label.lower())) - _GENERIC
    names |= _state_code(licence.jurisdiction)
    for code in licence_states(licence):  # "georgia" for a renamed "GA Composite Med Board"
        words = set(re.findall(r"[a-z]{3,}", (places.US_STATE_NAMES.get(code) or "").lower()))
        names |= (words - _STATE_NAME_COMMON) | {code.lower()}  # "FL" for "FL RPh license"
    rule = rulebook.find(licence.rule_id) if licence.rule_id else None
    return names | _rule_names(rule) if rule is not None else names


def _rule_names(rule: Rule) -> set[str]:
    """A rule's one-word aliases ("tex", "fla") and its state code ("tx")."""
    return {alias for alias in rule.aliases if alias.isalpha()} | _state_code(rule.jurisdiction)


def _state_code(jurisdiction: str | None) -> set[str]:
    code = (jurisdiction or "").lower()
    return {code[3:]} if code.startswith("us-") else set()


def licences_named(licences: list[Licence], text: str, rulebook: RuleBook) -> list[Licence]:
    """The licences ``text`` names ("my nccpa deadline ..."), by the words above; when it
    names a state, not those of another state that share a word with it ("FL RPh license"
    is not "TX RPh": QA round 13, both were taken)."""
    words = _asked_words(text)
    named = [licence for licence in licences if words & licence_names(licence, rulebook)]
    asked = _states_asked(words)
    if not asked:
        return named
    return [licence for licence in named if not licence_states(licence) - asked] or named


def _states_asked(words: set[str]) -> set[str]:
    """The US states the question's words name: a state's code or its name's words."""
    return {code for code, named in _STATE_WORDS.items() if code.lower() in words or named <= words}


_STATE_WORDS = {
    code: frozenset(re.findall(r"[a-z]{3,}", name.lower())) - _STATE_NAME_COMMON
    for code, name in places.US_STATE_NAMES.items()
}  # "york" names New York: "new" alone is too common a word


def _matching(all_views: list[LicenceView], text: str, rulebook: RuleBook) -> list[LicenceView]:
    """Licences named in the question ("what's left for Texas?", "... for FL"), else all."""
    named = licences_named([view.licence for view in all_views], text, rulebook)
    return [view for view in all_views if view.licence in named] or all_views


def _unheld_named(
    all_views: list[LicenceView], text: str, rulebook: RuleBook, profession: str | None
) -> Rule | None:
    """A licence the question names ("... for Florida") that the clinician does not hold,
    when it names none they hold; only rules for their profession (QA: a Florida nurse was
    offered the Florida Board of Medicine's)."""
    words = _asked_words(text)
    if any(words & _names(view, rulebook) for view in all_views):
        return None
    held = {view.licence.rule_id for view in all_views}
    for rule in rulebook:
        if profession and not rule.fits(profession):
            continue
        if rule.id not in held and words & (_rule_names(rule) - _GENERIC):
            return rule
    return None


def _due_by(turn: Turn, question: str) -> date | None:
    """The last day a question asks about: "what do I need by June?" → Jun 30."""
    found = dates.extract_date_phrase(question)
    span = dates.parse_future_range(found.phrase, turn.now, turn.tz) if found else None
    return span.end if span is not None else None


def _is_open(view: LicenceView) -> bool:
    return view.status is not None and not view.status.complete


def _open_by(view: LicenceView, limit: date) -> bool:
    return _is_open(view) and view.status is not None and view.status.deadline <= limit


def _nothing_due_by(shown: list[LicenceView], limit: date) -> str:
    """QA: "what do I need by June?" listed everything, due in 2028 too."""
    open_ones = [v for v in shown if _is_open(v)]
    if not open_ones:
        return texts.STATUS_NOTHING_DUE_BY_DONE.format(limit=day(limit))
    first = min(open_ones, key=_urgency)
    assert first.status is not None
    remaining, unit = still_needed(first.status)  # "at least 4" where a floor
    return texts.STATUS_NOTHING_DUE_BY.format(
        limit=day(limit), label=html.escape(first.licence.label),
        deadline=day(first.status.deadline), remaining=remaining, unit=unit,
    )  # fmt: skip


def _urgency(view: LicenceView) -> tuple[int, date]:
    """Unfinished licences by deadline, then finished ones, then those lacking facts."""
    if view.status is None:
        return (2, date.max)
    return (1 if view.status.complete else 0, view.status.deadline)


async def say_status(turn: Turn, question: str = "") -> None:
    """Every licence asked about in one message: one notification, not one per licence,
    with a chart button per licence and one "courses that fit" button."""
    found = await views(turn)
    if not found:
        turn.say(texts.STATUS_NO_LICENCES, [[(texts.LICENCE_ADD, encode("lic", "add"))]])
        return
    rulebook = turn.context.services.rulebook
    profession = turn.clinician.profession
    if question and (missing := _unheld_named(found, question, rulebook, profession)):
        # QA: "what do I need for Florida?" (Texas only) answered with Texas's status.
        from handlers.licences import rule_label  # licences shows statuses from here

        label = html.escape(rule_label(missing))
        turn.say(
            texts.STATUS_NOT_HELD.format(label=label),
            [[(texts.STATUS_ADD_HELD.format(label=clip_title(label, 40)),
               encode("lic", "rule", missing.id))]],
        )
        return
    # Soonest deadline first: the licence that needs attention leads.
    shown = sorted(_matching(found, question, rulebook), key=_urgency)
    if question and (limit := _due_by(turn, question)) is not None:
        due = [v for v in shown if _open_by(v, limit)]
        if not due:
            turn.say(_nothing_due_by(shown, limit))
            return
        shown = due
    if _FORMAT_QUESTION.search(question):  # "how many live hours do I have?"
        turn.say(await _format_answer(turn, home=bool(_HOME_STUDY.search(question))))
    asked = frozenset(topics_in(question) or _misspelt_topics(question))
    if asked:  # "how many ethics hours do I need?": those lines, not every requirement
        items = [credit_item(row) for row in await credit_store.credit_rows(turn.session,
                                                                             turn.clinician)]
        answers = [
            part for view in shown
            if (part := render_topic_status(view, asked, _later(turn, view, asked, items)))
        ]  # fmt: skip
        names = ", ".join(html.escape(topics.label(topic)) for topic in sorted(asked))
        text = texts.STATUS_SEPARATOR.join(answers) or texts.STATUS_TOPIC_NONE.format(topics=names)
        turn.say(text, [[(texts.STATUS_COURSES_BUTTON, encode("gaps"))]])
        return
    if (
        _DEADLINE_QUESTION.search(spell_due_order(question))
        and not _AMOUNT_QUESTION.search(question)
        and not _PACE_QUESTION.search(question)  # "am I on track for my deadline?" (review)
        and not _DONE_QUESTION.search(question)
    ):
        # "wat's my deadline": the dates, one line each (QA round 9: every full status),
        # the soonest first
        turn.say(_deadlines(sorted(shown, key=_by_deadline)))
        return
    buttons = [
        [(texts.STATUS_CHART_BUTTON.format(label=clip_title(view.licence.label, 24)),
          encode("chart", view.licence.id))]
        + ([(texts.STATUS_NOTES_BUTTON.format(label=clip_title(view.licence.label, 16)),
             encode("notes", view.licence.id))] if note_is_cut(view.status) else [])
        for view in shown
        if view.status is not None
    ]  # fmt: skip
    if any(view.status is not None and not view.status.complete for view in shown):
        buttons.append([(texts.STATUS_COURSES_BUTTON, encode("gaps"))])
    parts = [render_status(view) for view in shown]
    pace = bool(_PACE_QUESTION.search(question))
    if pace or _DONE_QUESTION.search(question):
        today = turn.local_now.date()
        verdicts = [line for view in shown if (line := render_verdict(view, today, pace=pace))]
        parts.insert(0, "\n".join(verdicts))
    turn.say(texts.STATUS_SEPARATOR.join(part for part in parts if part), buttons)


def _later(
    turn: Turn, view: LicenceView, asked: frozenset[str], items: list[CreditItem]
) -> dict[str, NextNeeded]:
    """When the topic's mandates done or not due now are next needed."""
    waiting = [m.mandate_id for m in topic_mandates(view, asked) if not m.due or m.remaining <= 0]
    return next_needed_for(
        view.licence, turn.clinician, items, waiting, turn.local_now.date(),
        turn.context.services.rulebook,
    )  # fmt: skip


_HOME_STUDY = re.compile(
    r"\b(?:home[\s-]?study|self[\s-]?study|on[\s-]?demand|enduring|recorded)\b", re.IGNORECASE
)
_FORMAT_QUESTION = re.compile(
    r"\b(?:live|in[\s-]?person|home[\s-]?study|self[\s-]?study|on[\s-]?demand|enduring"
    r"|recorded)\s+(?:\w+\s+)?(?:hours?|credits?|ceus?|cme|ce|activities)\b",
    re.IGNORECASE,
)


async def _format_answer(turn: Turn, *, home: bool) -> str:
    """Live or home-study credits, as far as the log records how an activity was taken:
    nothing is made up (QA round 13: "how many live hours do I have?" got the full status,
    "live" silently ignored). Entries that say how they were taken (an activity type:
    said when logged, read from a UAN, or set with 🎓 Format) are counted; the others are
    said to be left out."""
    rows = await credit_store.credit_rows(turn.session, turn.clinician)
    recorded = [row for row in rows if row.activity_type]
    if not recorded:
        return texts.STATUS_FORMAT_NOT_RECORDED
    live = [row for row in recorded if "live" in topics.expand_activity(row.activity_type)]
    chosen = [row for row in recorded if row not in live] if home else live
    amount = sum((Decimal(str(row.amount)) for row in chosen), Decimal(0))
    return texts.STATUS_FORMAT_RECORDED.format(
        amount=number(amount), kind=texts.FORMAT_HOME if home else texts.FORMAT_LIVE,
        unrecorded=len(rows) - len(recorded), entries=len(rows),
    )  # fmt: skip


def _by_deadline(view: LicenceView) -> date:
    return view.status.deadline if view.status else date.max


def _deadlines(shown: Sequence[LicenceView]) -> str:
    """Each licence's deadline in a line, with what is left; the full status a command away."""
    lines = []
    for view in shown:
        status = view.status
        label = html.escape(view.licence.label)
        if status is None:
            lines.append(texts.DEADLINE_LINE_UNKNOWN.format(label=label))
            continue
        remaining, unit = still_needed(status)
        left = (
            texts.DEADLINE_LINE_DONE if status.complete
            # Not "to go" by the renewal date: it was due earlier (QA round 13, DEA)
            else texts.DEADLINE_LINE_PAST_DUE.format(remaining=remaining)
            if only_past_due_left(status)
            else texts.DEADLINE_LINE_LEFT.format(remaining=remaining, unit=unit)
        )  # fmt: skip
        lines.append(texts.DEADLINE_LINE.format(label=label, when=deadline_line(status), left=left))
    return "\n".join([*lines, texts.DEADLINE_LINES_MORE])


def _misspelt_topics(question: str) -> tuple[str, ...]:
    """Topics one word of the question misspells ("how many ethcs hours": ethics)."""
    found = (topics.misspelt_topic(word) for word in re.findall(r"[^\W\d_]{4,}", question))
    return tuple(dict.fromkeys(topic for topic in found if topic))


@clinician_handler
async def status(turn: Turn) -> None:
    """Earned, remaining by category and topic, deadline and pace for every licence."""
    message = turn.update.effective_message
    argument = (message.text or "").partition(" ")[2] if message else ""
    # "/status tx": a command's words name licences, so two letters are a state code
    # (in a sentence, lower-case "oh" or "me" rarely is; QA: "/status tx" showed all).
    question = " ".join(w.upper() if len(w) == 2 else w for w in argument.split())
    await say_status(turn, question)


@route("chart")
async def chart_pressed(turn: Turn, press: Press) -> None:
    """A picture of one licence's progress (earned vs required, per mandated topic)."""
    from bot.reports.chart import render_progress_png

    view = await _pressed_view(turn, press)
    if view is None or view.status is None:
        return
    png = await asyncio.to_thread(render_progress_png, view.status, turn.local_now.date())
    turn.photo(png, caption=html.escape(view.licence.label))


@route("notes")
async def notes_pressed(turn: Turn, press: Press) -> None:
    """The whole "worth checking" note of a licence's rule (the status shows it cut)."""
    view = await _pressed_view(turn, press)
    if view is not None:
        turn.say(render_rule_notes(view))


async def _pressed_view(turn: Turn, press: Press) -> LicenceView | None:
    """The clinician's licence a button names, with a status; else says it is gone."""
    licence_id = press.int_arg(0)
    found = [view for view in await views(turn) if view.licence.id == licence_id]
    if not found or found[0].status is None:
        turn.answer(texts.LICENCE_GONE)
        return None
    return found[0]


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("status", status))
