"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out.

    SQLite keeps no zone and asyncpg rejects aware values in naive columns; this
    type stores UTC everywhere and refuses naive input so no local time sneaks in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two places stored as an integer count of hundredths.

    Exact on both databases (SQLite has no decimal type) and cheap to sum.
    """

    impl = Integer
    cache_ok = True
    _QUANT = Decimal("0.01")

    def process_bind_param(self, value: Decimal | int | float | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        quantised = Decimal(str(value)).quantize(self._QUANT, rounding=ROUND_HALF_UP)
        return int(quantised * 100)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(self._QUANT)
