"""fill_gaps: the course that covers a missing mandate comes first, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from bot.courses.ranking import Fill, Gap, fill_gaps


@dataclass(frozen=True)
class C:
    id: int
    credits: Decimal
    topics: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    category: str = "ama_pra_1"
    price: Decimal | None = None
    timezone: str = "America/Chicago"


def _c(id: int, credits: str, topics: tuple[str, ...], day: int, **kw: object) -> C:
    start = datetime(2027, 3, day, 14, tzinfo=UTC)
    return C(id, Decimal(credits), topics, start, start.replace(hour=22), **kw)  # type: ignore[arg-type]


TEXAS = {
    "licence": "Texas MD",
    "deadline": "2027-03-31",
    "total": 10,
    "topics": {"texas_opioid": 2, "ethics": 2},
}


def test_a_course_covering_a_missing_mandate_ranks_first() -> None:
    big_general = _c(1, "20", (), 5)
    opioid = _c(2, "2", ("texas_opioid",), 20)
    ranked = fill_gaps([TEXAS], [big_general, opioid])
    assert [r.course.id for r in ranked] == [2, 1]
    first = ranked[0]
    assert first.fills == (
        Fill("Texas MD", "texas_opioid", Decimal(2)),
        Fill("Texas MD", None, Decimal(2)),
    )
    assert (first.mandate_hours, first.credit_hours) == (2, 2) and first.fills_mandate
    assert ranked[1].credit_hours == 10  # general credit is capped at what is still needed


def test_narrow_topics_count_toward_broad_mandates_not_the_reverse() -> None:
    gap = Gap(
        "Florida MD", date(2027, 12, 31), topics={"controlled_substance_prescribing": Decimal(2)}
    )
    narrow = _c(1, "2", ("florida_controlled_substance",), 1)
    broad_need = Gap("Texas MD", date(2027, 12, 31), topics={"texas_opioid": Decimal(2)})
    generic_opioid = _c(2, "2", ("opioid_prescribing",), 1)
    assert fill_gaps([gap], [narrow])[0].fills_mandate
    assert not fill_gaps([broad_need], [generic_opioid])[0].fills_mandate


def test_deadline_category_and_ties() -> None:
    # Ends on the deadline day in Chicago (22:00 UTC = 16:00 local) still counts.
    on_time = _c(1, "2", ("ethics",), 31)
    late = C(2, Decimal(2), ("ethics",), datetime(2027, 4, 1, 14, tzinfo=UTC),
             datetime(2027, 4, 1, 15, tzinfo=UTC))  # fmt: skip
    wrong_kind = _c(3, "2", ("ethics",), 2, category="ama_pra_2")
    cheap = _c(4, "2", ("ethics",), 31, price=Decimal(10))
    gap = {**TEXAS, "categories": ["ama_pra_1"]}
    ranked = fill_gaps([gap], [late, wrong_kind, on_time, cheap])
    assert [r.course.id for r in ranked] == [4, 1, 3, 2]  # cheaper first among equals
    assert not ranked[-1].useful and ranked[-1].fills == ()


def test_several_licences_add_up() -> None:
    ohio = Gap("Ohio MD", date(2027, 6, 30), total=Decimal(50))
    course = _c(1, "2", ("ethics",), 3)
    (ranked,) = fill_gaps([TEXAS, ohio], [course])
    assert {(f.licence, f.topic) for f in ranked.fills} == {
        ("Texas MD", "ethics"),
        ("Texas MD", None),
        ("Ohio MD", None),
    }


def test_a_course_over_before_a_renewed_early_cycle_opens_fills_nothing() -> None:
    """QA: an Ohio licence renewed early (its cycle opens Feb 1, 2027) was shown courses
    of January as filling it, though they would not count."""
    gap = Gap("Ohio DO", date(2029, 1, 31), total=Decimal(10),
              topics={"ethics": Decimal(2)}, opens=date(2027, 3, 10))  # fmt: skip
    before = _c(1, "2", ("ethics",), 5)  # Mar 5
    on_the_day = _c(2, "2", ("ethics",), 10)  # Mar 10, still within it
    on_demand = C(3, Decimal(2), ("ethics",), datetime(2027, 1, 1, tzinfo=UTC),
                  datetime(2027, 12, 31, tzinfo=UTC))  # open after the cycle begins: counts
    ranked = {r.course.id: r for r in fill_gaps([gap], [before, on_the_day, on_demand])}
    assert not ranked[1].useful
    assert ranked[2].fills_mandate and ranked[3].fills_mandate
