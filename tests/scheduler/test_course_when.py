"""How a course reminder says when the course starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.renderers import course_when

NY = ZoneInfo("America/New_York")
NOW = datetime(2027, 1, 5, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (40, "in 40 minutes"),
        (90, "in 90 minutes"),
        (104, "in 1 hour 44 minutes"),
        (120, "in 2 hours"),
        (175, "in 2 hours 55 minutes"),
        (6 * 60, "today"),
        (20 * 60, "tomorrow"),
    ],
)
def test_course_when(minutes: int, said: str) -> None:
    assert course_when(NOW + timedelta(minutes=minutes), NOW, NY) == said
