"""A province with a few years of personnel history, recorded through signed statements.

`record_history` calls `after_each` after every statement, so a test can run the projections
statement by statement and compare them with a rebuild from the whole log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.ledger.personnel.conftest import COMMUNE, PROVINCE, chair_collective, decision
from tests.ledger.personnel.desk import Desk

Step = Callable[[], None]


def record_history(desk: Desk, after_each: Step = lambda: None) -> dict[str, Any]:
    """Appointments, a probation, a sensitive post held too long, a held and released
    discipline, an annulment, registers, and an erasure; what was recorded, by name."""

    def submit(who: str, type: str, payload: dict[str, Any]) -> dict[str, Any]:
        receipt = desk.submit(who, type, payload)
        after_each()
        return receipt

    def approve(decision_id: str, who: str = "CB-C1") -> dict[str, Any]:
        return submit(who, "decision.approve", {"decision_id": decision_id, "revision": 1})

    # The chair since 2021: recorded now, so flagged as backdated (R11).
    submit(
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
    approve("QD-2021-01")
    # Finance since 2019: a sensitive post, past the five-year rotation period.
    submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-F1",
            "recruitment",
            "CB-FIN",
            "2019-03-01",
            target_post=f"{COMMUNE}/finance",
            framework_version="QN-professional@1",
        ),
    )
    approve("QD-F1")
    # A probation for the vice post, due in 180 days, still open.
    submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-P1",
            "probation_start",
            "CB-A",
            desk.days(-10),
            target_post=f"{COMMUNE}/vice",
            until=desk.days(170),
            framework_version="QN-leadership@1",
        ),
    )
    approve("QD-P1")
    # A commendation later annulled by inspection.
    submit("CB-CHAIR", "decision.propose", decision("QD-K1", "commendation", "CB-A", desk.days(0)))
    approve("QD-K1")
    submit("CB-INSP", "decision.annul", {"decision_id": "QD-K1", "reason": "Trùng khen thưởng"})
    # A reporter under protection: the discipline proposed against them is held, then released.
    vault = desk.ledger.app.vault
    assert vault is not None
    submit(
        "CB-PROT",
        "protection.grant",
        {
            "protection_id": "BV-1",
            "index": vault.blind_index("CB-REP"),
            "unit": COMMUNE,
            "since": desk.days(-30),
        },
    )
    submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-D1",
            "discipline",
            "CB-REP",
            desk.days(0),
            penalty="reprimand",
            violation_id="VP-1",
            violation_on=desk.days(-10),
            collective=chair_collective(),
        ),
    )
    approve("QD-D1")
    # Registers: a hard task nobody owns, an initiative, a consultation answered.
    submit(
        "CB-CHAIR",
        "task.register",
        {
            "task_id": "NV-1",
            "unit": COMMUNE,
            "title": "Giải phóng mặt bằng",
            "description": "Tuyến đường liên xã",
            "deadline": desk.days(90),
        },
    )
    submit(
        "CB-CLERK",
        "initiative.register",
        {
            "initiative_id": "SK-1",
            "official": "CB-A",
            "unit": COMMUNE,
            "aim": "Một cửa điện tử",
            "scope": "Xã An Bình",
            "risks": "Chậm tiến độ",
            "expected_result": "Giảm thời gian chờ",
            "starts_on": desk.days(1),
        },
    )
    submit(
        "CB-CHAIR",
        "consultation.ask",
        {
            "consultation_id": "XY-1",
            "unit": COMMUNE,
            "to_unit": PROVINCE,
            "question": "Đất chưa có trong quy hoạch: có bồi thường?",
            "deadline": desk.days(7),
        },
    )
    submit("CB-C2", "consultation.answer", {"consultation_id": "XY-1", "answer": "Có"})
    # CB-B leaves: their personal data is erased.
    submit("registrar", "official.erase", {"official_id": "CB-B", "reason": "Nghỉ hưu"})
    return {"held": "QD-D1", "annulled": "QD-K1"}
