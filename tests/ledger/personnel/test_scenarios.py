"""Personnel scenarios, told as stories through signed statements."""

from __future__ import annotations

import pytest

from ledger.errors import LedgerError
from tests.ledger.personnel.conftest import COMMUNE, chair_collective, decision
from tests.ledger.personnel.desk import Desk


def refusal(desk: Desk, who: str, type: str, payload: dict[str, object]) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        desk.submit(who, type, payload)
    return caught.value


def test_chair_in_post_then_a_relative_is_refused_a_finance_post(desk: Desk) -> None:
    # The chair has held the top post since 2021 (recorded now: flagged as backdated).
    receipt = desk.submit(
        "CB-VICE",
        "decision.propose",
        decision(
            "QD-2021-01",
            "appointment",
            "CB-CHAIR",
            "2021-01-01",
            target_post=f"{COMMUNE}/chair",
            framework_version="QN-leadership@1",
            collective=chair_collective(present=["CB-VICE", "CB-M3"], votes=2),
        ),
    )
    assert receipt["outcome"]["status"] == "proposed"
    assert "R11" in [v["rule_id"] for v in receipt["outcome"]["verdicts"]]
    approved = desk.submit(
        "CB-C1", "decision.approve", {"decision_id": "QD-2021-01", "revision": 1}
    )
    assert approved["outcome"]["status"] == "approved"
    # CB-B is the chair's child: the chair may neither propose nor place them in finance.
    blocked = refusal(
        desk,
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-REL",
            "recruitment",
            "CB-B",
            desk.days(10),
            target_post=f"{COMMUNE}/finance",
            framework_version="QN-professional@1",
        ),
    )
    assert blocked.code == "rule_blocked"
    rule_ids = [v["rule_id"] for v in blocked.details["verdicts"]]
    assert "R02" in rule_ids and "R03" in rule_ids
    assert blocked.details["verdicts"][0]["source"]
    assert "QD-REL" not in desk.ledger.app.personnel_view.state.decisions
