"""Reports for inspection: status and deadlines from the read model, never their content."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from projections.inspection.reports import reports_by_status
from projections.inspection.scope import Scope
from tests.conftest import make_log
from tests.ledger.personnel.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.conftest import dump, open_models

SECRET = "Chủ tịch xã nhận tiền để bổ nhiệm sai quy trình"


def test_reports_by_status_and_deadline(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data", reports=True)
    ledger = log.open()
    models = None
    try:
        desk = Desk(log, ledger)
        build_province(desk)
        filed = ledger.reports.file(
            {"category": "corruption", "unit": COMMUNE, "text": SECRET, "concerns": "CB-CHAIR"}
        )
        report_id = ledger.reports.report_of(filed["receipt"])
        models = open_models(ledger)
        models.catch_up()
        engine, today = models.reader, desk.today
        (report,) = reports_by_status(engine, Scope(PROVINCE), today)
        assert (report["report_id"], report["status"], report["overdue"]) == (
            report_id,
            "received",
            [],
        )
        # Seven working days without classification: overdue.
        (late,) = reports_by_status(engine, Scope(PROVINCE), today + timedelta(days=12))
        assert late["overdue"] == ["classification"]
        assert reports_by_status(engine, Scope(OTHER_COMMUNE), today) == []
        everything = json.dumps(dump(models), ensure_ascii=False)
        assert (
            SECRET not in everything
            and "CB-CHAIR" not in everything.split("inspection_reports")[1][:2000]
        )
    finally:
        if models is not None:
            models.close()
        ledger.close()
