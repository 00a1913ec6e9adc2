"""End-to-end harness: the local Bot API sandbox and the real Application, polling.

``bot`` starts both against this test's fresh database (SQLite; PostgreSQL too when
the test is marked ``postgres``), with a :class:`ManualClock` the test can move.
``clinician`` is a chatting user: ``await clinician.send("/status")``,
``await clinician.next_reply()``, ``await clinician.press("Delete")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.app import CMEApplication, build_application
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.context import Services
from bot.sandbox.ptb import polling
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.user import REPLY_WAIT, SandboxUser
from bot.store import clinicians, licences
from bot.store.db import transaction
from bot.store.models import Clinician

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, 10:00 in New York


@dataclass
class BotUnderTest:
    sandbox: BotApiSandbox
    app: CMEApplication
    clock: ManualClock
    settings: Settings

    @property
    def services(self) -> Services:
        return self.app.bot_data.services

    def user(self, user_id: int = 1001, first_name: str = "Ana", **kwargs: Any) -> SandboxUser:
        return self.sandbox.user(user_id, first_name, **kwargs)


def make_settings(sandbox: BotApiSandbox, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "telegram_bot_token": sandbox.token,
        "telegram_api_url": sandbox.base_url,
        "telegram_file_url": sandbox.base_file_url,
        "database_url": database_url,
        "auto_migrate": True,
        "default_timezone": "America/New_York",
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings (e.g. ADMIN_IDS)."""
    return {}


@pytest.fixture
async def bot(database_url: str, settings_overrides: dict[str, Any]) -> AsyncIterator[BotUnderTest]:
    clock = ManualClock(START)
    async with BotApiSandbox(clock=clock) as sandbox:
        settings = make_settings(sandbox, database_url, **settings_overrides)
        app = build_application(settings, clock=clock, rate_limiter=False)
        async with polling(app, sandbox, poll_timeout=1):
            yield BotUnderTest(sandbox, app, clock, settings)


async def seed_licence(
    bot: BotUnderTest,
    rule_id: str,
    label: str,
    renewal_date: date,
    *,
    renewals_done: int | None = None,
    flags: list[str] | None = None,
) -> Clinician:
    """Clinician 1001 (Ana, New York) holding one licence, written straight to the store
    as the set-up writes it (its rule's jurisdiction too): for tests about what comes after
    the set-up."""
    rule = bot.services.rulebook.find(rule_id)
    async with transaction(bot.services.sessionmaker) as session:
        owner, _ = await clinicians.get_or_create(
            session, clinicians.TelegramIdentity(1001, 1001, "Ana"),
            default_timezone="America/New_York", now=START,
        )  # fmt: skip
        await licences.add(
            session, owner, label=label, rule_id=rule_id, renewal_date=renewal_date,
            renewals_done=renewals_done, flags=flags or [], now=START,
            jurisdiction=rule.jurisdiction if rule else None,
        )  # fmt: skip
    return owner


async def name_licence(ana: SandboxUser, name: str) -> str:
    """/licences (➕ Add when some exist) → the licence's name; the reply to it."""
    await ana.send("/licences")
    first = await ana.next_reply()
    if "Which licence" not in (first.text or ""):
        await ana.press("➕ Add")
        assert "Which licence" in (await ana.next_reply()).text
    await ana.send(name)
    return (await ana.next_reply()).text


async def set_up_with_requirement(user: SandboxUser, sentence: str) -> None:
    """A pharmacist's set-up with one described requirement, the time zone left as it is."""
    await start_as(user, "Pharmacist")
    await user.send(sentence)
    await reply_with(user, "Add another licence?")
    await user.press("Done")
    await reply_with(user, "Or keep the time zone as it is")


async def reply_with(
    user: SandboxUser, fragment: str, timeout: float = REPLY_WAIT  # noqa: ASYNC109
) -> str:
    """The text of the next reply that contains ``fragment``, replies before it skipped: a
    wait for that message, not for a quiet spell (which a loaded CI machine can outlast)."""
    while True:
        text = (await user.next_reply(timeout)).text or ""
        if fragment in text:
            return text


async def start_as(user: SandboxUser, profession: str) -> str:
    """/start as a new clinician and pick a profession; the question that follows."""
    await user.send("/start")
    await user.next_reply()
    assert "profession" in (await user.next_reply()).text
    await user.press(profession)
    return (await user.next_reply()).text or ""


@pytest.fixture
def clinician(bot: BotUnderTest) -> SandboxUser:
    return bot.user(1001, "Ana", last_name="Lopez", username="ana")
