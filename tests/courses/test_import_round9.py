"""QA round 9: catalogue files a hospital education office sent, through the real importer."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.courses.geocode import place_geocoder
from bot.courses.importer import ImportOptions, ImportSummary, format_summary, import_source
from bot.courses.records import MAX_DESCRIPTION
from bot.domain import geo
from bot.store.db import transaction
from bot.store.models import Course

from .conftest import NOW

BOSTON = ZoneInfo("America/New_York")
LOCATE = ImportOptions(geocoder=place_geocoder)


async def _import(
    sessionmaker: async_sessionmaker[AsyncSession],
    path: Path,
    content: str | bytes,
    options: ImportOptions = ImportOptions(),
) -> ImportSummary:
    if isinstance(content, str):
        content = content.encode("utf-8")
    await asyncio.to_thread(path.write_bytes, content)
    return await import_source(sessionmaker, str(path), now=NOW, options=options)


async def _by_title(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Course]:
    async with transaction(sessionmaker) as session:
        return {c.title: c for c in await session.scalars(select(Course))}


def _reasons(summary: ImportSummary) -> dict[str, str]:
    return {r.location: r.reason for r in summary.rejected}


# ----------------------------------------------------------------------- 1. credits


@pytest.mark.postgres
async def test_the_credit_figure_is_read_not_a_number_in_the_category_name(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "credits.csv",
        "Title,Date,Credits,City,State\n"
        'Lipids,01/21/2027,"AMA PRA Category 1 Credits™: 2.0",Boston,MA\n'
        "Sepsis,01/22/2027,AMA PRA Cat. 1: 6.25,Boston,MA\n"
        "Range,01/23/2027,1-2 credits,Boston,MA\n"
        "Wound care,01/24/2027,2.0 ANCC contact hours,Boston,MA\n"
        "Dual,01/25/2027,2 AMA / 2 ANCC,Boston,MA\n"
        "Interprofessional,01/26/2027,2 IPCE credits,Boston,MA\n",
    )
    stored = await _by_title(sessionmaker)
    assert (stored["Lipids"].credits, stored["Lipids"].category) == (Decimal("2.00"), "ama_pra_1")
    assert (stored["Sepsis"].credits, stored["Sepsis"].category) == (Decimal("6.25"), "ama_pra_1")
    assert (stored["Wound care"].credits, stored["Wound care"].category) == (
        Decimal("2.00"), "ancc"
    )  # fmt: skip
    assert set(stored) == {"Lipids", "Sepsis", "Wound care"}
    reasons = _reasons(summary)
    assert "is a range, not an amount" in reasons["line 4"]
    assert "more than one number" in reasons["line 6"]
    assert "category I do not know (ipce)" in reasons["line 7"]


async def test_a_cell_naming_another_category_than_its_column_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "c.csv",
        "Title,Date,AMA PRA Category 1 Credits\nWound care,01/24/2027,2.0 ANCC contact hours\n",
    )
    assert summary.added == 0
    assert _reasons(summary)["line 2"] == (
        "credits '2.0 ANCC contact hours' say ANCC nursing contact hours but the category is "
        "AMA PRA Category 1 Credit"
    )


async def test_credit_cells_that_imported_before_still_do(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Review: "2 Credit(s)", "2 cr." and "2 live credits" were refused by the new reader,
    and a pharmacy's "2.0 contact hours" beside an ACPE category too."""
    summary = await _import(
        sessionmaker,
        tmp_path / "old.csv",
        "Title,Date,Credits,Category,City,State\n"
        "Parens,01/21/2027,2 Credit(s),AMA PRA Category 1,Boston,MA\n"
        "Short,01/22/2027,2 cr.,,Boston,MA\n"
        "Live,01/23/2027,2 live credits,,Boston,MA\n"
        "Pharmacy,01/24/2027,2.0 contact hours,ACPE,Boston,MA\n"
        "Named,01/25/2027,ACPE: 2.0 contact hours,,Boston,MA\n",
    )
    assert not summary.rejected, summary.rejected
    courses = await _by_title(sessionmaker)
    stored = {title: (c.credits, c.category) for title, c in courses.items()}
    assert stored == {
        "Parens": (Decimal("2.00"), "ama_pra_1"), "Short": (Decimal("2.00"), "ama_pra_1"),
        "Live": (Decimal("2.00"), "ama_pra_1"), "Pharmacy": (Decimal("2.00"), "acpe"),
        "Named": (Decimal("2.00"), "acpe"),
    }  # fmt: skip


async def test_a_refused_row_without_an_id_cancels_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """Review: a course whose row became unreadable was taken as dropped from the feed, so
    cancelled and its subscribers told."""
    path = tmp_path / "feed.csv"
    good = (
        "Title,Date,Credits,City,State\n"
        "Lipids,01/21/2027,2,Boston,MA\nSepsis,01/22/2027,1,Boston,MA\n"
    )
    await _import(sessionmaker, path, good, ImportOptions(mark_missing_cancelled=True))
    broken = good.replace("Sepsis,01/22/2027,1,", "Sepsis,01/22/2027,1-2 credits,")
    summary = await _import(sessionmaker, path, broken, ImportOptions(mark_missing_cancelled=True))
    assert summary.cancelled == 0 and len(summary.rejected) == 1
    assert any("no course was taken as dropped" in note for note in summary.notes), summary.notes
    assert (await _by_title(sessionmaker))["Sepsis"].status == "active"


# ------------------------------------------------------------------ 2. end time only


@pytest.mark.postgres
async def test_an_end_time_without_an_end_date_ends_on_the_start_day(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "s.csv",
        "Activity ID,Activity Title,Date,Start Time,End Time,Credits,City,State\n"
        "S-1,Lipid Management Half-Day,01/21/2027,8:00 AM,12:00 PM,3.75,Boston,MA\n"
        "S-2,Backwards,01/21/2027,8:00 AM,7:00 AM,1,Boston,MA\n"
        "S-3,Unreadable end,01/21/2027,8:00 AM,noonish,1,Boston,MA\n",
    )
    course = (await _by_title(sessionmaker))["Lipid Management Half-Day"]
    assert course.starts_at.astimezone(BOSTON) == datetime(2027, 1, 21, 8, tzinfo=BOSTON)
    assert course.ends_at.astimezone(BOSTON) == datetime(2027, 1, 21, 12, tzinfo=BOSTON)
    assert not any("ignored" in note for note in summary.notes)
    assert "ends before it starts" in _reasons(summary)["line 3"]
    assert "end time is not a time I can read: 'noonish'" in _reasons(summary)["line 4"]


# ---------------------------------------------------------------- 3. hours vs credits


@pytest.mark.postgres
async def test_a_credits_column_wins_over_an_hours_column(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "h.csv",
        "Title,Date,Start Time,End Time,Hours,AMA PRA Category 1 Credits,City,State\n"
        "All-day Internal Medicine Review,01/21/2027,8:00 AM,4:30 PM,8,6.5,Boston,MA\n",
    )
    course = (await _by_title(sessionmaker))["All-day Internal Medicine Review"]
    assert (course.credits, course.category) == (Decimal("6.50"), "ama_pra_1")
    assert "ignored column(s): Hours" in summary.notes


async def test_a_json_credits_key_wins_over_hours_too(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    item = {"title": "Review", "starts_at": "2027-01-21T08:00", "hours": 8,
            "ANCC contact hours": 6.5}  # fmt: skip
    await _import(sessionmaker, tmp_path / "h.json", json.dumps([item]))
    course = (await _by_title(sessionmaker))["Review"]
    assert (course.credits, course.category) == (Decimal("6.50"), "ancc")


# ------------------------------------------------------------------------- 4. ZIP


@pytest.mark.postgres
async def test_a_zip_alone_places_the_course_in_person(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "z.csv",
        "Title,Date,Credits,ZIP,State\n"
        "Kendall Rounds,01/21/2027,1,02139,\n"
        "Spreadsheet ZIP,01/22/2027,1,2139,MA\n"
        "Wrong state,01/23/2027,1,02139,NY\n",
        LOCATE,
    )
    stored = await _by_title(sessionmaker)
    kendall = stored["Kendall Rounds"]
    assert kendall.format == "in_person" and kendall.latitude is not None
    assert geo.haversine_km(kendall.latitude, kendall.longitude, 42.3647, -71.1042) < 1
    assert (kendall.city, kendall.region, kendall.timezone) == (
        "Cambridge", "MA", "America/New_York"
    )  # fmt: skip
    assert stored["Spreadsheet ZIP"].latitude == kendall.latitude  # the dropped zero
    assert stored["Wrong state"].latitude is None
    said = format_summary(summary)
    assert "1 in-person course(s) without coordinates (line 4)" in said


@pytest.mark.postgres
async def test_a_schema_org_event_with_only_a_postal_code_is_located(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    event = {
        "@context": "https://schema.org", "@type": "EducationEvent", "name": "ZIP Rounds",
        "startDate": "2027-01-21T08:00", "numberOfCredits": 1,
        "location": {"@type": "Place", "address": {"@type": "PostalAddress",
                                                   "postalCode": "02139"}},
    }  # fmt: skip
    await _import(sessionmaker, tmp_path / "e.json", json.dumps(event), LOCATE)
    course = (await _by_title(sessionmaker))["ZIP Rounds"]
    assert course.format == "in_person" and course.city == "Cambridge"
    assert course.latitude is not None and course.city_located


# ----------------------------------------------------------------- 5. titled CSV


TITLED = (
    "Mercy General Hospital - CME Catalogue Q1 2027,,,\n"
    "Exported 12/01/2026,,,\n"
    "\n"
    "Title,Date,Credits,City\n"
    "Grand Rounds,01/21/2027,1,Boston\n"
    "No date,,1,Boston\n"
)


@pytest.mark.postgres
async def test_title_rows_above_the_header_are_skipped_and_lines_stay_true(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(sessionmaker, tmp_path / "titled.csv", TITLED)
    assert summary.added == 1
    assert _reasons(summary) == {"line 6": "missing start date"}
    assert "the header is on line 4: 2 line(s) above it skipped" in summary.notes


async def test_a_file_without_a_header_near_the_top_names_the_best_line(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    content = "Mercy General Hospital,,\n\nTitle,Date,City\nGrand Rounds,01/21/2027,Boston\n"
    summary = await _import(sessionmaker, tmp_path / "t.csv", content)
    assert summary.fatal is not None
    assert summary.fatal.startswith("line 3: missing column(s) credits")


# ---------------------------------------------------------------------- 6. dates


@pytest.mark.postgres
async def test_spreadsheet_date_forms_are_read_and_ambiguous_ones_refused(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker,
        tmp_path / "d.csv",
        "Title,Start,Credits,City,State\n"
        "A,Jan 19 2027 6:00 PM,1,Boston,MA\n"
        "B,46402.375,1,Boston,MA\n"
        "C,15-Jan-2027,1,Boston,MA\n"
        "D,2027-01-15 9:00,1,Boston,MA\n"
        "E,1/15/2027 9:00 a.m.,1,Boston,MA\n"
        "F,1/15/2027 9:00 AM CST,1,,\n"
        '"G","Friday, January 15, 2027",1,Boston,MA\n'
        "H,15/01/2027 9:00,1,Boston,MA\n"
        '"I","Saturday, January 15, 2027",1,Boston,MA\n'
        "J,12345,1,Boston,MA\n",
    )
    starts = {t: c.starts_at.astimezone(BOSTON) for t, c in (await _by_title(sessionmaker)).items()}
    nine = datetime(2027, 1, 15, 9, tzinfo=BOSTON)
    assert starts["A"] == datetime(2027, 1, 19, 18, tzinfo=BOSTON)
    assert starts["B"] == starts["D"] == starts["E"] == nine  # B: an Excel serial
    assert starts["C"] == starts["G"] == datetime(2027, 1, 15, tzinfo=BOSTON)
    chicago = (await _by_title(sessionmaker))["F"]
    assert (chicago.starts_at.astimezone(BOSTON), chicago.timezone) == (
        datetime(2027, 1, 15, 10, tzinfo=BOSTON), "America/Chicago"
    )  # fmt: skip
    reasons = _reasons(summary)
    assert set(reasons) == {"line 9", "line 10", "line 11"}
    assert "not a date/time I can read: '15/01/2027 9:00'" in reasons["line 9"]
    assert "January 15, 2027 is a Friday, not a Saturday" in reasons["line 10"]
    assert "not a date/time I can read: '12345'" in reasons["line 11"]  # not a 2000s serial


# ----------------------------------------------------------------- 7. cancelled rows


@pytest.mark.postgres
async def test_a_cancelled_row_is_not_counted_as_added(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    header = "id,title,credits,start,status\n"
    first = await _import(
        sessionmaker, path,
        header + "x,Talk,1,2027-01-05 08:00,scheduled\ny,Gone,1,2027-01-06 08:00,Cancelled\n",
    )  # fmt: skip
    assert (first.added, first.skipped_cancelled) == (1, 1)
    assert "1 course(s) marked cancelled in the file and not listed before: not added." in (
        format_summary(first)
    )
    assert set(await _by_title(sessionmaker)) == {"Talk"}
    second = await _import(sessionmaker, path, header + "x,Talk,1,2027-01-05 08:00,Cancelled\n")
    assert (second.added, second.updated, second.skipped_cancelled) == (0, 1, 0)
    assert "1 course(s) marked cancelled in the file: cancelled." in format_summary(second)
    assert (await _by_title(sessionmaker))["Talk"].status == "cancelled"


# ---------------------------------------------------- 9-11. kinds, sizes, wording


async def test_csv_in_a_file_named_json_is_read_as_csv(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker, tmp_path / "courses.json", "Title,Date,Credits\nTalk,01/21/2027,1\n"
    )
    assert (summary.kind, summary.added) == ("csv", 1)


async def test_a_huge_description_is_cut_and_said(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(
        sessionmaker, tmp_path / "big.csv",
        f"Title,Date,Credits,Description\nTalk,01/21/2027,1,{'x' * 900_000}\n",
    )  # fmt: skip
    description = (await _by_title(sessionmaker))["Talk"].description
    assert description is not None and len(description) == MAX_DESCRIPTION
    assert description.endswith("…")
    assert "line 2: description cut to 5,000 characters (it had 900,000)" in format_summary(
        summary
    )


async def test_an_unterminated_json_string_is_said_once(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    summary = await _import(sessionmaker, tmp_path / "b.json", '[{"title": "Talk')
    assert summary.fatal == (
        "not valid JSON: Unterminated string starting at line 1 column 12"
    )
