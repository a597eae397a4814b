"""The live view derives incrementally; after every statement it equals a fresh derivation."""

from __future__ import annotations

from ledger.personnel.derive import derive
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history


def test_incremental_derivation_equals_derive_after_every_statement(desk: Desk) -> None:
    view = desk.ledger.app.personnel_view
    checked = []

    def compare() -> None:
        with view.lock:
            view.catch_up()
            fresh = derive(view.state.decisions[d] for d in view.state.effect_order)
            assert view.derived() == fresh
            checked.append(len(fresh.holdings))

    # The history approves, annuls (a decision drops out) and holds decisions.
    record_history(desk, after_each=compare)
    assert len(checked) == 17 and max(checked) >= 3
