"""kill -9 of the API, and of the sequencer, under load: every acknowledged statement stays
provable against the current checkpoint, and the tree extends every checkpoint published."""

from __future__ import annotations

import pytest

from tests.faults.conftest import OFFICIAL, Running, wait_until
from tests.faults.harness import Load

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_kill_9_of_the_api_under_load_loses_no_acknowledged_statement(running: Running) -> None:
    with Load(OFFICIAL, lambda: running.api.url) as load:
        outcomes = load.outcomes
        wait_until(lambda: outcomes.count("201") >= 30, 20, "30 receipts before the kill")
        running.api.kill9()
        before_restart = outcomes.count("201")
        running.restart_api()
        wait_until(
            lambda: outcomes.count("201") >= before_restart + 30, 20, "30 receipts after restart"
        )
    # The kill landed under load: requests in flight or sent meanwhile got no answer.
    assert outcomes.count("no answer") >= 1, outcomes.statuses
    assert set(outcomes.statuses) <= {"201", "202"} | {
        s for s in outcomes.statuses if s.startswith("no answer")
    }, outcomes.statuses
    promises, checkpoints = running.check(outcomes)
    assert promises >= 60 and checkpoints >= 2


def test_kill_9_of_the_sequencer_under_load_loses_no_acknowledged_statement(
    running: Running,
) -> None:
    with Load(OFFICIAL, lambda: running.api.url) as load:
        outcomes = load.outcomes
        wait_until(lambda: outcomes.count("201") >= 30, 20, "30 receipts before the kill")
        running.sequencer.kill9()
        # The API keeps saving; after its 5 s wait for a receipt it answers 202 with links.
        wait_until(lambda: outcomes.count("202") >= 2, 20, "202 answers while it is down")
        before_restart = outcomes.count("201")
        running.restart_sequencer()
        wait_until(
            lambda: outcomes.count("201") >= before_restart + 30, 20, "30 receipts after restart"
        )
    assert set(outcomes.statuses) <= {"201", "202"}, outcomes.statuses
    promises, checkpoints = running.check(outcomes)
    assert promises >= 62 and checkpoints >= 2
