"""Courses that fill my gaps: each open mandate's best course leads the list."""

from __future__ import annotations

from decimal import Decimal

from bot.courses.ranking import Fill, Ranked
from handlers.course_gaps import _each_mandate_first


def ranked(name: str, *mandates: str, hours: str = "2") -> Ranked[str]:
    amount = Decimal(hours)
    fills = (*(Fill("tx", m, amount) for m in mandates), Fill("tx", None, amount))
    return Ranked(name, amount * len(mandates), amount, fills)  # type: ignore[type-var]


def test_one_mandates_many_courses_do_not_bury_another_mandates_course() -> None:
    opioid = [ranked(f"opioid {n}", "m:opioid", hours="4") for n in range(20)]
    trafficking = ranked("trafficking", "m:trafficking", hours="1")
    general = ranked("board review")
    order = _each_mandate_first([*opioid, trafficking, general])  # as fill_gaps ranks them
    assert [item.course for item in order[:3]] == ["opioid 0", "trafficking", "opioid 1"]
    assert len(order) == 22 and order[-1].course == "board review"


def test_a_course_for_two_mandates_leads_once() -> None:
    both = ranked("ethics and trafficking", "m:ethics", "m:trafficking")
    ethics = ranked("ethics", "m:ethics")
    order = _each_mandate_first([both, ethics])
    assert [item.course for item in order] == ["ethics and trafficking", "ethics"]
