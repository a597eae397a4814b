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


def _approve(desk: Desk, decision_id: str, who: str = "CB-C1") -> dict[str, object]:
    receipt = desk.submit(who, "decision.approve", {"decision_id": decision_id, "revision": 1})
    outcome: dict[str, object] = receipt["outcome"]
    return outcome


def test_an_appointment_after_probation_confirmed_on_time(desk: Desk) -> None:
    vice = f"{COMMUNE}/vice"
    # The vice post is a key position: a direct appointment is blocked without probation.
    blocked = refusal(
        desk,
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-A0",
            "appointment",
            "CB-A",
            desk.days(0),
            target_post=vice,
            framework_version="QN-leadership@1",
            collective=chair_collective(),
        ),
    )
    assert [v["rule_id"] for v in blocked.details["verdicts"]] == ["R08"]
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-P1",
            "probation_start",
            "CB-A",
            desk.days(0),
            target_post=vice,
            until=desk.days(180),
            framework_version="QN-leadership@1",
        ),
    )
    assert _approve(desk, "QD-P1")["status"] == "approved"
    view = desk.ledger.app.personnel_view
    (probation,) = view.derived().probations
    assert (probation.official, probation.post, probation.confirmed) == ("CB-A", vice, None)
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision("QD-P2", "probation_confirmation", "CB-A", desk.days(170), target_post=vice),
    )
    confirmed = _approve(desk, "QD-P2")
    assert confirmed["status"] == "approved" and confirmed["verdicts"] == []
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-A1",
            "appointment",
            "CB-A",
            desk.days(171),
            target_post=vice,
            until=desk.days(1996),
            framework_version="QN-leadership@1",
            collective=chair_collective(),
        ),
    )
    assert _approve(desk, "QD-A1")["status"] == "approved"
    derived = view.derived()
    assert [p.confirmed for p in derived.probations] == [True]
    assert [(h.official, h.post) for h in derived.holdings] == [("CB-A", vice)]
    assert [t.post for t in derived.terms] == [vice]


def test_a_probation_left_open_past_its_deadline_is_flagged(desk: Desk) -> None:
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-P1",
            "probation_start",
            "CB-A",
            "2024-01-01",
            target_post=f"{COMMUNE}/vice",
            until="2024-12-31",
            framework_version="QN-leadership@1",
        ),
    )
    _approve(desk, "QD-P1")
    # Any later decision about CB-A shows the overdue probation to inspection.
    receipt = desk.submit(
        "CB-CHAIR", "decision.propose", decision("QD-K1", "commendation", "CB-A", desk.days(0))
    )
    assert "R08" in [v["rule_id"] for v in receipt["outcome"]["verdicts"]]
    assert receipt["outcome"]["status"] == "proposed"


def test_a_sensitive_post_held_past_the_rotation_period_is_flagged(desk: Desk) -> None:
    finance = f"{COMMUNE}/finance"
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-F1",
            "recruitment",
            "CB-FIN",
            "2019-03-01",
            target_post=finance,
            framework_version="QN-professional@1",
        ),
    )
    _approve(desk, "QD-F1")
    receipt = desk.submit(
        "CB-CHAIR", "decision.propose", decision("QD-F2", "commendation", "CB-FIN", desk.days(0))
    )
    flags = {v["rule_id"]: v for v in receipt["outcome"]["verdicts"]}
    assert "R09" in flags and flags["R09"]["outcome"] == "flag"
    assert flags["R09"]["details"]["overdue"][0]["post"] == finance


def test_an_adverse_decision_against_a_protected_reporter_is_held(desk: Desk) -> None:
    vault = desk.ledger.app.vault
    assert vault is not None
    desk.submit(
        "CB-PROT",
        "protection.grant",
        {
            "protection_id": "BV-1",
            "index": vault.blind_index("CB-REP"),
            "unit": COMMUNE,
            "since": desk.days(-30),
        },
    )
    receipt = desk.submit(
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
    outcome = receipt["outcome"]
    assert outcome["status"] == "held"
    (hold,) = [v for v in outcome["verdicts"] if v["outcome"] == "hold"]
    # The public sees that it is held, not why, nor under which rule.
    assert hold["rule_id"] is None and hold["source"] is None and hold["details"] == {}
    assert _approve(desk, "QD-D1")["status"] == "held"
    assert desk.ledger.app.personnel_view.derived().records == ()
    # Inspection reviews it independently and releases it; the approval already given counts.
    released = desk.submit(
        "CB-INSP",
        "decision.release",
        {"decision_id": "QD-D1", "reason": "Kỷ luật có căn cứ độc lập với việc tố cáo"},
    )
    assert released["outcome"]["status"] == "approved"
    (record,) = desk.ledger.app.personnel_view.derived().records
    assert (record.official, record.penalty.value) == ("CB-REP", "reprimand")


def test_after_a_framework_change_a_decision_citing_the_old_version_is_refused(
    desk: Desk,
) -> None:
    framework = "QN-professional"
    desk.submit(
        "CB-C1",
        "framework.propose",
        {
            "framework_id": framework,
            "province": "QN",
            "title_group": "professional",
            "effective_on": desk.days(30),
            "competencies": {"law": 4, "digital": 2},
            "summary": "Bổ sung năng lực số",
        },
    )
    for who in ["CB-C2", "CB-C3"]:
        desk.submit(who, "framework.approve", {"framework_id": framework, "proposal": 2})
    # Two approvals of three required: not yet publishable.
    early = refusal(desk, "CB-C1", "framework.publish", {"framework_id": framework, "proposal": 2})
    assert early.code == "quorum_not_reached"
    desk.submit("CB-C4", "framework.approve", {"framework_id": framework, "proposal": 2})
    published = desk.submit(
        "CB-C1", "framework.publish", {"framework_id": framework, "proposal": 2}
    )
    assert published["outcome"] == {"version": f"{framework}@2"}
    old = refusal(
        desk,
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-R1",
            "recruitment",
            "CB-FIN",
            desk.days(40),
            target_post=f"{COMMUNE}/culture",
            framework_version=f"{framework}@1",
        ),
    )
    assert "R05" in [v["rule_id"] for v in old.details["verdicts"]]
    # Before the new version takes effect, the old one is the one to cite.
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-R2",
            "recruitment",
            "CB-FIN",
            desk.days(10),
            target_post=f"{COMMUNE}/culture",
            framework_version=f"{framework}@1",
        ),
    )
    # Citing the new one, the candidate falls short of law 4 and digital 2: flagged if justified.
    receipt = desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-R3",
            "recruitment",
            "CB-REP",
            desk.days(40),
            target_post=f"{COMMUNE}/finance",
            framework_version=f"{framework}@2",
            justification="Đào tạo bổ sung trong 6 tháng",
        ),
    )
    r05 = [v for v in receipt["outcome"]["verdicts"] if v["rule_id"] == "R05"]
    assert r05 and r05[0]["outcome"] == "flag"


def test_an_evaluation_band_is_computed_never_typed_in(desk: Desk) -> None:
    products = [{"completed": True}] * 9 + [{"completed": False}]
    wrong = refusal(
        desk,
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-E1",
            "evaluation",
            "CB-FIN",
            desk.days(0),
            evaluation={
                "period": "2025",
                "general_points": 25,
                "products": products,
                "band": "excellent",
                "citizen_satisfaction": 92,
            },
        ),
    )
    (verdict,) = wrong.details["verdicts"]
    assert verdict["rule_id"] == "R21" and verdict["details"]["computed"] == "good"
    receipt = desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-E2",
            "evaluation",
            "CB-FIN",
            desk.days(0),
            evaluation={
                "period": "2025",
                "criteria_scores": {"politics": 8, "ethics": 9, "discipline": 8},
                "products": products,
                "band": "good",
            },
        ),
    )
    assert receipt["outcome"]["status"] == "proposed"


def test_signers_without_authority_are_refused(desk: Desk) -> None:
    payload = decision("QD-X", "commendation", "CB-FIN", desk.days(0))
    # A clerk drafts but does not propose; an official of another commune does neither.
    assert refusal(desk, "CB-CLERK", "decision.propose", payload).code == "not_authorised"
    assert refusal(desk, "CB-OTHER", "decision.propose", payload).code == "not_authorised"
    desk.submit("CB-CLERK", "decision.draft", payload)
    desk.submit("CB-CHAIR", "decision.propose", {"decision_id": "QD-X"})
    # Only inspection annuls; only the author withdraws.
    annul = {"decision_id": "QD-X", "reason": "Sai thẩm quyền"}
    assert refusal(desk, "CB-CHAIR", "decision.annul", annul).code == "not_authorised"
    assert refusal(desk, "CB-VICE", "decision.withdraw", annul).code == "not_authorised"
    desk.submit("CB-INSP", "decision.annul", annul)
    assert desk.ledger.app.personnel_view.state.decisions["QD-X"].status == "annulled"


def test_a_second_approval_by_the_same_signer_is_a_conflict(desk: Desk) -> None:
    desk.submit(
        "CB-CHAIR", "decision.propose", decision("QD-Y", "commendation", "CB-FIN", desk.days(0))
    )
    _approve(desk, "QD-Y")
    again = refusal(desk, "CB-C1", "decision.approve", {"decision_id": "QD-Y", "revision": 1})
    assert again.code == "version_conflict"
    stale = refusal(desk, "CB-C2", "decision.approve", {"decision_id": "QD-Y", "revision": 2})
    assert stale.code == "version_conflict"


def test_inspection_annuls_a_framework_version_and_decisions_then_refuse_to_cite_it(
    desk: Desk,
) -> None:
    payload = decision(
        "QD-N1",
        "recruitment",
        "CB-FIN",
        desk.days(1),
        target_post=f"{COMMUNE}/culture",
        framework_version="QN-professional@1",
    )
    annul = {"framework_id": "QN-professional", "proposal": 1, "reason": "Sai thẩm quyền ban hành"}
    assert refusal(desk, "CB-C1", "framework.annul", annul).code == "not_authorised"
    desk.submit("CB-INSP", "framework.annul", annul)
    blocked = refusal(desk, "CB-CHAIR", "decision.propose", payload)
    assert "R05" in [v["rule_id"] for v in blocked.details["verdicts"]]
    shown = desk.ledger.personnel.record("framework", "QN-professional")
    assert shown["in_force"] is None and shown["versions"][0]["status"] == "annulled"


def test_a_released_decision_is_not_held_again_by_the_next_approval(desk: Desk) -> None:
    vault = desk.ledger.app.vault
    assert vault is not None
    desk.submit(
        "CB-PROT",
        "protection.grant",
        {
            "protection_id": "BV-2",
            "index": vault.blind_index("CB-REP"),
            "unit": COMMUNE,
            "since": desk.days(-30),
        },
    )
    desk.submit(
        "CB-C1",
        "framework.propose",
        {
            "framework_id": "QN-professional",
            "province": "QN",
            "title_group": "professional",
            "effective_on": "2015-01-01",
            "competencies": {"law": 3, "management": 2},
            "parameters": {"decision_approvals_required": 2},
            "summary": "Hai người phê duyệt",
        },
    )
    for who in ["CB-C2", "CB-C3", "CB-C4"]:
        desk.submit(who, "framework.approve", {"framework_id": "QN-professional", "proposal": 2})
    desk.submit("CB-C1", "framework.publish", {"framework_id": "QN-professional", "proposal": 2})
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-T",
            "transfer",
            "CB-REP",
            desk.days(0),
            target_post=f"{COMMUNE}/culture",
            framework_version="QN-professional@2",
        ),
    )
    assert desk.ledger.personnel.record("decision", "QD-T")["status"] == "held"
    released = desk.submit(
        "CB-INSP",
        "decision.release",
        {"decision_id": "QD-T", "reason": "Điều động theo kế hoạch đã có từ trước"},
    )
    assert released["outcome"]["status"] == "proposed"  # no approval yet
    assert _approve(desk, "QD-T", "CB-C1")["status"] == "proposed"  # one of two
    assert _approve(desk, "QD-T", "CB-C2")["status"] == "approved"
