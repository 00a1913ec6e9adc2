"""User B tries everything with user A's ids and gets nothing of A's (deterministic).

A owns licences, credit entries, a certificate, a course subscription, planned reminders
and a pending log draft. B sends every command (with A's ids as arguments) and presses
every button action the router knows, aimed at each of A's ids. Afterwards: no reply to
B (text, buttons, files) contains anything of A's, A's chat stayed empty, A's rows are
exactly as before, A's draft was not saved for anyone, and the database is intact.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.store.db import transaction
from bot.store.models import CreditEntry
from tests.e2e.conftest import BotUnderTest
from tests.fuzz.harness import (
    DRAFT_TITLE,
    OWNER_ID,
    LeakScanner,
    Owner,
    owner_snapshot,
    recording_errors,
    seed_owner,
    settle,
)
from tests.fuzz.integrity import integrity_problems
from tests.fuzz.strategies import HIDDEN_COMMANDS, callback_actions

pytestmark = [pytest.mark.postgres, pytest.mark.fuzz]

INTRUDER_ID = 990_777

# Sub-actions per button action (what the handlers switch on). The test fails when a new
# action is registered without being listed here, so coverage cannot silently shrink.
SUB_ACTIONS: dict[str, tuple[str, ...]] = {
    "bcast": ("send", "cancel"),
    "cd": (),
    "ci": (),
    "cdl": (),
    "cg": (),
    "chart": (),
    "cm": ("yes", "no"),
    "cr": (),
    "cred": ("del", "delyes", "undoyes", "edit", "page"),
    "cs": (),
    "cu": (),
    "cust": (),
    "forget": ("no",),  # "yes" is pressed last, on purpose
    "gaps": (),
    "lic": ("del", "delyes", "date", "name", "rule", "ren", "flag", "nodate", "renmore", "add",
            "skip", "done", "rennone"),
    "log": ("save", "cancel", "date", "amount", "topic", "cat", "title", "provider", "format"),
    "logc": ("ama_pra_1",),
    "logf": ("live", "-"),
    "logt": ("ethics",),
    "logu": ("ceus", "hours"),
    "mute": (),
    "noop": (),
    "notes": (),
    "onb": ("prof", "tz", "done"),
    "rem": ("mute", "unmute", "pause", "resume", "ladder", "quiet", "qset"),
    "snz": (),
    "tz": (),
}


def forged_presses(owner: Owner) -> list[str]:
    """Every action, with each of A's ids in every argument position that takes one."""
    data: list[str] = []
    for action in callback_actions():
        data.append(action)
        for target in owner.all_ids:
            data += [f"{action}:{target}", f"{action}:{target}:1", f"{action}:{target}:7",
                     f"{action}:{target}:0"]  # fmt: skip
            data += [f"{action}:{sub}:{target}" for sub in SUB_ACTIONS.get(action, ())]
            data += [f"{action}:{sub}:{target}:y" for sub in SUB_ACTIONS.get(action, ())]
        data += [f"{action}:{sub}" for sub in SUB_ACTIONS.get(action, ())]
    data += [f"cs:0:g{owner.clinician_id}:50m:::::", f"cg:0::{owner.licence_ids[0]}",
             "log:save:dup", "bcast:send:00000000"]  # fmt: skip
    return list(dict.fromkeys(data))


def commands_with(owner: Owner) -> list[str]:
    names = [name for name, _ in texts.COMMANDS] + list(HIDDEN_COMMANDS)
    ids = " ".join(str(i) for i in owner.all_ids)
    lines = [f"/{name}" for name in names if name != "forget"]
    lines += [f"/{name} {ids}" for name in names if name != "forget"]
    lines += ["/status Zyxtarian", "/courses near me", "/log save", "/undo", "/undo",
              f"/timezone {OWNER_ID}", "log:save", "Save", "yes"]  # fmt: skip
    return lines


async def test_every_command_and_button_with_someone_elses_ids(bot: BotUnderTest) -> None:
    owner = await seed_owner(bot)
    before = await owner_snapshot(bot, owner)
    intruder = bot.user(INTRUDER_ID, "Ivo", username="ivo")
    scanner = LeakScanner(bot.sandbox)
    assert set(callback_actions()) == set(SUB_ACTIONS), "list the sub-actions of new buttons"
    with recording_errors() as errors:
        for line in commands_with(owner):
            update_id = await intruder.send(line)
            await settle(bot, update_id)
            assert not errors.take(), line
        # A keyboard of B's own to press on (every press needs a message with buttons).
        update_id = await intruder.send("/reminders")
        await settle(bot, update_id)
        target = bot.sandbox.messages(INTRUDER_ID)[-1].message_id
        refusals: dict[str, int] = {}
        for data in [*forged_presses(owner), "forget:yes"]:
            update_id = await intruder.press_data(data, target)
            await settle(bot, update_id)
            assert not errors.take(), data
            answer = bot.sandbox.callback_answers.get(bot.sandbox.callback_query_id(update_id))
            assert answer is not None, f"{data}: never answered"
            refusals[answer.text or ""] = refusals.get(answer.text or "", 0) + 1
    # The handlers looked A's ids up through B and found nothing (not merely bad syntax).
    for refusal in (texts.LICENCE_GONE, texts.CREDITS_GONE, texts.BUTTON_EXPIRED):
        assert refusals.get(refusal, 0) > 0, refusals
    leaks = scanner.leaks([INTRUDER_ID])
    assert not leaks, "\n".join(leaks)
    assert bot.sandbox.messages(OWNER_ID) == []
    assert await owner_snapshot(bot, owner) == before
    async with transaction(bot.services.sessionmaker) as session:
        saved = select(func.count()).where(CreditEntry.title == DRAFT_TITLE)
        assert (await session.execute(saved)).scalar_one() == 0, "A's draft was saved"
    assert bot.services.engine is not None
    assert await integrity_problems(bot.services.engine) == []


async def test_a_forwarded_command_acts_for_the_forwarder(bot: BotUnderTest) -> None:
    """A message forwarded from A (or quoting A) is B's, never A's."""
    owner = await seed_owner(bot)
    before = await owner_snapshot(bot, owner)
    intruder = bot.user(INTRUDER_ID, "Ivo")
    sandbox = bot.sandbox
    log = sandbox.chat_log(INTRUDER_ID)
    a_user = sandbox.user_info(OWNER_ID)
    scanner = LeakScanner(sandbox)
    for text in ("/status", "/credits", "/export", "/licences"):
        message = {
            "message_id": log.take_message_id(), "date": sandbox.now_date(), "chat": log.chat,
            "from": sandbox.user_info(INTRUDER_ID), "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
            "forward_origin": {"type": "user", "date": sandbox.now_date(), "sender_user": a_user},
            "reply_to_message": {"message_id": 1, "date": sandbox.now_date(), "chat": log.chat,
                                 "from": a_user, "text": "mine"},
        }  # fmt: skip
        await settle(bot, sandbox.push_update({"message": message}))
    assert len(intruder.messages) >= 4
    assert scanner.leaks([INTRUDER_ID]) == []
    assert await owner_snapshot(bot, owner) == before
