"""The digest's promise: when it is unchanged, re-planning would change nothing.

For random clinicians (every shipped rule, any renewal date, renewals done, credits)
and two moments, the reminders planned at the later one are exactly those planned at
the earlier one that are still ahead, whenever the digest is the same at both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.requirements import shipped_rulebook
from bot.store.models import Clinician, CreditEntry, Licence
from scheduler.planner import ClinicianData, _digest, plan_rows

RULES = shipped_rulebook()
CREATED = datetime(2024, 1, 1, tzinfo=UTC)


def _clinician(birth_month: int) -> Clinician:
    return Clinician(
        id=1, telegram_id=1, chat_id=1, first_name="A", timezone="America/Chicago",
        quiet_start_min=21 * 60, quiet_end_min=8 * 60, birth_month=birth_month,
        birth_year=1980, flags=["dea_registrant"], specialties=[], active=True,
        reminders_paused=False, reminder_ladder=None, created_at=CREATED, updated_at=CREATED,
    )  # fmt: skip


def _licence(i: int, rule_id: str, renewal: date | None, done: int) -> Licence:
    return Licence(
        id=i, clinician_id=1, rule_id=rule_id, label=rule_id, renewal_date=renewal,
        issued_on=None, renewals_done=done, flags=[], reminders_muted=False,
        custom_rule=None, created_at=CREATED, updated_at=CREATED,
    )  # fmt: skip


def _entry(i: int, day: date, amount: int, category: str, topics: list[str]) -> CreditEntry:
    return CreditEntry(
        id=i, clinician_id=1, completed_on=day, amount=Decimal(amount), category=category,
        topics=topics, activity_type=None, title="t", source="chat", created_at=CREATED,
    )  # fmt: skip


licences = st.lists(
    st.builds(
        _licence,
        st.integers(1, 10**6),
        st.sampled_from(RULES.ids),
        st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2030, 12, 31))),
        st.integers(0, 6),
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda licence: licence.id,
)
entries = st.lists(
    st.builds(
        _entry,
        st.integers(1, 10**6),
        st.dates(date(2022, 1, 1), date(2030, 12, 31)),
        st.integers(1, 40),
        st.sampled_from(["ama_pra_1", "ama_pra_2", "aafp_prescribed"]),
        st.lists(st.sampled_from(["ethics", "opioid_prescribing", "implicit_bias"]), max_size=2),
    ),
    max_size=8,
    unique_by=lambda entry: entry.id,
)
moments = st.datetimes(datetime(2026, 1, 1), datetime(2031, 1, 1), timezones=st.just(UTC))


def _plan(data: ClinicianData, now: datetime) -> set[tuple[str, datetime]]:
    return {(item.key, item.due_at) for item in plan_rows(data, now, RULES)}


@settings(max_examples=300, deadline=None)
@given(licences, entries, st.integers(1, 12), moments, st.integers(0, 400))
def test_an_unchanged_digest_means_an_unchanged_plan(
    held: list[Licence], logged: list[CreditEntry], birth_month: int, first: datetime, days: int
) -> None:
    data = ClinicianData(_clinician(birth_month), held, logged, [])
    later = first + timedelta(days=days, hours=days % 24)
    if _digest(data, first, RULES) != _digest(data, later, RULES):
        return  # the pass evaluates this clinician again: nothing to promise
    still_ahead = {(key, due) for key, due in _plan(data, first) if due > later}
    assert _plan(data, later) == still_ahead
