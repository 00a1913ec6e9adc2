"""What every handler and job can reach: settings, clock, database, HTTP client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.domain.requirements import RuleBook, shipped_rulebook
from bot.metrics import Metrics
from bot.polling import PollingRequest

if TYPE_CHECKING:
    from scheduler.dispatcher import Dispatcher


@dataclass
class Services:
    """Process-wide resources, opened in ``post_init`` and closed in ``post_shutdown``."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine | None = None
    sessionmaker: async_sessionmaker[AsyncSession] = field(default=None)  # type: ignore[assignment]
    http: httpx.AsyncClient | None = None
    metrics: Metrics = field(default_factory=Metrics)
    polling_request: PollingRequest | None = None
    dispatcher: Dispatcher | None = None
    rulebook: RuleBook = field(default_factory=shipped_rulebook)
    extras: dict[str, Any] = field(default_factory=dict)


class BotData(dict[str, Any]):
    """``application.bot_data`` with a typed ``services`` slot."""

    services: Services


class CMEContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """Typed callback context: ``context.services`` instead of ``bot_data["..."]``."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        return self.bot_data.services
