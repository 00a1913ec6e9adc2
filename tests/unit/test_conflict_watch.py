"""What a 409 Conflict from getUpdates means, and when a poller gives the fight up."""

from __future__ import annotations

from bot.polling import INCUMBENT_FACTOR, ConflictWatch, Verdict

TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot"
WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_webhook_is_named_and_a_process_that_never_polled_is_the_newcomer() -> None:
    watch = ConflictWatch(30, clock=Clock())
    assert watch.conflict(WEBHOOK) is Verdict.WEBHOOK
    assert watch.conflict(TERMINATED) is Verdict.NEWCOMER
    watch.success()
    assert watch.conflict(WEBHOOK) is Verdict.WEBHOOK


def test_the_newcomer_gives_up_first_and_a_quiet_minute_ends_an_episode() -> None:
    clock = Clock()
    newcomer, incumbent = ConflictWatch(30, clock=clock), ConflictWatch(30, clock=clock)
    incumbent.success()
    clock.now += 3600
    newcomer.success()
    assert incumbent.conflict(TERMINATED) is Verdict.STARTED
    assert newcomer.conflict(TERMINATED) is Verdict.STARTED
    assert (newcomer.grace, incumbent.grace) == (30, 30 * INCUMBENT_FACTOR)
    clock.now += 29  # PTB backs off up to 30 s: conflicts that far apart are one fight
    assert newcomer.success() is False and incumbent.success() is False
    assert incumbent.conflict(TERMINATED) is Verdict.GOES_ON
    assert newcomer.conflict(TERMINATED) is Verdict.GOES_ON
    clock.now += 29
    assert incumbent.conflict(TERMINATED) is Verdict.GOES_ON
    assert newcomer.conflict(TERMINATED) is Verdict.GIVE_UP
    assert newcomer.fought_for == 58
    clock.now += 61  # the newcomer stopped: no conflict for a minute
    assert incumbent.success() is True
    assert incumbent.success() is False
    assert incumbent.conflict(TERMINATED) is Verdict.STARTED  # a new episode, a new grace
