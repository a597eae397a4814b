"""Units merged with succession, hard tasks, initiatives and quick consultations."""

from __future__ import annotations

import pytest

from ledger.errors import LedgerError
from ledger.verify import verify_log
from tests.ledger.personnel.conftest import COMMUNE, OTHER_COMMUNE, PROVINCE, decision
from tests.ledger.personnel.desk import Desk


def refusal(desk: Desk, who: str, type: str, payload: dict[str, object]) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        desk.submit(who, type, payload)
    return caught.value


def test_a_merger_moves_posts_and_their_holders_to_the_successor(desk: Desk) -> None:
    finance = f"{COMMUNE}/finance"
    desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-F",
            "recruitment",
            "CB-FIN",
            desk.days(-10),
            target_post=finance,
            framework_version="QN-professional@1",
        ),
    )
    desk.submit("CB-C1", "decision.approve", {"decision_id": "QD-F", "revision": 1})
    desk.submit(
        "registrar",
        "unit.establish",
        {
            "unit_id": f"{PROVINCE}/an-hoa",
            "name": "Xã An Hoà",
            "level": "commune",
            "parent": PROVINCE,
            "established_on": desk.days(0),
        },
    )
    merger = {
        "reorganisation_id": "NQ-1",
        "kind": "merger",
        "from": [COMMUNE, OTHER_COMMUNE],
        "into": [f"{PROVINCE}/an-hoa"],
        "effective_on": desk.days(0),
        "legal_basis": "Nghị quyết 1656/NQ-UBTVQH15",
    }
    assert refusal(desk, "CB-CHAIR", "unit.reorganise", merger).code == "not_authorised"
    receipt = desk.submit("registrar", "unit.reorganise", merger)
    assert finance in receipt["outcome"]["post_moves"]
    reader = desk.ledger.personnel
    merged = reader.record("unit", f"{PROVINCE}/an-hoa")
    assert finance in merged["posts"] and merged["predecessors"] == [COMMUNE, OTHER_COMMUNE]
    old = reader.record("unit", COMMUNE)
    assert old["exists"] is False and old["successors"] == [f"{PROVINCE}/an-hoa"]
    # The holder moves with the post; before the merger the post was the old commune's.
    post = reader.record("post", finance)
    assert post["unit"] == f"{PROVINCE}/an-hoa" and post["holders"] == ["CB-FIN"]
    assert reader.record("post", finance, on=desk.today.replace(year=2020))["unit"] == COMMUNE
    again = refusal(desk, "registrar", "unit.reorganise", {**merger, "reorganisation_id": "NQ-2"})
    assert again.code == "version_conflict"


def test_a_hard_task_an_initiative_and_a_consultation_mark_the_decisions_taken(
    desk: Desk,
) -> None:
    desk.submit(
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
    early = refusal(
        desk,
        "CB-CHAIR",
        "task.close",
        {"task_id": "NV-1", "outcome": "done", "result": "xong", "closed_on": desk.days(1)},
    )
    assert early.code == "version_conflict"  # nobody owns it yet
    desk.submit(
        "CB-CHAIR",
        "task.assign",
        {"task_id": "NV-1", "official": "CB-A", "assigned_on": desk.days(0)},
    )
    late_start = {
        "initiative_id": "SK-0",
        "official": "CB-A",
        "unit": COMMUNE,
        "aim": "a",
        "scope": "b",
        "risks": "c",
        "expected_result": "d",
        "starts_on": desk.days(-1),
    }
    assert refusal(desk, "CB-CLERK", "initiative.register", late_start).code == "invalid_payload"
    desk.submit(
        "CB-CLERK",
        "initiative.register",
        {**late_start, "initiative_id": "SK-1", "starts_on": desk.days(1)},
    )
    desk.submit(
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
    unanswered = decision("QD-M", "commendation", "CB-A", desk.days(0), under_consultation="XY-1")
    assert refusal(desk, "CB-CHAIR", "decision.propose", unanswered).code == "invalid_payload"
    # The commune may not answer its own question: the level above does.
    answer = {"consultation_id": "XY-1", "answer": "Có, theo Điều 107 Luật Đất đai"}
    assert refusal(desk, "CB-CHAIR", "consultation.answer", answer).code == "not_authorised"
    answered = desk.submit("CB-C2", "consultation.answer", answer)
    assert answered["outcome"] == {"late": False}
    desk.submit("CB-CHAIR", "decision.propose", {**unanswered, "under_initiative": "SK-1"})
    shown = desk.ledger.personnel.record("decision", "QD-M")
    assert (shown["under_consultation"], shown["under_initiative"]) == ("XY-1", "SK-1")
    self_review = {
        "initiative_id": "SK-1",
        "assessment": "legitimate",
        "evaluation": "Đúng quy trình",
        "evaluated_on": desk.days(30),
    }
    desk.keys["CB-A"] = desk.enrol("CB-A", "official", COMMUNE)
    assert refusal(desk, "CB-A", "initiative.evaluate", self_review).code == "not_authorised"
    desk.submit("CB-CHAIR", "initiative.evaluate", self_review)
    desk.submit(
        "CB-CHAIR",
        "task.close",
        {"task_id": "NV-1", "outcome": "done", "result": "Hoàn thành", "closed_on": desk.days(60)},
    )
    task = desk.ledger.personnel.record("task", "NV-1")
    assert (task["owner"], task["outcome"]) == ("CB-A", "done")
    history = desk.ledger.personnel.history("task", "NV-1")
    assert [h["type"] for h in history] == ["task.register", "task.assign", "task.close"]
    assert all(h["log_index"] is not None for h in history)


def test_drafts_withdrawals_and_erasure_keep_the_log_verifiable(desk: Desk) -> None:
    payload = decision("QD-W", "commendation", "CB-A", desk.days(0))
    desk.submit("CB-CLERK", "decision.draft", payload)
    assert refusal(desk, "CB-CHAIR", "decision.propose", payload).code == "invalid_payload"
    desk.submit("CB-CHAIR", "decision.propose", {"decision_id": "QD-W"})
    assert (
        refusal(desk, "CB-CLERK", "decision.withdraw", {"decision_id": "QD-W", "reason": "x"}).code
        == "not_authorised"
    )
    desk.submit("CB-CHAIR", "decision.withdraw", {"decision_id": "QD-W", "reason": "Sai đối tượng"})
    assert desk.ledger.personnel.record("decision", "QD-W")["status"] == "withdrawn"
    assert (
        refusal(desk, "CB-C1", "decision.approve", {"decision_id": "QD-W", "revision": 1}).code
        == "version_conflict"
    )
    desk.submit("registrar", "official.erase", {"official_id": "CB-B", "reason": "Nghỉ hưu"})
    assert desk.ledger.personnel.record("official", "CB-B")["name"] is None
    # With CB-B's declared relations erased, the chair's recusal no longer applies.
    assert not any(o.relatives for o in _rules_officials(desk))
    result = verify_log(data_dir=desk.log.settings.data_dir, workers=0)
    assert result.ok, result.failure


def _rules_officials(desk: Desk):  # type: ignore[no-untyped-def]
    view = desk.ledger.app.personnel_view
    with view.lock:
        view.catch_up()
        from ledger.personnel.work import PersonnelWork

        app = desk.ledger.app
        work = PersonnelWork(view, app.vault, app.sealing, view.count)  # type: ignore[arg-type]
        return work.rules_state(COMMUNE, None).officials


def test_the_statement_types_are_published(desk: Desk) -> None:
    from ledger.personnel.catalogue import statement_types_table

    table = {t["type"]: t for t in statement_types_table()}
    assert table["decision.annul"]["roles"] == ["inspector"]
    assert table["official.register"]["personal_data"] is True
    assert table["framework.approve"]["payload"]["proposal"]["required"] is True


def test_the_statement_types_reference_is_current() -> None:
    from pathlib import Path

    from ledger.personnel.docs import statement_types_markdown

    written = Path(__file__).parents[3] / "docs" / "statement-types.md"
    assert written.read_text(encoding="utf-8") == statement_types_markdown(), (
        "docs/statement-types.md is stale: python -m ledger.personnel.docs > "
        "docs/statement-types.md"
    )


def test_a_split_needs_a_successor_for_every_post(desk: Desk) -> None:
    for suffix in ("bac", "nam"):
        desk.submit(
            "registrar",
            "unit.establish",
            {
                "unit_id": f"{PROVINCE}/an-binh-{suffix}",
                "name": f"Xã An Bình {suffix}",
                "level": "commune",
                "parent": PROVINCE,
                "established_on": desk.days(0),
            },
        )
    split = {
        "reorganisation_id": "NQ-S",
        "kind": "split",
        "from": [COMMUNE],
        "into": [f"{PROVINCE}/an-binh-bac", f"{PROVINCE}/an-binh-nam"],
        "effective_on": desk.days(1),
        "legal_basis": "Nghị quyết chia tách",
    }
    missing = refusal(desk, "registrar", "unit.reorganise", split)
    assert missing.code == "invalid_payload" and missing.details["field"] == "posts"
    north, south = f"{PROVINCE}/an-binh-bac", f"{PROVINCE}/an-binh-nam"
    posts = {
        f"{COMMUNE}/chair": north,
        f"{COMMUNE}/vice": north,
        f"{COMMUNE}/finance": south,
        f"{COMMUNE}/culture": south,
    }
    desk.submit("registrar", "unit.reorganise", {**split, "posts": posts})
    reader = desk.ledger.personnel
    assert reader.record("unit", south, on=desk.today.replace(year=desk.today.year + 1))[
        "posts"
    ] == [f"{COMMUNE}/culture", f"{COMMUNE}/finance"]
    assert reader.record("unit", COMMUNE)["successors"] == [north, south]


def test_a_replayed_statement_keeps_the_personal_data_of_the_recorded_one(desk: Desk) -> None:
    from ledger.personnel.private import commitment_of
    from tests.ledger.personnel.desk import personal_data

    data = personal_data("Tên mới của CB-A")
    update = desk.sign(
        "CB-CLERK",
        "official.update",
        {"official_id": "CB-A", "private_sha256": commitment_of(data)},
        data,
    )
    desk.ledger.submit([update])
    with pytest.raises(LedgerError) as replayed:
        desk.ledger.submit([update])  # a client retrying after a lost answer
    assert replayed.value.code == "replayed_nonce"
    vault = desk.ledger.app.vault
    assert vault is not None and vault.open("CB-A", commitment_of(data)) is not None
    assert desk.ledger.personnel.record("official", "CB-A")["name"] == "Tên mới của CB-A"


def test_a_units_id_carries_its_provinces_id(desk: Desk) -> None:
    """Unit scopes compare ids by prefix: an id that does not follow the parent link would be
    covered by one rule and not by the other."""
    commune = {"name": "Xã X", "level": "commune", "established_on": desk.days(0)}
    stray = {**commune, "unit_id": "XA-1", "parent": PROVINCE}
    refused = refusal(desk, "registrar", "unit.establish", stray)
    assert (refused.code, refused.details["field"]) == ("invalid_payload", "unit_id")
    province = {**commune, "unit_id": "QB/x", "level": "province"}
    assert refusal(desk, "registrar", "unit.establish", province).code == "invalid_payload"
    desk.submit("registrar", "unit.establish", {**stray, "unit_id": f"{PROVINCE}/xa-1"})


def test_an_officials_id_cannot_take_a_reports_vault_key(desk: Desk) -> None:
    """A report's content is sealed under the vault subject 'report:ID', an official's data
    under its bare id: an official named so would share the report's key (and erasing the
    official would destroy the report)."""
    with pytest.raises(LedgerError) as refused:
        desk.register("registrar", "report:R-1", COMMUNE)
    assert refused.value.code == "invalid_payload"
    assert refused.value.details["field"] == "official_id"


def test_a_failure_after_the_commit_is_no_refusal(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Saved is saved: if erasing the personal data fails afterwards, the statement is still
    answered as recorded (raising would read as 'nothing recorded', and a retry as a replay),
    the failure is logged, and the erasure is finished when the log is next opened."""
    vault = desk.ledger.app.vault
    assert vault is not None

    def broken(subject: str) -> None:
        raise OSError("vault disk gone")

    monkeypatch.setattr(vault, "erase", broken)
    size = desk.ledger.log.require_head().size
    receipt = desk.submit("registrar", "official.erase", {"official_id": "CB-B", "reason": "x"})
    assert receipt["type"] == "official.erase"
    assert desk.ledger.log.require_head().size == size + 1
    assert "bringing the in-memory state up to date failed" in caplog.text
    assert desk.ledger.personnel.record("official", "CB-B")["name"] is None  # folded again
    monkeypatch.undo()
    reopened = desk.log.open()
    try:
        assert reopened.personnel.record("official", "CB-B")["name"] is None
        assert reopened.app.vault is not None
        assert reopened.app.vault._key("CB-B", create=False) is None  # its key destroyed
    finally:
        reopened.close()
