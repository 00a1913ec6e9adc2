"""Logging credits (one line, guided, or free text), confirming, listing, deleting, undo.

A line is parsed into a draft kept in the database; the clinician confirms or fixes it
with buttons; only "Save" writes the entry. After saving, the reply says which licences
it counts toward and what remains, and reminders are re-planned in the same transaction.
"""

from __future__ import annotations

import asyncio
import functools
import html
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain import dates, topics
from bot.domain.activity_format import (
    UAN_INCOMPLETE,
    format_choices,
    format_label,
    uan_format,
)
from bot.domain.credit_types import CreditItem
from bot.domain.log_parse import (
    LogDraft,
    LogProblem,
    PartAnswer,
    clip_title,
    default_category_for,
    looks_like_a_log,
    parse_amount,
    parse_edit_request,
    parse_log_date,
    parse_log_line,
    parse_part_answer,
    rounded_from,
)
from bot.domain.numbers import ceus_in, spoken_amounts
from bot.reports.certificate_title import topics_in
from bot.store import credits as credit_store
from bot.store import outbox
from bot.store.models import CreditEntry, Licence
from bot.tracking import LicenceView, credit_item, cycle_end_on, view_on_deadline
from bot.views import credits_amount, number, shortfall_said, unit_word
from bot.views import day as calendar_day
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.course_query import looks_like_course_request
from handlers.replan import replan
from handlers.status import is_status_question, views
from handlers.turn import Turn, clinician_handler

PAGE_SIZE = 5
CATEGORY_CHOICES = (
    "ama_pra_1", "ama_pra_2", "aoa_1a", "aafp_prescribed", "moc", "ancc", "acpe", "aapa_1",
)  # fmt: skip


def problem_text(problem: LogProblem, unit: str | None = None) -> str:
    """What was wrong, in words; ``unit`` is the draft's ("points" for ABIM MOC), else
    the one the line names."""
    template = texts.LOG_PROBLEMS.get(problem.reason, texts.LOG_PROBLEM_FALLBACK)
    return template.format(detail=html.escape(problem.detail), unit=unit or problem.unit)


def day(value: date) -> str:
    return value.strftime("%a %b %-d, %Y")


# ------------------------------------------------------------------ drafts
def draft_to_state(draft: LogDraft, *, editing: int | None = None, source: str = "chat",
                   certificate_id: int | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "amount": str(draft.amount),
        "completed_on": draft.completed_on.isoformat(),
        "category": draft.category,
        "topics": list(draft.topics),
        "title": draft.title,
        "provider": draft.provider,
        "date_given": draft.date_given,
        "category_given": draft.category_given,
        "suggestions": list(draft.topic_suggestions),
        "unread": draft.unread,
        "ceus": draft.ceus,
        "also": [[str(amount), category] for amount, category in draft.also],
        "parts": [[str(amount), list(named)] for amount, named in draft.parts],
        "rounded": draft.rounded,
        "activity_type": draft.activity_type,
        "uan": draft.uan,
        "editing": editing,
        "source": source,
        "certificate_id": certificate_id,
    }


def draft_from_state(data: dict[str, Any]) -> LogDraft:
    return LogDraft(
        amount=Decimal(data["amount"]),
        completed_on=date.fromisoformat(data["completed_on"]),
        category=data["category"],
        topics=tuple(data.get("topics") or ()),
        title=data.get("title") or "CME activity",
        provider=data.get("provider"),
        date_given=bool(data.get("date_given", True)),
        category_given=bool(data.get("category_given", True)),
        topic_suggestions=tuple(data.get("suggestions") or ()),
        unread=str(data.get("unread") or ""),
        ceus=str(data.get("ceus") or ""),
        also=tuple((Decimal(str(a)), str(c)) for a, c in data.get("also") or ()),
        parts=tuple((Decimal(str(a)), tuple(t)) for a, t in data.get("parts") or ()),
        rounded=str(data.get("rounded") or ""),
        activity_type=_known_format(data.get("activity_type")),
        uan=str(data.get("uan") or ""),
    )


def _known_format(value: object) -> str | None:
    """A draft's activity type, if the vocabulary still has it (state outlives releases)."""
    return value if isinstance(value, str) and value in format_choices() else None


def _current(turn: Turn) -> dict[str, Any] | None:
    """The draft waiting for Save: the current question's, or one another question set
    aside (see ``flows.LOG_DRAFT``)."""
    data = flows.state(turn).get("log")
    if not isinstance(data, dict):
        data = flows.held(turn, flows.LOG_DRAFT)
    return dict(data) if isinstance(data, dict) else None


async def _done_with_draft(turn: Turn) -> None:
    """Saved or cancelled: the draft's own question ends; another question that set it
    aside stays asked."""
    if isinstance(flows.state(turn).get("log"), dict):
        await flows.clear(turn)
    if flows.held(turn, flows.LOG_DRAFT) is not None:
        await flows.release(turn, flows.LOG_DRAFT)


async def save_set_aside(turn: Turn, text: str) -> bool:
    """ "save" typed while another question set a draft aside: that draft is saved ("yes"
    or "ok" may answer the other question, so only "save")."""
    data = flows.held(turn, flows.LOG_DRAFT)
    if not (_SAVE_WORD.fullmatch(text) and isinstance(data, dict)):
        return False
    if isinstance(flows.state(turn).get("log"), dict):
        return False  # its own question is asked: the step takes the word
    await save(turn, dict(data))
    return True


async def propose(turn: Turn, draft: LogDraft, **extra: Any) -> None:
    """Keep the draft and show it with Save / fix buttons (one waits at a time: an unsaved
    one it replaces is named, so nothing vanishes unsaid)."""
    replaced = _current(turn) or (turn.abandoned or {}).get("log")
    data = {**draft_to_state(draft, **extra), "id": secrets.token_hex(3)}
    await _offer_narrower(turn, data)
    if isinstance(certificate_id := data.get("certificate_id"), int):  # shown with the draft
        data["file"] = await credit_store.certificate_name(
            turn.session, turn.clinician, certificate_id
        )
    data["ceus_ask"] = bool(draft.ceus) and data.get("editing") is None
    await flows.expect(turn, "log_ceus" if data["ceus_ask"] else "log_confirm", log=data)
    if flows.held(turn, flows.LOG_DRAFT) is not None:  # replaced, and named below
        await flows.release(turn, flows.LOG_DRAFT)
    note = ""
    if isinstance(replaced, dict) and replaced.get("editing") is None:
        note = texts.LOG_DRAFT_SET_ASIDE.format(title=html.escape(str(replaced.get("title"))))
        if replaced.get("certificate_id") != data.get("certificate_id"):
            await _discard_upload(turn, replaced)  # "send it again": not kept unseen (QA)
    if data["ceus_ask"]:
        ask_ceus(turn, data, note=note)
    else:
        show_draft(turn, data, note=note)


def ask_ceus(turn: Turn, data: dict[str, Any], *, note: str = "") -> None:
    """ "2 CEUs …": ten contact hours each (IACET, ANCC), or hours said as CEUs, as nurses
    often do? Asked before the draft, with one button each (QA: one tap on Save logged 20
    hours, with only a warning under the draft)."""
    draft, key = draft_from_state(data), str(data.get("id") or "")
    ceus = texts.LOG_CEUS.format(ceus=html.escape(draft.ceus), s="" if draft.ceus == "1" else "s")
    as_ceus = credits_amount(draft.amount, draft.category)
    as_hours = credits_amount(_ceus_as_hours(draft), draft.category)
    turn.say(
        texts.LOG_ASK_CEUS.format(ceus=ceus, as_ceus=as_ceus, as_hours=as_hours) + note,
        [[(texts.LOG_CEUS_AS_CEUS.format(amount=as_ceus, ceus=ceus),
           encode("logu", "ceus", key))],
         [(as_hours, encode("logu", "hours", key))]],
    )  # fmt: skip


def _ceus_as_hours(draft: LogDraft) -> Decimal:
    """The amount when the CEUs were hours: the number typed ("2 CEUs" → 2)."""
    amount = parse_amount(draft.ceus)
    return draft.amount if isinstance(amount, LogProblem) else amount


async def _ceus_chosen(turn: Turn, data: dict[str, Any], *, as_hours: bool, edit: bool) -> None:
    """The CEUs' meaning chosen: the draft, with its amount, to check and save."""
    if as_hours:
        data["amount"] = str(_ceus_as_hours(draft_from_state(data)))
    data.update(ceus_ask=False, ceus="")
    await _update(turn, data, edit=edit)


@route("logu")
async def ceus_pressed(turn: Turn, press: Press) -> None:
    data = _pressed_draft(turn, press.arg(1))
    if data is None:
        return
    if not data.get("ceus_ask") or press.arg(0) not in ("ceus", "hours"):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _ceus_chosen(turn, data, as_hours=press.arg(0) == "hours", edit=True)


_HOURS_WORDS = re.compile(r"\s*(?:(?:contact\s+)?hours?|hrs?|h)\W*", re.IGNORECASE)
_CEU_WORDS = re.compile(r"\s*ceus?\W*", re.IGNORECASE)


@flows.step("log_ceus")
async def ceus_typed(turn: Turn, text: str) -> bool | None:
    """ "hours", "CEUs", or one of the two amounts typed instead of pressed; anything else
    is routed as usual (the question stays until a button is pressed)."""
    data = _current(turn)
    if data is None or not data.get("ceus_ask"):
        return False
    draft = draft_from_state(data)
    typed = parse_amount(text)
    if _HOURS_WORDS.fullmatch(text) or typed == _ceus_as_hours(draft):
        await _ceus_chosen(turn, data, as_hours=True, edit=False)
    elif _CEU_WORDS.fullmatch(text) or typed == draft.amount:
        await _ceus_chosen(turn, data, as_hours=False, edit=False)
    elif _CONFIRM.fullmatch(text):  # "save" before the question is answered: asked again
        ask_ceus(turn, data)
    else:
        return False
    return None


async def _offer_narrower(turn: Turn, data: dict[str, Any]) -> None:
    """The narrower topics an open mandate wants, as the first buttons under the draft,
    whenever its topics are set: on the first proposal and after 🧩 Topic alike (QA round
    13: New York infection control was offered only in a later edit)."""
    narrower = await _narrower_mandate_topics(turn, data.get("topics") or ())
    if narrower:
        offered = [*narrower, *(data.get("suggestions") or ())]
        data["suggestions"] = list(dict.fromkeys(offered))[:2]
    data["narrower"] = narrower[:2]


async def _narrower_mandate_topics(turn: Turn, logged: Sequence[str]) -> list[str]:
    """Open mandates that want a narrower kind of a logged topic ("infection control" for
    New York's NYSDOH-approved course): offered as a button, since only the clinician knows
    which course it was (QA round 7: it never counted, and nothing said why)."""
    narrower = _narrower_topics(frozenset(logged))
    if not narrower:  # most topics have none: no statuses worked out for every log
        return []
    wanted: list[str] = []
    for view in await views(turn):
        for mandate in view.status.mandates if view.status else ():
            if mandate.due and mandate.remaining > 0:
                wanted += sorted(narrower.intersection(mandate.topics))
    return list(dict.fromkeys(wanted))


@functools.cache
def _narrower_topics(logged: frozenset[str]) -> frozenset[str]:
    """Topics that count toward one of ``logged`` but are not it ("New York infection
    control" for "infection control")."""
    return frozenset(
        topic for topic in topics.topic_ids()
        if topic not in logged and not (topics.expand([topic]) - {topic}).isdisjoint(logged)
    )  # fmt: skip


def show_draft(turn: Turn, data: dict[str, Any], *, edit: bool = False, note: str = "") -> None:
    draft = draft_from_state(data)
    key = str(data.get("id") or "")
    topic_text = _topics_said(draft)
    text = texts.LOG_CONFIRM.format(
        question=texts.LOG_QUESTION_EDIT if data.get("editing") else texts.LOG_QUESTION_NEW,
        amount=credits_amount(draft.amount, draft.category),
        category=html.escape(topics.category_label(draft.category))
        + ("" if draft.category_given or draft.also else texts.LOG_CATEGORY_ASSUMED),
        also="".join(
            texts.LOG_ALSO.format(
                amount=credits_amount(amount, category),
                category=html.escape(topics.category_label(category)),
            )
            for amount, category in draft.also
        ),
        topics=topic_text,
        title=html.escape(draft.title),
        provider=texts.LOG_PROVIDER.format(provider=html.escape(draft.provider))
        if draft.provider
        else "",
        date=day(draft.completed_on),
        date_note=_date_note(draft, turn.local_now.date()),
    )
    text += _format_lines(draft)
    text += _not_own_credit(turn, draft)
    if data.get("file") and data.get("editing") is None:
        text += texts.LOG_ATTACHED.format(file=html.escape(str(data["file"])))
    unread = draft.unread
    if uan := UAN_INCOMPLETE.match(unread):  # a cut-off UAN: not a date or a topic
        text += texts.LOG_UAN_INCOMPLETE.format(words=html.escape(uan.group(0)))
        unread = unread[uan.end() :].strip()
    if unread:
        text += texts.LOG_UNREAD.format(words=html.escape(unread))
    if draft.rounded:  # "1.234 hours": kept to hundredths, said
        text += texts.LOG_ROUNDED.format(
            typed=html.escape(draft.rounded), amount=number(draft.amount)
        )
    if draft.parts:
        text += _parts_note(draft)
    narrower = [t for t in data.get("narrower") or () if t in draft.topic_suggestions]
    if narrower:  # QA round 9: saved as is, it silently counted nowhere toward the mandate
        text += texts.LOG_NARROWER_NOTE.format(
            topics=" or ".join(f"<b>{html.escape(topics.label(t))}</b>" for t in narrower)
        )
    text += note  # one message, not a second one about the draft it replaced
    buttons: list[list[tuple[str, str]]] = [
        [(texts.LOG_SAVE, encode("log", "save", key)),
         (texts.CANCEL, encode("log", "cancel", key))],
        [(texts.LOG_CHANGE_DATE, encode("log", "date", key)),
         (texts.LOG_CHANGE_AMOUNT, encode("log", "amount", key))],
        [(texts.LOG_CHANGE_CATEGORY, encode("log", "cat", key)),
         (texts.LOG_CHANGE_TOPIC, encode("log", "topic", key))],
        [(texts.LOG_CHANGE_TITLE, encode("log", "title", key)),
         (texts.LOG_CHANGE_PROVIDER, encode("log", "provider", key))],
        [(texts.LOG_CHANGE_FORMAT, encode("log", "format", key))],
    ]  # fmt: skip
    for topic in reversed(draft.topic_suggestions[:2]):
        template = texts.LOG_TOPIC_NARROWER if topic in narrower else texts.LOG_TOPIC_SUGGEST
        label = template.format(topic=clip_title(topics.label(topic), 64))
        # Under Save, which keeps its place when they go (QA round 10: pressed Cancel).
        buttons.insert(1, [(label, encode("logt", topic, key))])
    if edit:
        turn.edit(text, buttons)
    else:
        turn.say(text, buttons)


# Professions whose boards count their own CE (ACPE, ANCC), not physicians' credit.
_OWN_CE = frozenset({"pharmacist", "rn", "np"})


def _not_own_credit(turn: Turn, draft: LogDraft) -> str:
    """A note when a pharmacist's or nurse's entry is physicians' credit (an AOA webinar's
    "Log 1 credit"): it counts toward their described requirements only if their board
    takes it (QA round 13: counted toward a pharmacist's mandate without a word)."""
    profession = turn.clinician.profession
    own = default_category_for(profession)
    if profession not in _OWN_CE or topics.qualifies(draft.category, {own}):
        return ""
    return texts.LOG_NOT_OWN_CREDIT.format(
        category=html.escape(topics.category_label(draft.category)),
        own=html.escape(topics.category_label(own)),
    )


def _format_lines(draft: LogDraft) -> str:
    """How it was attended and its UAN, under the date: what a live minimum counts and
    what an audit asks for (QA round 13: neither was shown or kept)."""
    said = texts.LOG_FORMAT.format(
        format=html.escape(format_label(draft.activity_type)) if draft.activity_type
        else texts.LOG_FORMAT_UNSAID
    )  # fmt: skip
    if draft.uan:
        said += texts.LOG_UAN.format(uan=html.escape(draft.uan))
        if _uan_disagrees(draft.uan, draft.activity_type):
            said += texts.LOG_UAN_FORMAT_DIFFERS
    return said


def _uan_disagrees(uan: str, activity_type: str | None) -> bool:
    """The UAN's letter says live and the format home study, or the other way round: an
    audit goes by the UAN (QA round 14: a home-study UAN counted as live hours)."""
    by_uan = uan_format(uan)
    if by_uan is None or activity_type is None:
        return False
    return ("live" in topics.expand_activity(by_uan)) != (
        "live" in topics.expand_activity(activity_type)
    )


def _labels(topic_ids: Sequence[str]) -> str:
    return ", ".join(html.escape(topics.label(t)) for t in topic_ids)


def _topics_said(draft: LogDraft) -> str:
    """The draft's topics; with parts, which hours have which ("Pharmacology for 6 of the
    18 contact hours; no topic for the other 12")."""
    if not draft.parts:
        return _labels(draft.topics) or texts.LOG_NO_TOPICS
    parts = " and ".join(
        texts.LOG_TOPICS_PART.format(topics=_labels(named), amount=number(amount))
        for amount, named in draft.parts
    )
    whole = credits_amount(draft.amount, draft.category)
    if draft.rest <= 0:
        return texts.LOG_TOPICS_ALL_IN_PARTS.format(parts=parts, whole=whole)
    return texts.LOG_TOPICS_IN_PARTS.format(
        parts=parts, whole=whole,
        rest_topics=_labels(draft.topics) or texts.LOG_NO_TOPIC, rest=number(draft.rest),
    )  # fmt: skip


_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


def _parts_note(draft: LogDraft) -> str:
    """Said plainly before Save: the entries the activity becomes, so only the part's hours
    count toward its topic (QA: 18 hours counted toward a 25-hour pharmacology minimum)."""
    pieces = draft.pieces
    entries = _pieces_said([(amount, draft.category, named) for amount, named in pieces])
    counted = " and ".join(
        texts.LOG_PART_COUNTED.format(amount=number(amount), topics=_labels(named))
        for amount, named in draft.parts
    )
    count = _COUNT_WORDS.get(len(pieces), str(len(pieces)))
    return texts.LOG_PARTS_NOTE.format(
        count=count, entries=entries, counted=counted, whole=number(draft.amount)
    )


def _pieces_said(pieces: Sequence[tuple[Decimal, str, Sequence[str]]]) -> str:
    """ "12 contact hours with no topic, 6 contact hours of Pharmacology": the entries one
    activity is saved as, whether a draft's pieces or the stored parts an edit moved."""
    return ", ".join(
        texts.LOG_PART_ENTRY.format(amount=credits_amount(amount, category), topics=_labels(named))
        if named else texts.LOG_PART_ENTRY_NO_TOPIC.format(amount=credits_amount(amount, category))
        for amount, category, named in pieces
    )  # fmt: skip


def _amount_said(draft: LogDraft) -> str:
    """The amount a Saved / Updated line names: every kind, or the parts on their topics."""
    if draft.parts:
        return texts.LOG_SAVED_PARTS.format(
            whole=credits_amount(draft.amount, draft.category),
            parts=", ".join(
                texts.LOG_SAVED_PART.format(amount=number(amount), topics=_labels(named))
                for amount, named in draft.parts
            ),
        )
    return " + ".join(credits_amount(amount, category) for amount, category in draft.kinds)


LONG_AGO_YEARS = 6  # longer than any cycle's look-back: likely a slip of the year


def _date_note(draft: LogDraft, today: date) -> str:
    """Today when no date was said; a warning when the date is years back (QA round 9:
    "March 3 1985" was taken without a word)."""
    if not draft.date_given:
        return texts.LOG_DATE_ASSUMED
    years = (today - draft.completed_on).days // 365
    return texts.LOG_DATE_LONG_AGO.format(years=years) if years >= LONG_AGO_YEARS else ""


async def _update(turn: Turn, data: dict[str, Any], *, edit: bool = False) -> None:
    await _offer_narrower(turn, data)
    await flows.expect(turn, "log_confirm", log=data)
    show_draft(turn, data, edit=edit)


# ------------------------------------------------------------------ entry points
async def log_text(
    turn: Turn, text: str, *, certificate_id: int | None = None, read: object = None
) -> None:
    """Parse a one-line log and propose it (or say precisely what was wrong); ``read``:
    what a certificate without an amount gave, for what the line does not say."""
    if certificate_id is None and await edit_request(turn, text, read_as_log=True):
        return  # never a new entry from "change the wound care entry to 2.5 hours" (QA)
    parsed = parse_log_line(
        text, turn.now, turn.tz, default_category=default_category_for(turn.clinician.profession)
    )
    if isinstance(parsed, LogProblem):
        turn.say(problem_text(parsed))
        if parsed.reason == "date_needs_day" and parsed.detail in text:
            # "On which day?" is answered next (QA: "Oct 15" was not understood).
            await flows.expect(
                turn, "log_which_day", line=text, phrase=parsed.detail,
                certificate_id=certificate_id, read=read,
            )  # fmt: skip
        elif parsed.reason in _AMOUNT_ASKED and parsed.detail:
            # "How many did you earn?" is answered next (QA: "1.5" was not understood).
            await flows.expect(
                turn, "log_amount_again", line=text, amount=parsed.detail,
                certificate_id=certificate_id, read=read,
            )  # fmt: skip
        return
    if isinstance(read, dict):
        parsed = _with_read(parsed, read)
    if not parsed.topics and (named := topics_in(parsed.title)):
        parsed = parsed.with_(topics=named)  # QA: "Domestic Violence Update" had no topic
    if certificate_id is not None:
        await propose(turn, parsed, source="certificate", certificate_id=certificate_id)
        return
    await propose(turn, parsed)


def _with_read(said: LogDraft, read: dict[str, Any]) -> LogDraft:
    """The line's draft, with what the certificate gave where the line says nothing: the
    answer to "how many?" is often the amount alone ("1.5")."""
    topics_only = {"CME activity", *(topics.label(t) for t in said.topics)}
    category = read.get("category")
    when = read.get("completed_on")
    return said.with_(
        title=said.title if said.title not in topics_only else str(read.get("title") or said.title),
        provider=said.provider or read.get("provider"),
        completed_on=said.completed_on if said.date_given or not isinstance(when, str)
        else date.fromisoformat(when),
        date_given=said.date_given or bool(read.get("date_given")),
        category=said.category if said.category_given or not isinstance(category, str)
        else category,
        category_given=said.category_given or isinstance(category, str),
        topics=said.topics or tuple(read.get("topics") or ()),
        activity_type=said.activity_type or _known_format(read.get("activity_type")),
        uan=said.uan or str(read.get("uan") or ""),
    )  # fmt: skip


_AMOUNT_ASKED = frozenset({"zero", "too_many", "negative", "bad_amount"})


@flows.step("log_amount_again")
async def amount_again(turn: Turn, text: str) -> bool | None:
    """A number after "Zero credits can't be logged. How many did you earn?": the line
    again with it; anything else is read as what it is."""
    pending = flows.state(turn)
    line, typed = str(pending.get("line") or ""), str(pending.get("amount") or "")
    where = re.search(rf"(?<![\w.]){re.escape(typed)}(?![\w.])", line) if typed else None
    if where is None or isinstance(parse_amount(text), LogProblem):
        await flows.clear(turn)
        return False
    certificate_id = pending.get("certificate_id")
    read = pending.get("read")
    await flows.clear(turn)
    await log_text(
        turn, line[: where.start()] + text.strip() + line[where.end() :],
        certificate_id=certificate_id if isinstance(certificate_id, int) else None, read=read,
    )  # fmt: skip
    return None


@flows.step("log_which_day")
async def day_answered(turn: Turn, text: str) -> bool | None:
    """The day in the month or year a log line named ("in October" → "Oct 15"): the line
    again with that day; a new log line is taken as it is."""
    pending = flows.state(turn)
    certificate_id = pending.get("certificate_id")
    certificate_id = certificate_id if isinstance(certificate_id, int) else None
    if looks_like_a_log(text):
        await log_text(turn, text, certificate_id=certificate_id, read=pending.get("read"))
        return None
    when = parse_log_date(text, turn.now, turn.tz)
    if isinstance(when, LogProblem):
        if when.reason == "date_unparseable" or len(text.split()) > 4:
            await flows.clear(turn)  # not an answer: a question or another request
            return False
        turn.say(problem_text(when))  # a day, but one that cannot be logged ("tomorrow")
        return None
    line, phrase = str(pending.get("line") or ""), str(pending.get("phrase") or "")
    await log_text(
        turn, line.replace(phrase, f"on {when.isoformat()}", 1), certificate_id=certificate_id,
        read=pending.get("read"),
    )  # fmt: skip
    return None


@clinician_handler
async def log_command(turn: Turn) -> None:
    """/log 2.5 opioid "Safe prescribing" yesterday — or /log alone to be asked."""
    message = turn.update.effective_message
    text = (message.text or "") if message else ""
    if not text.partition(" ")[2].strip():
        await flows.expect(turn, "log_line")
        turn.say(texts.LOG_ASK)
        return
    await log_text(turn, text)


@flows.step("log_line")
async def line_answered(turn: Turn, text: str) -> bool:
    """The line asked for (after /log alone, or for a file that said too little). A
    question or another request meanwhile is answered as usual, and the line is still
    awaited (QA: after a photo, "how many hours do I still need?" was read as a log)."""
    if not looks_like_a_log(text) and _another_request(text):
        return False
    pending = flows.state(turn)
    certificate_id = pending.get("certificate_id")
    await log_text(
        turn, text, certificate_id=certificate_id if isinstance(certificate_id, int) else None,
        read=pending.get("read"),
    )  # fmt: skip
    return True


def _another_request(text: str) -> bool:
    from handlers.phrases import is_phrase  # phrases opens this module's commands

    return (
        "?" in text or is_status_question(text) or looks_like_course_request(text)
        or is_phrase(text)
    )  # fmt: skip


@flows.step("log_confirm")
async def text_while_confirming(turn: Turn, text: str) -> bool:
    """A new log line while a draft waits replaces it; anything else is routed as usual
    (a question about status must not be read as a broken log line)."""
    if _CONFIRM.fullmatch(text) and (data := _current(turn)) is not None:
        await save(turn, data)  # "save", "yes", "ok" typed instead of pressed
        return True
    if (fix := _AMOUNT_FIX.fullmatch(text)) and _current(turn) is not None:
        # "actually make it 4 credits" (QA round 8: a new draft of 4, titled "actually
        # make", replaced this one): the amount of this draft.
        await amount_answered(turn, fix.group("amount"))
        return True
    if not looks_like_a_log(text):
        return False
    await log_text(turn, text)
    return True


_AMOUNT_FIX = re.compile(
    r"\s*(?:(?:ac?t?u?al+y|acutally|no|sorry|oops|wait)\W+)*(?:make\s+it|change\s+(?:it|the\s+amount)\s+to"
    r"|it\s+was|it'?s|should\s+be)\s+(?P<amount>\d+(?:[.,]\d+)?(?:\s+\d/\d)?)\s*"
    r"(?:credits?|hours?|hrs?|h|points?|contact\s+hours?)?(?:\s+not\s+\S+)?\W*",
    re.IGNORECASE,
)

_SAVE_WORD = re.compile(r"\s*save(?:\s+it)?\W*", re.IGNORECASE)
_CONFIRM = re.compile(r"\s*(?:save|yes|y|yep|yeah|ok|okay|confirm|correct|sure)\W*", re.IGNORECASE)


def _current_or_say_expired(turn: Turn) -> dict[str, Any] | None:
    data = _current(turn)
    if data is None:
        turn.say(texts.BUTTON_EXPIRED)
    return data


@flows.step("log_fix_date")
async def date_answered(turn: Turn, text: str) -> None:
    if (data := _current_or_say_expired(turn)) is None:
        return
    when = parse_log_date(text, turn.now, turn.tz)
    if isinstance(when, LogProblem):
        turn.say(problem_text(when))
        return
    data.update(completed_on=when.isoformat(), date_given=True)
    await _update(turn, data)


@flows.step("log_fix_amount")
async def amount_answered(turn: Turn, text: str) -> None:
    if (data := _current_or_say_expired(turn)) is None:
        return
    ceus = ceus_in(text)
    amount = parse_amount(spoken_amounts(text) if ceus else text)
    if isinstance(amount, LogProblem):  # QA: "twelve" at "How many points?" said credits
        turn.say(problem_text(amount, topics.category_says(str(data.get("category") or ""))))
        return
    if (parted := sum((a for a, _ in draft_from_state(data).parts), Decimal(0))) > amount:
        unit = topics.category_says(str(data.get("category") or ""))
        turn.say(texts.LOG_LESS_THAN_PARTS.format(parts=number(parted), unit=unit))
        return
    data["amount"] = str(amount)
    typed = _LEADING_AMOUNT.match(text)
    data["rounded"] = "" if ceus else rounded_from(typed.group(), amount) if typed else ""
    if ceus:  # "0.3 CEU": asked as /log asks (QA round 13: "not a number of contact hours")
        data.update(ceus=ceus, ceus_ask=True)
        await flows.expect(turn, "log_ceus", log=data)
        ask_ceus(turn, data)
        return
    await _update(turn, data)


_LEADING_AMOUNT = re.compile(r"\s*(?:\d+(?:[.,]\d+)?|[.,]\d+)")


@flows.step("log_fix_topic")
async def topic_answered(turn: Turn, text: str) -> None:
    if (data := _current_or_say_expired(turn)) is None:
        return
    if text.strip().lower() in {"none", "no topic", "no topics", "-"}:
        data.update(topics=[], suggestions=[], parts=[])
        await _update(turn, data)
        return
    if (part := parse_part_answer(text)) is not None:
        await _part_answered(turn, data, part)
        return
    # The answer replaces the draft's topics ("ethics, human trafficking": both); a part
    # not understood is offered as buttons, and the topics stay as they were when no part
    # is understood (QA: a typo wiped them).
    found, unknown = _topics_typed(text)
    suggestions = [t for part in unknown for t in topics.suggest_topics(part, n=2)]
    if unknown:
        shown = html.escape(", ".join(unknown)[:60])
        hint = "" if found or suggestions else texts.LOG_TOPIC_HINT  # a way forward
        turn.say(texts.LOG_UNKNOWN_TOPIC.format(text=shown, hint=hint))
    if found:
        data["topics"] = list(found)
    if found or suggestions:
        data["suggestions"] = [t for t in dict.fromkeys(suggestions) if t not in found][:2]
        data["pick_replaces"] = not found  # the answer meant to replace the topics
        await _update(turn, data)


async def _part_answered(turn: Turn, data: dict[str, Any], part: PartAnswer | LogProblem) -> None:
    """ "6 of the 18 hours were pharmacology" at "Which topic?": those hours become an entry
    of their own on that topic, the rest keeps the activity's topics (QA: "I don't know the
    topic …", and no way forward)."""
    draft = draft_from_state(data)
    unit = topics.category_says(draft.category)
    if isinstance(part, LogProblem):
        turn.say(problem_text(part, unit))
        return
    if part.topic is None:
        shown = html.escape(part.said[:60])
        turn.say(texts.LOG_UNKNOWN_TOPIC.format(text=shown, hint=texts.LOG_TOPIC_HINT))
        return
    if part.whole is not None and part.whole != draft.amount:
        amount = credits_amount(draft.amount, draft.category)
        turn.say(texts.LOG_PART_WHOLE_DIFFERS.format(amount=amount, whole=number(part.whole)))
        return
    editing = data.get("editing")
    if draft.also or (
        isinstance(editing, int)
        and (entry := await credit_store.get(turn.session, turn.clinician, editing))
        and await credit_store.same_activity(turn.session, turn.clinician, entry)
    ):  # one activity in two kinds of credit: which kind's hours would it split?
        turn.say(problem_text(LogProblem("part_with_kinds", topics.label(part.topic)), unit))
        return
    others = [(a, t) for a, t in draft.parts if part.topic not in t]
    parts = [*others, (part.amount, (part.topic,))]
    if sum(a for a, _ in parts) > draft.amount:
        turn.say(problem_text(LogProblem("part_too_big", number(part.amount)), unit))
        return
    if parts == [(draft.amount, (part.topic,))]:  # all of it: the entry's topic
        data.update(topics=sorted({*draft.topics, part.topic}), parts=[])
    else:
        data["parts"] = [[str(a), list(t)] for a, t in parts]
    data["suggestions"] = []
    await _update(turn, data)


_TOPIC_SEPARATORS = re.compile(r"\s*(?:,|;|&|\+|/|\band\b)\s*", re.IGNORECASE)


def _topics_typed(text: str) -> tuple[tuple[str, ...], list[str]]:
    """Topics named in an answer to "Which topic?" (a one-letter slip read), and the parts
    not understood."""
    whole = topics.normalize_topic(text) or topics.misspelt_topic(text.strip())
    if whole is not None:
        return (whole,), []
    found: list[str] = []
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in _TOPIC_SEPARATORS.split(text))):
        topic = topics.normalize_topic(part) or topics.misspelt_topic(part)
        if topic is None:
            unknown.append(part)
        elif topic not in found:
            found.append(topic)
    return tuple(found), unknown


@flows.step("log_fix_category")
async def category_typed(turn: Turn, text: str) -> None:
    """ "cat 2" typed at "Which kind of credit?" instead of a button (QA: not understood)."""
    if (data := _current_or_say_expired(turn)) is None:
        return
    category = topics.normalize_category(text)
    if category is None:
        turn.say(texts.LOG_UNKNOWN_CATEGORY.format(text=html.escape(text[:40])))
        return
    data["category"] = category
    await _update(turn, data)


@flows.step("log_fix_title")
async def title_answered(turn: Turn, text: str) -> None:
    if (data := _current_or_say_expired(turn)) is None:
        return
    title = _free_text(text)
    if title is None:
        turn.say(texts.LOG_TITLE_EMPTY)
        return
    data["title"] = title
    if not data.get("topics"):  # QA: "Ethics in Clinical Practice" typed, "Topics: none"
        data["topics"] = list(topics_in(title))
    await _update(turn, data)


@flows.step("log_fix_provider")
async def provider_answered(turn: Turn, text: str) -> None:
    if (data := _current_or_say_expired(turn)) is None:
        return
    none = text.strip().lower() in {"none", "no", "-", "n/a", "unknown"}
    provider = None if none else _free_text(text)
    if not none and provider is None:  # "???": said, not quietly read as "none" (QA)
        turn.say(texts.LOG_PROVIDER_EMPTY)
        return
    data["provider"] = provider
    await _update(turn, data)


def _free_text(text: str) -> str | None:
    """One line of a person's words for a title or provider: spaces collapsed, cut at
    ``MAX_TITLE`` at a word; None when it holds no letter or digit."""
    line = " ".join(text.split())
    if not any(ch.isalnum() for ch in line):
        return None
    return clip_title(line)


# ------------------------------------------------------------------ buttons
def _pressed_draft(turn: Turn, key: str | None) -> dict[str, Any] | None:
    """The waiting draft, if the button belongs to it: a Save on an older proposal must
    never save the newer one that replaced it."""
    data = _current(turn)
    if data is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return None
    if str(data.get("id") or "") != (key or ""):
        turn.answer(texts.LOG_DRAFT_REPLACED)
        return None
    return data


@route("log")
async def log_pressed(turn: Turn, press: Press) -> None:
    data = _pressed_draft(turn, press.arg(1))
    if data is None:
        return
    action = press.arg(0)
    editing = data.get("editing")
    # QA: the edit screen of an entry deleted since asked for a new amount, and said the
    # entry was gone only at Save.
    if (
        isinstance(editing, int)
        and action != "cancel"
        and await credit_store.get(turn.session, turn.clinician, editing) is None
    ):
        await flows.clear(turn)
        turn.edit(texts.CREDITS_GONE)
        return
    if action == "save":
        await save(turn, data, allow_duplicate=press.arg(2) == "dup")
    elif action == "cancel":
        await _done_with_draft(turn)
        await _discard_upload(turn, data)
        turn.edit(texts.NOTHING_CHANGED if data.get("editing") else texts.LOG_CANCELLED)
    elif action == "date":
        await flows.expect(turn, "log_fix_date", log=data)
        turn.say(texts.LOG_ASK_DATE)
    elif action == "amount":
        await flows.expect(turn, "log_fix_amount", log=data)
        unit = topics.category_says(str(data.get("category") or ""))
        turn.say(texts.LOG_ASK_AMOUNT.format(unit=unit))
    elif action == "topic":
        await flows.expect(turn, "log_fix_topic", log=data)
        turn.say(texts.LOG_ASK_TOPIC)
    elif action == "title":
        await flows.expect(turn, "log_fix_title", log=data)
        turn.say(texts.LOG_ASK_TITLE)
    elif action == "provider":
        await flows.expect(turn, "log_fix_provider", log=data)
        turn.say(texts.LOG_ASK_PROVIDER)
    elif action == "format":
        await flows.expect(turn, "log_fix_format", log=data)
        turn.say(texts.LOG_ASK_FORMAT, _format_buttons(str(data.get("id") or "")))
    elif action == "cat":
        await flows.expect(turn, "log_fix_category", log=data)
        key = str(data.get("id") or "")
        buttons = [
            [(topics.category_label(c)[:40], encode("logc", c, key))] for c in CATEGORY_CHOICES
        ]
        turn.say(texts.LOG_ASK_CATEGORY, buttons)
    else:
        turn.answer(texts.BUTTON_EXPIRED)


@route("logc")
async def category_pressed(turn: Turn, press: Press) -> None:
    data = _pressed_draft(turn, press.arg(1))
    category = press.arg(0)
    if data is None:
        return
    if category not in CATEGORY_CHOICES:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    data["category"] = category
    data["category_given"] = True
    await _update(turn, data, edit=True)


def _format_buttons(key: str) -> list[list[tuple[str, str]]]:
    """One button per activity type (two a row), and one to leave it unsaid."""
    choices = [(clip_title(format_label(t), 40), encode("logf", t, key)) for t in format_choices()]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    return [*rows, [(texts.LOG_FORMAT_NONE, encode("logf", "-", key))]]


@route("logf")
async def format_pressed(turn: Turn, press: Press) -> None:
    data = _pressed_draft(turn, press.arg(1))
    if data is None:
        return
    chosen = press.arg(0)
    if chosen != "-" and chosen not in format_choices():
        turn.answer(texts.BUTTON_EXPIRED)
        return
    data["activity_type"] = None if chosen == "-" else chosen
    await _update(turn, data, edit=True)


@flows.step("log_fix_format")
async def format_typed(turn: Turn, text: str) -> None:
    """ "live", "home study", "webinar" typed at "How did you attend it?"."""
    if (data := _current_or_say_expired(turn)) is None:
        return
    if text.strip().lower() in {"none", "-", "unknown", "not sure"}:
        data["activity_type"] = None
    elif (chosen := topics.normalize_activity_type(text)) is not None:
        data["activity_type"] = chosen
    else:
        turn.say(texts.LOG_UNKNOWN_FORMAT.format(text=html.escape(text.strip()[:40])))
        return
    await _update(turn, data)


@route("logt")
async def topic_pressed(turn: Turn, press: Press) -> None:
    data = _pressed_draft(turn, press.arg(1))
    topic = press.arg(0)
    if data is None:
        return
    if topic not in (data.get("suggestions") or []):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    kept = [] if data.pop("pick_replaces", False) else data.get("topics", [])
    data.update(topics=sorted({*kept, topic}), suggestions=[])
    title = str(data.get("title") or "")
    # Titled with the slip itself ("ethcis", "domestic vilence"): the topic's name instead.
    if topic in (topics.misspelt_topic(title), topics.misspelt_topic_phrase(title)):
        data["title"] = topics.label(topic)
    await _update(turn, data, edit=True)


async def discard_pending_upload(
    turn: Turn, pending: dict[str, Any], *, tell: bool = True
) -> None:
    """The certificate a dropped question was about (its line or its draft), if any; said
    (unless cancelled outright), so the clinician knows to send it again (QA: it vanished
    without a word)."""
    draft = pending.get("log")
    data = draft if isinstance(draft, dict) else pending
    if data.get("editing") is not None:
        return
    discarded = await _discard_upload(turn, data)
    if tell and discarded is not None:
        turn.say(texts.UPLOAD_NOT_KEPT.format(file=html.escape(discarded)))


async def drop_waiting_upload(turn: Turn) -> None:
    """A new file while an earlier one still waits for its details ("what does it
    certify?"): the earlier one is not kept, and that is said (QA: it stayed in /export,
    linked to nothing)."""
    pending = flows.state(turn)
    if str(pending.get("step") or "").startswith("log_"):
        await discard_pending_upload(turn, pending)  # QA: a proposal's PDF, then a photo
        # Dropped, not set aside: the next question must not keep its draft for a Save
        # that would link the deleted file (the fuzz suite: a foreign-key error).
        await flows.clear(turn)


async def _discard_upload(turn: Turn, data: dict[str, Any]) -> str | None:
    """A cancelled certificate is not kept: the clinician said it isn't to be logged.
    The deleted upload's file name, or None when an entry keeps it."""
    certificate_id = data.get("certificate_id")
    if not isinstance(certificate_id, int):
        return None
    discarded = await credit_store.discard_unused_certificate(
        turn.session, turn.clinician, certificate_id
    )
    if discarded is None:
        return None
    if discarded.orphan_path is not None:
        await asyncio.to_thread(Path(discarded.orphan_path).unlink, missing_ok=True)
    return discarded.file_name


# ------------------------------------------------------------------ saving
async def save(turn: Turn, data: dict[str, Any], *, allow_duplicate: bool = False) -> None:
    if data.get("ceus_ask"):  # "save" typed before the CEUs were said: asked again
        ask_ceus(turn, data)
        return
    draft = draft_from_state(data)
    editing = data.get("editing")
    if not allow_duplicate and editing is None:
        duplicate = await credit_store.find_duplicate(
            turn.session, turn.clinician, title=draft.title, completed_on=draft.completed_on,
            amount=draft.amount, category=draft.category, topics=draft.topics,
        )  # fmt: skip
        if duplicate is not None:
            turn.say(
                texts.LOG_DUPLICATE.format(
                    title=html.escape(duplicate.title), date=day(draft.completed_on)
                ),
                [[(texts.LOG_DUPLICATE_YES, encode("log", "save", data.get("id") or "", "dup")),
                  (texts.CANCEL, encode("log", "cancel", data.get("id") or ""))]],
            )  # fmt: skip
            return
    before = {view.licence.id: view for view in await views(turn)}
    if isinstance(editing, int):
        entry = await credit_store.get(turn.session, turn.clinician, editing)
        if entry is None:
            await flows.clear(turn)
            turn.edit(texts.CREDITS_GONE)
            return
        (first_amount, first_topics), *parts = draft.pieces
        # Read before the edit: parts saved before group_id are found by title and day.
        siblings = await credit_store.parts_of(turn.session, turn.clinician, entry)
        _apply(entry, draft)
        entry.amount, entry.topics = first_amount, sorted(first_topics)
        # Its other kinds of credit are the same activity: same day, title and topics.
        for other in await credit_store.same_activity(turn.session, turn.clinician, entry):
            _apply_shared(other, draft)
        moved = [other for other in siblings if _apply_to_part(other, draft)]
        ids = [entry.id]
        new_parts = []
        for amount, named in parts:  # "6 of the 18 hours were pharmacology": entries of their own
            part = await credit_store.add(
                turn.session, turn.clinician,
                completed_on=draft.completed_on, amount=amount, category=draft.category,
                title=draft.title, topics=named, provider=draft.provider,
                certificate_id=entry.certificate_id, source=entry.source, now=turn.now,
                activity_type=draft.activity_type, uan=draft.uan,
            )  # fmt: skip
            ids.append(part.id)
            new_parts.append(part)
        if new_parts:  # one activity: the parts it had and the new ones, linked
            credit_store.link_parts(sorted([entry, *siblings], key=lambda e: e.id) + new_parts)
        template, note = texts.LOG_UPDATED, _parts_moved(moved)
    else:
        # One entry per credit type of the activity (Category 1 credits and MOC points
        # count toward different requirements); the first is the one reported.
        certificate_id = data.get("certificate_id")
        if isinstance(certificate_id, int) and not await credit_store.certificate_name(
            turn.session, turn.clinician, certificate_id
        ):
            certificate_id = None  # its file was dropped meanwhile: the entry without it
        saved = []
        for amount, category, named in _entries_of(draft):
            added = await credit_store.add(
                turn.session, turn.clinician,
                completed_on=draft.completed_on, amount=amount, category=category,
                title=draft.title, topics=named, provider=draft.provider,
                certificate_id=certificate_id, source=data.get("source") or "chat",
                now=turn.now, activity_type=draft.activity_type, uan=draft.uan,
                same_activity_as=saved[0].id if saved and not draft.parts else None,
            )  # fmt: skip
            saved.append(added)
        if draft.parts and len(saved) > 1:  # /undo and an edit find them by the link
            credit_store.link_parts(saved)
        entry, ids = saved[0], [item.id for item in saved]
        template, note = texts.LOG_SAVED, ""
    await _done_with_draft(turn)
    after = await views(turn)
    await replan(turn)
    celebrated = await _completions_said(turn, before, after)
    turn.edit(
        template.format(
            amount=_amount_said(draft), title=html.escape(draft.title),
            date=day(draft.completed_on),
        ) + note
    )  # fmt: skip
    rulebook, today = turn.context.services.rulebook, turn.local_now.date()
    items: list[CreditItem] = []
    if any(v.status and entry.completed_on < v.status.window.start for v in after):
        items = [credit_item(e) for e in await credit_store.list_for(turn.session, turn.clinician)]

    def counted_then(licence: Licence, ended: date) -> bool:
        """Whether the entry counts in the cycle that ended then (QA round 11: a Category 2
        credit was said to count toward California's ended cycle, which takes Category 1)."""
        then = view_on_deadline(turn.clinician, licence, items, ended, today, rulebook)
        counted = then.status.counted_entry_ids if then and then.status else ()
        return any(str(i) in counted for i in ids)

    toward = _counts_toward(
        ids, before, after, entry.completed_on,
        lambda licence: cycle_end_on(licence, turn.clinician, entry.completed_on, today, rulebook),
        counted_then,
    )  # fmt: skip
    if after or flows.held(turn, flows.SETUP) is None:  # else the set-up asks for a licence
        turn.say(toward)  # next, not "You have no licences… add one" first (QA round 6)
    if celebrated:
        turn.say(celebrated)  # right after what the entry counts toward, in this turn


def _entries_of(draft: LogDraft) -> list[tuple[Decimal, str, Sequence[str]]]:
    """(amount, category, topics) of each entry a new draft is saved as: one per kind of
    credit (the same activity, counted once where both count), or the rest and each part
    on its own topic (different hours, each counted)."""
    if draft.parts:
        return [(amount, draft.category, named) for amount, named in draft.pieces]
    return [(amount, category, draft.topics) for amount, category in draft.kinds]


def _apply(entry: CreditEntry, draft: LogDraft) -> None:
    entry.amount = draft.amount
    entry.category = draft.category
    _apply_shared(entry, draft)


def _apply_shared(entry: CreditEntry, draft: LogDraft) -> None:
    """What an activity's entries share, whatever kind of credit each records."""
    entry.completed_on = draft.completed_on
    entry.topics = sorted(draft.topics)
    entry.title = draft.title
    entry.provider = draft.provider
    entry.activity_type = draft.activity_type
    entry.uan = draft.uan or None


def _apply_to_part(part: CreditEntry, draft: LogDraft) -> bool:
    """What the parts of a split activity share, set on another part from the edited one:
    its day, title, provider, credit type, format and UAN, not its hours or topics (the 6
    hours of pharmacology stay 6 and pharmacology). Whether anything changed."""
    shared = (draft.completed_on, draft.title, draft.provider, draft.category,
              draft.activity_type, draft.uan or None)  # fmt: skip
    if (part.completed_on, part.title, part.provider, part.category, part.activity_type,
            part.uan) == shared:  # fmt: skip
        return False
    (part.completed_on, part.title, part.provider, part.category, part.activity_type,
     part.uan) = shared  # fmt: skip
    return True


def _parts_moved(parts: Sequence[CreditEntry]) -> str:
    """The note an edit adds when the activity's other parts changed with it ("" if none)."""
    if not parts:
        return ""
    said = _pieces_said([(part.amount, part.category, part.topics or ()) for part in parts])
    return texts.LOG_PARTS_MOVED.format(parts=said)


def _counts_toward(
    entry_ids: list[int],
    before: dict[int, LicenceView],
    after: list[LicenceView],
    completed_on: date,
    cycle_end: Callable[[Licence], date | None],
    counted_then: Callable[[Licence, date], bool] = lambda _licence, _ended: True,
) -> str:
    """Which licences the new entry counts toward; ``cycle_end``: the deadline of the
    cycle it falls in, for one dated in an earlier cycle; ``counted_then``: whether it
    counts there."""
    where, earlier = [], []
    for view in after:
        status = view.status
        if status is None:
            continue
        label = html.escape(view.licence.label)
        if any(str(i) in status.counted_entry_ids for i in entry_ids):
            if status.complete:
                where.append(texts.LOG_TOWARD_DONE.format(label=label))
            else:
                where.append(
                    texts.LOG_TOWARD_ITEM.format(label=label, remaining=number(status.hours_needed))
                )
        elif completed_on < status.window.start and status.starts_on is None:
            ended = cycle_end(view.licence)
            if ended is not None and not counted_then(view.licence, ended):
                continue  # not a credit that cycle takes either
            earlier.append(_earlier_cycle(label, before.get(view.licence.id), view, ended))
    if where or earlier:
        parts = [texts.LOG_COUNTS_TOWARD.format(where="; ".join(where))] if where else []
        if earlier:  # QA: it raised the carry-over silently, or seemed to count nowhere
            parts.append(texts.LOG_COUNTS_EARLIER.format(cycles="; ".join(earlier)))
        return "\n".join(parts)
    if not after:
        return texts.STATUS_NO_LICENCES
    # Renewed early: the cycle it would count toward starts later; not a mistake to check.
    later = [
        texts.LOG_CYCLE_STARTS.format(
            label=html.escape(view.licence.label), start=day(view.status.starts_on)
        )
        for view in after
        if view.status and view.status.starts_on and completed_on < view.status.starts_on
    ]
    if later:
        return texts.LOG_COUNTS_LATER.format(cycles="; ".join(later))
    # Registrations that count named topics only (New York): the topic is why, not the date.
    topics_only = [
        texts.LOG_TOPICS_ONLY_ITEM.format(
            label=html.escape(view.licence.label),
            topics="; ".join(html.escape(m.title) for m in view.status.mandates if m.due),
        )
        for view in after
        if view.status and view.status.total_required == 0 and view.status.mandates
    ]
    if topics_only:
        return texts.LOG_COUNTS_TOPICS_ONLY.format(licences="\n".join(topics_only))
    return texts.LOG_COUNTS_NOWHERE


def _earlier_cycle(
    label: str, before: LicenceView | None, after: LicenceView, ended: date | None
) -> str:
    """What a credit dated in an earlier cycle changed for this licence: the carry-over
    into the current cycle, the previous cycle's shortfall, or nothing now (QA: "the cycle
    that ended" was always the last one, for a credit of 2019 too)."""
    now, was = after.status, before.status if before else None
    assert now is not None
    carried = now.carry_over.applied if now.carry_over else Decimal(0)
    carried_before = was.carry_over.applied if was and was.carry_over else Decimal(0)
    if carried > carried_before:
        return texts.LOG_EARLIER_CARRIED.format(
            label=label, applied=number(carried), unit=unit_word(carried, now.unit)
        )
    short_before = was.previous_shortfall if was else None
    if short_before is not None:
        short = now.previous_shortfall.short if now.previous_shortfall else Decimal(0)
        deadline = day(short_before.deadline)
        if now.previous_shortfall is None:  # not "short == 0": activities may still be missing
            return texts.LOG_EARLIER_MADE_UP.format(label=label, deadline=deadline)
        if short < short_before.short:
            assert now.previous_shortfall is not None
            short_said, unit = shortfall_said(now.previous_shortfall, now.unit)
            return texts.LOG_EARLIER_SHORT.format(
                label=label, deadline=deadline, short=short_said, unit=unit
            )
    if after.licence.custom_rule:  # one window: QA, "the cycle that ended" in the future
        return texts.LOG_EARLIER_THAN_WINDOW.format(label=label, start=day(now.window.start))
    return texts.LOG_EARLIER_ONLY.format(label=label, ended=day(ended or now.previous_deadline))


async def _completions_said(
    turn: Turn, before: dict[int, LicenceView], after: list[LicenceView]
) -> str | None:
    """The 🎉 note for each licence the saved entry completes, once per cycle; None when
    it completes none (or each was congratulated already this cycle).

    Said by this turn, after the save's own replies, not queued for the dispatcher: its
    next tick came after the reply to the clinician's next message (QA: the 🎉 arrived
    after the next log's draft). The outbox keeps a row per licence and deadline as the
    record that it was said, so an undo and the same entry logged again say it once."""
    completed = [
        (view, view.status)
        for view in after
        if view.status is not None
        and view.status.complete
        and (prior := before.get(view.licence.id)) is not None
        and prior.status is not None
        and not prior.status.complete
    ]
    planned = [
        outbox.Planned(turn.clinician.id, "complete", view.licence.id, f"{status.deadline}",
                       turn.now)
        for view, status in completed
    ]  # fmt: skip
    new = await outbox.record_said(turn.session, planned, turn.now)
    notes = [
        texts.REMINDER_COMPLETE.format(
            label=html.escape(view.licence.label), deadline=calendar_day(status.deadline)
        )
        for (view, status), item in zip(completed, planned, strict=True)
        if item.key in new
    ]
    return "\n".join(notes) or None


# ------------------------------------------------------------------ "change the … entry"
async def edit_request(turn: Turn, text: str, *, read_as_log: bool = False) -> bool:
    """ "change the wound care entry to 2.5 hours": the entry whose title or topic says
    "wound care", offered with its new amount and the edit's usual Save / Cancel; when no
    entry or several fit, that is said and the entries are shown to pick from (QA: it was
    proposed as a new entry titled "change wound care entry"). False when the text is not
    about an entry ("set quiet hours to 10"); ``read_as_log``: it was taken for a log line,
    so it is answered even then, never logged."""
    request = parse_edit_request(text)
    if request is None:
        return False
    last = await credit_store.last_added(turn.session, turn.clinician)
    if request.what and last is not None:
        everything = await credit_store.list_for(turn.session, turn.clinician)
        found = _entries_named(everything, request.what)
    else:  # "change it to 4", "change the last entry to 3 credits"
        found = [last] if last is not None else []
    if not found and not (request.names_entry or read_as_log):
        return False
    amount = parse_amount(request.amount) if request.amount else None
    if isinstance(amount, LogProblem):
        turn.say(problem_text(amount))
        return True
    if len(found) == 1:
        entry = found[0]
        draft = replace(_draft_of(entry), amount=amount or entry.amount)
        await propose(turn, draft, editing=entry.id)
    elif found:
        which = texts.EDIT_WHICH.format(what=html.escape(request.what[:60]))
        _say_entries(turn, found[:PAGE_SIZE], which)
    elif last is None:
        turn.say(texts.EDIT_NOTHING_LOGGED)
    else:
        turn.say(texts.EDIT_NONE_FITS.format(what=html.escape(request.what[:60])))
        await show_page(turn, 0)
    return True


_NOT_A_NAME = frozenset(
    {"entry", "entries", "log", "record", "one", "course", "activity", "credit", "credits",
     "hour", "hours", "contact", "my", "the", "a", "an"}
)  # fmt: skip


def _entries_named(entries: Sequence[CreditEntry], what: str) -> list[CreditEntry]:
    """The entries ``what`` names: by a topic they have ("pharmacology"), or by words of
    their title or topics, each the start of one ("wound care" for "Wound Care Update")."""
    topic = topics.normalize_topic(what)
    words = [w for w in topics.fold(what).split() if w not in _NOT_A_NAME]

    def fits(entry: CreditEntry) -> bool:
        if topic is not None and topic in topics.expand(entry.topics or ()):
            return True
        labels = " ".join(topics.label(t) for t in entry.topics or ())
        said = topics.fold(f"{entry.title} {labels}").split()
        return bool(words) and all(any(s.startswith(w) for s in said) for w in words)

    return [entry for entry in entries if fits(entry)]


def _say_entries(turn: Turn, entries: Sequence[CreditEntry], intro: str) -> None:
    """Some entries as /credits lists them, each with its ✏️ to change it."""
    lines = [intro, *(credit_line(i, entry) for i, entry in enumerate(entries, start=1))]
    buttons = [
        [(texts.CREDITS_EDIT.format(index=index), encode("cred", "edit", entry.id))
         for index, entry in enumerate(entries, start=1)]
    ]  # fmt: skip
    turn.say("\n".join(lines), buttons)


# ------------------------------------------------------------------ /credits, /undo
def _draft_of(entry: CreditEntry) -> LogDraft:
    """A saved entry as a draft, for its edit screen."""
    return LogDraft(
        amount=entry.amount, completed_on=entry.completed_on, category=entry.category,
        topics=tuple(entry.topics or ()), title=entry.title, provider=entry.provider,
        activity_type=_known_format(entry.activity_type), uan=entry.uan or "",
    )  # fmt: skip


def credit_line(index: int, entry: CreditEntry) -> str:
    """One entry as /credits lists it: date, amount (QA: "2 … Credit"), category, title."""
    topic_labels = ", ".join(topics.label(t) for t in entry.topics or ())
    return texts.CREDITS_ITEM.format(
        index=index, date=entry.completed_on.strftime("%b %-d, %Y"),
        amount=credits_amount(entry.amount, entry.category),
        category=html.escape(topics.category_label(entry.category)),
        title=html.escape(entry.title),
        topics=f" [{html.escape(topic_labels)}]" if topic_labels else "",
        certificate=texts.CREDITS_CERTIFICATE if entry.certificate_id else "",
    ) + _entry_details(entry)


def _entry_details(entry: CreditEntry) -> str:
    """Its format and UAN after an entry's line, when known."""
    said = [html.escape(format_label(entry.activity_type))] if entry.activity_type else []
    if entry.uan:
        said.append(texts.CREDITS_UAN.format(uan=html.escape(entry.uan)))
    return texts.CREDITS_DETAILS.format(details=" · ".join(said)) if said else ""


async def show_page(turn: Turn, offset: int, *, edit: bool = False) -> None:
    entries, total = await credit_store.page_for(
        turn.session, turn.clinician, offset=max(offset, 0), limit=PAGE_SIZE
    )
    if total == 0:
        turn.say(texts.CREDITS_EMPTY)
        return
    if not entries and offset > 0:
        await show_page(turn, max(0, total - PAGE_SIZE), edit=edit)
        return
    lines = [texts.CREDITS_HEADER.format(first=offset + 1, last=offset + len(entries), total=total)]
    row_buttons: list[tuple[str, str]] = []
    edit_buttons: list[tuple[str, str]] = []
    for index, entry in enumerate(entries, start=offset + 1):
        lines.append(credit_line(index, entry))
        edit_buttons.append(
            (texts.CREDITS_EDIT.format(index=index), encode("cred", "edit", entry.id))
        )
        row_buttons.append(
            (texts.CREDITS_DELETE.format(index=index), encode("cred", "del", entry.id))
        )
    nav = []
    if offset > 0:
        nav.append((texts.CREDITS_PREV, encode("cred", "page", max(0, offset - PAGE_SIZE))))
    if offset + PAGE_SIZE < total:
        nav.append((texts.CREDITS_NEXT, encode("cred", "page", offset + PAGE_SIZE)))
    buttons = [edit_buttons, row_buttons] + ([nav] if nav else [])
    if edit:
        turn.edit("\n".join(lines), buttons)
    else:
        turn.say("\n".join(lines), buttons)


@clinician_handler
async def list_credits(turn: Turn) -> None:
    """/credits: every entry, newest first, five per page, with edit and delete."""
    await show_page(turn, 0)


@route("cred")
async def credits_pressed(turn: Turn, press: Press) -> None:
    action = press.arg(0)
    value = press.int_arg(1)
    if value is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    if action == "page":
        await show_page(turn, value, edit=True)
        return
    entry = await credit_store.get(turn.session, turn.clinician, value)
    if entry is None:
        turn.answer(texts.CREDITS_GONE)
        return
    described = _described(entry, certificate=await _certificate_goes(turn, [entry]))
    if action == "del":
        turn.say(
            texts.CREDITS_DELETE_CONFIRM.format(**described),
            [[(texts.CREDITS_DELETE_YES, encode("cred", "delyes", entry.id)),
              (texts.CANCEL, encode("noop"))]],
        )  # fmt: skip
    elif action in ("delyes", "undoyes"):
        # /undo takes back the whole activity last logged (QA: only one of its two kinds
        # went); 🗑 on one line of /credits removes that line.
        others = []
        if action == "undoyes":
            others = await _logged_together(turn, entry)
        removed = [entry, *others]
        described = _described(entry, others, await _certificate_goes(turn, removed))
        for item in removed:
            await credit_store.remove(turn.session, turn.clinician, item.id)
        for certificate_id in {item.certificate_id for item in removed if item.certificate_id}:
            await _discard_upload(turn, {"certificate_id": certificate_id})  # if now unused
        await replan(turn)
        turn.edit(texts.CREDITS_DELETED.format(**described))
    elif action == "edit":
        await propose(turn, _draft_of(entry), editing=entry.id)
    else:
        turn.answer(texts.BUTTON_EXPIRED)


@clinician_handler
async def undo(turn: Turn) -> None:
    """Offer to remove the entry logged last (a slip of the finger must not delete it)."""
    entry = await credit_store.last_added(turn.session, turn.clinician)
    if entry is None:
        turn.say(texts.UNDO_NOTHING)
        return
    others = await _logged_together(turn, entry)
    goes = await _certificate_goes(turn, [entry, *others])
    turn.say(
        texts.UNDO_CONFIRM.format(**_described(entry, others, goes)),
        [[(texts.CREDITS_DELETE_YES, encode("cred", "undoyes", entry.id)),
          (texts.CANCEL, encode("noop"))]],
    )  # fmt: skip


async def _logged_together(turn: Turn, entry: CreditEntry) -> list[CreditEntry]:
    """What /undo takes back with the entry: its activity's other kinds of credit, and the
    other parts saved with it ("including 6 pharmacology": the 12 hours must not stay)."""
    others = {
        other.id: other
        for other in [
            *await credit_store.same_activity(turn.session, turn.clinician, entry),
            *await credit_store.parts_of(turn.session, turn.clinician, entry),
        ]
    }
    return list(others.values())


async def _certificate_goes(turn: Turn, removed: Sequence[CreditEntry]) -> bool:
    """Whether removing these entries removes a certificate too (no other entry keeps it):
    said before and after, not left in /export linked to nothing (QA)."""
    ids = {entry.certificate_id for entry in removed if entry.certificate_id}
    if not ids:
        return False
    kept = await credit_store.entries_with_certificates(
        turn.session, turn.clinician, ids, excluding=[entry.id for entry in removed]
    )
    return kept < len(ids)


def _described(
    entry: CreditEntry, others: Sequence[CreditEntry] = (), certificate: bool = False
) -> dict[str, str]:
    """Title, amount ("2 points + 2 credits" with the activity's other kinds), date, and
    whether its certificate goes with it."""
    return {
        "certificate": texts.WITH_CERTIFICATE if certificate else "",
        "title": html.escape(entry.title),
        "amount": " + ".join(
            credits_amount(e.amount, e.category)
            for e in sorted((entry, *others), key=lambda e: e.id)  # as logged
        ),
        "date": entry.completed_on.strftime("%b %-d, %Y"),
    }  # fmt: skip


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("log", log_command))
    app.add_handler(CommandHandler("credits", list_credits))
    app.add_handler(CommandHandler("undo", undo))


# ------------------------------------------------------------------ "how many did I earn?"
_EARNED_QUESTION = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:[\w-]+\s+){0,3}?(?:credits?|hours?|cme|ce|points?)\s+"
    r"(?:did|have|had)\s+i\s+(?:earn(?:ed)?|log(?:ged)?|do|done|get|got|gotten|complete[d]?"
    r"|take|taken)\b|\bwhat\s+(?:did|have)\s+i\s+(?:earn(?:ed)?|log(?:ged)?)\b",
    re.IGNORECASE,
)


async def earned_question(turn: Turn, text: str) -> bool:
    """ "how many credits did I earn in 2026?": what was logged in that period (or in
    all), by kind (QA round 8: answered as "nothing is due by Dec 31, 2026")."""
    if not _EARNED_QUESTION.search(text):
        return False
    found = dates.extract_date_phrase(text)
    period = dates.parse_past_range(found.phrase, turn.now, turn.tz) if found else None
    rows = await credit_store.credit_rows(turn.session, turn.clinician)
    if period is not None:
        end = period.end or turn.local_now.date()
        rows = [row for row in rows if period.start <= row.completed_on <= end]
        when = texts.EARNED_PERIOD.format(start=calendar_day(period.start), end=calendar_day(end))
    else:
        when = texts.EARNED_ALL
    if not rows:
        turn.say(texts.EARNED_NONE.format(when=when))
        return True
    by_kind: dict[str, Decimal] = {}
    for row in rows:
        by_kind[row.category] = by_kind.get(row.category, Decimal(0)) + row.amount
    kinds = ", ".join(
        f"{credits_amount(amount, category)} {html.escape(topics.category_label(category))}"
        for category, amount in sorted(by_kind.items(), key=lambda item: -item[1])
    )
    entries = "1 entry" if len(rows) == 1 else f"{len(rows)} entries"
    turn.say(texts.EARNED.format(when=when, entries=entries, kinds=kinds))
    return True
