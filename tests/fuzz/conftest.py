"""Fuzz fixtures: the e2e harness (sandbox + real Application) with user A seeded.

Budget: ``CME_FUZZ_EXAMPLES`` examples per fuzz test (default small, for CI). For a long
run: ``CME_FUZZ_EXAMPLES=2000 scripts/test tests/fuzz`` (add ``-p no:cacheprovider`` to
skip the Hypothesis example database, or ``CME_FUZZ_SEED=123`` to pin the seed).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.e2e.conftest import BotUnderTest, bot, settings_overrides
from tests.fuzz.harness import owner_snapshot, recording_errors, row_counts, seed_owner
from tests.fuzz.world import World

__all__ = ["bot", "fuzz_settings", "settings_overrides", "world"]

DEFAULT_EXAMPLES = 100


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: Hypothesis fuzzing through the real Application")


def examples(default: int = DEFAULT_EXAMPLES) -> int:
    """How many examples each fuzz test runs (``CME_FUZZ_EXAMPLES``)."""
    return int(os.environ.get("CME_FUZZ_EXAMPLES", default))


def fuzz_settings(default: int = DEFAULT_EXAMPLES) -> Callable[[Any], Any]:
    """Hypothesis settings for a test that shares one bot across its examples."""
    seed = os.environ.get("CME_FUZZ_SEED")
    chosen = settings(
        max_examples=examples(default),
        deadline=None,
        derandomize=seed is None and os.environ.get("CI") == "true",
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # one bot per test, on purpose
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
        print_blob=True,
    )
    if seed is None:
        return chosen
    from hypothesis import seed as pin

    return lambda fn: pin(int(seed))(chosen(fn))


@pytest.fixture
async def world(bot: BotUnderTest) -> AsyncIterator[World]:
    """User A seeded, user B ready to act, errors recorded from here on."""
    owner = await seed_owner(bot)
    baseline = await owner_snapshot(bot, owner)
    with recording_errors() as errors:
        made = World(bot, owner, errors, baseline)
        yield made
    print(f"\nfuzz: {made.actions} actions, {made.replies} replies, {made.newcomers} newcomers, "
          f"rows: {await row_counts(bot)}")  # fmt: skip
