"""/transcript: an audit-ready PDF and CSV of a cycle (current, previous, or one including a
day) per licence, or of one licence."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date
from functools import partial

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain import places
from bot.domain.credit_types import CreditItem
from bot.domain.dates import (
    check_past_range,
    extract_date_phrase,
    is_impossible_date,
    local_today,
)
from bot.reports.model import TranscriptLicence, transcript_licence
from bot.reports.transcript_csv import render_transcript_csv
from bot.store import credits as credit_store
from bot.tracking import LicenceView, credit_item, cycle_end_on, view_on_deadline
from bot.views import day
from handlers.status import licences_named, views
from handlers.turn import Turn, clinician_handler

CE_PROFESSIONS = frozenset({"rn", "pharmacist"})


_CYCLES_IN_CAPTION = 600  # characters of cycle names; more are counted, not named
PREVIOUS_WORDS = frozenset({"previous", "prev", "last", "past", "earlier", "before"})
@clinician_handler
async def transcript(turn: Turn) -> None:
    """/transcript [previous | a licence | a day]: the audit PDF and CSV."""
    # A command's words name licences, so two letters are a state code ("/transcript fl"),
    # as /status reads them.
    said = " ".join(w.upper() if len(w) == 2 else w for w in turn.context.args or [])
    await send_transcript(turn, said, strict=True)


async def send_transcript(turn: Turn, said: str = "", *, strict: bool = False) -> None:
    """Send the transcript as PDF and CSV: of the current cycles; with "previous" of the
    cycles before them (QA round 9: the cycle an audit asks about, just ended, could not
    be had once the next one began); with a day ("2025-08-31", "Aug 2025", "2023-09-01 to
    2025-08-31") of the cycles that include it, however far back; with a licence's name
    ("florida") of that licence alone (QA round 11: both were ignored, the current cycles
    of every licence sent instead). ``strict``: words that say none of these are answered
    with the forms that work (a command's arguments, not a sentence's other words)."""
    found = [view for view in await views(turn) if view.status is not None]
    if not found:
        turn.say(texts.TRANSCRIPT_NONE)
        return
    rulebook = turn.context.services.rulebook
    said = places.spell_state_names(said)  # "/transcript flordia"
    previous = any(word.lower() in PREVIOUS_WORDS for word in re.findall(r"[A-Za-z]+", said))
    named = licences_named([view.licence for view in found], said, rulebook)
    day_asked = _day_asked(said, turn)
    if strict and said.strip() and not (previous or named or day_asked):
        shown = html.escape(said.strip()[:60])
        if states := _states_asked(said):  # "/transcript FL" with no Florida licence held
            turn.say(texts.TRANSCRIPT_NO_SUCH_LICENCE.format(
                state=" or ".join(sorted(places.US_STATE_NAMES.get(s, s) for s in states)),
                licences=", ".join(html.escape(view.licence.label) for view in found),
            ))  # fmt: skip
            return
        turn.say(
            texts.LICENCE_DATE_IMPOSSIBLE.format(text=shown) if is_impossible_date(said)
            else texts.TRANSCRIPT_USAGE.format(text=shown)
        )  # fmt: skip
        return
    if named:
        found = [view for view in found if view.licence in named]
    entries = await credit_store.list_for(turn.session, turn.clinician)
    items = [credit_item(entry) for entry in entries]
    caption = texts.TRANSCRIPT_CAPTION_PDF
    if day_asked is not None:
        found = _cycles_including(turn, found, items, day_asked)
        caption = texts.TRANSCRIPT_CAPTION_DAY.format(day=day(day_asked))
        if not found:
            turn.say(texts.TRANSCRIPT_NO_CYCLE.format(day=day(day_asked)))
            return
    elif previous:
        found = _previous_cycles(turn, found, items)
        caption = texts.TRANSCRIPT_CAPTION_PREVIOUS
        if not found:
            turn.say(texts.TRANSCRIPT_NO_PREVIOUS)
            return
    providers = {str(e.id): e.provider for e in entries if e.provider}
    uans = {str(e.id): e.uan for e in entries if e.uan}
    with_certificate = {str(e.id) for e in entries if e.certificate_id}
    first_used = local_today(turn.clinician.created_at, turn.clinician.timezone)
    licences: list[TranscriptLicence] = [
        transcript_licence(
            view.status,  # type: ignore[arg-type]
            items,
            label=view.licence.label,
            providers=providers,
            uans=uans,
            certificates=with_certificate,
            first_used=first_used,
        )
        for view in found
    ]
    caption += _not_tracked_caption(licences)
    # reportlab (~80 ms, several MB) loads on the first /transcript, not at start.
    from bot.reports.transcript import render_transcript_pdf

    name = " ".join(p for p in (turn.clinician.first_name, turn.clinician.last_name) if p)
    heading = (
        texts.TRANSCRIPT_HEADING_CE
        if turn.clinician.profession in CE_PROFESSIONS
        else texts.TRANSCRIPT_HEADING_CME
    )  # QA round 7: a nurse's audit file said "Continuing Medical Education"
    pdf = await asyncio.to_thread(
        partial(render_transcript_pdf, heading=heading),
        name or "Clinician", licences, turn.now, turn.clinician.timezone,
    )  # fmt: skip
    csv_bytes = await asyncio.to_thread(render_transcript_csv, licences)
    stamp = turn.local_now.strftime("%Y%m%d")
    if day_asked is not None:
        stamp += f"-cycle-{day_asked:%Y%m%d}"
    elif previous:
        stamp += "-previous"
    if named:  # QA round 12: nothing said the file was Florida's alone
        caption += texts.TRANSCRIPT_ONLY.format(
            labels=", ".join(html.escape(view.licence.label) for view in found)
        )
    turn.document(pdf, f"cme-transcript-{stamp}.pdf", caption=caption)
    turn.document(csv_bytes, f"cme-transcript-{stamp}.csv", caption=texts.TRANSCRIPT_CAPTION_CSV)


def _not_tracked_caption(licences: list[TranscriptLicence]) -> str:
    """One line naming the cycles that ended before the bot was first used with nothing
    logged in them ("" when none): the files say so for each, not 0 earned."""
    before = [licence for licence in licences if licence.not_tracked_since is not None]
    if not before:
        return ""
    cycles = ", ".join(
        texts.TRANSCRIPT_CYCLE.format(
            label=html.escape(licence.label), start=day(licence.window_start),
            end=day(licence.window_end),
        )
        for licence in before
    )  # fmt: skip
    if len(cycles) > _CYCLES_IN_CAPTION:  # a caption holds 1,024 characters
        cycles = texts.TRANSCRIPT_CYCLES_COUNT.format(count=len(before))
    first = before[0].not_tracked_since
    assert first is not None
    return texts.TRANSCRIPT_CAPTION_NOT_TRACKED.format(first=day(first), cycles=cycles)


def _states_asked(said: str) -> set[str]:
    """The states the words name; a command's lone two letters ("fl") are a state code."""
    word = said.strip()
    code = word.upper() if len(word) == 2 and word.isalpha() else ""
    return places.states_named_in(said) | places.state_codes_in(said) | (
        {code} if code in places.US_STATE_NAMES else set()
    )


def _day_asked(said: str, turn: Turn) -> date | None:
    """The latest day a date phrase names ("2023-09-01 to 2025-08-31" → Aug 31, 2025), up
    to today; None when there is none."""
    found = extract_date_phrase(said)
    if found is None:
        return None
    period = check_past_range(found.phrase, turn.now, turn.tz).value
    return None if period is None else period.end


def _cycles_including(
    turn: Turn, current: list[LicenceView], items: list[CreditItem], asked: date
) -> list[LicenceView]:
    """Each licence's cycle that includes ``asked``, as it stood on its deadline (the
    current one as it stands today)."""
    today = turn.local_now.date()
    rulebook = turn.context.services.rulebook
    found: list[LicenceView] = []
    for view in current:
        assert view.status is not None
        if view.status.window.start <= asked <= view.status.deadline:
            found.append(view)
            continue
        ended = cycle_end_on(view.licence, turn.clinician, asked, today, rulebook)
        if ended is None or ended >= view.status.window.start:
            continue  # one window only, or not before the current cycle
        then = view_on_deadline(turn.clinician, view.licence, items, ended, today, rulebook)
        if then is not None:
            found.append(then)
    return found


def _previous_cycles(
    turn: Turn, current: list[LicenceView], items: list[CreditItem]
) -> list[LicenceView]:
    """Each licence's cycle before the current one, as it stood on its deadline; none for a
    requirement with one window (a described one without "every N years")."""
    today = turn.local_now.date()
    rulebook = turn.context.services.rulebook
    found: list[LicenceView] = []
    for view in current:
        assert view.status is not None
        ended = view.status.previous_deadline
        if cycle_end_on(view.licence, turn.clinician, ended, today, rulebook) != ended:
            continue
        then = view_on_deadline(turn.clinician, view.licence, items, ended, today, rulebook)
        if then is not None:
            found.append(then)
    return found


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("transcript", transcript))
