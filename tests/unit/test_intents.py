"""Which free text is a log: the cases QA round 9 and its review found misrouted."""

from __future__ import annotations

import pytest

from handlers.intents import is_log


@pytest.mark.parametrize(
    "text",
    [
        "logged 2 cred child abuse reporting yest", "2 cred ethics yest",
        "1.5h opiod course on 3rd nov", "pls log 2 creds grand rounds AKI", "2h this morning",
        "1h online course yesterday", "2h ethics yesterday", "1.5 hrs grand rounds",
    ],
)  # fmt: skip
def test_logs(text: str) -> None:
    assert is_log(text)


@pytest.mark.parametrize(
    "text",
    [
        "3 hours left?", "10 hours remaining?", "24 hours until my deadline?",
        "5 hours is how many credits?", "2h webinars", "2h courses in philly",
        "2 credit courses near Boston", "online ethics courses this month",
    ],
)  # fmt: skip
def test_not_logs(text: str) -> None:
    assert not is_log(text)
