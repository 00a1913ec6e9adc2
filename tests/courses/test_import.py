"""Importing into real databases: idempotence, updates, cancellations, three formats."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.courses import importer
from bot.courses.importer import (
    ImportOptions,
    ImportSummary,
    courses_import_main,
    format_summary,
    import_source,
    source_key,
)
from bot.courses.records import Rejection, validate
from bot.store import courses as store
from bot.store.db import transaction
from bot.store.models import Course, CourseTopic

from .conftest import NOW
from .test_parsers import ICS

HEADER = "id,title,credits,topics,format,start,end,city,state,lat,lon,price\n"
ROWS = [
    "c1,Opioid Safety,2,opioids,in person,2027-01-10 08:00,2027-01-10 10:00,"
    "Boston,MA,42.36,-71.06,200\n",
    "c2,Ethics Update,1,ethics,webinar,2027-01-12 12:00,2027-01-12 13:00,,,,,0\n",
    "c3,Sepsis Day,6,sepsis,in person,2027-02-01 08:00,2027-02-01 16:00,"
    "Worcester,MA,42.26,-71.80,450\n",
]
BAD = "c4,,1,,in person,2027-01-10,2027-01-09,,,,,\n"


def _write(path: Path, *rows: str) -> str:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


async def _courses(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Course]:
    async with transaction(sessionmaker) as session:
        return {c.source_id: c for c in await session.scalars(select(Course))}


@pytest.mark.postgres
async def test_reimport_is_idempotent_and_changes_are_reported(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = _write(tmp_path / "c.csv", *ROWS, BAD)
    first = await import_source(sessionmaker, path, now=NOW)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    assert [r.location for r in first.rejected] == ["line 5"]
    assert first.rejected[0].reason.startswith("missing title;")
    assert "ends before it starts" in first.rejected[0].reason

    again = await import_source(sessionmaker, path, now=NOW)
    assert (again.added, again.updated, again.unchanged, again.changes) == (0, 0, 3, [])

    moved = ROWS[0].replace("2027-01-10", "2027-01-17")
    cheaper = ROWS[2].replace(",450", ",400")
    path = _write(tmp_path / "c.csv", moved, ROWS[1], cheaper)
    updated = await import_source(sessionmaker, path, now=NOW)
    assert (updated.added, updated.updated, updated.unchanged) == (0, 2, 1)
    stored = await _courses(sessionmaker)
    assert [(c.kind, c.course_id) for c in updated.changes] == [("rescheduled", stored["c1"].id)]
    assert updated.changed_ids == [stored["c1"].id]
    assert updated.changes[0].new_starts_at - updated.changes[0].old_starts_at == timedelta(days=7)
    assert stored["c3"].price == Decimal("400.00")
    assert stored["c1"].geo_cell is not None and stored["c2"].geo_cell is None


@pytest.mark.postgres
async def test_courses_dropped_from_a_feed_are_cancelled_once(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    options = ImportOptions(mark_missing_cancelled=True)
    path = _write(tmp_path / "feed.csv", *ROWS)
    await import_source(sessionmaker, path, now=NOW, options=options)
    path = _write(tmp_path / "feed.csv", ROWS[0], ROWS[2])
    dropped = await import_source(sessionmaker, path, now=NOW, options=options)
    stored = await _courses(sessionmaker)
    assert dropped.cancelled == 1
    assert [(c.kind, c.course_id) for c in dropped.changes] == [("cancelled", stored["c2"].id)]
    assert stored["c2"].status == "cancelled"
    assert (await import_source(sessionmaker, path, now=NOW, options=options)).changes == []
    path = _write(tmp_path / "feed.csv", *ROWS)
    back = await import_source(sessionmaker, path, now=NOW, options=options)
    assert [c.kind for c in back.changes] == ["reinstated"]


async def test_a_course_cancelled_in_the_file_is_reported(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text("id,title,credits,start,status\nx,Talk,1,2027-01-05 08:00,scheduled\n")
    await import_source(sessionmaker, str(path), now=NOW)
    path.write_text("id,title,credits,start,status\nx,Talk,1,2027-01-05 08:00,cancelled\n")
    summary = await import_source(sessionmaker, str(path), now=NOW)
    assert [c.kind for c in summary.changes] == ["cancelled"]


@pytest.mark.postgres
async def test_csv_ics_and_json_in_one_database(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    csv_path = _write(tmp_path / "a.csv", *ROWS)
    ics_path = tmp_path / "b.ics"
    ics_path.write_bytes(ICS)
    json_path = tmp_path / "c.json"
    json_path.write_text(
        json.dumps(
            [{"id": "j1", "title": "Implicit Bias", "credits": 2, "topics": "implicit bias",
              "format": "on demand", "starts_at": "2026-12-01"},
             {"id": "j2", "title": "Sepsis Online", "credits": 1, "topics": ["sepsis"],
              "format": "webinar", "starts_at": "2027-01-20T18:00:00-05:00"}]
        )
    )  # fmt: skip
    summaries = [
        await import_source(sessionmaker, str(p), now=NOW) for p in (csv_path, ics_path, json_path)
    ]
    # The cancelled sepsis summit is new: not added (QA round 9: it was counted as added).
    assert [(s.kind, s.added) for s in summaries] == [("csv", 3), ("ics", 368), ("json", 2)]
    ics = summaries[1]
    assert ics.skipped_cancelled == 1
    assert [r.location for r in ics.rejected] == ["event 5 (UID broken@example.org)"]
    async with transaction(sessionmaker) as session:
        assert await store.count_courses(session) == 373
        sepsis = await store.search_courses(
            session, near=(42.36, -71.06), radius_km=200, online=True, starts_after=NOW,
            topics=["sepsis"], limit=50,
        )  # fmt: skip
    titles = [hit.course.title for hit in sepsis.hits]
    # Worcester (CSV) in person, then online (JSON); the ICS sepsis summit was cancelled.
    assert titles == ["Sepsis Day", "Sepsis Online"]


async def test_nothing_readable_is_fatal_and_stores_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name;place\nfoo;bar\n")
    summary = await import_source(sessionmaker, str(path), now=NOW)
    assert summary.fatal is not None and "missing column(s)" in summary.fatal
    assert format_summary(summary).startswith("Could not import")
    async with transaction(sessionmaker) as session:
        assert await store.count_courses(session) == 0


async def test_duplicates_and_past_courses(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    old = "c9,Old news,1,,webinar,2025-01-10 08:00,2025-01-10 09:00,,,,,\n"
    path = _write(tmp_path / "d.csv", ROWS[0], ROWS[0], old)
    summary = await import_source(sessionmaker, path, now=NOW)
    assert (summary.added, summary.skipped_past) == (1, 1)
    assert summary.rejected == [Rejection("line 3", "duplicate id 'c1' (first at line 2)", "c1")]


@pytest.mark.postgres
async def test_a_row_the_database_refuses_does_not_stop_the_others(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    raw = {"title": "Fine", "credits": 1, "starts_at": "2027-01-05 08:00", "source_id": "ok"}
    good = validate(raw, source="t").record
    assert good is not None
    broken = replace(good, source_id="bad", title=None)  # type: ignore[arg-type]
    async with transaction(sessionmaker) as session:
        result = await store.upsert_courses(session, [broken, good], now=NOW)
    assert result.added == 2 - len(result.failed) == 1
    assert result.failed[0][0] == "bad" and "database refused" in result.failed[0][1]
    async with transaction(sessionmaker) as session:
        assert await store.count_courses(session) == 1


def test_summary_text_is_html_safe_when_asked() -> None:
    summary = ImportSummary(
        source="feed.csv", kind="csv", added=1,
        rejected=[Rejection("line 2", "unknown topic '<b>x</b>' & more")],
    )  # fmt: skip
    plain = format_summary(summary)
    assert "Imported feed.csv (csv): 1 added, 0 updated, 0 unchanged, 1 rejected." in plain
    assert "line 2: unknown topic '<b>x</b>' & more" in plain
    chat = format_summary(summary, html_safe=True)
    assert "&lt;b&gt;x&lt;/b&gt;&#x27; &amp; more" in chat and "<b>" not in chat


def test_source_keys() -> None:
    assert source_key("https://example.org/feed.ics") == "https://example.org/feed.ics"
    assert source_key("relative.csv").startswith("file:/")
    long = "https://example.org/" + "x" * 300
    assert len(source_key(long)) <= 200 and source_key(long) == source_key(long)


def test_cli_entry(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    path = _write(tmp_path / "cli.csv", *ROWS)
    code = courses_import_main(settings, path)
    out = capsys.readouterr()
    assert code == 0 and "3 added" in out.out
    code = courses_import_main(settings, str(tmp_path / "nope.csv"))
    out = capsys.readouterr()
    assert code == 1
    assert out.err.count("\n") == 1 and "no such file" in out.err
    bad = _write(tmp_path / "bad.csv", "b1,Bad,-1,ethics,webinar,2027-01-12 12:00,,,,,,0\n")
    code = courses_import_main(settings, bad)  # QA: every row rejected exited 0
    assert code == 1 and "1 rejected" in capsys.readouterr().out


def test_cli_reimport_cancels_what_the_file_dropped_and_queues_the_subscribers_notice(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """QA: a course dropped from a re-imported file stayed listed, and a moved one was
    never announced (only feeds and chat uploads told subscribers)."""
    import asyncio

    from bot.clock import ManualClock
    from bot.store.db import create_engine, create_sessionmaker
    from bot.store.models import Clinician, CourseSubscription, ReminderOutbox

    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    clock = ManualClock(NOW)
    path = _write(tmp_path / "c.csv", *ROWS)
    assert courses_import_main(settings, path, clock=clock) == 0

    async def subscribe_and_read(subscribe: bool) -> tuple[dict[str, str], list[str]]:
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
                notices = await session.scalars(
                    select(ReminderOutbox).where(ReminderOutbox.kind == "notice")
                )
                return status, sorted(n.payload["text"] for n in notices)
        finally:
            await engine.dispose()

    asyncio.run(subscribe_and_read(True))
    moved = ROWS[2].replace("2027-02-01", "2027-02-02")
    _write(tmp_path / "c.csv", ROWS[0], moved)  # c2 dropped, c3 a day later
    capsys.readouterr()
    assert courses_import_main(settings, path, clock=clock) == 0
    out = capsys.readouterr().out
    # QA round 9: which courses, not only how many
    assert (
        "1 upcoming course(s) no longer listed: marked cancelled: Ethics Update (Jan 12, 2027)."
        in out
    ), out
    assert "1 course(s) changed date: Sepsis Day (Feb 1, 2027 → Feb 2, 2027)." in out, out
    status, notices = asyncio.run(subscribe_and_read(False))
    assert status == {"c1": "active", "c2": "cancelled", "c3": "active"}
    assert len(notices) == 2
    assert "Ethics Update" in notices[0] and "Sepsis Day" in notices[1]
    _write(tmp_path / "c.csv", ROWS[0])  # a file that only adds: --keep-missing
    assert courses_import_main(settings, path, clock=clock, keep_missing=True) == 0
    assert "no longer listed" not in capsys.readouterr().out
    assert asyncio.run(subscribe_and_read(False))[0]["c3"] == "active"


def test_cli_import_into_a_database_without_tables_says_how_to_fix_it(tmp_path: Path) -> None:
    from bot.errors import CliError

    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    settings = Settings(database_url=url, auto_migrate=False, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(CliError, match="cme-bot db upgrade"):
        courses_import_main(settings, _write(tmp_path / "c.csv", *ROWS))


@pytest.mark.postgres
async def test_topic_searches_follow_a_course_that_is_retagged_moved_or_rescheduled(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """course_topics copies each course's cell and start: a re-import must rewrite them."""
    boston, worcester = (42.36, -71.06), (42.26, -71.80)

    async def found(topic: str, near: tuple[float, float], day: str) -> list[str]:
        starts = datetime.fromisoformat(day).replace(tzinfo=UTC)
        async with transaction(sessionmaker) as session:
            result = await store.search_courses(
                session, near=near, radius_km=20, topics=[topic], starts_after=starts,
                starts_before=starts + timedelta(days=1),
            )  # fmt: skip
        return [hit.course.source_id for hit in result.hits]

    path = _write(tmp_path / "c.csv", ROWS[0])
    await import_source(sessionmaker, path, now=NOW)
    assert await found("opioid_prescribing", boston, "2027-01-10") == ["c1"]

    retagged = ROWS[0].replace(",opioids,", ",ethics,")
    await import_source(sessionmaker, _write(tmp_path / "c.csv", retagged), now=NOW)
    assert await found("opioid_prescribing", boston, "2027-01-10") == []
    assert await found("ethics", boston, "2027-01-10") == ["c1"]

    moved = retagged.replace("2027-01-10", "2027-01-17").replace(
        "Boston,MA,42.36,-71.06", "Worcester,MA,42.26,-71.80"
    )
    await import_source(sessionmaker, _write(tmp_path / "c.csv", moved), now=NOW)
    assert await found("ethics", boston, "2027-01-10") == []
    assert await found("ethics", worcester, "2027-01-17") == ["c1"]
    async with transaction(sessionmaker) as session:
        index = (await session.execute(select(CourseTopic.topic, CourseTopic.geo_cell))).all()
        course = await session.scalar(select(Course))
    assert course is not None and [tuple(row) for row in index] == [("ethics", course.geo_cell)]


@pytest.mark.postgres
async def test_two_imports_of_one_catalogue_at_once_reject_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Two operators (or a feed pass and a CLI run) importing the same file together: one
    adds, the other finds them unchanged. On PostgreSQL the second used to insert the same
    rows, hit the unique key and report every good row as refused by the database."""
    path = _write(tmp_path / "cat.csv", *ROWS)
    first, second = await asyncio.gather(
        import_source(sessionmaker, path, now=NOW), import_source(sessionmaker, path, now=NOW)
    )
    assert first.rejected == second.rejected == []
    assert sorted([first.added, second.added]) == [0, 3]
    assert sorted([first.unchanged, second.unchanged]) == [0, 3]
    assert len(await _courses(sessionmaker)) == 3


async def test_a_time_the_clocks_skip_is_imported_and_reported(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    night = (
        "c9,Night Sim,1,ethics,in person,2027-03-14 02:30,2027-03-14 04:00,"
        "Boston,MA,42.36,-71.06,0\n"
    )
    summary = await import_source(sessionmaker, _write(tmp_path / "n.csv", night), now=NOW)
    assert summary.added == 1
    text = format_summary(summary)
    assert (
        "Imported, but check:\n  line 2: 2027-03-14 02:30 does not exist in America/New_York "
        "(the clocks go forward that night): read as 03:30"
    ) in text, text


async def test_a_rejected_row_is_not_also_imported_but_check(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """QA: a row was listed under "Rejected: price is not a number" and again under
    "Imported, but check: unknown topic left out"."""
    row = (
        "c8,Weaving,1,basket weaving,in person,2027-01-10 08:00,2027-01-10 10:00,"
        "Boston,MA,42.36,-71.06,abc\n"
    )
    summary = await import_source(sessionmaker, _write(tmp_path / "w.csv", row, ROWS[1]), now=NOW)
    text = format_summary(summary)
    assert "price" in text and "Rejected:" in text
    assert "basket weaving" not in text, text


async def test_times_read_in_the_default_zone_are_said_to_be(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """QA: a webinar with no zone was read as New York time without a word (c2 here; c1 and
    c3 take their venue's zone)."""
    summary = await import_source(
        sessionmaker, _write(tmp_path / "c.csv", *ROWS), now=NOW,
        options=ImportOptions(default_timezone="America/Chicago"),
    )  # fmt: skip
    (note,) = [n for n in summary.notes if "no time zone" in n]
    assert note.startswith("1 course(s) (line 3) gave no time zone and no venue position: "
                           "their times were read as America/Chicago time"), note  # fmt: skip
    assert (await _courses(sessionmaker))["c2"].timezone == "America/Chicago"
    # QA round 9: a time with its own offset was counted as assumed too.
    offset = ROWS[1].replace("2027-01-12 12:00", "2027-01-12T12:00:00-06:00")
    summary = await import_source(
        sessionmaker, _write(tmp_path / "d.csv", offset), now=NOW,
        options=ImportOptions(default_timezone="America/Chicago"),
    )  # fmt: skip
    assert not [n for n in summary.notes if "no time zone" in n], summary.notes


def test_the_summary_lists_rows_in_file_order_and_names_them() -> None:
    """QA: line 11 was listed before line 4; "duplicate id 'auto:0b18…'" was jargon; the
    courses without coordinates were counted but not named."""
    summary = ImportSummary(
        "c.csv", kind="csv", added=2,
        rejected=[Rejection("line 11", "missing title"), Rejection("line 4", "bad date")],
        warnings=[Rejection("line 9", "no coordinates: add lat/lon"),
                  Rejection("line 3", "no coordinates: add lat/lon")],
    )  # fmt: skip
    text = format_summary(summary)
    assert text.index("line 4: bad date") < text.index("line 11: missing title")
    assert "2 in-person course(s) without coordinates (line 3, line 9)" in text


async def test_a_repeated_row_without_ids_is_named_in_words(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "no-ids.csv"
    row = "Ethics Update,1,ethics,webinar,2027-01-12 12:00,2027-01-12 13:00\n"
    path.write_text("title,credits,topics,format,start,end\n" + row + row, encoding="utf-8")
    summary = await import_source(sessionmaker, str(path), now=NOW)
    (repeated,) = summary.rejected
    assert repeated.reason == "the same course as line 2 (same title, start and place)"


async def test_batches_pause_when_asked_so_other_writers_get_the_lock(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """`courses import` on SQLite pauses after each batch: a bot process waiting for the
    one write lock gets in (QA round 11c: the chat waited for a whole 60,000-row import)."""
    rows = [
        f"p{i},Course {i},1,ethics,webinar,2027-01-10 08:00,2027-01-10 09:00,,,,,0\n"
        for i in range(2 * importer.BATCH_SIZE + 50)
    ]
    pauses: list[float] = []

    async def recorded(seconds: float) -> None:
        pauses.append(seconds)

    summary = await import_source(
        sessionmaker, _write(tmp_path / "big.csv", *rows), now=NOW,
        options=ImportOptions(sleep=recorded, batch_pause=0.02),
    )  # fmt: skip
    assert summary.added == len(rows)
    assert pauses == [0.02, 0.02]
