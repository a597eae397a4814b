"""The baseline decision of the test commune meets every rule, so each test changes one thing."""

from __future__ import annotations

from ledger.rules import evaluate

from .world import decision, state


def test_the_baseline_appointment_passes_every_rule() -> None:
    assert evaluate(decision(), state()) == []
