"""A personnel statement checked against a state another process has since changed is checked
again, never saved on the stale check (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from ledger.personnel.decisions import RuleBlocked
from tests.conftest import LogFixture
from tests.ledger.personnel.conftest import COMMUNE, build_province, chair_collective, decision
from tests.ledger.personnel.desk import Desk


def test_a_stale_check_is_redone_on_fresh_state(
    any_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = any_log.open(), any_log.open()
    try:
        desk = Desk(any_log, first)
        build_province(desk)
        other = Desk(any_log, second, keys=desk.keys)
        view = second.app.personnel_view
        view.catch_up()  # the second process has seen the chair post vacant
        desk.submit(
            "CB-VICE",
            "decision.propose",
            decision(
                "QD-1",
                "appointment",
                "CB-CHAIR",
                desk.days(0),
                target_post=f"{COMMUNE}/chair",
                framework_version="QN-leadership@1",
                collective=chair_collective(),
            ),
        )
        desk.submit("CB-C1", "decision.approve", {"decision_id": "QD-1", "revision": 1})
        # Its next check runs before it sees that (as if the first save landed just after it
        # caught up): the recorder's counter refuses that save, and the retry sees the holder.
        real_catch_up, calls = view.catch_up, []

        def late_catch_up() -> None:
            calls.append(1)
            if len(calls) > 1:
                real_catch_up()

        monkeypatch.setattr(view, "catch_up", late_catch_up)
        size = second.log.require_head().size
        with pytest.raises(RuleBlocked) as blocked:
            other.submit(
                "CB-VICE",
                "decision.propose",
                decision(
                    "QD-2",
                    "appointment",
                    "CB-FIN",
                    desk.days(1),
                    target_post=f"{COMMUNE}/chair",
                    framework_version="QN-leadership@1",
                    collective=chair_collective(),
                ),
            )
        assert len(calls) == 2
        assert "R12" in [v["rule_id"] for v in blocked.value.details["verdicts"]]
        second.sequence_now()
        assert second.log.require_head().size == size  # nothing of the stale attempt recorded
        assert "QD-2" not in view.state.decisions
    finally:
        first.close()
        second.close()
