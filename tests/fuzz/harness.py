"""What the fuzz tests and drills share: a seeded victim, an error recorder, settling.

``seed_owner`` gives user A licences, credits, a certificate, a course subscription and
a pending log draft, all labelled with strings nobody else could produce by chance
(:data:`SECRETS`). Other users are then fuzzed; :func:`leaks` scans everything the bot
sent anywhere but A's chat for those strings, :func:`owner_snapshot` proves A's rows did
not change, and :func:`settle` waits until the Application has finished every update
pushed so far (so "no reply" means the bot really stayed silent).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from bot.app import CMEApplication
from bot.courses.sample import load_sample_if_empty
from bot.domain.custom_requirements import CustomRequirementSpec, parse_custom_requirement
from bot.domain.log_parse import LogDraft
from bot.sandbox.records import SentMessage
from bot.sandbox.server import BotApiSandbox
from bot.store import clinicians, subscriptions
from bot.store import credits as credit_store
from bot.store import licences as licence_store
from bot.store.db import transaction
from bot.store.models import (
    Certificate,
    Clinician,
    Course,
    CourseSubscription,
    CreditEntry,
    Licence,
    ReminderOutbox,
)
from handlers.credits import draft_to_state
from scheduler.planner import plan_clinician
from tests.e2e.conftest import BotUnderTest

OWNER_ID = 990_001  # user A, the victim: never acts during a fuzz run
OWNER_NAME = ("Quillaby", "Vexworthington", "quillaby_vx")
LICENCE_LABELS = ("Zyxtarian Medical Board Ω7731", "Quokkaville Privileges Ж5512")
ENTRY_TITLES = ("Marsupial Cardiology Retreat Ξ0042", "Numbat Ethics Intensive Ψ3141")
PROVIDER = "Wombat Institute Ђ19"
CERTIFICATE_NAME = "vexworthington-certificate-Ϡ.pdf"
DRAFT_TITLE = "Platypus Pending Draft Ч8080"
SECRETS: tuple[str, ...] = (
    *OWNER_NAME,
    *LICENCE_LABELS,
    *ENTRY_TITLES,
    PROVIDER,
    CERTIFICATE_NAME,
    DRAFT_TITLE,
)
# Fragments too: a reply might cut a label short ("Zyxtarian Medical…").
SECRET_FRAGMENTS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [*SECRETS, "Zyxtarian", "Quokkaville", "Marsupial", "Numbat", "Wombat", "Platypus",
         "Vexworth"]
    )
)  # fmt: skip


@dataclass(frozen=True)
class Owner:
    """The ids of everything A owns (what forged callbacks aim at)."""

    clinician_id: int
    licence_ids: tuple[int, ...]
    entry_ids: tuple[int, ...]
    certificate_id: int
    course_ids: tuple[int, ...]

    @property
    def all_ids(self) -> tuple[int, ...]:
        return tuple(
            sorted(
                {self.clinician_id, *self.licence_ids, *self.entry_ids, self.certificate_id,
                 *self.course_ids}
            )
        )  # fmt: skip


async def seed_owner(bot: BotUnderTest, *, pdf: bytes = b"%PDF-1.4\n%secret\n") -> Owner:
    """Give user A one of everything, directly through the store (fast, deterministic)."""
    services = bot.services
    now = bot.clock.now()
    await load_sample_if_empty(services.sessionmaker, now)
    bot.user(OWNER_ID, OWNER_NAME[0], last_name=OWNER_NAME[1], username=OWNER_NAME[2])
    custom = parse_custom_requirement("40 credits by 2028-09-30, 2 of them ethics")
    assert isinstance(custom, CustomRequirementSpec)
    async with transaction(services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session,
            clinicians.TelegramIdentity(OWNER_ID, OWNER_ID, *OWNER_NAME),
            default_timezone="America/Chicago",
            now=now,
        )
        texas = await licence_store.add(
            session, owner, label=LICENCE_LABELS[0], rule_id="us-tx-md",
            jurisdiction="US-TX", renewal_date=date(2028, 8, 31), renewals_done=3,
            flags=["direct_patient_care"], now=now,
        )  # fmt: skip
        mine = await licence_store.add(
            session, owner, label=LICENCE_LABELS[1], custom_rule=custom.to_dict(),
            renewal_date=custom.deadline, now=now,
        )  # fmt: skip
        certificate = await credit_store.add_certificate(
            session, owner, file_name=CERTIFICATE_NAME, mime_type="application/pdf",
            content=pdf, sha256="0" * 64, now=now, extracted_text=ENTRY_TITLES[0],
        )  # fmt: skip
        entries = [
            await credit_store.add(
                session, owner, completed_on=date(2026, 10, 1) - timedelta(days=30 * i),
                amount=Decimal("2.5"), category="ama_pra_1", title=title, now=now,
                topics=["ethics"] if i else [], provider=PROVIDER,
                certificate_id=certificate.id if i == 0 else None,
            )
            for i, title in enumerate(ENTRY_TITLES)
        ]  # fmt: skip
        course = (
            await session.execute(
                select(Course).where(Course.starts_at > now).order_by(Course.id).limit(1)
            )
        ).scalar_one()
        await subscriptions.subscribe(session, owner, course.id, now)
        draft = LogDraft(
            amount=Decimal(3), completed_on=date(2026, 11, 20), category="ama_pra_1",
            topics=("ethics",), title=DRAFT_TITLE, provider=PROVIDER,
        )  # fmt: skip
        await clinicians.set_conversation(
            session, owner, {"step": "log_confirm", "log": draft_to_state(draft)}, now
        )
        await session.flush()
        await plan_clinician(session, owner, now, services.rulebook)
        return Owner(
            clinician_id=owner.id,
            licence_ids=(texas.id, mine.id),
            entry_ids=tuple(entry.id for entry in entries),
            certificate_id=certificate.id,
            course_ids=(course.id,),
        )


async def owner_snapshot(bot: BotUnderTest, owner: Owner) -> dict[str, Any]:
    """Everything A owns, as plain values, to compare before and after."""

    def rows(objects: Iterable[Any], *columns: str) -> list[tuple[Any, ...]]:
        return sorted(tuple(getattr(o, c) for c in columns) for o in objects)

    cid = owner.clinician_id
    async with transaction(bot.services.sessionmaker) as session:
        person = await session.get(Clinician, cid)
        assert person is not None, "user A was deleted"

        async def mine(model: Any) -> list[Any]:
            found = await session.execute(select(model).where(model.clinician_id == cid))
            return list(found.scalars())

        return {
            "clinician": (
                person.first_name, person.timezone, person.conversation, person.active,
                person.reminders_paused, person.quiet_start_min, person.quiet_end_min,
                person.reminder_ladder, person.profession, person.updated_at,
            ),
            "licences": rows(await mine(Licence), "id", "label", "renewal_date",
                             "reminders_muted", "custom_rule", "updated_at"),
            "entries": rows(await mine(CreditEntry), "id", "title", "amount", "completed_on",
                            "category", "certificate_id"),
            "certificates": rows(await mine(Certificate), "id", "file_name", "sha256"),
            "subscriptions": rows(await mine(CourseSubscription), "course_id"),
            "outbox": rows(await mine(ReminderOutbox), "dedupe_key", "status", "due_at"),
        }  # fmt: skip


async def row_counts(bot: BotUnderTest) -> dict[str, int]:
    """Rows per table: how deep a fuzz run got (entries saved, licences added...)."""
    counts = {}
    async with transaction(bot.services.sessionmaker) as session:
        for model in (Clinician, Licence, CreditEntry, Certificate, CourseSubscription,
                      ReminderOutbox):  # fmt: skip
            found = await session.execute(select(func.count()).select_from(model))
            counts[model.__tablename__] = int(found.scalar_one())
    return counts


# ------------------------------------------------------------------------ what was sent
def document_text(data: bytes, file_name: str | None) -> str:
    """Searchable text of a file the bot sent: PDFs via pypdf, zips member by member."""
    name = (file_name or "").lower()
    parts = [data.decode("utf-8", errors="ignore")]
    if data.startswith(b"%PDF-") and name.startswith("cme-transcript"):
        from pypdf import PdfReader

        parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
    if data.startswith(b"PK\x03\x04"):  # exported certificates: the user's own uploads
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                parts += [member, archive.read(member).decode("utf-8", errors="ignore")]
    return "\n".join(parts)


def visible(message: SentMessage) -> str:
    """Everything a user could read in one message: text, caption, buttons, file."""
    parts = [message.raw_text or "", message.text or "", message.raw_caption or "",
             message.caption or ""]  # fmt: skip
    for button in message.inline_buttons:
        parts += [button.text, button.callback_data or "", button.url or ""]
    parts += [text for row in message.reply_keyboard for text in row]
    for edit in message.edits:
        parts.append(edit.text or "")
    if message.document_file is not None:
        file = message.document_file
        parts += [file.file_name or "", document_text(file.data, file.file_name)]
    return "\n".join(parts)


@dataclass
class LeakScanner:
    """Scans bot output outside A's chat for A's strings, each message once."""

    sandbox: BotApiSandbox
    secrets: tuple[str, ...] = SECRET_FRAGMENTS
    _seen: dict[int, int] = field(default_factory=dict)
    _edits: dict[int, int] = field(default_factory=dict)

    def leaks(self, chat_ids: Iterable[int]) -> list[str]:
        found: list[str] = []
        for chat_id in chat_ids:
            if chat_id == OWNER_ID:
                continue
            sent = self.sandbox.messages(chat_id)
            fresh = sent[self._seen.get(chat_id, 0) :]
            self._seen[chat_id] = len(sent)
            edited = [m for m in sent[: len(sent) - len(fresh)] if m.edits]
            for message in [*fresh, *edited]:
                shown = visible(message).casefold()
                found += [
                    f"chat {chat_id} message #{message.message_id}: {secret!r}"
                    for secret in self.secrets
                    if secret.casefold() in shown
                ]
        return found


# ------------------------------------------------------------------------ errors, settling
THIRD_PARTY_NOISE = ("pypdf",)


class ErrorRecorder(logging.Handler):
    """Keeps every ERROR (and worse) record logged anywhere in the process."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.noise = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(THIRD_PARTY_NOISE):
            self.noise += 1  # pypdf logs ERROR about hostile PDFs it then reads anyway
            return
        self.records.append(record)

    def take(self) -> list[str]:
        """The records since the last call, formatted with their tracebacks."""
        formatter = logging.Formatter("%(name)s: %(message)s")
        lines = [formatter.format(record) for record in self.records]
        self.records.clear()
        return lines


@contextmanager
def recording_errors() -> Iterator[ErrorRecorder]:
    recorder = ErrorRecorder()
    root = logging.getLogger()
    root.addHandler(recorder)
    try:
        yield recorder
    finally:
        root.removeHandler(recorder)


def processed(app: CMEApplication) -> int:
    """How many updates the Application has finished (handlers and error handler ran)."""
    total = 0.0
    for metric in app.bot_data.services.metrics.updates.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total"):
                total += sample.value
    return int(total)


class Completions:
    """Which update ids the Application has finished, one by one (not just how many)."""

    def __init__(self, app: CMEApplication) -> None:
        self.done: set[int] = set()
        self._changed = asyncio.Event()
        processor: Any = app.update_processor
        measured = processor._measured

        async def recording(update: object, coroutine: Any) -> None:
            try:
                await measured(update, coroutine)
            finally:
                update_id = getattr(update, "update_id", None)
                if update_id is not None:
                    self.done.add(update_id)
                self._changed.set()

        processor._measured = recording

    async def wait(self, update_id: int, limit: float = 20.0) -> bool:
        """True once ``update_id`` is finished; False after ``limit`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while update_id not in self.done:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True


async def settle(bot: BotUnderTest, update_id: int, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait until every update up to ``update_id`` was handled to the end."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while processed(bot.app) < update_id:
        if loop.time() > deadline:
            raise AssertionError(
                f"the bot finished {processed(bot.app)} of {update_id} updates within "
                f"{timeout}s: a handler hangs or an update was dropped"
            )
        await asyncio.sleep(0.003)
