"""Every repository read is scoped to its owner: B can never reach A's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store import clinicians, credits, licences, subscriptions
from bot.store.db import transaction
from bot.store.models import Clinician, Course, CreditEntry

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.postgres


async def _two_clinicians(session: AsyncSession) -> tuple[Clinician, Clinician]:
    a, _ = await clinicians.get_or_create(
        session, clinicians.TelegramIdentity(1001, 1001, "Ana"), default_timezone="UTC", now=NOW
    )
    b, _ = await clinicians.get_or_create(
        session, clinicians.TelegramIdentity(2002, 2002, "Ben"), default_timezone="UTC", now=NOW
    )
    return a, b


async def _course(session: AsyncSession) -> Course:
    course = Course(
        source="test",
        source_id="c1",
        title="Opioid safety",
        credits=Decimal("2"),
        category="ama_pra_1",
        topics=["opioid_prescribing"],
        format="online",
        starts_at=NOW,
        ends_at=NOW,
        timezone="UTC",
        content_hash="x",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(course)
    await session.flush()
    return course


async def test_user_b_cannot_read_or_change_user_a_rows(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        a, b = await _two_clinicians(session)
        licence = await licences.add(session, a, label="Texas MD", rule_id="us-tx-md", now=NOW)
        certificate = await credits.add_certificate(
            session,
            a,
            file_name="c.pdf",
            mime_type="application/pdf",
            content=b"%PDF",
            sha256="0" * 64,
            now=NOW,
        )
        entry = await credits.add(
            session,
            a,
            completed_on=date(2026, 11, 1),
            amount=Decimal("2.5"),
            category="ama_pra_1",
            title="Ethics",
            now=NOW,
            topics=["ethics"],
            certificate_id=certificate.id,
        )
        course = await _course(session)
        assert await subscriptions.subscribe(session, a, course.id, NOW)

    async with transaction(sessionmaker) as session:
        b = await clinicians.find(session, 2002)
        assert b is not None
        assert await licences.list_for(session, b) == []
        assert await licences.get(session, b, licence.id) is None
        assert not await licences.remove(session, b, licence.id)
        assert await credits.list_for(session, b) == []
        assert await credits.page_for(session, b, offset=0, limit=10) == ([], 0)
        assert await credits.get(session, b, entry.id) is None
        assert await credits.last_added(session, b) is None
        assert (
            await credits.find_duplicate(session, b, title="Ethics", completed_on=date(2026, 11, 1))
            is None
        )
        assert not await credits.remove(session, b, entry.id)
        assert await credits.get_certificate(session, b, certificate.id) is None
        assert await credits.list_certificates(session, b) == []
        assert await subscriptions.list_for(session, b) == []
        assert not await subscriptions.unsubscribe(session, b, course.id)

    async with transaction(sessionmaker) as session:
        a = await clinicians.find(session, 1001)
        assert a is not None
        assert [x.id for x in await licences.list_for(session, a)] == [licence.id]
        stored = await credits.get(session, a, entry.id)
        assert stored is not None and stored.amount == Decimal("2.50")
        assert stored.topics == ["ethics"]
        assert len(await subscriptions.list_for(session, a)) == 1


async def test_forget_cascades_to_every_owned_row(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        a, b = await _two_clinicians(session)
        await licences.add(session, a, label="FL", now=NOW)
        for owner in (a, b):
            await credits.add(
                session,
                owner,
                completed_on=date(2026, 1, 1),
                amount=Decimal(1),
                category="ama_pra_1",
                title="x",
                now=NOW,
            )
    async with transaction(sessionmaker) as session:
        a = await clinicians.find(session, 1001)
        assert a is not None
        await clinicians.forget(session, a)
    async with transaction(sessionmaker) as session:
        assert await clinicians.find(session, 1001) is None
        remaining = await session.scalar(select(func.count()).select_from(CreditEntry))
        assert remaining == 1  # only Ben's


async def test_times_round_trip_as_aware_utc(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        a, _ = await _two_clinicians(session)
    async with transaction(sessionmaker) as session:
        a = await clinicians.find(session, 1001)
        assert a is not None
        assert a.created_at == NOW and a.created_at.tzinfo is not None


async def test_subscribe_twice_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        a, _ = await _two_clinicians(session)
        course = await _course(session)
        assert await subscriptions.subscribe(session, a, course.id, NOW)
        assert not await subscriptions.subscribe(session, a, course.id, NOW)


async def test_one_activitys_kinds_of_credit_stay_the_owners_and_part_when_one_goes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with transaction(sessionmaker) as session:
        a, b = await _two_clinicians(session)
        common = {"completed_on": date(2026, 11, 1), "title": "Sepsis", "now": NOW}
        first = await credits.add(session, a, amount=Decimal(2), category="ama_pra_1", **common)
        moc = await credits.add(
            session, a, amount=Decimal(2), category="moc", same_activity_as=first.id, **common
        )
        bens = await credits.add(session, b, amount=Decimal(1), category="moc", **common)
        assert [e.id for e in await credits.same_activity(session, a, first)] == [moc.id]
        assert [e.id for e in await credits.same_activity(session, a, moc)] == [first.id]
        assert await credits.same_activity(session, b, moc) == []  # scoped to the owner
        assert await credits.same_activity(session, b, bens) == []
        assert await credits.remove(session, a, first.id)
        await session.refresh(moc)
        assert moc.same_activity_as is None


async def test_the_parts_of_a_split_activity_are_the_owners(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """group_id links the parts of "18 hours including 6 pharmacology": only the owner's
    rows with that link, whatever another clinician's rows carry."""
    async with transaction(sessionmaker) as session:
        a, b = await _two_clinicians(session)
        common = {"completed_on": date(2026, 11, 1), "title": "Conference", "now": NOW}
        rest = await credits.add(session, a, amount=Decimal(12), category="ancc", **common)
        part = await credits.add(
            session, a, amount=Decimal(6), category="ancc", topics=["pharmacology"], **common
        )
        credits.link_parts([rest, part])
        bens = await credits.add(
            session, b, amount=Decimal(1), category="ancc", group_id=rest.id, **common
        )
        later = {**common, "now": NOW.replace(hour=13)}
        alone = await credits.add(session, a, amount=Decimal(1), category="ancc", **later)
        await session.flush()
        assert rest.group_id == part.group_id == rest.id
        assert [e.id for e in await credits.parts_of(session, a, rest)] == [part.id]
        assert [e.id for e in await credits.parts_of(session, a, part)] == [rest.id]
        assert await credits.parts_of(session, b, bens) == []  # not A's, same group_id
        assert await credits.parts_of(session, a, alone) == []  # saved at another moment
