"""Whose catalogue is whose: uploads are an admin's file, a re-sent file is its new version,
one course listed by two catalogues appears once, and the CLI announces what it changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.courses.importer import ImportOptions, format_summary, import_source
from bot.sandbox.records import SentMessage
from bot.sandbox.user import SandboxUser
from bot.store.db import transaction
from bot.store.models import Clinician, Course, CourseSubscription, ReminderOutbox
from tests.e2e.conftest import START, BotUnderTest, reply_with
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


async def subscribe_ana(bot: BotUnderTest, source_id: str = DROPPED) -> int:
    """Ana starts the bot and has chosen the course ``source_id``; her clinician id."""
    ana = bot.user(1001, "Ana")
    await ana.send("/start")
    await ana.next_reply(10)
    async with transaction(bot.services.sessionmaker) as session:
        course = await session.scalar(select(Course).where(Course.source_id == source_id))
        ana_id = await session.scalar(select(Clinician.id).where(Clinician.telegram_id == 1001))
        assert course is not None and ana_id is not None
        session.add(CourseSubscription(clinician_id=ana_id, course_id=course.id, created_at=START))
    return ana_id


async def notices_for(bot: BotUnderTest, clinician_id: int) -> list[ReminderOutbox]:
    async with transaction(bot.services.sessionmaker) as session:
        return list(
            await session.scalars(
                select(ReminderOutbox).where(
                    ReminderOutbox.clinician_id == clinician_id, ReminderOutbox.kind == "notice"
                )
            )
        )


async def status_of(bot: BotUnderTest, source_id: str) -> str:
    async with transaction(bot.services.sessionmaker) as session:
        status = await session.scalar(select(Course.status).where(Course.source_id == source_id))
    assert status is not None
    return status


WITHOUT_DROPPED = "\n".join(line for line in CSV.splitlines() if not line.startswith(DROPPED))


async def resend(admin: SandboxUser, content: str) -> tuple[str, SentMessage]:
    """Send the catalogue again: its import summary, then the question about what it dropped."""
    await admin.upload("catalogue.csv", content.encode(), "text/csv")
    summary = (await admin.next_reply(10)).text or ""
    return summary, await admin.next_reply(10)


@pytest.mark.postgres
async def test_a_resent_file_asks_before_cancelling_what_it_no_longer_lists(
    bot: BotUnderTest,
) -> None:
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    ana_id = await subscribe_ana(bot)
    admin = bot.user(PROVIDER_A)
    reply, question = await resend(admin, WITHOUT_DROPPED + "\n")
    assert "0 added, 0 updated, 10 unchanged, 0 rejected" in reply
    assert "no longer lists 1 upcoming course(s)" in (question.text or "")
    assert "• Quincy Opioid Stewardship (Jan 20, 2027)" in (question.text or "")
    assert "1 clinician(s) chose them: cancelling tells them." in (question.text or "")
    assert question.buttons == [["Cancel 1 course(s)", "Keep them listed"]]
    # Nothing is cancelled nor announced before the admin decides.
    assert await status_of(bot, DROPPED) == "active" and await notices_for(bot, ana_id) == []

    yes = question.inline_buttons[0].callback_data
    assert yes is not None
    await admin.press("Cancel 1 course(s)")
    done = await admin.next_edit(10)
    assert done.text == "Cancelled 1 course(s); 1 clinician(s) told."
    assert await status_of(bot, DROPPED) == "cancelled"
    notices = await notices_for(bot, ana_id)
    assert len(notices) == 1 and "Quincy Opioid Stewardship" in notices[0].payload["text"]
    # The same button again (a double tap) cancels and tells nothing more.
    await admin.press_data(yes, question.message_id)
    assert "out of date" in ((await admin.next_edit(10)).text or "")
    assert len(await notices_for(bot, ana_id)) == 1


async def test_keeping_them_listed_changes_nothing_and_a_stranger_cannot_decide(
    bot: BotUnderTest,
) -> None:
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    ana_id = await subscribe_ana(bot)
    admin = bot.user(PROVIDER_A)
    _, question = await resend(admin, WITHOUT_DROPPED)
    yes = next(b.callback_data for b in question.inline_buttons if b.text.startswith("Cancel"))
    assert yes is not None
    # Ana (not an admin) replays the admin's button data on her own chat: nothing happens.
    ana = bot.user(1001, "Ana")
    await ana.press_data(yes, ana.messages[-1].message_id)
    assert "expired" in ((await ana.next_edit(10)).text or "")
    # Another admin has no question pending: the token does not match theirs.
    other = bot.user(PROVIDER_B, "AdminB")
    await other.send("/start")
    await reply_with(other, "What is your profession?")
    await other.press_data(yes, other.messages[-1].message_id)
    assert "out of date" in ((await other.next_edit(10)).text or "")
    assert await status_of(bot, DROPPED) == "active"

    await admin.press("Keep them listed")
    assert "Kept them listed" in ((await admin.next_edit(10)).text or "")
    assert await status_of(bot, DROPPED) == "active" and await notices_for(bot, ana_id) == []
    # Courses a search finds still include it.
    await ana.send("opioid courses near Quincy MA")
    found = " ".join(label for row in (await ana.next_reply(10)).buttons for label in row)
    assert "Quincy Opioid Stewardship" in found


async def test_a_newer_upload_replaces_the_question_and_the_old_buttons_expire(
    bot: BotUnderTest,
) -> None:
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    admin = bot.user(PROVIDER_A)
    _, first = await resend(admin, WITHOUT_DROPPED)
    header, *rows = WITHOUT_DROPPED.splitlines()
    # Pending questions outlive other questions and commands (QA: /timezone voided it).
    await admin.send("/timezone")
    await admin.send("/cancel")
    await reply_with(admin, "OK, cancelled.")
    _, second = await resend(admin, "\n".join([header, *rows[:-1]]))
    assert "no longer lists 2 upcoming course(s)" in (second.text or "")
    stale = first.inline_buttons[0].callback_data
    assert stale is not None
    await admin.press_data(stale, first.message_id)
    assert "out of date" in ((await admin.next_edit(10)).text or "")
    assert await status_of(bot, DROPPED) == "active"
    await admin.press("Cancel 2 course(s)", message_id=second.message_id)
    assert (await admin.next_edit(10)).text == "Cancelled 2 course(s); 0 clinician(s) told."
    assert await status_of(bot, DROPPED) == "cancelled"


async def test_a_version_that_lists_everything_again_voids_the_question(
    bot: BotUnderTest,
) -> None:
    """QA: v2 dropped a course and asked; v3 listed it again and asked nothing; the v2
    question's Cancel still cancelled it and told its subscribers."""
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    ana_id = await subscribe_ana(bot)
    admin = bot.user(PROVIDER_A)
    _, question = await resend(admin, WITHOUT_DROPPED)
    await admin.upload("catalogue.csv", CSV.encode(), "text/csv")
    assert "0 added" in ((await admin.next_reply(10)).text or "")
    await admin.press("Cancel 1 course(s)", message_id=question.message_id)
    assert "out of date" in ((await admin.next_edit(10)).text or "")
    assert await status_of(bot, DROPPED) == "active" and await notices_for(bot, ana_id) == []


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


async def course_ids(bot: BotUnderTest, source_id: str) -> dict[str, tuple[int, str]]:
    """Each catalogue's row for ``source_id``: source -> (id, status)."""
    async with transaction(bot.services.sessionmaker) as session:
        rows = await session.execute(
            select(Course.source, Course.id, Course.status).where(Course.source_id == source_id)
        )
        return {source: (course_id, status) for source, course_id, status in rows}


A_FILE, B_FILE = f"upload:{PROVIDER_A}:catalogue.csv", f"upload:{PROVIDER_B}:catalogue.csv"


@pytest.mark.postgres
async def test_a_course_the_other_catalogue_still_lists_is_handed_over_not_cancelled(
    bot: BotUnderTest,
) -> None:
    """QA: B's copy of a course A listed first was skipped; when A dropped it, Ana was told
    "cancelled" and the course vanished from searches while B still offered it."""
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    await upload(bot, PROVIDER_B, "catalogue.csv", other_provider(CSV))
    ana_id = await subscribe_ana(bot)
    rows = await course_ids(bot, DROPPED)
    assert rows[A_FILE][1] == "active" and rows[B_FILE][1] == "listed_elsewhere"

    admin = bot.user(PROVIDER_A)
    _, question = await resend(admin, WITHOUT_DROPPED)
    await admin.press("Cancel 1 course(s)", message_id=question.message_id)
    done = (await admin.next_edit(10)).text or ""
    assert done == (
        "1 course(s) stay listed, by another catalogue that lists them too: whoever chose "
        "them keeps their reminders."
    )
    rows = await course_ids(bot, DROPPED)
    assert rows[A_FILE][1] == "cancelled" and rows[B_FILE][1] == "active"
    assert await notices_for(bot, ana_id) == []  # nothing to tell: it is still on
    async with transaction(bot.services.sessionmaker) as session:
        chosen = await session.scalars(
            select(CourseSubscription.course_id).where(CourseSubscription.clinician_id == ana_id)
        )
        assert list(chosen) == [rows[B_FILE][0]]
        targets = await session.scalars(
            select(ReminderOutbox.target_id).where(
                ReminderOutbox.clinician_id == ana_id,
                ReminderOutbox.kind == "course",
                ReminderOutbox.status == "pending",
            )
        )
        assert set(targets) == {rows[B_FILE][0]}, "her reminders follow the course"
    ana = bot.user(1001, "Ana")
    await ana.send("opioid courses near Quincy MA")
    found = [label for row in (await ana.next_reply(10)).buttons for label in row]
    assert sum("Quincy Opioid Stewardship" in label for label in found) == 1


async def test_a_copy_its_own_catalogue_dropped_never_takes_over(bot: BotUnderTest) -> None:
    await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    await upload(bot, PROVIDER_B, "catalogue.csv", other_provider(CSV))
    ana_id = await subscribe_ana(bot)
    b_without = "\n".join(
        line for line in other_provider(CSV).splitlines() if not line.startswith(DROPPED)
    )
    await upload(bot, PROVIDER_B, "catalogue.csv", b_without)  # B no longer lists it
    assert (await course_ids(bot, DROPPED))[B_FILE][1] == "cancelled"

    admin = bot.user(PROVIDER_A)
    _, question = await resend(admin, WITHOUT_DROPPED)
    await admin.press("Cancel 1 course(s)", message_id=question.message_id)
    assert (await admin.next_edit(10)).text == "Cancelled 1 course(s); 1 clinician(s) told."
    assert len(await notices_for(bot, ana_id)) == 1
    # A listing it again while nobody else does: it is A's, active, once.
    assert "1 updated" in await upload(bot, PROVIDER_A, "catalogue.csv", CSV)
    assert {s: st for s, (_, st) in (await course_ids(bot, DROPPED)).items()} == {
        A_FILE: "active", B_FILE: "cancelled"
    }


async def test_a_feed_that_drops_a_course_another_lists_hands_it_over(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    """The import that marks what it no longer lists cancelled (feeds, the CLI) alike."""
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    await import_source(bot.services.sessionmaker, str(path), now=START)
    await upload(bot, PROVIDER_B, "catalogue.csv", other_provider(CSV))
    ana_id = await subscribe_ana(bot)
    path.write_text(WITHOUT_DROPPED, encoding="utf-8")
    options = ImportOptions(mark_missing_cancelled=True)
    summary = await import_source(bot.services.sessionmaker, str(path), now=START, options=options)
    assert summary.cancelled == 0
    said = format_summary(summary)
    assert "1 course(s) no longer listed here stay listed by another catalogue" in said
    rows = await course_ids(bot, DROPPED)
    assert rows[B_FILE][1] == "active"
    async with transaction(bot.services.sessionmaker) as session:
        chosen = await session.scalar(
            select(CourseSubscription.course_id).where(CourseSubscription.clinician_id == ana_id)
        )
    assert chosen == rows[B_FILE][0]
