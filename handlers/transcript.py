"""/transcript: an audit-ready PDF and CSV of the current (or previous) cycles, per licence."""

from __future__ import annotations

import asyncio
from functools import partial

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain.credit_types import CreditItem
from bot.reports.model import TranscriptLicence, transcript_licence
from bot.reports.transcript_csv import render_transcript_csv
from bot.store import credits as credit_store
from bot.tracking import LicenceView, credit_item, cycle_end_on, view_on_deadline
from handlers.status import views
from handlers.turn import Turn, clinician_handler

CE_PROFESSIONS = frozenset({"rn", "pharmacist"})


PREVIOUS_WORDS = frozenset({"previous", "prev", "last", "past", "earlier", "before"})


@clinician_handler
async def transcript(turn: Turn) -> None:
    """Send the transcript as PDF and CSV: of the current cycles, or with "previous" of
    the cycles before them (QA round 9: the cycle an audit asks about, just ended, could
    not be had once the next one began)."""
    args = turn.context.args or []
    previous = any(word.lower() in PREVIOUS_WORDS for word in args)
    found = [view for view in await views(turn) if view.status is not None]
    if not found:
        turn.say(texts.TRANSCRIPT_NONE)
        return
    entries = await credit_store.list_for(turn.session, turn.clinician)
    items = [credit_item(entry) for entry in entries]
    if previous:
        found = _previous_cycles(turn, found, items)
        if not found:
            turn.say(texts.TRANSCRIPT_NO_PREVIOUS)
            return
    providers = {str(e.id): e.provider for e in entries if e.provider}
    with_certificate = {str(e.id) for e in entries if e.certificate_id}
    licences: list[TranscriptLicence] = [
        transcript_licence(
            view.status,  # type: ignore[arg-type]
            items,
            label=view.licence.label,
            providers=providers,
            certificates=with_certificate,
        )
        for view in found
    ]
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
    stamp = turn.local_now.strftime("%Y%m%d") + ("-previous" if previous else "")
    caption = texts.TRANSCRIPT_CAPTION_PREVIOUS if previous else texts.TRANSCRIPT_CAPTION_PDF
    turn.document(pdf, f"cme-transcript-{stamp}.pdf", caption=caption)
    turn.document(csv_bytes, f"cme-transcript-{stamp}.csv", caption=texts.TRANSCRIPT_CAPTION_CSV)


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
