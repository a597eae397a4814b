"""One pass over the log gives the recorded view at each stop, as a fold to each stop would."""

from __future__ import annotations

import pytest

from ledger.personnel.view import fold_stages, fold_until
from tests.ledger.personnel.conftest import chair_collective, decision
from tests.ledger.personnel.desk import Desk


def test_each_stage_equals_a_fold_to_that_stop(desk: Desk) -> None:
    for n in range(3):
        desk.submit(
            "CB-CHAIR",
            "decision.propose",
            decision(
                f"QD-{n}",
                "discipline",
                "CB-REP",
                desk.days(0),
                penalty="reprimand",
                violation_id=f"V-{n}",
                violation_on=desk.days(-5),
                collective=chair_collective(),
            ),
        )
    ledger = desk.ledger
    recorder, official_of = ledger.app.recorder, ledger.app.personnel_view.official_of
    last = recorder.max_notification_id()
    stops = sorted({2, last // 3, last // 2, last - 2, last - 1, last})
    staged = fold_stages(recorder, official_of, stops)
    for stop, (state, derived) in zip(stops, staged, strict=True):
        alone, alone_derived = fold_until(recorder, official_of, stop)
        assert state == alone, stop  # every record, and each one's history
        assert derived == alone_derived, stop
    # The stops see different states: the last ones see one, two, three decisions.
    seen = [len(fold_until(recorder, official_of, stop)[0].decisions) for stop in stops[-3:]]
    assert seen == [1, 2, 3]


def test_stops_must_ascend(desk: Desk) -> None:
    ledger = desk.ledger
    recorder, official_of = ledger.app.recorder, ledger.app.personnel_view.official_of
    last = recorder.max_notification_id()
    staged = fold_stages(recorder, official_of, [last, 2])
    next(staged)
    with pytest.raises(ValueError, match="stops must ascend"):
        next(staged)
