"""`cme-bot courses import` of a cut-off catalogue cancels nothing without a yes (QA round 11:
a truncated file cancelled 3 of 4 courses, told their subscribers and exited 0)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.config import Settings
from bot.courses.importer import courses_import_main, too_many_cancelled
from bot.errors import EXIT_IMPORT_REFUSED
from bot.store.db import create_engine, create_sessionmaker, transaction
from bot.store.models import Clinician, Course, CourseSubscription, ReminderOutbox

from .conftest import NOW

HEADER = "id,title,credits,format,start\n"
ROWS = [
    "k1,Opioid Safety,2,webinar,2027-03-05 08:00\n",
    "k2,Ethics in Practice,1,webinar,2027-04-10 12:00\n",
    "k3,Implicit Bias Workshop,2,webinar,2027-05-01 09:00\n",
    "k4,New Course Five,1,webinar,2027-07-01 09:00\n",
]


async def _state(database_url: str, subscribe: bool = False) -> tuple[dict[str, str], int]:
    """(status by id, notices queued); ``subscribe``: Ana chooses every course first."""
    engine = create_engine(database_url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            if subscribe:
                ana = Clinician(telegram_id=1001, chat_id=1001, first_name="Ana",
                                timezone="UTC", created_at=NOW, updated_at=NOW)  # fmt: skip
                session.add(ana)
                await session.flush()
                for course in await session.scalars(select(Course)):
                    session.add(CourseSubscription(
                        clinician_id=ana.id, course_id=course.id, created_at=NOW))  # fmt: skip
            status = {c.source_id: c.status for c in await session.scalars(select(Course))}
            notices = list(
                await session.scalars(select(ReminderOutbox).where(ReminderOutbox.kind == "notice"))
            )
            return status, len(notices)
    finally:
        await engine.dispose()


@pytest.mark.postgres
def test_a_cut_off_catalogue_is_refused_until_allowed(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(NOW)
    path = tmp_path / "cat1.csv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    assert courses_import_main(settings, str(path), clock=clock) == 0
    asyncio.run(_state(database_url, subscribe=True))
    capsys.readouterr()

    # The first row changed too: a refused import stores none of the file either.
    path.write_text(HEADER + ROWS[0].replace("Opioid Safety", "Opioid Safety II"), "utf-8")
    assert courses_import_main(settings, str(path), clock=clock) == EXIT_IMPORT_REFUSED
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.count("\n") == 1, out.err
    assert "no longer lists 3 of the 4 upcoming courses" in out.err
    assert "nothing was changed" in out.err and "--allow-cancellations" in out.err
    status, notices = asyncio.run(_state(database_url))
    assert status == {"k1": "active", "k2": "active", "k3": "active", "k4": "active"}
    assert notices == 0

    assert courses_import_main(settings, str(path), clock=clock, keep_missing=True) == 0
    assert asyncio.run(_state(database_url)) == (dict.fromkeys(status, "active"), 0)

    code = courses_import_main(settings, str(path), clock=clock, allow_cancellations=True)
    assert code == 0
    assert "3 upcoming course(s) no longer listed: marked cancelled" in capsys.readouterr().out
    status, notices = asyncio.run(_state(database_url))
    assert status == {"k1": "active", "k2": "cancelled", "k3": "cancelled", "k4": "cancelled"}
    assert notices == 3


def test_a_routine_update_that_drops_a_course_or_two_is_not_refused(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(NOW)
    path = tmp_path / "cat.csv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    assert courses_import_main(settings, str(path), clock=clock) == 0
    path.write_text(HEADER + "".join(ROWS[:2]), encoding="utf-8")  # 2 of 4 gone: asked? no
    assert courses_import_main(settings, str(path), clock=clock) == 0
    assert "2 upcoming course(s) no longer listed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("missing", "listed", "refused"),
    [(2, 2, False), (3, 4, True), (3, 15, False), (4, 15, True), (20, 100, False), (21, 100, True)],
)
def test_the_threshold(missing: int, listed: int, refused: bool) -> None:
    assert too_many_cancelled(missing, listed) is refused
