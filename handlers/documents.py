"""Certificates (PDF or photo) and catalogue uploads from admins.

The file is downloaded before the database transaction opens (a slow download must
not hold the write lock); then it is checked, stored with its owner, its text read to
propose an entry, and the clinician confirms the proposal like any other log.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import html
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot import texts
from bot.context import CMEContext
from bot.domain import topics
from bot.domain.log_parse import (
    MAX_CREDITS_PER_ENTRY,
    LogDraft,
    clip_title,
    default_category_for,
    parse_log_line,
)
from bot.reports.certificate import (
    MAX_PAGES,
    CertificateProblem,
    CertificateReading,
    read_certificate,
)
from bot.reports.certificate_types import CreditClaim
from bot.store import credits as credit_store
from bot.store import licences as licence_store
from bot.store.files import write_certificate_file
from bot.store.models import Certificate
from bot.tracking import facts_for
from bot.views import number
from handlers import courses, flows
from handlers.credits import drop_waiting_upload, propose
from handlers.intents import is_log
from handlers.turn import Turn, clinician_handler

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/webp")


def _size(size: int | None) -> str:
    return f"{(size or 0) / 1_048_576:.1f} MB"


async def _download(update: Update, context: CMEContext) -> tuple[str, str, bytes] | str:
    """(file name, mime type, bytes), or the reply explaining why not."""
    message = update.effective_message
    if message is None:
        return texts.UNSUPPORTED_FILE
    if message.document is not None:
        document = message.document
        name, mime, file_id, size = (
            document.file_name or "certificate", document.mime_type or "", document.file_id,
            document.file_size,
        )  # fmt: skip
    elif message.photo:
        photo = message.photo[-1]  # the largest size
        name, mime, file_id, size = "photo.jpg", "image/jpeg", photo.file_id, photo.file_size
    else:
        return texts.UNSUPPORTED_FILE
    if size is not None and size > MAX_UPLOAD_BYTES:
        return texts.CERTIFICATE_PROBLEMS["too_large"].format(size=_size(size))
    telegram_file = await context.bot.get_file(file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    if len(data) > MAX_UPLOAD_BYTES:
        return texts.CERTIFICATE_PROBLEMS["too_large"].format(size=_size(len(data)))
    return name[:200], mime, data


def _with_file(
    handler: Callable[[Turn, str, str, bytes], Awaitable[None]],
) -> Callable[[Update, CMEContext], Awaitable[None]]:
    """Download first, then run ``handler`` in the usual one-transaction turn."""

    async def callback(update: Update, context: CMEContext) -> None:
        chat = update.effective_chat
        if chat is not None and chat.type != "private":
            return
        downloaded = await _download(update, context)

        async def run(turn: Turn) -> None:
            if isinstance(downloaded, str):
                turn.say(downloaded)
                return
            await handler(turn, *downloaded)

        await clinician_handler(run)(update, context)

    return functools.wraps(handler)(callback)


async def _store(turn: Turn, name: str, mime: str, data: bytes, text: str | None) -> Certificate:
    digest = hashlib.sha256(data).hexdigest()
    folder = turn.context.services.settings.certificates_dir
    path = await write_certificate_file(folder, turn.clinician.id, digest, data) if folder else None
    return await credit_store.add_certificate(
        turn.session, turn.clinician, file_name=name, mime_type=mime or "application/octet-stream",
        content=data, sha256=digest, now=turn.now, storage_path=path, extracted_text=text,
    )  # fmt: skip


async def on_document(turn: Turn, name: str, mime: str, data: bytes) -> None:
    """A file: an admin's catalogue, a PDF certificate, or an image sent as a file."""
    if await courses.handle_admin_upload(turn, name, data):
        return
    await drop_waiting_upload(turn)
    if mime in IMAGE_TYPES or name.lower().endswith((".jpg", ".jpeg", ".png", ".heic")):
        await on_picture(turn, name, mime or "image/jpeg", data)
        return
    today = turn.local_now.date()
    reading = await asyncio.to_thread(read_certificate, data, name, today)
    if isinstance(reading, CertificateProblem):
        code = "empty" if reading.detail == "empty" else reading.code  # QA: "isn't a PDF"
        template = texts.CERTIFICATE_PROBLEMS.get(code, texts.UNSUPPORTED_FILE)
        turn.say(template.format(size=_size(len(data)), detail=html.escape(reading.detail)))
        return
    safe_name = html.escape(name)
    if "several_activities" in reading.warnings:  # QA: one entry mixed two rows of a table
        turn.say(texts.CERTIFICATE_SEVERAL.format(file=safe_name))
        return
    certificate = await _store(turn, name, mime or "application/pdf", data, None)
    said = _caption_log(turn)
    if said is not None and (reading.needs_manual or reading.amount is None):
        await propose(turn, said, source="certificate", certificate_id=certificate.id)
        return
    if not reading.needs_manual and reading.amount is None and reading.title is not None:
        # What was read is kept: only the amount is asked (QA round 13: the title and
        # provider were lost, and the whole line asked for again).
        read = _read_fields(reading, turn.local_now.date(), name)
        await flows.expect(turn, "log_line", certificate_id=certificate.id, read=read)
        turn.say(texts.CERTIFICATE_ONLY_AMOUNT.format(
            file=safe_name, title=html.escape(str(read["title"])),
            provider=texts.CERTIFICATE_READ_PROVIDER.format(
                provider=html.escape(str(read["provider"]))
            ) if read.get("provider") else "",
            unit=topics.category_says(str(read.get("category") or _usual(turn))),
        ))  # fmt: skip
        return
    if reading.needs_manual or reading.amount is None:
        await flows.expect(turn, "log_line", certificate_id=certificate.id)
        template = texts.CERTIFICATE_MANUAL if reading.needs_manual else texts.CERTIFICATE_NO_AMOUNT
        said = template.format(file=safe_name)
        if "pages_skipped" in reading.warnings:  # QA: the credits were on page 5
            said += texts.CERTIFICATE_PAGES_SKIPPED.format(pages=MAX_PAGES, count=reading.pages)
        turn.say(said)
        return
    completed_on = reading.completed_on.value if reading.completed_on else None
    usual = default_category_for(turn.clinician.profession)
    # "Nurses: 1.0 ANCC contact hour. Physicians: 1.0 AMA PRA Category 1 Credit": the
    # clinician's own kind of credit, not the first printed.
    read_kind = reading.category.value if reading.category else None
    own = max(
        (c for c in reading.claims if c.category == usual and read_kind != usual),
        key=lambda claim: claim.confidence,  # a claimed amount beats a designated maximum
        default=None,
    )
    # "10 ABIM MOC points, also 10 AMA PRA Category 1 Credits" for a clinician whose only
    # licence is ABIM: the kind their licences count (QA: Category 1, counted nowhere).
    per_licence = await _categories_per_licence(turn)
    counted = _counted_categories(per_licence)
    if counted and not topics.qualifies(read_kind or usual, counted):
        own = max(
            (c for c in reading.claims if c.category and topics.qualifies(c.category, counted)),
            key=lambda claim: claim.confidence,
            default=own,
        )
    chosen = own or max(reading.claims, key=lambda claim: claim.confidence, default=None)
    draft = LogDraft(
        amount=Decimal(own.amount if own else reading.amount.value),
        completed_on=completed_on or today,
        category=own.category
        if own and own.category
        else (reading.category.value if reading.category else usual),
        topics=tuple(reading.topics),
        title=(reading.title.value if reading.title else name)[:200],
        provider=reading.provider.value[:200] if reading.provider else None,
        date_given=completed_on is not None,
        category_given=bool(own and own.category) or reading.category is not None,
        activity_type=reading.activity_type,
        uan=reading.uan,
        ceus=chosen.ceus if chosen is not None else "",  # "1.5 CEUs": asked, as /log asks
    )
    draft = replace(draft, also=_other_kinds(reading.claims, draft.category, per_licence))
    if said is not None:
        draft = _with_caption(draft, said)
    if not 0 < draft.amount <= MAX_CREDITS_PER_ENTRY:  # QA: "250 credits" saved silently
        await flows.expect(turn, "log_line", certificate_id=certificate.id)
        amount = number(draft.amount)
        turn.say(texts.CERTIFICATE_ODD_AMOUNT.format(file=safe_name, amount=amount))
        return
    read = texts.CERTIFICATE_READ_CAPTION if said is not None else texts.CERTIFICATE_READ
    turn.say(read.format(file=safe_name))
    if "future_date_ignored" in reading.warnings and not draft.date_given:
        turn.say(texts.CERTIFICATE_FUTURE_DATE)  # QA: replaced by today without a word
    await propose(turn, draft, source="certificate", certificate_id=certificate.id)


def _usual(turn: Turn) -> str:
    return default_category_for(turn.clinician.profession)


def _read_fields(reading: CertificateReading, today: date, name: str) -> dict[str, Any]:
    """What a certificate without an amount still gave, kept with the question for it."""
    completed_on = reading.completed_on.value if reading.completed_on else None
    return {
        "title": clip_title((reading.title.value if reading.title else name)[:200]),
        "provider": reading.provider.value[:200] if reading.provider else None,
        "completed_on": (completed_on or today).isoformat(),
        "date_given": completed_on is not None,
        "category": reading.category.value if reading.category else None,
        "topics": list(reading.topics),
        "activity_type": reading.activity_type,
        "uan": reading.uan,
    }


async def _categories_per_licence(turn: Turn) -> list[frozenset[str] | None]:
    """The credit categories each licence counts toward its total (None: any)."""
    rulebook = turn.context.services.rulebook
    found: list[frozenset[str] | None] = []
    for licence in await licence_store.list_for(turn.session, turn.clinician):
        try:  # a custom requirement's own rule too ("40 Category 1 credits by …")
            categories = facts_for(licence, turn.clinician).rule(rulebook).total_categories
        except (KeyError, ValueError):  # a rule no longer shipped: it counts nothing here
            continue
        found.append(None if categories is None else frozenset(categories))
    return found


def _counted_categories(per_licence: list[frozenset[str] | None]) -> frozenset[str]:
    """Categories the licences count; empty when one counts any (or there is none): then
    the clinician's usual kind stands."""
    if not per_licence or any(categories is None for categories in per_licence):
        return frozenset()
    return frozenset().union(*(c for c in per_licence if c is not None))


def _other_kinds(
    claims: Sequence[CreditClaim], chosen: str, per_licence: list[frozenset[str] | None]
) -> tuple[tuple[Decimal, str], ...]:
    """ "1 AMA PRA Category 1 Credit and 1 ABIM MOC point" for a clinician with a state
    licence and ABIM: the MOC points too, as the same activity's second entry (only one
    was logged, and ABIM counted nothing). Only kinds a licence counts that the chosen
    kind does not serve."""
    wanted = [c for c in per_licence if c is not None and not topics.qualifies(chosen, c)]
    best: dict[str, CreditClaim] = {}
    for claim in claims:
        if not claim.category or claim.category == chosen:
            continue
        if not any(topics.qualifies(claim.category, categories) for categories in wanted):
            continue
        if claim.category not in best or claim.confidence > best[claim.category].confidence:
            best[claim.category] = claim
    return tuple(
        (Decimal(claim.amount), category)
        for category, claim in best.items()
        if 0 < Decimal(claim.amount) <= MAX_CREDITS_PER_ENTRY
    )


def _caption_log(turn: Turn) -> LogDraft | None:
    """A caption that reads as a log ("3 credits ethics on Nov 4"), sent with the file:
    what the clinician says beats what was read (QA: the caption was ignored)."""
    message = turn.update.effective_message
    caption = (message.caption or "").strip() if message else ""
    if not caption or not is_log(caption):
        return None
    usual = default_category_for(turn.clinician.profession)
    parsed = parse_log_line(caption, turn.now, turn.tz, default_category=usual)
    return parsed if isinstance(parsed, LogDraft) else None


def _with_caption(read: LogDraft, said: LogDraft) -> LogDraft:
    """The certificate's reading, with what the caption gives instead: its amount, and its
    date, category and topics when it names them (the title stays the certificate's)."""
    return replace(
        read,
        amount=said.amount,
        completed_on=said.completed_on if said.date_given else read.completed_on,
        date_given=said.date_given or read.date_given,
        category=said.category if said.category_given else read.category,
        category_given=said.category_given or read.category_given,
        topics=said.topics or read.topics,
        also=said.also if said.category_given else read.also,
        activity_type=said.activity_type or read.activity_type,
        uan=said.uan or read.uan,
        ceus=said.ceus,  # the caption's amount is the one asked about, if any
    )


async def on_picture(turn: Turn, name: str, mime: str, data: bytes) -> None:
    """A photo of a certificate: keep it; its caption, or a question, says what it certifies."""
    await drop_waiting_upload(turn)
    certificate = await _store(turn, name, mime, data, None)
    said = _caption_log(turn)
    if said is not None:
        await propose(turn, said, source="certificate", certificate_id=certificate.id)
        return
    await flows.expect(turn, "log_line", certificate_id=certificate.id)
    turn.say(texts.CERTIFICATE_MANUAL.format(file=html.escape(name)))


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(filters.Document.ALL & private, _with_file(on_document)))
    app.add_handler(MessageHandler(filters.PHOTO & private, _with_file(on_picture)))
