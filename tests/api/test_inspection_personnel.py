"""Inspection reads: a hold's reason (never public) and the handling of reports, by scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.errors import InvalidPayload, LedgerError, NotAuthorised
from tests.api.sessions import UNLIMITED, bearer, login
from tests.conftest import make_log
from tests.ledger.personnel.conftest import COMMUNE, build_province, chair_collective, decision
from tests.ledger.personnel.desk import Desk


@pytest.fixture
def desk_client(tmp_path: Path) -> Iterator[tuple[Desk, TestClient]]:
    log = make_log(tmp_path / "data", reports=True)
    app = create_app(log.open, config=UNLIMITED)
    with TestClient(app) as client:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        desk.enrol("CB-INSP-OTHER", "inspector", "QN/hoa-lac")
        yield desk, client


def test_only_inspection_sees_why_a_decision_is_held(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    filed = desk.ledger.reports.file(
        {
            "category": "abuse_of_power",
            "unit": COMMUNE,
            "text": "Ép ký khống",
            "identity": {"official_id": "CB-REP"},
        }
    )
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-H",
            "discipline",
            "CB-REP",
            desk.days(0),
            penalty="reprimand",
            violation_id="V-1",
            violation_on=desk.days(-5),
            collective=chair_collective(),
        ),
    )
    public = client.get("/v1/records/decision/QD-H").json()
    assert public["status"] == "held"
    assert "R15" not in str(public) and "inspection_note" not in str(public)
    inspector = bearer(login(client, desk.keys["CB-INSP"]))
    shown = client.get("/v1/inspection/decisions/QD-H", headers=inspector)
    assert shown.status_code == 200, shown.json()
    (check,) = shown.json()["checks"]
    hold = next(v for v in check["verdicts"] if v["outcome"] == "hold")
    assert hold["rule_id"] == "R15" and hold["inspection_note"]["en"]
    assert check["status"] == "held" and check["log_index"] is not None
    # An inspector of another commune, and anyone without a session, do not see it.
    other = bearer(login(client, desk.keys["CB-INSP-OTHER"]))
    assert client.get("/v1/inspection/decisions/QD-H", headers=other).status_code == 404
    assert client.get("/v1/inspection/decisions/QD-H").status_code == 401
    official = bearer(login(client, desk.keys["CB-CHAIR"]))
    assert client.get("/v1/inspection/decisions/QD-H", headers=official).status_code == 403
    assert filed["receipt"]


def test_inspection_sees_reports_handling_overdue_reads_and_openings(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    filed = desk.ledger.reports.file({"category": "corruption", "unit": COMMUNE, "text": "x"})
    report_id = desk.ledger.reports.report_of(filed["receipt"])
    desk.submit("CB-C1", "report.read", {"report_id": report_id})
    desk.log.clock.advance(days=20)  # past the 7 working days to classify it
    inspector = bearer(login(client, desk.keys["CB-INSP"]))
    listed = client.get("/v1/inspection/reports", params={"overdue": True}, headers=inspector)
    (report,) = listed.json()["reports"]
    assert report["report_id"] == report_id and report["deadlines"]["overdue"] == ["classification"]
    assert [r["by"] for r in report["reads"]] == ["CB-C1"]
    assert "text" not in report and "content" not in report
    other = bearer(login(client, desk.keys["CB-INSP-OTHER"]))
    assert client.get("/v1/inspection/reports", headers=other).json()["reports"] == []
    outside = client.get("/v1/inspection/reports", params={"unit": COMMUNE}, headers=other)
    assert outside.status_code == 403


def test_a_cross_inspection_round_with_findings_and_follow_ups(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    desk.register("CB-CLERK", "CB-INSP", COMMUNE)  # the inspector as an official record
    opening = {
        "round_id": "KT-2026-1",
        "inspecting_unit": "QN",
        "units": [COMMUNE],
        "period_from": "2025-07-01",
        "period_to": "2026-06-30",
        "inspectors": ["CB-INSP"],
        "subject": "Công tác bổ nhiệm, luân chuyển",
    }
    wrong = {**opening, "round_id": "KT-X", "inspecting_unit": COMMUNE}
    with pytest.raises(InvalidPayload) as refused:
        desk.submit("CB-INSP", "inspection.open", wrong)
    assert "below" in str(refused.value)
    desk.submit("CB-INSP", "inspection.open", opening)
    desk.submit(
        "CB-INSP",
        "inspection.finding",
        {
            "round_id": "KT-2026-1",
            "finding_id": "F1",
            "unit": COMMUNE,
            "severity": "major",
            "summary": "Bổ nhiệm thiếu quy trình lấy phiếu",
        },
    )
    desk.submit(
        "CB-INSP",
        "inspection.follow_up",
        {
            "round_id": "KT-2026-1",
            "follow_up_id": "A1",
            "finding_id": "F1",
            "unit": COMMUNE,
            "action": "Rà soát lại quy trình",
            "deadline": desk.days(30),
        },
    )
    desk.submit(
        "CB-INSP",
        "inspection.follow_up",
        {
            "round_id": "KT-2026-1",
            "follow_up_id": "A2",
            "finding_id": "F1",
            "unit": COMMUNE,
            "action": "Báo cáo kết quả",
            "deadline": desk.days(5),
        },
    )
    # A follow-up for a unit the round does not inspect is refused, naming it and the field.
    stray = {"follow_up_id": "A3", "finding_id": "F1", "unit": "QN/not-inspected"}
    with pytest.raises(LedgerError) as refused:
        desk.submit(
            "CB-INSP",
            "inspection.follow_up",
            {"round_id": "KT-2026-1", **stray, "action": "x", "deadline": desk.days(5)},
        )
    assert refused.value.details["field"] == "unit"
    assert "QN/not-inspected" in refused.value.message_en
    # Only the unit responsible reports a follow-up done.
    with pytest.raises(NotAuthorised):
        desk.submit(
            "CB-OTHER",
            "inspection.resolve",
            {"round_id": "KT-2026-1", "follow_up_id": "A1", "result": "x"},
        )
    desk.submit(
        "CB-CHAIR",
        "inspection.resolve",
        {"round_id": "KT-2026-1", "follow_up_id": "A1", "result": "Đã rà soát"},
    )
    desk.log.clock.advance(days=10)
    inspector = bearer(login(client, desk.keys["CB-INSP"]))
    (shown,) = client.get("/v1/inspection/rounds", headers=inspector).json()["rounds"]
    assert [f["id"] for f in shown["findings"]] == ["F1"]
    overdue = {a["follow_up_id"]: a["overdue"] for a in shown["follow_ups"]}
    assert overdue == {"A1": False, "A2": True}
    other = bearer(login(client, desk.keys["CB-INSP-OTHER"]))
    assert client.get("/v1/inspection/rounds", headers=other).json()["rounds"] == []
