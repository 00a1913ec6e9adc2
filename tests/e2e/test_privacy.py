"""/privacy, /export and /forget end to end: the clinician's data is theirs."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from bot.store import clinicians, credits, licences
from bot.store.db import transaction
from bot.store.models import Base, ReminderOutbox
from tests.e2e.conftest import START, BotUnderTest

pytestmark = pytest.mark.postgres


async def _seed(bot: BotUnderTest, telegram_id: int, name: str) -> None:
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session,
            clinicians.TelegramIdentity(telegram_id, telegram_id, name),
            default_timezone="America/New_York",
            now=START,
        )
        licence = await licences.add(
            session, owner, label="Texas MD", rule_id="us-tx-md", number="TX-SECRET-1", now=START
        )
        certificate = await credits.add_certificate(
            session,
            owner,
            file_name="cert.pdf",
            mime_type="application/pdf",
            content=b"%PDF-1.4 " + name.encode(),
            sha256="a" * 64,
            now=START,
        )
        await credits.add(
            session,
            owner,
            completed_on=date(2026, 10, 1),
            amount=Decimal("2.5"),
            category="ama_pra_1",
            title=f"{name}'s ethics course",
            now=START,
            topics=["ethics"],
            certificate_id=certificate.id,
        )
        session.add(
            ReminderOutbox(
                clinician_id=owner.id, kind="notice", target_id=None,
                dedupe_key=f"{owner.id}:notice:{name}", due_at=START + timedelta(days=1),
                payload={"text": f"{name}'s course moved"}, created_at=START, updated_at=START,
            )
        )  # fmt: skip
        session.add(
            ReminderOutbox(
                clinician_id=owner.id, kind="renewal", target_id=licence.id,
                dedupe_key=f"{owner.id}:renewal:{name}", due_at=START + timedelta(days=2),
                created_at=START, updated_at=START,
            )
        )  # fmt: skip


async def test_privacy_answers_with_the_policy(bot: BotUnderTest) -> None:
    ana = bot.user()
    await ana.send("/privacy")
    reply = await ana.next_reply()
    assert "Privacy policy" in reply.text and "/forget" in reply.text and "/export" in reply.text


async def test_export_sends_only_my_data(bot: BotUnderTest) -> None:
    await _seed(bot, 1001, "Ana")
    await _seed(bot, 2002, "Ben")
    ana = bot.user(1001, "Ana")
    await ana.send("/export")
    document = await ana.next_reply()
    archive = await ana.next_reply()
    assert document.document_file is not None and archive.document_file is not None
    exported = json.loads(document.document_file.data)
    assert exported["clinician"]["telegram_id"] == 1001
    assert [e["title"] for e in exported["credit_entries"]] == ["Ana's ethics course"]
    assert exported["licences"][0]["label"] == "Texas MD"
    assert [(r["kind"], r["about"], r["payload"]) for r in exported["reminders"]] == [
        ("notice", None, {"text": "Ana's course moved"}),
        ("renewal", "Texas MD", None),  # what it is about, not only an id
    ]
    assert "leased_by" not in exported["reminders"][0]
    assert "Ben" not in document.document_file.data.decode()
    with zipfile.ZipFile(io.BytesIO(archive.document_file.data)) as zipped:
        names = zipped.namelist()
        assert len(names) == 1 and zipped.read(names[0]) == b"%PDF-1.4 Ana"


async def test_forget_deletes_every_row_after_confirmation(bot: BotUnderTest) -> None:
    await _seed(bot, 1001, "Ana")
    await _seed(bot, 2002, "Ben")
    ana = bot.user(1001, "Ana")
    await ana.send("/forget")
    ask = await ana.next_reply()
    assert "cannot be undone" in ask.text
    await ana.press("Keep my data")
    assert "Nothing was deleted" in (await ana.next_edit()).text
    await ana.send("/forget")
    await ana.next_reply()
    await ana.send("yes")  # typed: not a deletion (only the button deletes)
    assert "Nothing was deleted" not in (await ana.next_reply()).text
    await ana.send("/cancel")  # QA: "There is nothing to cancel" at this question
    assert (await ana.next_reply()).text == "Nothing was deleted."
    await ana.send("/forget")
    await ana.next_reply()
    await ana.press("Delete everything")
    assert "deleted" in (await ana.next_edit()).text

    async with transaction(bot.services.sessionmaker) as session:
        for table in Base.metadata.sorted_tables:
            if "clinician_id" in table.c:
                count = await session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(
                        table.c.clinician_id.not_in(
                            select(text("id")).select_from(text("clinicians"))
                        )
                    )
                )
                assert count == 0, f"orphans left in {table.name}"
        assert await clinicians.find(session, 1001) is None
        ben = await clinicians.find(session, 2002)
        assert ben is not None and len(await credits.list_for(session, ben)) == 1


async def test_a_forged_forget_button_from_someone_else_deletes_only_the_presser(
    bot: BotUnderTest,
) -> None:
    await _seed(bot, 1001, "Ana")
    await _seed(bot, 2002, "Ben")
    ben = bot.user(2002, "Ben")
    await ben.send("/help")
    own = await ben.next_reply()
    await ben.press_data("forget:yes", own.message_id)  # forged onto a message with no button
    await ben.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        assert await clinicians.find(session, 2002) is None
        ana = await clinicians.find(session, 1001)
        assert ana is not None and len(await credits.list_for(session, ana)) == 1


@pytest.mark.parametrize("data", ["", "x" * 64, "forget:../../etc", "nope:1", "forget:1:2:3:4:5"])
async def test_garbage_callback_data_expires_quietly(bot: BotUnderTest, data: str) -> None:
    ana = bot.user()
    await ana.send("/forget")
    ask = await ana.next_reply()
    await ana.press_data(data, ask.message_id)
    answer = await ana.callback_answer()
    assert answer is not None
    async with transaction(bot.services.sessionmaker) as session:
        assert await clinicians.find(session, 1001) is not None


@pytest.mark.parametrize("settings_overrides", [{"admin_ids": "1001"}])
async def test_an_admin_who_forgets_leaves_catalogues_without_their_id(
    bot: BotUnderTest, settings_overrides: dict[str, str]
) -> None:
    """QA: after /forget the catalogue source still read "upload:1001:catalog.csv"."""
    from bot.store.models import Course

    admin = bot.user(1001, "Boss")
    csv = (
        "id,title,credits,category,topics,format,start,end,timezone,city,state,latitude,"
        "longitude\nc1,Ethics Day,2,ama_pra_1,ethics,in_person,2027-01-10 09:00,"
        "2027-01-10 11:00,America/New_York,Boston,MA,42.36,-71.06\n"
    )
    await admin.upload("catalog.csv", csv.encode(), "text/csv")
    assert "1 added" in ((await admin.next_reply(10)).text or "")
    await admin.send("/forget")
    await admin.next_reply()
    await admin.press("Delete everything")
    await admin.next_edit()
    async with transaction(bot.services.sessionmaker) as session:
        sources = (await session.scalars(select(Course.source))).all()
    assert len(sources) == 1 and "1001" not in sources[0]
    assert sources[0].startswith("upload:former-") and sources[0].endswith(":catalog.csv")
