"""The reminder outbox: the durable queue of what should reach whom, and when.

Row life: ``pending`` → ``claimed`` (leased to one dispatcher) → ``sending`` (committed
just before the Telegram call) → ``sent`` (with Telegram's message id). Side exits:
``pending`` again with a later ``due_at`` (retry), ``failed``, ``dropped`` (nothing to
say any more, e.g. the licence is complete), ``cancelled``, ``superseded`` (another
message said it: a newer step due at the same time, or one sent shortly before). A
crashed dispatcher leaves ``claimed``/``sending`` rows whose lease expires; they are
claimed again. Only rows that were ``sending`` at the crash can be delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Clinician, ReminderOutbox

OPEN_STATUSES = ("pending", "claimed", "sending")
POSSIBLE_DUPLICATE = "lease expired while sending: possible duplicate"
DONE_STATUSES = ("sent", "failed", "dropped", "cancelled", "superseded")


def dedupe_key(clinician_id: int, kind: str, target_id: int | None, step: str) -> str:
    return f"{clinician_id}:{kind}:{target_id if target_id is not None else '-'}:{step}"


@dataclass(frozen=True, slots=True)
class Planned:
    """A reminder the planner wants to exist."""

    clinician_id: int
    kind: str
    target_id: int | None
    step: str
    due_at: datetime
    payload: dict[str, Any] | None = None
    key: str = field(init=False, compare=False)
    """The dedupe key, computed once: the first pass over 100,000 clinicians reads 700,000
    of them twice (the diff against the outbox, then the insert)."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "key", dedupe_key(self.clinician_id, self.kind, self.target_id, self.step)
        )


def _insert(session: AsyncSession) -> Any:
    bind = session.get_bind()
    return pg_insert if bind.dialect.name == "postgresql" else sqlite_insert


def _row(item: Planned, now: datetime) -> dict[str, Any]:
    return {
        "clinician_id": item.clinician_id,
        "kind": item.kind,
        "target_id": item.target_id,
        "dedupe_key": item.key,
        "due_at": item.due_at,
        "status": "pending",
        "attempts": 0,
        "payload": item.payload,
        "created_at": now,
        "updated_at": now,
    }


async def upsert_planned(session: AsyncSession, planned: Sequence[Planned], now: datetime) -> int:
    """Insert new reminders; move pending ones whose due time changed. Never duplicates."""
    if not planned:
        return 0
    insert = _insert(session)
    statement = insert(ReminderOutbox).values([_row(item, now) for item in planned])
    statement = statement.on_conflict_do_update(
        index_elements=["dedupe_key"],
        set_={"due_at": statement.excluded.due_at, "updated_at": statement.excluded.updated_at},
        where=and_(
            ReminderOutbox.status == "pending",
            ReminderOutbox.due_at != statement.excluded.due_at,
        ),
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def record_said(session: AsyncSession, said: Sequence[Planned], now: datetime) -> set[str]:
    """Record messages a chat turn says itself as ``sent`` rows; returns the keys that were
    new. A key recorded before (in any state) is left alone and not returned: the caller
    says only the new ones, so a note meant once per key stays once (the 🎉 of a cycle,
    after an undo and the same entry logged again)."""
    if not said:
        return set()
    rows = [_row(item, now) | {"status": "sent", "sent_at": now} for item in said]
    statement = (
        _insert(session)(ReminderOutbox)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(ReminderOutbox.dedupe_key)
    )
    return set((await session.execute(statement)).scalars().all())


async def insert_new(session: AsyncSession, planned: Sequence[Planned], now: datetime) -> None:
    """Insert planned rows; keys that exist already are left as they are.

    On PostgreSQL one statement reads the rows as arrays (``unnest``): an executemany is a
    round trip and an index check per row, and the planner's first pass inserts 800,000.
    On SQLite one executemany of tuples already in the stored form, straight to the
    driver: SQLAlchemy's per-value type processing was a third of the insert's time
    (160,000 rows: 5.9 s, 3.8 s without it)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_UNNEST_INSERT, _columns_of(planned, now))
        return
    stamp = _sqlite_stamp(now)
    rows = [
        (
            item.clinician_id, item.kind, item.target_id, item.key, _sqlite_stamp(item.due_at),
            None if item.payload is None else json.dumps(item.payload), stamp, stamp,
        )
        for item in planned
    ]  # fmt: skip
    connection = await session.connection()
    await connection.exec_driver_sql(_SQLITE_INSERT, rows)


_SQLITE_INSERT = """
    INSERT INTO reminder_outbox
        (clinician_id, kind, target_id, dedupe_key, due_at, payload,
         status, attempts, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
    ON CONFLICT (dedupe_key) DO NOTHING
"""


def _sqlite_stamp(moment: datetime) -> str:
    """An aware datetime as SQLAlchemy stores it on SQLite (naive UTC, microseconds):
    rows written here compare and read back like every other row (tested)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


_UNNEST_INSERT = text(
    """
    INSERT INTO reminder_outbox
        (clinician_id, kind, target_id, dedupe_key, due_at, payload,
         status, attempts, created_at, updated_at)
    SELECT owner, kind, target, key, due, CAST(payload AS jsonb), 'pending', 0, :now, :now
    FROM unnest(
        CAST(:owners AS bigint[]), CAST(:kinds AS text[]), CAST(:targets AS integer[]),
        CAST(:keys AS text[]), CAST(:dues AS timestamptz[]), CAST(:payloads AS text[])
    ) AS planned(owner, kind, target, key, due, payload)
    ON CONFLICT (dedupe_key) DO NOTHING
    """
)


def _columns_of(planned: Sequence[Planned], now: datetime) -> dict[str, Any]:
    return {
        "now": now,
        "owners": [item.clinician_id for item in planned],
        "kinds": [item.kind for item in planned],
        "targets": [item.target_id for item in planned],
        "keys": [item.key for item in planned],
        "dues": [item.due_at for item in planned],
        "payloads": [None if i.payload is None else json.dumps(i.payload) for i in planned],
    }


async def move_pending(
    session: AsyncSession, moves: Sequence[dict[str, Any]], now: datetime
) -> None:
    """Set new due times ({"row_id", "due"}) on pending or cancelled rows (revives them)."""
    table = ReminderOutbox.__table__
    await session.execute(
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            or_(table.c.status == "pending", table.c.status == "cancelled"),
        )
        .values(due_at=bindparam("due"), status="pending", last_error=None, updated_at=now),
        list(moves),
    )


async def cancel_ids(
    session: AsyncSession,
    ids: Sequence[int],
    now: datetime,
    *,
    reason: str,
    status: str = "cancelled",
) -> int:
    """Cancel these rows (or give them another final ``status``: "superseded") if they are
    still pending: a row claimed meanwhile is left to its dispatcher. Returns how many."""
    if not ids:
        return 0
    result = await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.id.in_(list(set(ids))), ReminderOutbox.status == "pending")
        .values(status=status, last_error=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def cancel_pending(
    session: AsyncSession,
    clinician_id: int,
    now: datetime,
    *,
    kinds: Iterable[str] | None = None,
    target_id: int | None = None,
    keep_keys: Iterable[str] = (),
    reason: str = "no longer needed",
    due_after: datetime | None = None,
) -> int:
    """Cancel a clinician's pending reminders (of some kinds / a target), except ``keep_keys``.

    With ``due_after``, rows already due are left alone: the dispatcher renders them at
    send time and drops the ones with nothing left to say.
    """
    conditions = [ReminderOutbox.clinician_id == clinician_id, ReminderOutbox.status == "pending"]
    if due_after is not None:
        conditions.append(ReminderOutbox.due_at > due_after)
    if kinds is not None:
        conditions.append(ReminderOutbox.kind.in_(list(kinds)))
    if target_id is not None:
        conditions.append(ReminderOutbox.target_id == target_id)
    keep = list(keep_keys)
    if keep:
        conditions.append(ReminderOutbox.dedupe_key.not_in(keep))
    result = await session.execute(
        update(ReminderOutbox)
        .where(*conditions)
        .values(status="cancelled", last_error=reason, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


PAUSED = "paused"
"""Why a row was cancelled when the clinician paused reminders: on resume, the ones that
fell due meanwhile are counted and said (QA round 9: they vanished without a word)."""
_PAUSED_TOLD = "paused; told on resume"


async def cancel_for_pause(
    session: AsyncSession, clinician_id: int, now: datetime, kinds: Iterable[str], keep_mark: str
) -> None:
    """Cancel the clinician's pending reminders of ``kinds`` as paused (a row whose key has
    ``keep_mark``, a snooze, stays: the clinician's own, it outlives the pause)."""
    await session.execute(
        update(ReminderOutbox)
        .where(
            ReminderOutbox.clinician_id == clinician_id,
            ReminderOutbox.status == "pending",
            ReminderOutbox.kind.in_(list(kinds)),
            ReminderOutbox.dedupe_key.not_like(f"%{keep_mark}%"),
        )
        .values(status="cancelled", last_error=PAUSED, updated_at=now)
    )


async def missed_while_paused(session: AsyncSession, clinician_id: int, now: datetime) -> int:
    """How many reminders cancelled by a pause fell due before ``now``, after the resume's
    re-plan revived the ones still wanted. Every row the pause marked loses its mark, so a
    later pause counts only its own (review)."""
    paused = (
        ReminderOutbox.clinician_id == clinician_id,
        ReminderOutbox.status == "cancelled",
        ReminderOutbox.last_error == PAUSED,
    )
    result = await session.execute(
        update(ReminderOutbox)
        .where(*paused, ReminderOutbox.due_at <= now)
        .values(last_error=_PAUSED_TOLD, updated_at=now)
    )
    await session.execute(
        update(ReminderOutbox).where(*paused).values(last_error="re-planned", updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, worker: str, lease: timedelta
) -> list[ReminderOutbox]:
    """Lease up to ``limit`` due rows (and rows whose lease expired) to ``worker``.

    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL lets several dispatchers claim at once
    without taking the same row; SQLite serialises writers (BEGIN IMMEDIATE). One
    UPDATE marks the whole batch, whatever its size.
    """
    due = or_(
        and_(ReminderOutbox.status == "pending", ReminderOutbox.due_at <= now),
        and_(
            ReminderOutbox.status.in_(("claimed", "sending")),
            ReminderOutbox.lease_until < now,
        ),
    )
    picked = (
        (
            await session.execute(
                select(ReminderOutbox.id)
                .where(due)
                .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    if not picked:
        return []
    ids = list(picked)
    await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.id.in_(ids))
        .values(
            # A row found "sending" may have reached Telegram before its process died.
            last_error=case(
                (ReminderOutbox.status == "sending", POSSIBLE_DUPLICATE),
                else_=ReminderOutbox.last_error,
            ),
            status="claimed",
            lease_until=now + lease,
            leased_by=worker,
            attempts=ReminderOutbox.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    rows = await session.execute(
        select(ReminderOutbox)
        .where(ReminderOutbox.id.in_(ids))
        .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


async def mark_sending_many(
    session: AsyncSession, ids: Sequence[int], worker: str, now: datetime
) -> set[int]:
    """Commit "sending" for the rows about to go out; returns those still leased to us."""
    if not ids:
        return set()
    result = await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.id.in_(list(ids)), ReminderOutbox.leased_by == worker)
        .values(status="sending", updated_at=now)
        .returning(ReminderOutbox.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars().all())


async def mark_sent_many(
    session: AsyncSession, sent: Sequence[tuple[int, int]], worker: str, now: datetime
) -> None:
    """Record Telegram's message id for each (row id, message id), in one executemany."""
    if not sent:
        return
    table = ReminderOutbox.__table__
    await session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.leased_by == worker)
        .values(
            status="sent",
            sent_at=now,
            telegram_message_id=bindparam("message_id"),
            lease_until=None,
            updated_at=now,
        ),
        [{"row_id": row_id, "message_id": message_id} for row_id, message_id in sent],
    )


async def mark_done_many(
    session: AsyncSession, ids: Sequence[int], worker: str, now: datetime, *, status: str,
    error: str,
) -> None:  # fmt: skip
    """Finish rows without sending (``dropped``, ``failed``, ``cancelled``)."""
    if not ids:
        return
    if status not in DONE_STATUSES:
        raise ValueError(status)
    await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.id.in_(list(ids)), ReminderOutbox.leased_by == worker)
        .values(status=status, last_error=error[:1000], lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def _set(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    """Update a row only while ``worker`` still holds its lease."""
    result = await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.id == row_id, ReminderOutbox.leased_by == worker)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_sending(session: AsyncSession, row_id: int, worker: str, now: datetime) -> bool:
    return await _set(session, row_id, worker, status="sending", updated_at=now)


async def mark_sent(
    session: AsyncSession, row_id: int, worker: str, now: datetime, message_id: int
) -> bool:
    return await _set(
        session,
        row_id,
        worker,
        status="sent",
        sent_at=now,
        telegram_message_id=message_id,
        lease_until=None,
        updated_at=now,
    )


async def mark_retry(
    session: AsyncSession, row_id: int, worker: str, now: datetime, *, at: datetime, error: str
) -> bool:
    return await _set(
        session,
        row_id,
        worker,
        status="pending",
        due_at=at,
        last_error=error[:1000],
        lease_until=None,
        leased_by=None,
        updated_at=now,
    )


async def mark_done(
    session: AsyncSession, row_id: int, worker: str, now: datetime, *, status: str, error: str
) -> bool:
    """Finish a row without sending: ``failed``, ``dropped`` or ``cancelled``."""
    if status not in DONE_STATUSES:
        raise ValueError(status)
    return await _set(
        session,
        row_id,
        worker,
        status=status,
        last_error=error[:1000],
        lease_until=None,
        updated_at=now,
    )


async def release(session: AsyncSession, worker: str, now: datetime) -> int:
    """Give back every row this worker claimed but did not start sending (shutdown)."""
    result = await session.execute(
        update(ReminderOutbox)
        .where(ReminderOutbox.leased_by == worker, ReminderOutbox.status == "claimed")
        .values(status="pending", lease_until=None, leased_by=None, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def counts_by_status(session: AsyncSession) -> dict[str, int]:
    result = await session.execute(
        select(ReminderOutbox.status, func.count()).group_by(ReminderOutbox.status)
    )
    return {status: int(count) for status, count in result.all()}


async def oldest_due(session: AsyncSession, now: datetime) -> datetime | None:
    """The due time of the oldest pending row that is already due (for outbox lag)."""
    return await session.scalar(
        select(func.min(ReminderOutbox.due_at)).where(
            ReminderOutbox.status == "pending", ReminderOutbox.due_at <= now
        )
    )


async def upcoming_for(
    session: AsyncSession, owner: Clinician, now: datetime, limit: int = 10
) -> list[ReminderOutbox]:
    """The clinician's next pending reminders (for /reminders).

    Rows for the same thing at the same moment (a snooze landing on a ladder step) are
    sent once (see the renewal renderer), so they are listed once.
    """
    result = await session.execute(
        select(ReminderOutbox)
        .where(
            ReminderOutbox.clinician_id == owner.id,
            ReminderOutbox.status == "pending",
            ReminderOutbox.due_at >= now - timedelta(minutes=5),
        )
        .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
        .limit(2 * limit)
    )
    unique = {
        (row.kind, row.target_id, row.due_at): row for row in reversed(result.scalars().all())
    }
    return sorted(unique.values(), key=lambda row: (row.due_at, row.id))[:limit]


async def all_for(session: AsyncSession, owner: Clinician) -> list[ReminderOutbox]:
    """Every reminder and notice of the clinician, queued or sent, by due time (/export)."""
    rows = await session.scalars(
        select(ReminderOutbox)
        .where(ReminderOutbox.clinician_id == owner.id)
        .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
    )
    return list(rows)


async def next_pending(
    session: AsyncSession, owner: Clinician, kind: str, target_id: int, now: datetime
) -> ReminderOutbox | None:
    """The clinician's next pending reminder of this kind for this target, if any."""
    return await session.scalar(
        select(ReminderOutbox)
        .where(
            ReminderOutbox.clinician_id == owner.id,
            ReminderOutbox.kind == kind,
            ReminderOutbox.target_id == target_id,
            ReminderOutbox.status == "pending",
            ReminderOutbox.due_at > now,
        )
        .order_by(ReminderOutbox.due_at)
        .limit(1)
    )
