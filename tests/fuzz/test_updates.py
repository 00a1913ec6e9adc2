"""Any update, through the real Application: answered, no errors, nothing leaked or broken.

Runs on SQLite and PostgreSQL; ``CME_FUZZ_EXAMPLES`` sets the number of examples.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import strategies as s
from tests.fuzz.conftest import examples, fuzz_settings
from tests.fuzz.world import World

# Long runs (CME_FUZZ_EXAMPLES=2000) outlast the suite's 120 s default timeout.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.fuzz,
    pytest.mark.timeout(max(120, int(examples() * 0.5))),
]


@fuzz_settings()
@given(steps=st.lists(s.actions(), min_size=1, max_size=6))
async def test_any_update_is_answered_without_errors_or_leaks(world: World, steps: list) -> None:
    for step in steps:
        await world.perform(step)
    await world.check_example()
