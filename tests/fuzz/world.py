"""Turns fuzz actions into real updates and checks what the bot did with each.

One :class:`World` lives for a whole test function (one sandbox, one polling
Application, one database); Hypothesis runs many examples against it. After every
action the World waits until the Application has finished the update, then checks:
no ERROR was logged, a private message got a reply (a press got its answer), nothing
reached user A's chat. After every example: none of A's strings reached anyone else,
A's rows are unchanged, the database passes its integrity checks.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from typing import Any

from bot.config import ANONYMOUS_GROUP_ADMIN_ID
from bot.sandbox.user import SandboxUser
from tests.e2e.conftest import BotUnderTest
from tests.fuzz import known_bugs
from tests.fuzz import strategies as s
from tests.fuzz.harness import (
    OWNER_ID,
    ErrorRecorder,
    LeakScanner,
    Owner,
    owner_snapshot,
    settle,
)
from tests.fuzz.integrity import integrity_problems

FUZZER_ID = 990_002  # user B
NEWCOMER_FIRST_ID = 995_000
GROUP_ID = -100_500
SUPERGROUP_ID = -1_001_000_500
CHANNEL_ID = -1_009_000_600


@dataclass
class World:
    """A long-lived bot under fuzz, with user A seeded and user B acting."""

    bot: BotUnderTest
    owner: Owner
    errors: ErrorRecorder
    baseline: dict[str, Any]
    user: SandboxUser = field(init=False)
    scanner: LeakScanner = field(init=False)
    chats: set[int] = field(default_factory=set)
    newcomers: int = 0
    actions: int = 0
    replies: int = 0

    def __repr__(self) -> str:  # Hypothesis prints the arguments of a failing example
        return f"World(actions={self.actions}, replies={self.replies})"

    def __post_init__(self) -> None:
        self.user = self.bot.user(FUZZER_ID, "Bea", last_name="Fuzz", username="bea_fuzz")
        self.scanner = LeakScanner(self.bot.sandbox)
        self.chats = {FUZZER_ID, GROUP_ID, SUPERGROUP_ID, CHANNEL_ID}
        sandbox = self.bot.sandbox
        sandbox.add_chat(GROUP_ID, "group", title="Fuzz group")
        sandbox.add_chat(SUPERGROUP_ID, "supergroup", title="Fuzz supergroup")
        sandbox.add_chat(CHANNEL_ID, "channel", title="Fuzz channel")

    # ------------------------------------------------------------------------ performing
    async def perform(self, action: Any) -> None:
        """Push one action, wait until it is handled, check the immediate properties."""
        if isinstance(action, s.LogAndSave):
            await self.perform(s.Say(action.line))
            await self.perform(s.Tap("log:save"))
            return
        if isinstance(action, s.Tap) and self._newest_with(action.data) is None:
            return  # the bot showed no such button (the line did not parse): nothing to press
        self.actions += 1
        expect_reply, chat_id, query = await self._push(action)
        await settle(self.bot, self._last_update_id())
        errors = [error for error in self.errors.take() if not known_bugs.tolerated(error)]
        assert not errors, f"{action!r} logged errors:\n" + "\n".join(errors)
        sandbox = self.bot.sandbox
        if query is not None:
            assert query in sandbox.callback_answers, f"{action!r}: the press was never answered"
        if expect_reply is not None:
            fresh = sandbox.messages(chat_id)[expect_reply:]
            assert fresh, f"{action!r}: a private message got no reply"
            self.replies += len(fresh)
            for message in fresh:
                shown = message.shown_text
                assert "Traceback" not in shown and "Exception" not in shown, shown[:500]
                assert shown.strip() or message.photo_file or message.document_file, (
                    f"{action!r}: an empty reply"
                )
        assert not sandbox.messages(OWNER_ID), (
            f"{action!r} made the bot write to user A: {sandbox.describe_chat(OWNER_ID)}"
        )

    async def check_example(self) -> None:
        """After each example: no leaks, A unchanged, database intact."""
        leaks = self.scanner.leaks(sorted(self.chats))
        assert not leaks, "user A's data reached someone else:\n" + "\n".join(leaks)
        assert await owner_snapshot(self.bot, self.owner) == self.baseline, "A's rows changed"
        engine = self.bot.services.engine
        assert engine is not None
        problems = await integrity_problems(engine)
        assert not problems, "integrity: " + "; ".join(problems)

    def _last_update_id(self) -> int:
        return self.bot.sandbox._next_update_id - 1

    async def _push(self, action: Any) -> tuple[int | None, int, str | None]:
        """Push the update; (reply cursor or None if no reply is owed, chat, query id)."""
        sandbox = self.bot.sandbox
        me = FUZZER_ID
        before = len(sandbox.messages(me))
        if isinstance(action, s.Say):
            sandbox.push_text(action.text, user_id=me)
            return before, me, None
        if isinstance(action, s.Command):
            sandbox.push_command(action.name, action.args, user_id=me, mention=action.mention)
            return before, me, None
        if isinstance(action, s.PressButton | s.Forge):
            return None, me, await self._press(action)
        if isinstance(action, s.Tap):
            message = self._newest_with(action.data)
            assert message is not None
            update_id = sandbox.push_callback(message.message_id, action.data, user_id=me)
            return None, me, sandbox.callback_query_id(update_id)
        if isinstance(action, s.Locate):
            sandbox.push_location(action.latitude, action.longitude, user_id=me)
            return before, me, None
        if isinstance(action, s.Upload):
            mime = action.mime_type or mimetypes.guess_type(action.file_name)[0]
            sandbox.push_document(
                action.data, action.file_name, mime, caption=action.caption, user_id=me
            )
            return before, me, None
        if isinstance(action, s.Photo):
            sandbox.push_photo(action.data, caption=action.caption, user_id=me)
            return before, me, None
        if isinstance(action, s.EditEarlier):
            log = sandbox.chat_log(me)
            earlier = [i for i, m in log.incoming.items() if "text" in m]
            if not earlier:
                sandbox.push_text(action.text, user_id=me)
                return before, me, None
            sandbox.push_edited_message(
                earlier[action.index % len(earlier)], action.text, user_id=me
            )
            return None, me, None
        if isinstance(action, s.InGroup):
            chat_id = SUPERGROUP_ID if action.supergroup else GROUP_ID
            if action.anonymous:
                self._raw_group(chat_id, action.text)
            else:
                kind = "supergroup" if action.supergroup else "group"
                sandbox.push_text(action.text, user_id=me, chat_id=chat_id, chat_type=kind)
            return None, chat_id, None
        if isinstance(action, s.ChannelPost):
            sandbox.push_text(action.text, user_id=me, chat_id=CHANNEL_ID, chat_type="channel")
            return None, CHANNEL_ID, None
        if isinstance(action, s.Newcomer):
            self.newcomers += 1
            user_id = NEWCOMER_FIRST_ID + self.newcomers
            sandbox.add_user(user_id, action.first_name or None)
            self.chats.add(user_id)
            sandbox.push_text(action.text, user_id=user_id)
            return 0, user_id, None
        if isinstance(action, s.Raw):
            owed = raw_update(self, action)
            return (before if owed else None), me, None
        raise AssertionError(f"unknown action {action!r}")

    def _newest_with(self, data: str) -> Any:
        """The newest live bot message in B's chat with a button carrying ``data``."""
        for message in reversed(self.bot.sandbox.messages(FUZZER_ID)):
            if not message.deleted and any(b.callback_data == data for b in message.inline_buttons):
                return message
        return None

    async def _press(self, action: s.PressButton | s.Forge) -> str:
        sandbox = self.bot.sandbox
        me = FUZZER_ID
        live = [m for m in reversed(sandbox.messages(me)) if not m.deleted]
        if not live:
            sandbox.push_command("help", user_id=me)
            await settle(self.bot, self._last_update_id())
            live = [m for m in reversed(sandbox.messages(me)) if not m.deleted]
        if isinstance(action, s.PressButton):
            buttons = [
                (message, button.callback_data)
                for message in live[:6]
                for button in message.inline_buttons
                if button.callback_data
            ]
            if buttons:
                message, data = buttons[action.index % len(buttons)]
            else:
                message, data = live[0], "noop"
        else:
            message, data = live[action.message % len(live)], action.data
        update_id = sandbox.push_callback(message.message_id, data, user_id=me)
        return sandbox.callback_query_id(update_id)

    def _raw_group(self, chat_id: int, text: str) -> None:
        """An anonymous group admin: ``from`` is Telegram's GroupAnonymousBot."""
        sandbox = self.bot.sandbox
        log = sandbox.chat_log(chat_id)
        anonymous = {
            "id": ANONYMOUS_GROUP_ADMIN_ID,
            "is_bot": True,
            "first_name": "Group",
            "username": "GroupAnonymousBot",
        }
        message = {
            "message_id": log.take_message_id(),
            "date": sandbox.now_date(),
            "chat": log.chat,
            "from": anonymous,
            "sender_chat": log.chat,
            "text": text,
        }
        sandbox.push_update({"message": message})


def _user(world: World, user_id: int) -> dict[str, Any]:
    return world.bot.sandbox.user_info(user_id)


def raw_update(world: World, action: s.Raw) -> bool:
    """Push a hand-built update of ``action.kind``; True if a private reply is owed."""
    sandbox = world.bot.sandbox
    me = FUZZER_ID
    private = sandbox.chat_log(me)
    group = sandbox.chat_log(GROUP_ID)
    channel = sandbox.chat_log(CHANNEL_ID)
    user = _user(world, me)
    bot_user = sandbox.bot_user
    now = sandbox.now_date()

    def message(log: Any, content: dict[str, Any], sender: dict[str, Any] | None = user) -> int:
        body: dict[str, Any] = {
            "message_id": log.take_message_id(),
            "date": now,
            "chat": log.chat,
            **content,
        }
        if sender is not None:
            body["from"] = sender
        key = "channel_post" if log.chat["type"] == "channel" else "message"
        return sandbox.push_update({key: body})

    text = action.text or "hi"
    owed = {
        "sticker",
        "contact",
        "voice",
        "dice",
        "poll",
        "venue",
        "empty_message",
        "reply_to_unknown",
        "forwarded",
        "via_bot",
        "caption_only_document",
        "sender_chat_private",
    }
    kind = action.kind
    if kind == "private_without_from":
        message(private, {"text": text}, sender=None)
    elif kind == "group_without_from":
        message(group, {"text": text, "sender_chat": group.chat}, sender=None)
    elif kind == "from_a_bot":
        other = {"id": 777_000_111, "is_bot": True, "first_name": "OtherBot"}
        message(group, {"text": "/status"}, sender=other)
    elif kind == "sticker":
        message(
            private,
            {
                "sticker": {
                    "file_id": "STK1",
                    "file_unique_id": "USTK1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "🙂",
                }
            },
        )
    elif kind == "contact":
        message(
            private,
            {
                "contact": {
                    "phone_number": "+15550100",
                    "first_name": text[:30],
                    "user_id": OWNER_ID,
                }
            },
        )
    elif kind == "voice":
        message(private, {"voice": {"file_id": "VOC1", "file_unique_id": "UVOC1", "duration": 3}})
    elif kind == "dice":
        message(private, {"dice": {"emoji": "🎲", "value": 6}})
    elif kind == "poll":
        message(
            private,
            {
                "poll": {
                    "id": "P1",
                    "question": text[:255] or "?",
                    "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
                    "total_voter_count": 0,
                    "is_closed": False,
                    "is_anonymous": True,
                    "type": "regular",
                    "allows_multiple_answers": False,
                    "allows_revoting": False,
                    "members_only": False,
                }
            },
        )
    elif kind == "venue":
        location = {"latitude": 42.36, "longitude": -71.06}
        message(
            private,
            {
                "location": location,
                "venue": {
                    "location": location,
                    "title": text[:60] or "Venue",
                    "address": "1 Main St",
                },
            },
        )
    elif kind == "new_chat_members":
        message(group, {"new_chat_members": [bot_user, user]})
    elif kind == "left_chat_member":
        message(group, {"left_chat_member": user})
    elif kind == "pinned_message":
        pinned = {"message_id": 1, "date": now, "chat": private.chat, "text": text}
        message(private, {"pinned_message": pinned})
    elif kind in ("my_chat_member_kicked", "my_chat_member_member"):
        status = "kicked" if kind.endswith("kicked") else "member"
        new: dict[str, Any] = {"status": status, "user": bot_user}
        if status == "kicked":
            new["until_date"] = 0
        sandbox.push_update(
            {
                "my_chat_member": {
                    "chat": private.chat,
                    "from": user,
                    "date": now,
                    "old_chat_member": {"status": "member", "user": bot_user},
                    "new_chat_member": new,
                }
            }
        )
    elif kind == "inline_query":
        sandbox.push_update(
            {"inline_query": {"id": "IQ1", "from": user, "query": text, "offset": ""}}
        )
    elif kind == "poll_answer":
        sandbox.push_update(
            {
                "poll_answer": {
                    "poll_id": "P1",
                    "user": user,
                    "option_ids": [0],
                    "option_persistent_ids": ["o1"],
                }
            }
        )
    elif kind == "chat_join_request":
        sandbox.push_update(
            {
                "chat_join_request": {
                    "chat": group.chat,
                    "from": user,
                    "user_chat_id": me,
                    "date": now,
                }
            }
        )
    elif kind == "message_reaction":
        sandbox.push_update(
            {
                "message_reaction": {
                    "chat": private.chat,
                    "message_id": 1,
                    "user": user,
                    "date": now,
                    "old_reaction": [],
                    "new_reaction": [{"type": "emoji", "emoji": "👍"}],
                }
            }
        )
    elif kind == "empty_message":
        message(private, {})
    elif kind == "edited_channel_post":
        body = {
            "message_id": channel.take_message_id(),
            "date": now,
            "chat": channel.chat,
            "sender_chat": channel.chat,
            "text": text,
            "edit_date": now,
        }
        sandbox.push_update({"edited_channel_post": body})
    elif kind == "reply_to_unknown":
        quoted = {
            "message_id": 999_999,
            "date": now,
            "chat": private.chat,
            "from": _user(world, OWNER_ID),
            "text": "quoted",
        }
        message(private, {"text": text, "reply_to_message": quoted})
    elif kind == "forwarded":
        origin = {"type": "user", "date": now, "sender_user": _user(world, OWNER_ID)}
        message(
            private,
            {
                "text": "/status",
                "forward_origin": origin,
                "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
            },
        )
    elif kind == "via_bot":
        message(private, {"text": text, "via_bot": bot_user})
    elif kind == "caption_only_document":
        stored = sandbox.store_file(b"%PDF-1.4\n", None, None, "documents")
        message(
            private,
            {
                "document": {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id},
                "caption": text,
            },
        )
    elif kind == "sender_chat_private":
        message(private, {"text": text, "sender_chat": channel.chat})
    else:
        raise AssertionError(f"unknown raw kind {kind}")
    return kind in owed
