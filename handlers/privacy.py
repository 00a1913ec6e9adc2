"""/privacy, /export and /forget: the clinician's data is theirs to see and delete."""

from __future__ import annotations

import functools
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from telegram.ext import Application, CommandHandler

import bot
from bot import texts
from bot.store import clinicians, credits, files, licences, outbox, subscriptions
from bot.store import courses as course_store
from bot.store.clinicians import HELD
from bot.store.models import Clinician
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.turn import Turn, clinician_handler

DEFAULT_POLICY = Path(bot.__file__).resolve().parent / "data" / "privacy.html"


@functools.cache
def policy_text(path: Path | None) -> str:
    """The operator's policy file if configured, else the shipped default (read once)."""
    return (path or DEFAULT_POLICY).read_text(encoding="utf-8").strip()


@clinician_handler
async def privacy(turn: Turn) -> None:
    """Answer /privacy with the privacy policy (required by Telegram's bot terms)."""
    turn.say(policy_text(turn.context.services.settings.privacy_policy_file))


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in skip
    }


_DELIVERY_COLUMNS = ("clinician_id", "dedupe_key", "lease_until", "leased_by", "attempts")


async def export_data(turn: Turn) -> tuple[bytes, bytes | None]:
    """Everything stored about the clinician as JSON, and their certificates as a zip."""
    owner: Clinician = turn.clinician
    session = turn.session
    certificate_rows = await credits.list_certificates(session, owner)
    owned_licences = await licences.list_for(session, owner)
    chosen = await subscriptions.list_for(session, owner)
    # What each reminder is about, in words (an id alone means nothing to its reader).
    about = {
        (kind, item.id): item.label
        for item in owned_licences
        for kind in ("renewal", "complete", "cycle_end")
    }
    about |= {("course", course.id): course.title for _, course in chosen}
    document = {
        "exported_at": turn.now.isoformat(),
        "clinician": _row(owner, skip=("conversation",)),
        # Chat state is machinery, but what it keeps about the clinician is theirs to see.
        "kept_between_messages": dict((owner.conversation or {}).get(HELD) or {}),
        "licences": [_row(item) for item in owned_licences],
        "credit_entries": [_row(item) for item in await credits.list_for(session, owner)],
        "certificates": [_row(item, skip=("content",)) for item in certificate_rows],
        "course_subscriptions": [
            {"course_id": course.id, "title": course.title, "starts_at": _plain(course.starts_at),
             "status": course.status}  # QA: a cancelled course looked chosen and on
            for _, course in chosen
        ],
        # Queued and sent reminders and notices; the delivery machinery's own columns
        # (leases, worker names) say nothing about the clinician.
        "reminders": [
            {
                **_row(item, skip=_DELIVERY_COLUMNS),
                "about": about.get((item.kind, item.target_id or 0)),
            }
            for item in await outbox.all_for(session, owner)
        ],
    }
    payload = json.dumps(document, indent=2, ensure_ascii=False).encode()
    if not certificate_rows:
        return payload, None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificate_rows:
            content = await files.certificate_bytes(certificate)
            archive.writestr(f"{certificate.id}-{certificate.file_name}", content)
    return payload, buffer.getvalue()


@clinician_handler
async def export(turn: Turn) -> None:
    """Send the clinician a JSON file of everything stored about them."""
    payload, archive = await export_data(turn)
    stamp = turn.local_now.strftime("%Y%m%d")
    turn.document(payload, f"cme-export-{stamp}.json", caption=texts.EXPORT_CAPTION)
    if archive is not None:
        turn.document(archive, f"cme-certificates-{stamp}.zip", caption=texts.EXPORT_CERTIFICATES)


@clinician_handler
async def forget(turn: Turn) -> None:
    """Ask for confirmation before deleting everything (only the button deletes: a typed
    "yes" must not; /cancel says nothing was deleted)."""
    await flows.expect(turn, "forget_confirm")
    turn.say(
        texts.FORGET_CONFIRM,
        [[(texts.FORGET_YES, encode("forget", "yes")), (texts.FORGET_NO, encode("forget", "no"))]],
    )


@flows.step("forget_confirm")
async def text_while_confirming(turn: Turn, text: str) -> bool:
    """Any text is routed as usual; the question stays for its buttons."""
    return False


@route("forget")
async def forget_pressed(turn: Turn, press: Press) -> None:
    """Delete every row of the clinician (cascade), or keep everything."""
    if flows.state(turn).get("step") == "forget_confirm":  # not a question asked since
        await flows.clear(turn)
    if press.arg(0) != "yes":
        turn.edit(texts.FORGET_CANCELLED)
        return
    certificates = await credits.list_certificates(turn.session, turn.clinician)
    telegram_id = turn.clinician.telegram_id
    await clinicians.forget(turn.session, turn.clinician)
    # The catalogues an admin uploaded stay (others' reminders depend on them), but no
    # longer under their Telegram id (QA: "upload:1001:catalog.csv" after /forget).
    await course_store.unname_uploads(turn.session, telegram_id)
    await files.delete_certificate_files(certificates)
    turn.edit(texts.FORGET_DONE)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CommandHandler("forget", forget))
