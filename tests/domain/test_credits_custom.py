"""Custom requirements typed by the clinician: parsing and the rule they become."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.domain.credits import CreditItem, LicenceFacts, licence_status
from bot.domain.custom_requirements import (
    CustomRequirementSpec,
    ParseFailure,
    current_cycle,
    describe,
    parse_custom_requirement,
    parse_date,
)

D = date


@pytest.mark.parametrize(
    ("text", "total", "deadline", "topics", "categories", "total_category", "start"),
    [
        ("40 credits by 2027-06-30, 2 of them ethics", 40, D(2027, 6, 30), {"ethics": 2}, {},
         None, None),
        ("I need 40 credits by 2027-06-30, 2 of them ethics", 40, D(2027, 6, 30),
         {"ethics": 2}, {}, None, None),
        ("50 hours by June 30 2027 including 2 opioid and 1 ethics", 50, D(2027, 6, 30),
         {"opioid_prescribing": 2, "ethics": 1}, {}, None, None),
        ("40 cat 1 by 2027-06-30", 40, D(2027, 6, 30), {}, {}, "ama_pra_1", None),
        ("40 AMA PRA Category 1 credits by 2027-06-30", 40, D(2027, 6, 30), {}, {},
         "ama_pra_1", None),
        ("100 hours by Dec 31, 2026 with 20 of them category 1 and 12 patient safety", 100,
         D(2026, 12, 31), {"patient_safety": 12}, {"ama_pra_1": 20}, None, None),
        ("40 credits by 30th June 2027", 40, D(2027, 6, 30), {}, {}, None, None),
        ("40 credits by end of June 2027", 40, D(2027, 6, 30), {}, {}, None, None),
        ("40 credits by February 2028", 40, D(2028, 2, 29), {}, {}, None, None),
        ("40 credits by 06/30/2027, 2 hiv and aids", 40, D(2027, 6, 30), {"hiv_aids": 2}, {},
         None, None),
        ("40 credits by 31.12.2026", 40, D(2026, 12, 31), {}, {}, None, None),
        ("forty credits by Sept 30 2027, two hours of ethics", 40, D(2027, 9, 30),
         {"ethics": 2}, {}, None, None),
        ("40 credits from 2025-07-01 to 2027-06-30", 40, D(2027, 6, 30), {}, {}, None,
         D(2025, 7, 1)),
        ("12.5 credits by 2027-01-15 incl. 1.5 h pain mgmt", Decimal("12.5"), D(2027, 1, 15),
         {"pain_management": Decimal("1.5")}, {}, None, None),
        ("40 ethics credits by 2027-06-30", 40, D(2027, 6, 30), {"ethics": 40}, {}, None, None),
        # QA round 6: a state's name before the topic made it unknown; round 13: it is
        # that state's laws and rules, not any state's
        ("24 hours by 2027-01-31, 2 hours Florida laws and rules", 24, D(2027, 1, 31),
         {"florida_laws_and_rules": 2}, {}, None, None),
        ("24 hours by 2027-01-31, 1 hour Ohio law and rules", 24, D(2027, 1, 31),
         {"ohio_laws_and_rules": 1}, {}, None, None),
    ],
)  # fmt: skip
def test_parse(
    text: str, total: int, deadline: date, topics: dict, categories: dict,
    total_category: str | None, start: date | None,
) -> None:  # fmt: skip
    spec = parse_custom_requirement(text)
    assert isinstance(spec, CustomRequirementSpec), spec
    assert spec.total == total
    assert spec.deadline == deadline
    assert dict(spec.topic_minimums) == topics
    assert dict(spec.category_minimums) == categories
    assert spec.total_category == total_category
    assert spec.cycle_start == start


@pytest.mark.parametrize(
    ("text", "reason", "suggestion"),
    [
        ("40 credits", "no_deadline", None),
        ("by 2027-06-30", "no_amount", None),
        ("40 credits by 2027-02-30", "bad_date", None),
        ("40 credits by 2027-06-30, 2 of them ethcs", "unknown_topic", "ethics"),
        ("40 credits by 2027-06-30, 2 of them underwater basket weaving", "unknown_topic", None),
        ("40 credits from 2027-07-01 to 2027-06-30", "bad_window", None),
    ],
)
def test_parse_failures_say_what_is_wrong(text: str, reason: str, suggestion: str | None) -> None:
    failure = parse_custom_requirement(text)
    assert isinstance(failure, ParseFailure), failure
    assert failure.reason == reason
    assert failure.message
    if suggestion:
        assert suggestion in failure.suggestions
        assert "Did you mean" in failure.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2027-06-30", D(2027, 6, 30)), ("June 30, 2027", D(2027, 6, 30)),
     ("30 Jun 2027", D(2027, 6, 30)), ("Feb 2027", D(2027, 2, 28)), ("soon", None),
     ("8/31/27", D(2027, 8, 31)), ("08-31-2027", D(2027, 8, 31)), ("2/30/27", None)],
)  # fmt: skip
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_dates_in_a_requirement_forgive_a_misspelt_month_but_not_an_impossible_day() -> None:
    spec = parse_custom_requirement("I need 40 credits by Febuary 28 2027, 2 of them ethics")
    assert isinstance(spec, CustomRequirementSpec) and spec.deadline == D(2027, 2, 28)
    assert isinstance(parse_custom_requirement("need 30 CE by 12/31/27"), CustomRequirementSpec)
    failure = parse_custom_requirement("I need 40 credits by Febuary 31 2027")
    assert isinstance(failure, ParseFailure) and failure.reason == "bad_date"
    assert failure.message == "“February 31 2027” is not a real date."


def test_the_default_cycle_is_two_years_before_the_deadline() -> None:
    spec = CustomRequirementSpec(Decimal(40), D(2028, 2, 29))
    assert spec.start == D(2026, 3, 1)
    assert spec.to_rule().renewal.window_start == D(2026, 3, 1)


def test_round_trip_through_json_storage() -> None:
    spec = parse_custom_requirement("100 hours by Dec 31, 2026 with 20 cat 1 and 12 ethics")
    assert isinstance(spec, CustomRequirementSpec)
    assert CustomRequirementSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="unknown topic"):
        CustomRequirementSpec.from_dict({**spec.to_dict(), "topic_minimums": {"zzz": "1"}})


def test_describe_restates_what_was_understood() -> None:
    spec = parse_custom_requirement("50 hours by June 30 2027 including 2 opioid and 1 ethics")
    assert isinstance(spec, CustomRequirementSpec)
    assert describe(spec) == (
        "50 hours from Jul 1, 2025 to Jun 30, 2027, including 2 hours of Opioid prescribing, "
        "1 hour of Medical ethics"
    )  # said in hours, restated in hours
    in_credits = parse_custom_requirement("50 credits by June 30 2027 including 2 opioid")
    assert isinstance(in_credits, CustomRequirementSpec)
    assert describe(in_credits) == (
        "50 credits from Jul 1, 2025 to Jun 30, 2027, including 2 Opioid prescribing"
    )


def test_a_custom_rule_uses_the_topic_hierarchy_and_category_minimums() -> None:
    spec = parse_custom_requirement("40 credits by 2027-06-30, 2 opioid and 10 of them cat 1")
    assert isinstance(spec, CustomRequirementSpec)
    facts = LicenceFacts(custom_rule=spec.to_rule("custom-7", entered_on=D(2026, 1, 1)))
    entries = [
        CreditItem("tx", D(2026, 2, 1), Decimal(2), "aoa_1a", frozenset({"texas_opioid"})),
        CreditItem("b", D(2026, 3, 1), Decimal(5), "ama_pra_2"),
    ]
    status = licence_status(facts, entries, D(2026, 6, 1))
    assert status.rule_id == "custom-7"
    assert status.checked == D(2026, 1, 1)
    assert status.earned_total == 7
    (opioid,) = status.mandates
    assert (opioid.mandate_id, opioid.earned, opioid.remaining) == ("custom-opioid_prescribing",
                                                                     2, 0)  # fmt: skip
    (cat1,) = status.categories
    assert (cat1.required, cat1.earned, cat1.remaining) == (10, 2, 8)


@pytest.mark.parametrize(
    ("sentence", "name", "total", "deadline", "start", "topics"),
    [
        ("California BRN: I need 30 contact hours every 2 years, renewal on my birthday "
         "March 14 2030, and 2 of them must be in implicit bias",
         "California BRN", 30, date(2030, 3, 14), date(2028, 3, 15), {"implicit_bias": 2}),
        ("Furnishing number needs 6 hours of pharmacology every two years, due Sept 30 2029",
         "Furnishing number", 6, date(2029, 9, 30), date(2027, 10, 1), {"pharmacology": 6}),
        ("California pharmacist license: 30 hours of CE every two years, 2 hours law and "
         "ethics, renews 2027-09-30",
         "California pharmacist license", 30, date(2027, 9, 30), date(2025, 10, 1),
         {"laws_and_rules": 2}),
        ("I need 6 hours by Sept 30 2029, all of them pharmacology",
         "", 6, date(2029, 9, 30), None, {"pharmacology": 6}),
        ("I need 20 credits by 2027-06-30, 2 hiv and aids",
         "", 20, date(2027, 6, 30), None, {"hiv_aids": 2}),
    ],
)  # fmt: skip
def test_requirements_said_the_way_boards_say_them(
    sentence: str, name: str, total: int, deadline: date, start: date | None,
    topics: dict[str, int],
) -> None:
    """QA: each of these was refused, or matched to ABIM's "every 2 years"."""
    spec = parse_custom_requirement(sentence)
    assert isinstance(spec, CustomRequirementSpec), spec
    assert (spec.name, spec.total, spec.deadline, spec.cycle_start) == (
        name, total, deadline, start
    )
    assert dict(spec.topic_minimums) == topics


@pytest.mark.parametrize(
    ("sentence", "today", "deadline", "start"),
    [
        # a past deadline of a recurring requirement moves on whole cycles
        ("30 hours every 2 years, renews March 14 2024", date(2026, 12, 7),
         date(2028, 3, 14), date(2026, 3, 15)),
        ("30 hours every 2 years, renews March 14 2020", date(2026, 12, 7),
         date(2028, 3, 14), date(2026, 3, 15)),
        ("12 hours annually, due Jan 31 2026", date(2026, 12, 7),
         date(2027, 1, 31), date(2026, 2, 1)),
        # the day it is due is still this cycle; month ends keep the given day
        ("30 hours every 2 years, renews 2026-12-07", date(2026, 12, 7),
         date(2026, 12, 7), date(2024, 12, 8)),
        ("30 hours every 2 years, due Feb 29 2024", date(2026, 12, 7),
         date(2028, 2, 29), date(2026, 3, 1)),
        # a one-off (no "every") is kept as given, past or not
        ("30 hours by 2024-03-14", date(2026, 12, 7), date(2024, 3, 14), None),
    ],
)  # fmt: skip
def test_a_recurring_requirement_past_its_deadline_moves_to_the_current_cycle(
    sentence: str, today: date, deadline: date, start: date | None
) -> None:
    spec = parse_custom_requirement(sentence)
    assert isinstance(spec, CustomRequirementSpec), spec
    moved = current_cycle(spec, today)
    assert (moved.deadline, moved.cycle_start) == (deadline, start)
    assert moved.every_months == spec.every_months
    assert CustomRequirementSpec.from_dict(moved.to_dict()) == moved


def test_a_name_before_a_comma_and_years_written_yrs() -> None:
    """QA round 7: "Ohio RN, 24 contact hours ..." was labelled "My requirement", and
    "every 2 yrs" was an unknown topic."""
    spec = parse_custom_requirement(
        "CA pharmacist license, 30 hours every 2 yrs, 2 hrs law & ethics, expires 9/30/27"
    )
    assert isinstance(spec, CustomRequirementSpec), spec
    assert (spec.name, spec.total, spec.every_months) == ("CA pharmacist license", 30, 24)
    ohio = parse_custom_requirement("Ohio RN, 24 contact hours every 2 years, renews 2027-10-31")
    assert isinstance(ohio, CustomRequirementSpec) and ohio.name == "Ohio RN"
    greeting = parse_custom_requirement("Hi, 40 credits by 2027-06-30")
    assert isinstance(greeting, CustomRequirementSpec) and greeting.name == ""


def test_a_name_before_a_dash_and_cme_as_the_unit() -> None:
    """QA round 8: "Ohio PA license - 100 hrs ..." made "Ohio PA license -" a topic, and
    "100 CME every 2 yrs" was not taken for a requirement."""
    spec = parse_custom_requirement(
        "Ohio PA license - 100 hrs every 2 years incl 12 hrs pharmacology, expires 1/31/2027"
    )
    assert isinstance(spec, CustomRequirementSpec), spec
    assert (spec.name, spec.total) == ("Ohio PA license", 100)


@pytest.mark.parametrize(
    ("text", "name", "topics"),
    [
        ("I need 30 hours for my Georgia licence by Decmber 2027", "Georgia licence", ()),
        ("I need 30 hours for Gerogia by December 2027", "Georgia", ()),
        ("I need 30 hours by Dec 2027 for the Ohio RN", "Ohio RN", ()),
        ("Gerogia RN: I need 30 hours by Dec 2027", "Georgia RN", ()),
        ("I need 30 hours for my license by Dec 2027", "", ()),  # names nothing more
        ("I need 30 hours for ethics by Dec 2027", "", (("ethics", Decimal(30)),)),
        ("40 credits by 2027-06-30, 2 of them for pain management", "",
         (("pain_management", Decimal(2)),)),
        # the speaker, not a name (sandbox: saved as "Also I")
        ("Also I need 12 hours of pain management by Decmber 2027", "",
         (("pain_management", Decimal(12)),)),
        ("And we still need 30 hours by Dec 2027", "", ()),
        ("I also need 10 hours by Dec 2027", "", ()),
        # QA round 11: "renews every" read into the name, "2 years" as the amount; the
        # speaker after a dash kept in it ("Texas RN license - I")
        ("My Texas APRN license renews every 2 years, next is 2027-03-31. I need 20 contact "
         "hours, 5 of them pharmacology", "Texas APRN license",
         (("pharmacology", Decimal(5)),)),
        ("Texas RN license - I need 20 contact hours by March 31 2027 every two years",
         "Texas RN license", ()),
    ],
)  # fmt: skip
def test_a_name_after_for_and_a_misspelt_state_in_the_name(
    text: str, name: str, topics: tuple[tuple[str, Decimal], ...]
) -> None:
    """Sandbox: "for my Georgia licence" was refused as an unknown topic, and a "Gerogia RN"
    typed later became a second requirement beside "Georgia RN"."""
    spec = parse_custom_requirement(text)
    assert isinstance(spec, CustomRequirementSpec), spec
    assert (spec.name, spec.topic_minimums) == (name, topics)
