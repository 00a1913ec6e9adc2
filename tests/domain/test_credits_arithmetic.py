"""The arithmetic beyond the worked cases: several licences, pace, counting and edge rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot.domain.credits import CreditItem, LicenceFacts, licence_status, status_for_all
from bot.domain.cycles import MissingFactError
from bot.domain.requirements import Mandate, shipped_rulebook
from bot.domain.tally import topic_groups

D = date
RULES = shipped_rulebook()


def item(entry_id: str, day: date, amount: str | int, category: str = "ama_pra_1",
         topics: tuple[str, ...] = (), activity: str | None = None) -> CreditItem:  # fmt: skip
    return CreditItem(entry_id, day, Decimal(str(amount)), category, frozenset(topics), activity)


TX = LicenceFacts(rule_id="us-tx-md", licence_id="tx", renewal_date=D(2027, 8, 31),
                  renewals_done=4)  # fmt: skip
FL = LicenceFacts(rule_id="us-fl-md", licence_id="fl", renewal_date=D(2027, 1, 31),
                  renewals_done=4)  # fmt: skip
AAFP = LicenceFacts(rule_id="aafp-membership", licence_id="aafp", issued_on=D(2020, 5, 10))


def test_one_entry_counts_toward_every_licence_that_accepts_it() -> None:
    entries = [item("ethics", D(2026, 3, 1), 2, "aafp_prescribed", ("ethics",), "live_course")]
    tx, fl, aafp = status_for_all([TX, FL, AAFP], entries, D(2026, 6, 1))
    assert [s.licence_id for s in (tx, fl, aafp)] == ["tx", "fl", "aafp"]
    for status in (tx, fl, aafp):
        assert status.counted_entry_ids == ("ethics",)
        assert status.earned_total == 2
    assert next(m for m in tx.mandates if m.mandate_id == "tx-ethics").earned == 2


def test_one_activity_in_two_kinds_of_credit_counts_once_where_both_are_taken() -> None:
    """QA: "2 cat 1 credits and 2 MOC points" counted 4 toward a requirement taking any
    credit; each licence now counts the activity once, in the kind it takes."""
    cat1 = item("1", D(2026, 3, 1), 2, "ama_pra_1", ("ethics",))
    moc = replace(item("2", D(2026, 3, 1), 3, "moc", ("ethics",)), same_as="1")
    abim = LicenceFacts(rule_id="abim-moc", licence_id="abim", renewal_date=D(2029, 12, 31))
    tx, board = status_for_all([TX, abim], [cat1, moc], D(2026, 6, 1))
    assert tx.counted_entry_ids == ("1",) and tx.earned_total == 2
    assert board.counted_entry_ids == ("2",) and board.earned_total == 3
    aafp = replace(item("3", D(2026, 3, 1), 3, "aafp_prescribed", ("ethics",)), same_as="1")
    pa = LicenceFacts(rule_id="us-pa-md")
    assert licence_status(pa, [cat1, aafp], D(2026, 6, 1)).earned_total == 3  # once (was 5)
    apart = licence_status(pa, [cat1, replace(aafp, same_as=None)], D(2026, 6, 1))
    assert apart.earned_total == 5


def test_points_never_count_as_credits() -> None:
    """QA: 5 MOC points lowered a 100-credit custom requirement (any category) by 5."""
    points = [item("p", D(2026, 3, 1), 5, "moc", ("ethics", "opioid_prescribing"))]
    pa = licence_status(LicenceFacts(rule_id="us-pa-md"), points, D(2026, 6, 1))
    assert pa.earned_total == 0 and pa.counted_entry_ids == ()
    assert all(mandate.earned == 0 for mandate in pa.mandates)


def test_entries_outside_the_window_or_categories_are_not_counted() -> None:
    entries = [
        item("in", D(2026, 1, 1), 5),
        item("before", D(2025, 8, 31), 5),
        item("nursing", D(2026, 1, 1), 5, "ancc"),
    ]
    status = licence_status(TX, entries, D(2026, 6, 1))
    assert status.counted_entry_ids == ("in",)
    assert status.claimed_total == 5
    pa = licence_status(LicenceFacts(rule_id="us-pa-md"), entries, D(2026, 6, 1))
    assert pa.counted_entry_ids == ("before", "in", "nursing")  # any category; PA's own window


@pytest.mark.parametrize(
    ("hours", "today", "pace"),
    [
        (10, D(2027, 6, 22), Decimal("1.0")),  # 70 days: exactly 1.0 a week
        (10, D(2027, 6, 23), Decimal("1.1")),  # 69 days: 1.0145 rounds up
        (48, D(2027, 8, 31), Decimal("48.0")),  # on the deadline: all of it now
        (0, D(2026, 6, 1), Decimal("0")),
    ],
)
def test_weekly_pace_rounds_up_to_a_tenth(hours: int, today: date, pace: Decimal) -> None:
    done = [item("done", D(2026, 1, 1), 48 - hours, topics=("ethics",))] if hours < 48 else []
    status = licence_status(replace(TX, flags=frozenset()), done, today)
    assert status.hours_needed == hours
    assert status.weekly_pace == pace


def test_remaining_is_never_negative_and_excess_is_kept() -> None:
    status = licence_status(TX, [item("lots", D(2026, 1, 1), 500, topics=("ethics",))],
                            D(2026, 6, 1))  # fmt: skip
    assert status.earned_total == 500
    assert status.remaining_total == 0
    assert all(c.remaining == 0 for c in status.categories)
    assert status.complete


def test_needed_counts_a_missing_mandate_even_when_the_total_is_met() -> None:
    status = licence_status(TX, [item("general", D(2026, 1, 1), 60)], D(2026, 6, 1))
    assert status.remaining_total == 0
    assert status.hours_needed == 2  # ethics
    assert not status.complete


def test_a_mandate_that_does_not_count_toward_the_total() -> None:
    rule = RULES.get("us-pa-md")
    separate = Mandate("xx-separate", "Separate", frozenset({"child_abuse"}), Decimal(2),
                       counts_toward_total=False)  # fmt: skip
    facts = LicenceFacts(custom_rule=replace(rule, mandates=(separate,)))
    entries = [item("ca", D(2026, 1, 1), 3, topics=("child_abuse",)), item("g", D(2026, 1, 2), 10)]
    status = licence_status(facts, entries, D(2026, 6, 1))
    assert status.claimed_total == 13
    assert status.earned_total == 11  # the 2 mandated hours stay outside the 100
    assert status.mandates[0].earned == 3


def test_status_for_all_asks_for_missing_facts() -> None:
    with pytest.raises(MissingFactError, match="us-oh-md: need renewal_date"):
        status_for_all([LicenceFacts(rule_id="us-oh-md")], [], D(2026, 6, 1))


def test_carry_over_counts_only_once() -> None:
    """Credits carried into a cycle are not carried again into the next one."""
    facts = replace(TX, flags=frozenset(), renewals_done=5)
    entries = [item("big", D(2022, 1, 1), 96, topics=("ethics",))]  # two cycles back
    status = licence_status(facts, entries, D(2026, 6, 1))
    assert status.carry_over is None
    assert status.earned_total == 0


def test_caps_explain_why_credits_do_not_count() -> None:
    entries = [
        item("l", D(2024, 2, 1), 50, "aafp_prescribed", activity="live_course"),
        item("t1", D(2024, 3, 1), 70, "aafp_prescribed", activity="teaching"),
        item("t2", D(2024, 4, 1), 30, "aafp_prescribed", activity="teaching"),
    ]
    status = licence_status(AAFP, entries, D(2025, 6, 1))
    (cap,) = status.caps_applied
    assert (cap.activity_type, cap.label, cap.limit) == ("teaching", "Teaching health professions",
                                                         60)  # fmt: skip
    assert (cap.claimed, cap.counted, cap.excluded) == (100, 60, 40)
    assert (status.claimed_total, status.earned_total, status.remaining_total) == (150, 110, 40)


def test_status_is_plain_comparable_data() -> None:
    entries = [item("a", D(2026, 1, 1), 5)]
    first = licence_status(TX, entries, D(2026, 6, 1))
    assert first == licence_status(TX, list(entries), D(2026, 6, 1))
    assert hash(first.window) == hash(first.window)
    with pytest.raises(AttributeError):
        first.earned_total = Decimal(0)  # type: ignore[misc]


def test_rows_from_the_store_may_use_lists_and_floats() -> None:
    entry = CreditItem("s", D(2026, 1, 1), 2.5, "ama_pra_1", ["ethics"])  # type: ignore[arg-type]
    assert entry.topics == frozenset({"ethics"}) and entry.amount == Decimal("2.5")
    facts = LicenceFacts(rule_id="us-tx-md", renewal_date=D(2027, 8, 31), flags=["x"])  # type: ignore[arg-type]
    assert facts.flags == frozenset({"x"})
    status = licence_status(facts, [entry], D(2026, 6, 1))
    assert next(m for m in status.mandates if m.mandate_id == "tx-ethics").earned == Decimal("2.5")


def test_a_mandate_others_may_not_count_toward_needs_both() -> None:
    """QA round 10: Pennsylvania's total met, 10 h of patient safety and 0.5 h of opioid
    education open; opioid hours may not count as patient safety, so 10.5 are needed."""
    pa = LicenceFacts(rule_id="us-pa-md", renewals_done=3)
    entries = [
        item("general", D(2025, 3, 1), 95),
        item("safety", D(2025, 4, 1), 2, topics=("patient_safety",)),
        item("opioid", D(2025, 5, 1), "1.5", topics=("opioid_prescribing",)),
        item("abuse", D(2025, 6, 1), 2, topics=("pennsylvania_child_abuse",)),
    ]
    status = licence_status(pa, entries, D(2026, 6, 1))
    open_hours = {m.mandate_id: m.remaining for m in status.mandates if m.blocking}
    assert (open_hours["pa-patient-safety"], open_hours["pa-opioid"]) == (10, Decimal("0.5"))
    assert status.remaining_total == 0
    assert status.hours_needed == Decimal("10.5")


def test_florida_topics_open_with_the_total_met_add_up() -> None:
    """QA: Florida's 40 h met, medical errors, domestic violence and controlled substances
    open (2 h each): no topic counts toward two of them, so 6 are needed, not 2."""
    fl = replace(FL, renewals_done=2, flags=frozenset({"dea_registrant"}))
    entries = [item("general", D(2026, 3, 1), 40)]
    status = licence_status(fl, entries, D(2026, 6, 1))
    assert status.remaining_total == 0
    assert status.hours_needed == 6
    assert status.needed_adds_topics and not status.needed_at_least
    topics = ("medical_errors", "domestic_violence", "florida_controlled_substance")
    one_course = item("all", D(2026, 4, 1), 2, topics=topics)
    # Logged with all three topics, one course counts toward each (the tally allows it).
    assert licence_status(fl, [*entries, one_course], D(2026, 6, 1)).complete


def test_topics_one_course_serves_are_not_added() -> None:
    """Texas: a human-trafficking course is an ethics course, so 2 h of ethics and 1 h of
    trafficking open need 2; the opioid mandates share their topics too."""
    # Renewal 4, direct patient care: trafficking is due (renewals 1, 4, 7 ...).
    tx = replace(TX, renewals_done=3, flags=frozenset({"direct_patient_care"}))
    opioid = item("opioid", D(2026, 1, 2), 4, topics=("texas_opioid",))
    entries = [item("general", D(2026, 1, 1), 60), opioid]
    status = licence_status(tx, entries, D(2026, 6, 1))
    open_hours = {m.mandate_id: m.remaining for m in status.mandates if m.blocking and m.remaining}
    assert set(open_hours) == {"tx-ethics", "tx-human-trafficking"}, open_hours
    assert open_hours["tx-ethics"] == 2 and open_hours["tx-human-trafficking"] == 1
    assert status.hours_needed == 2
    assert not status.needed_adds_topics and not status.needed_at_least


def test_topic_groups_follow_the_topics_mandates_share() -> None:
    groups = {ids: one for ids, one in topic_groups(RULES.get("us-tx-md"))}
    assert groups[("tx-ethics", "tx-human-trafficking")]
    assert len(topic_groups(RULES.get("us-fl-md"))) == 4  # nothing shared
    pa = {ids for ids, _ in topic_groups(RULES.get("us-pa-md"))}
    assert ("pa-patient-safety",) in pa  # not_from: no hour serves it and the others


def test_pennsylvania_apart_mandates_add_up_with_each_other() -> None:
    """Patient safety may not come from child-abuse or opioid hours, and those two share
    no topic: 12 + 2 + 2 with the total met (one course on child abuse and opioids,
    logged with both topics, would make it 14)."""
    pa = LicenceFacts(rule_id="us-pa-md", renewals_done=3)
    status = licence_status(pa, [item("general", D(2025, 3, 1), 100)], D(2026, 6, 1))
    assert status.hours_needed == 16 and status.needed_adds_topics


def test_a_chain_of_shared_topics_is_said_to_be_a_floor() -> None:
    """A shares a topic with B, B with C, nothing with all three: between 2 and 4."""
    rule = RULES.get("us-pa-md")

    def mandate(mandate_id: str, *topic_ids: str) -> Mandate:
        return Mandate(mandate_id, mandate_id, frozenset(topic_ids), Decimal(2))

    chain = (mandate("a", "child_abuse"),
             mandate("b", "pennsylvania_child_abuse", "new_york_infection_control"),
             mandate("c", "infection_control"))  # fmt: skip
    facts = LicenceFacts(custom_rule=replace(rule, mandates=chain, category_minimums=()))
    assert topic_groups(facts.custom_rule) == ((("a", "b", "c"), False),)
    status = licence_status(facts, [item("general", D(2025, 3, 1), 100)], D(2026, 6, 1))
    assert status.hours_needed == 2 and status.needed_at_least
