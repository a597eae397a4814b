"""The demo's reports: filed through the desk, handled by signed statements, counted publicly
with small commune counts suppressed."""

from __future__ import annotations

from pathlib import Path

from ledger.reports.statistics import statistics
from ops.demo.province import PROVINCE, Shape, commune_ids, seed_province
from ops.demo.reports import seed_reports
from tests.conftest import make_log

SMALL = Shape(communes=4, officials_per_commune=12, years=2)


def test_demo_reports_are_filed_handled_and_counted(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data", reports=True)
    ledger = log.open()
    try:
        seed_province(ledger, log.registrar, seed=1, shape=SMALL)
        communes = commune_ids(SMALL)
        protections_before = len(ledger.app.personnel_view.state.protections)
        seeded = seed_reports(ledger, log.registrar, communes, PROVINCE, seed=1)
        assert seeded.filed == 14 and seeded.concluded >= 3
        status = ledger.reports.status(seeded.receipts[0])
        assert status["status"] in {"accepted", "concluded"} and status["acknowledged"]
        view = ledger.app.personnel_view
        with view.lock:
            view.catch_up()
            counts = statistics(view.state, ledger.personnel.today())
            handled = [r for r in view.state.reports.values() if r.handler]
            assert handled and all(r.reads for r in handled)
            assert len(view.state.protections) == protections_before + 1  # from intake
        assert counts["total"] == 14
        assert counts["by_unit"][communes[0]]["total"] >= 5  # public
        assert counts["by_unit"][communes[1]]["total"] is None  # under 5: suppressed
    finally:
        ledger.close()
