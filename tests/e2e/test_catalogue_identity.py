"""Whose catalogue is whose: uploads are an admin's file, a re-sent file is its new version,
one course listed by two catalogues appears once, and the CLI announces what it changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.courses.importer import ImportOptions, import_source
from bot.store.db import transaction
from bot.store.models import Clinician, Course, CourseSubscription, ReminderOutbox
from tests.e2e.conftest import START, BotUnderTest
from tests.e2e.test_courses_chat import CSV

PROVIDER_A, PROVIDER_B = 9001, 9002
DROPPED = "quincy-opioid"  # Quincy Opioid Stewardship, Jan 20 2027


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"admin_ids": f"{PROVIDER_A},{PROVIDER_B}"}


async def upload(bot: BotUnderTest, admin: int, name: str, content: str) -> str:
    user = bot.user(admin, f"Admin{admin}")
    await user.upload(name, content.encode(), "text/csv")
    return (await user.next_reply(10)).text or ""


async def courses_by_source(bot: BotUnderTest) -> dict[str, int]:
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(Course.source, func.count())
            .where(Course.status == "active")
            .group_by(Course.source)
        )
        return {source: count for source, count in rows}


def other_provider(csv: str) -> str:
    """Provider B's catalogue: other courses (other titles and ids), the same file name."""
    return csv.replace("Boston Opioid Prescribing Update", "Lowell Opioid Update").replace(
        "b-opioid,", "lowell-1,"
    )


@pytest.mark.postgres
async def test_two_admins_files_of_one_name_are_two_catalogues(bot: BotUnderTest) -> None:
    assert "11 added" in await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    reply = await upload(bot, PROVIDER_B, "catalogue.csv", other_provider(CSV))
    # Ten of B's rows are A's courses (same title, start and city): listed once.
    assert "1 added" in reply and "10 course(s) already listed by another catalogue" in reply
    assert await courses_by_source(bot) == {
        f"upload:{PROVIDER_A}:catalogue.csv": 11,
        f"upload:{PROVIDER_B}:catalogue.csv": 1,
    }
    # B sending the file again does not touch A's courses (it used to replace them).
    again = await upload(bot, PROVIDER_B, "catalogue.csv", other_provider(CSV))
    assert "0 added, 0 updated, 1 unchanged" in again and "cancelled" not in again
    assert (await courses_by_source(bot))[f"upload:{PROVIDER_A}:catalogue.csv"] == 11


async def test_a_resent_file_cancels_what_it_no_longer_lists_and_tells_subscribers(
    bot: BotUnderTest,
) -> None:
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    await ana.next_reply(10)
    async with transaction(bot.services.sessionmaker) as session:
        course = await session.scalar(select(Course).where(Course.source_id == DROPPED))
        ana_id = await session.scalar(select(Clinician.id).where(Clinician.telegram_id == 1001))
        assert course is not None and ana_id is not None
        session.add(CourseSubscription(clinician_id=ana_id, course_id=course.id, created_at=START))
    without = "\n".join(line for line in CSV.splitlines() if not line.startswith(DROPPED))
    reply = await upload(bot, PROVIDER_A, "catalogue.csv", without + "\n")
    assert "0 added, 0 updated, 10 unchanged, 0 rejected" in reply
    assert "1 upcoming course(s) no longer listed: marked cancelled." in reply
    async with transaction(bot.services.sessionmaker) as session:
        dropped = await session.scalar(select(Course).where(Course.source_id == DROPPED))
        notices = list(
            await session.scalars(
                select(ReminderOutbox).where(
                    ReminderOutbox.clinician_id == ana_id, ReminderOutbox.kind == "notice"
                )
            )
        )
    assert dropped is not None and dropped.status == "cancelled"
    assert len(notices) == 1 and "Quincy Opioid Stewardship" in notices[0].payload["text"]


async def test_uploads_stored_under_the_old_name_only_key_update_instead_of_doubling(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    legacy = ImportOptions(source_name="upload:catalogue.csv")
    await import_source(bot.services.sessionmaker, str(path), now=START, options=legacy)
    reply = await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    assert "0 added, 0 updated, 11 unchanged" in reply
    assert await courses_by_source(bot) == {f"upload:{PROVIDER_A}:catalogue.csv": 11}


async def test_the_cli_and_a_chat_upload_of_one_file_list_each_course_once(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    summary = await import_source(bot.services.sessionmaker, str(path), now=START)
    assert summary.added == 11
    reply = await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    assert "0 added" in reply and "11 course(s) already listed by another catalogue" in reply
    assert "catalogue.csv" in reply
    ana = bot.user(1001, "Ana")
    await ana.send("courses near Boston")
    found = await ana.next_reply(10)
    labels = [label for row in found.buttons for label in row]
    boston = [label for label in labels if "Boston Opioid Prescribing Update" in label]
    assert len(boston) == 1, labels


async def test_every_rejected_row_reaches_the_admin_as_a_file_when_the_message_cuts_it(
    bot: BotUnderTest,
) -> None:
    """QA: the summary stopped at ten rejections ("… and 2 more") with no way to see the rest."""
    header, first, *rest = CSV.splitlines()
    broken = [first.replace(",2,ama_pra_1", f",-{n},ama_pra_1").replace("b-opioid", f"bad-{n}")
              for n in range(1, 13)]  # fmt: skip
    admin = bot.user(PROVIDER_A, "Admin")
    await admin.upload("catalogue.csv", "\n".join([header, *broken, *rest]).encode(), "text/csv")
    summary = (await admin.next_reply(10)).text or ""
    assert "10 added" in summary and "12 rejected" in summary and "… and 2 more" in summary
    attached = await admin.next_reply(10)
    assert attached.document_file is not None
    assert attached.document_file.file_name == "catalogue-rejected.csv"
    lines = attached.document_file.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "location,id,reason" and len(lines) == 13
    assert lines[-1].startswith("line 13,bad-12,")
