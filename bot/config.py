"""Settings read once from the environment and ``.env`` (pydantic-settings).

An invalid value stops the process with one line naming the variable (see
:func:`load_settings`), never a traceback.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

TELEGRAM_API_URL = "https://api.telegram.org/bot"
ANONYMOUS_GROUP_ADMIN_ID = 1087968824  # Telegram's "GroupAnonymousBot": never an admin


class SettingsError(Exception):
    """A setting is invalid; the message names the variable."""


class Settings(BaseSettings):
    """Every knob an operator can turn; see ``.env.example`` for one line on each."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    telegram_bot_token: str | None = None
    telegram_api_url: str = TELEGRAM_API_URL
    telegram_file_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///cme.db"
    auto_migrate: bool | None = None  # default: on for SQLite, off for PostgreSQL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "America/New_York"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    rules_dir: Path | None = None
    certificates_dir: Path | None = None
    course_feeds: Annotated[tuple[str, ...], NoDecode] = ()
    privacy_policy_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    dispatch_rate: float = Field(default=25.0, ge=0, le=1000)
    dispatch_interval: float = Field(default=2.0, gt=0, le=300)
    dispatch_lease: float = Field(default=120.0, ge=1, le=3600)
    concurrent_updates: int = Field(default=64, ge=1, le=4096)
    db_pool_size: int = Field(default=10, ge=1, le=500)
    reply_retry_seconds: float = Field(default=60.0, ge=0, le=3600)
    bot_api_client: Literal["aiohttp", "httpx"] = "aiohttp"
    db_retry_seconds: float = Field(default=30.0, ge=0, le=3600)
    poller_lock_check_seconds: float = Field(default=15.0, gt=0, le=3600)
    poll_conflict_seconds: float = Field(default=30.0, gt=0, le=3600)
    course_file_max_mb: float = Field(default=5.0, gt=0, le=1024)
    plan_workers: int | None = Field(default=None, ge=1, le=64)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        bot_id, sep, secret = value.partition(":")
        if not sep or not bot_id.isdigit() or not secret:
            raise ValueError("must look like 123456789:ABC... (as given by @BotFather)")
        return value

    @field_validator("telegram_api_url", "telegram_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a database URL (e.g. sqlite+aiosqlite:///cme.db or "
                "postgresql+asyncpg://user@host/db)"
            ) from None
        if url.drivername not in {"sqlite+aiosqlite", "postgresql+asyncpg"}:
            raise ValueError(
                f"driver {url.drivername!r} is not supported; use sqlite+aiosqlite or "
                "postgresql+asyncpg"
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> frozenset[int]:
        if isinstance(value, (set, frozenset, list, tuple)):
            items = [str(v) for v in value]
        else:
            items = [part.strip() for part in str(value or "").split(",") if part.strip()]
        ids: set[int] = set()
        for item in items:
            if not item.lstrip("-").isdigit():
                raise ValueError(f"{item!r} is not a Telegram user id (comma-separated numbers)")
            ids.add(int(item))
        ids.discard(ANONYMOUS_GROUP_ADMIN_ID)
        return frozenset(ids)

    @field_validator("course_feeds", mode="before")
    @classmethod
    def _feeds(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, (list, tuple)):
            items = [str(v).strip() for v in value]
        else:
            items = [part.strip() for part in str(value or "").split(",")]
        feeds = tuple(item for item in items if item)
        for feed in feeds:
            if not feed.startswith(("http://", "https://")):
                raise ValueError(f"{feed!r} must start with http:// or https://")
        return feeds

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError(
                "must be 16-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return value

    @field_validator("privacy_policy_file")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a readable file")
        return value

    @field_validator("rules_dir")
    @classmethod
    def _existing_dir(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("certificates_dir")
    @classmethod
    def _writable_dir(cls, value: Path | None) -> Path | None:
        """Checked (and created) at start: otherwise the first certificate upload failed,
        was retried for 30 s as "database unreachable" and ended in an apology (QA)."""
        if value is None:
            return None
        value = value.expanduser()
        if not value.exists():
            if not value.parent.is_dir():
                raise ValueError(f"{value} does not exist, nor does the folder {value.parent}")
            try:
                value.mkdir()
            except OSError as exc:
                raise ValueError(f"cannot create {value}: {exc.strerror or exc}") from None
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        if not os.access(value, os.W_OK | os.X_OK):
            raise ValueError(f"{value} is not writable by this user")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Chicago)") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _derive_file_url(self) -> Settings:
        if self.telegram_file_url is None:
            self.telegram_file_url = derive_file_url(self.telegram_api_url)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def migrate_on_start(self) -> bool:
        """Embedded SQLite upgrades itself; shared PostgreSQL is migrated deliberately."""
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate

    @property
    def planner_processes(self) -> int:
        """Processes for a large planner pass: ``PLAN_WORKERS``, else one per core (at most 4)."""
        return self.plan_workers or min(os.cpu_count() or 1, 4)

    @property
    def rules_dirs(self) -> list[Path]:
        """Where rule files beside the shipped ones live (for ``load_rules``)."""
        return [self.rules_dir] if self.rules_dir else []


def derive_file_url(api_url: str) -> str:
    """``http://host/bot`` → ``http://host/file/bot``: downloads follow the API server."""
    base, sep, tail = api_url.rstrip("/").rpartition("/")
    if not sep or not tail.startswith("bot"):
        return api_url.rstrip("/") + "/file/bot"
    return f"{base}/file/{tail}"


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`SettingsError` with one readable line on bad input."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"invalid setting {name}: {message}") from None
