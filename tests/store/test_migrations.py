"""Migrations: every revision upgrades, downgrades and upgrades again; models match."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select

from bot.store import migrate
from bot.store.db import create_engine
from bot.store.models import Base, Clinician, Course, CourseTopic, CreditEntry, Licence


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}"
    return request.getfixturevalue("fresh_pg_database")


async def test_stairway_each_revision_up_down_up(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        previous = "base"
        for revision in _revisions():
            await migrate.upgrade(engine, revision)
            await migrate.downgrade(engine, previous)
            await migrate.upgrade(engine, revision)
            assert await migrate.current_revision(engine) == revision
            previous = revision
        await migrate.downgrade(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
    finally:
        await engine.dispose()


async def test_models_match_migrations(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata
                )
            )
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        await engine.dispose()


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1


def _course_row(source_id: str, topics: list[str], cell: int | None, now: datetime) -> dict:
    return {
        "source": "s", "source_id": source_id, "title": "T", "credits": Decimal(1),
        "category": "ama_pra_1", "topics": topics, "format": "on_demand", "starts_at": now,
        "ends_at": now, "timezone": "UTC", "geo_cell": cell, "status": "active",
        "content_hash": source_id, "created_at": now, "updated_at": now,
    }  # fmt: skip


async def test_the_topic_index_is_built_for_courses_already_stored(
    empty_database_url: str,
) -> None:
    """0006 fills course_topics from courses.topics, so old catalogues stay searchable."""
    engine = create_engine(empty_database_url)
    try:
        await migrate.upgrade(engine, "0005")
        now = datetime(2026, 12, 4, 12, tzinfo=UTC)
        async with engine.begin() as connection:
            await connection.execute(
                insert(Course.__table__),
                [
                    _course_row("a", ["ethics", "opioid_prescribing", "ethics"], None, now),
                    _course_row("b", [], 7, now),
                    _course_row("c", ["sepsis"], 7, now),
                ],
            )
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(Course.source_id, CourseTopic.topic, CourseTopic.geo_cell,
                       CourseTopic.starts_at)
                .join(Course, Course.id == CourseTopic.course_id)
                .order_by(Course.source_id, CourseTopic.topic)
            )  # fmt: skip
            assert [tuple(row) for row in rows] == [
                ("a", "ethics", None, now),
                ("a", "opioid_prescribing", None, now),
                ("c", "sepsis", 7, now),
            ]
    finally:
        await engine.dispose()


async def test_described_requirements_lose_the_date_in_their_labels(
    empty_database_url: str,
) -> None:
    """0013: "Texas APRN (due Mar 31, 2027)" went stale once the cycle moved on; names
    that become equal are numbered, a shipped licence's label is left alone."""
    engine = create_engine(empty_database_url)
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}
    try:
        await migrate.upgrade(engine, "0012")
        async with engine.begin() as connection:
            await connection.execute(insert(Clinician.__table__), [{
                "id": 1, "telegram_id": 1, "chat_id": 1, "first_name": "A",
                "timezone": "UTC", "quiet_start_min": 0, "quiet_end_min": 0, "flags": [],
                "active": True, "reminders_paused": False, **stamps,
            }])  # fmt: skip
            rule = {"total": "20", "deadline": "2027-03-31"}
            labels = [
                ("Texas APRN (due Mar 31, 2027)", rule),
                ("My requirement (due Dec 31, 2027)", rule),
                ("My requirement (due Jun 30, 2028)", rule),
                ("Texas Medical Board (due x)", None),
                ("Board (due Jan 1, 2027)", None),  # a shipped licence renamed so: its own
            ]  # fmt: skip
            await connection.execute(insert(Licence.__table__), [
                {"id": n, "clinician_id": 1, "label": label, "custom_rule": custom, "flags": [],
                 "reminders_muted": False, **stamps}
                for n, (label, custom) in enumerate(labels, start=1)
            ])  # fmt: skip
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(select(Licence.label).order_by(Licence.id))
            assert list(rows.scalars()) == [
                "Texas APRN", "My requirement", "My requirement 2", "Texas Medical Board (due x)",
                "Board (due Jan 1, 2027)",
            ]  # fmt: skip
    finally:
        await engine.dispose()


async def test_entries_keep_their_rows_across_the_group_link(empty_database_url: str) -> None:
    """0014 adds credit_entries.group_id (the parts of a split activity): entries saved
    before it keep every value and no link (the old matching finds their parts); a
    downgrade drops the column and keeps the rows."""
    engine = create_engine(empty_database_url)
    now = datetime(2026, 12, 8, 12, tzinfo=UTC)
    try:
        await migrate.upgrade(engine, "0013")
        async with engine.begin() as connection:
            await connection.execute(insert(Clinician.__table__), [{
                "id": 1, "telegram_id": 1, "chat_id": 1, "first_name": "A", "timezone": "UTC",
                "quiet_start_min": 0, "quiet_end_min": 0, "flags": [], "active": True,
                "reminders_paused": False, "created_at": now, "updated_at": now,
            }])  # fmt: skip
            await connection.execute(
                sa.text(
                    "INSERT INTO credit_entries (id, clinician_id, completed_on, amount, category,"
                    " topics, title, source, created_at) VALUES (:id, 1, :day, :amount, 'ancc',"
                    " :topics, 'Conference', 'chat', :now)"
                ),
                [{"id": 1, "day": date(2026, 10, 16), "amount": 1200, "topics": "[]", "now": now},
                 {"id": 2, "day": date(2026, 10, 16), "amount": 600, "topics": '["pharmacology"]',
                  "now": now}],
            )  # fmt: skip
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(CreditEntry.id, CreditEntry.amount, CreditEntry.topics,
                       CreditEntry.group_id).order_by(CreditEntry.id)
            )  # fmt: skip
            assert [tuple(row) for row in rows] == [
                (1, Decimal(12), [], None), (2, Decimal(6), ["pharmacology"], None),
            ]  # fmt: skip
        await migrate.downgrade(engine, "0013")
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("credit_entries")}
            )
            assert "group_id" not in columns
            count = await connection.scalar(sa.text("SELECT count(*) FROM credit_entries"))
            assert count == 2
    finally:
        await engine.dispose()
