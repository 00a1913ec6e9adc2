"""How a course reads in a list, for the cases a catalogue's odd rows produced."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.store.models import Course
from handlers.course_views import course_lines

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _on_demand(starts: datetime) -> Course:
    return Course(
        title="Opioid Module", credits=Decimal(2), category="ama_pra_1", topics=[],
        format="on_demand", starts_at=starts, ends_at=datetime(2028, 1, 1, 4, 59, tzinfo=UTC),
        timezone="America/New_York", status="active", price=None,
    )  # fmt: skip


def test_an_on_demand_course_not_yet_open_reads_as_on_demand_from_its_day() -> None:
    """QA round 9: a date-only opening read "Thu Dec 31, 11:00 PM CST – Fri Dec 31" to a
    Chicago clinician, as if a one-day event the evening before."""
    opens = datetime(2027, 1, 1, 5, 0, tzinfo=UTC)  # midnight in New York
    when = course_lines(1, _on_demand(opens), None, "mi", CHICAGO, NOW)[1]
    assert when == "📅 On demand from Fri Jan 1, 2027 until Fri Dec 31, 2027", when
    opened = course_lines(1, _on_demand(NOW), None, "mi", CHICAGO, NOW)[1]
    assert opened == "📅 Any time until Fri Dec 31, 2027", opened
