"""Credit entries and certificates, always read through their owner."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Certificate, Clinician, CreditEntry


async def add(
    session: AsyncSession,
    owner: Clinician,
    *,
    completed_on: date,
    amount: Decimal,
    category: str,
    title: str,
    now: datetime,
    topics: Sequence[str] = (),
    activity_type: str | None = None,
    provider: str | None = None,
    certificate_id: int | None = None,
    source: str = "chat",
    same_activity_as: int | None = None,
    group_id: int | None = None,
    uan: str | None = None,
) -> CreditEntry:
    entry = CreditEntry(
        clinician_id=owner.id,
        completed_on=completed_on,
        amount=amount,
        category=category,
        topics=sorted(set(topics)),
        activity_type=activity_type,
        title=title,
        provider=provider,
        certificate_id=certificate_id,
        source=source,
        created_at=now,
        same_activity_as=same_activity_as,
        group_id=group_id,
        uan=uan or None,
    )
    session.add(entry)
    await session.flush()
    return entry


async def list_for(
    session: AsyncSession, owner: Clinician, *, since: date | None = None
) -> list[CreditEntry]:
    """All the owner's entries (optionally from a date), oldest first."""
    query = select(CreditEntry).where(CreditEntry.clinician_id == owner.id)
    if since is not None:
        query = query.where(CreditEntry.completed_on >= since)
    result = await session.execute(query.order_by(CreditEntry.completed_on, CreditEntry.id))
    return list(result.scalars())


async def credit_rows(session: AsyncSession, owner: Clinician) -> list[Any]:
    """The owner's entries as plain rows (no ORM objects): what the arithmetic needs, fast."""
    table = CreditEntry.__table__
    result = await session.execute(
        select(
            table.c.id, table.c.completed_on, table.c.amount, table.c.category, table.c.topics,
            table.c.activity_type, table.c.title, table.c.same_activity_as,
        ).where(table.c.clinician_id == owner.id)
    )  # fmt: skip
    return list(result.all())


async def page_for(
    session: AsyncSession, owner: Clinician, *, offset: int, limit: int
) -> tuple[list[CreditEntry], int]:
    """One page of the owner's entries, newest first, and the total count."""
    total = await session.scalar(
        select(func.count()).select_from(CreditEntry).where(CreditEntry.clinician_id == owner.id)
    )
    result = await session.execute(
        select(CreditEntry)
        .where(CreditEntry.clinician_id == owner.id)
        .order_by(CreditEntry.completed_on.desc(), CreditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(result.scalars()), int(total or 0)


async def get(session: AsyncSession, owner: Clinician, entry_id: int) -> CreditEntry | None:
    result = await session.execute(
        select(CreditEntry).where(CreditEntry.id == entry_id, CreditEntry.clinician_id == owner.id)
    )
    return result.scalar_one_or_none()


async def last_added(session: AsyncSession, owner: Clinician) -> CreditEntry | None:
    result = await session.execute(
        select(CreditEntry)
        .where(CreditEntry.clinician_id == owner.id)
        .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def find_duplicate(
    session: AsyncSession,
    owner: Clinician,
    *,
    title: str,
    completed_on: date,
    amount: Decimal | None = None,
    category: str | None = None,
    topics: Collection[str] = (),
) -> CreditEntry | None:
    """An entry that looks like this one logged again: on the same day, with the same title
    (case-insensitive), or with the same amount, category and topics under other words
    (QA round 11: "a 2 hour medical errors course … January 20" and "/log 2 medical errors
    Jan 20" were both counted)."""
    result = await session.execute(
        select(CreditEntry).where(
            CreditEntry.clinician_id == owner.id, CreditEntry.completed_on == completed_on
        )
    )
    same_day = list(result.scalars())
    wanted = title.strip().lower()
    for entry in same_day:
        if entry.title.strip().lower() == wanted:
            return entry
    if amount is None:
        return None
    for entry in same_day:
        if (
            entry.amount == amount
            and entry.category == category
            and set(entry.topics or ()) == set(topics)
        ):
            return entry
    return None


async def remove(session: AsyncSession, owner: Clinician, entry_id: int) -> bool:
    result = await session.execute(
        delete(CreditEntry).where(CreditEntry.id == entry_id, CreditEntry.clinician_id == owner.id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    # Its other kinds of credit stand alone now (an id SQLite may hand out again must not
    # tie a future entry to them).
    await session.execute(
        update(CreditEntry)
        .where(CreditEntry.clinician_id == owner.id, CreditEntry.same_activity_as == entry_id)
        .values(same_activity_as=None)
    )
    return True


async def same_activity(
    session: AsyncSession, owner: Clinician, entry: CreditEntry
) -> list[CreditEntry]:
    """The other entries of the activity ``entry`` belongs to (its other kinds of credit)."""
    first = entry.same_activity_as or entry.id
    rows = await session.scalars(
        select(CreditEntry).where(
            CreditEntry.clinician_id == owner.id,
            CreditEntry.id != entry.id,
            or_(CreditEntry.id == first, CreditEntry.same_activity_as == first),
        )
    )
    return list(rows)


def link_parts(entries: Sequence[CreditEntry]) -> None:
    """Mark entries (flushed, the first first) as the parts of one activity."""
    for entry in entries:
        entry.group_id = entries[0].id


async def parts_of(
    session: AsyncSession, owner: Clinician, entry: CreditEntry
) -> list[CreditEntry]:
    """The other parts of the activity ``entry`` is a part of ("18 contact hours including
    6 pharmacology": the 12 and the 6), oldest first: by ``group_id``; for entries saved
    before it was kept, by :func:`logged_with`, less the activity's other kinds of credit
    (those are :func:`same_activity`'s: a line is split into parts or kinds, never both)."""
    if entry.group_id is not None:
        rows = await session.scalars(
            select(CreditEntry)
            .where(
                CreditEntry.clinician_id == owner.id,
                CreditEntry.group_id == entry.group_id,
                CreditEntry.id != entry.id,
            )
            .order_by(CreditEntry.id)
        )
        return list(rows)
    if entry.same_activity_as is not None:
        return []
    return [
        other
        for other in await logged_with(session, owner, entry)
        if other.same_activity_as is None and other.group_id is None
    ]


async def logged_with(
    session: AsyncSession, owner: Clinician, entry: CreditEntry
) -> list[CreditEntry]:
    """The other entries saved together with ``entry`` for one activity ("18 contact hours
    including 6 pharmacology": the 12 and the 6): same title and day, same moment saved, ids
    next to each other. How parts saved before ``group_id`` (0014) are still found."""
    rows = await session.scalars(
        select(CreditEntry)
        .where(
            CreditEntry.clinician_id == owner.id,
            CreditEntry.created_at == entry.created_at,
            CreditEntry.completed_on == entry.completed_on,
            CreditEntry.title == entry.title,
        )
        .order_by(CreditEntry.id)
    )
    found = list(rows)
    ids = [row.id for row in found]
    if entry.id not in ids:
        return []
    at = ids.index(entry.id)
    low = high = at  # the run of consecutive ids around the entry
    while low > 0 and ids[low - 1] == ids[low] - 1:
        low -= 1
    while high + 1 < len(ids) and ids[high + 1] == ids[high] + 1:
        high += 1
    return [row for row in found[low : high + 1] if row.id != entry.id]


async def add_certificate(
    session: AsyncSession,
    owner: Clinician,
    *,
    file_name: str,
    mime_type: str,
    content: bytes,
    sha256: str,
    now: datetime,
    storage_path: str | None = None,
    extracted_text: str | None = None,
) -> Certificate:
    certificate = Certificate(
        clinician_id=owner.id,
        file_name=file_name,
        mime_type=mime_type,
        size_bytes=len(content),
        sha256=sha256,
        content=None if storage_path else content,
        storage_path=storage_path,
        extracted_text=extracted_text,
        created_at=now,
    )
    session.add(certificate)
    await session.flush()
    return certificate


async def get_certificate(
    session: AsyncSession, owner: Clinician, certificate_id: int
) -> Certificate | None:
    result = await session.execute(
        select(Certificate).where(
            Certificate.id == certificate_id, Certificate.clinician_id == owner.id
        )
    )
    return result.scalar_one_or_none()


async def certificate_name(
    session: AsyncSession, owner: Clinician, certificate_id: int
) -> str | None:
    """The file name of one of the clinician's uploads (without loading its bytes)."""
    return await session.scalar(
        select(Certificate.file_name).where(
            Certificate.id == certificate_id, Certificate.clinician_id == owner.id
        )
    )


async def entries_with_certificates(
    session: AsyncSession, owner: Clinician, certificate_ids: set[int], *, excluding: list[int]
) -> int:
    """How many of these certificates some entry (other than ``excluding``) still uses."""
    return int(
        await session.scalar(
            select(func.count(func.distinct(CreditEntry.certificate_id))).where(
                CreditEntry.clinician_id == owner.id,
                CreditEntry.certificate_id.in_(certificate_ids),
                CreditEntry.id.not_in(excluding),
            )
        )
        or 0
    )


async def list_certificates(session: AsyncSession, owner: Clinician) -> list[Certificate]:
    result = await session.execute(
        select(Certificate).where(Certificate.clinician_id == owner.id).order_by(Certificate.id)
    )
    return list(result.scalars())


@dataclass(frozen=True, slots=True)
class DiscardedUpload:
    """An upload deleted because no entry used it."""

    file_name: str
    orphan_path: str | None  # its stored file, when no other upload shares it: remove it


async def discard_unused_certificate(
    session: AsyncSession, owner: Clinician, certificate_id: int
) -> DiscardedUpload | None:
    """Delete an upload no entry uses (its draft was cancelled); None when it was kept
    (an entry uses it) or is not the owner's. The same PDF sent twice is stored once, so
    the file itself is returned for removal only when no other upload shares it."""
    certificate = await get_certificate(session, owner, certificate_id)
    if certificate is None:
        return None
    used = await session.scalar(
        select(CreditEntry.id).where(CreditEntry.certificate_id == certificate_id).limit(1)
    )
    if used is not None:
        return None
    path, name = certificate.storage_path, certificate.file_name
    await session.delete(certificate)
    await session.flush()
    if not path:
        return DiscardedUpload(name, None)
    shared = await session.scalar(
        select(Certificate.id).where(Certificate.storage_path == path).limit(1)
    )
    return DiscardedUpload(name, None if shared is not None else path)
