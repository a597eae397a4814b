"""The protected reporting channel, as stories: a report filed anonymously, handled on time,
its identity opened only with two approvals, the reporter protected, the keys destroyed."""

from __future__ import annotations

import base64
import json

import pytest

from keys.sealing import seal
from ledger.errors import LedgerError, NotFound
from ledger.reports.desk import sealed_text
from ledger.reports.keys import COMMITTEE_INFO, IDENTITY_INFO
from ledger.verify import verify_log
from tests.ledger.personnel.conftest import COMMUNE, chair_collective, decision
from tests.ledger.personnel.desk import Desk

SECRET_TEXT = "Chủ tịch xã nhận 50 triệu để bổ nhiệm sai quy trình"


def refusal(
    desk: Desk, who: str, type: str, payload: dict[str, object], **kw: object
) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        desk.submit(who, type, payload, **kw)  # type: ignore[arg-type]
    return caught.value


def file(desk: Desk, **extra: object) -> tuple[str, str]:
    filed = desk.ledger.reports.file(
        {
            "category": "corruption",
            "unit": COMMUNE,
            "text": SECRET_TEXT,
            "concerns": "CB-CHAIR",
            **extra,
        }
    )
    report_id = desk.ledger.reports.report_of(filed["receipt"])
    return filed["receipt"], report_id


def test_a_report_is_filed_without_an_account_and_only_its_hash_is_logged(
    reports_desk: Desk,
) -> None:
    desk = reports_desk
    receipt, report_id = file(desk, identity={"name": "Lê Văn Tố", "official_id": "CB-REP"})
    groups = receipt.split("-")
    assert [len(g) for g in groups] == [4] * 5  # 100 bits, read aloud in groups
    size = desk.ledger.log.require_head().size
    log_bytes = b"".join(desk.ledger.log.entries(0, size))
    for secret in [SECRET_TEXT, "Lê Văn Tố", receipt, receipt.replace("-", "")]:
        assert secret.encode() not in log_bytes
    assert report_id.encode() in log_bytes and b"corruption" in log_bytes
    # The reporter, an official, is protected by a blind index: their id is not beside it.
    intake = [e for e in desk.ledger.log.entries(0, size) if b"protection.grant" in e]
    assert len(intake) == 1 and b"CB-REP" not in intake[0]
    status = desk.ledger.reports.status(receipt.lower().replace("-", " "))  # read aloud
    assert status["status"] == "received" and status["deadlines"]["overdue"] == []
    with pytest.raises(NotFound) as wrong:
        desk.ledger.reports.status("0000-0000-0000-0000-0000")
    with pytest.raises(NotFound) as garbage:
        desk.ledger.reports.status("not a code")
    assert str(wrong.value) == str(garbage.value)
    assert verify_log(data_dir=desk.log.settings.data_dir, workers=0).ok


def test_a_report_sealed_on_the_reporters_machine(reports_desk: Desk) -> None:
    desk = reports_desk
    keys = desk.ledger.reports.public_keys()
    assert keys["committee"].startswith("mlkem768x25519:")
    content = json.dumps({"text": "Gửi từ máy người báo cáo", "attachments": []}).encode()
    sealed = seal(keys["committee"], content, COMMITTEE_INFO)
    identity = seal(keys["protection"], json.dumps({"name": "Ẩn danh"}).encode(), IDENTITY_INFO)
    filed = desk.ledger.reports.file(
        {
            "category": "other",
            "unit": COMMUNE,
            "sealed_content": base64.b64encode(sealed).decode(),
            "sealed_identity": base64.b64encode(identity).decode(),
        }
    )
    report_id = desk.ledger.reports.report_of(filed["receipt"])
    assert desk.ledger.reports.content(report_id)["content"]["text"] == "Gửi từ máy người báo cáo"
    bad = refusal_filing(
        desk,
        {
            "category": "other",
            "unit": COMMUNE,
            "sealed_content": base64.b64encode(sealed).decode(),
            "sealed_identity": base64.b64encode(b"x" * 40).decode(),
        },
    )
    assert bad.details["field"] == "sealed_identity"


def test_sealed_content_is_held_to_the_forms_rules_at_intake(reports_desk: Desk) -> None:
    """Content that does not open, or opens to something else, would make a report no one
    could handle (every handling check opens it): refused when filed, naming the field."""
    desk = reports_desk
    keys = desk.ledger.reports.public_keys()
    size = desk.ledger.log.require_head().size

    def filing(sealed: bytes) -> LedgerError:
        form = {"category": "other", "unit": COMMUNE}
        return refusal_filing(desk, {**form, "sealed_content": base64.b64encode(sealed).decode()})

    not_sealed = filing(b"x" * 200)
    assert (not_sealed.code, not_sealed.details["field"]) == ("invalid_payload", "sealed_content")
    a_list = filing(seal(keys["committee"], b"[1, 2]", COMMITTEE_INFO))
    assert a_list.details["field"] == "sealed_content"
    no_text = filing(seal(keys["committee"], json.dumps({"text": ""}).encode(), COMMITTEE_INFO))
    assert no_text.details["field"] == "sealed_content.text"
    wrong_key = filing(seal(keys["protection"], json.dumps({"text": "x"}).encode(), COMMITTEE_INFO))
    assert wrong_key.details["field"] == "sealed_content"
    assert desk.ledger.log.require_head().size == size  # nothing recorded


def refusal_filing(desk: Desk, form: dict[str, object]) -> LedgerError:
    with pytest.raises(LedgerError) as caught:
        desk.ledger.reports.file(form)
    return caught.value


def test_handling_on_time_with_messages_and_logged_reads(reports_desk: Desk) -> None:
    desk = reports_desk
    receipt, report_id = file(desk)
    target = {"report_id": report_id}
    desk.submit("CB-C1", "report.accept", {**target, "complexity": "complex"})
    desk.submit("CB-C1", "report.acknowledge", target)
    # The official the report concerns, or their relative, may not handle it.
    desk.enrol("CB-CHAIR-H", "handler", COMMUNE)
    assert refusal(desk, "CB-C1", "report.assign", {**target, "handler": "CB-CHAIR"}).code == (
        "not_authorised"
    )
    assert refusal(desk, "CB-C1", "report.assign", {**target, "handler": "CB-B"}).code == (
        "not_authorised"
    )
    desk.submit("CB-C1", "report.assign", {**target, "handler": "CB-H1"})
    # Another handler may not read it; the assigned one may, and the read is in the log.
    assert refusal(desk, "CB-H2", "report.read", target).code == "not_authorised"
    desk.submit("CB-H1", "report.read", target)
    assert desk.ledger.reports.content(report_id)["content"]["text"] == SECRET_TEXT
    note, commitment = sealed_text("Đã xác minh sổ sách")
    desk.submit("CB-H1", "report.note", {**target, "private_sha256": commitment}, note)
    message, commitment = sealed_text("Chúng tôi đã thụ lý, đang xác minh.")
    desk.submit("CB-H1", "report.message", {**target, "private_sha256": commitment}, message)
    desk.ledger.reports.reply(receipt, "Tôi có thêm chứng từ.")
    status = desk.ledger.reports.status(receipt)
    assert [m["text"] for m in status["messages"]] == ["Chúng tôi đã thụ lý, đang xác minh."]
    assert status["status"] == "accepted" and status["acknowledged"] is True
    # A complex report may be extended once, by at most 30 days.
    desk.submit("CB-H1", "report.extend", {**target, "days": 30, "reason": "Nhiều địa điểm"})
    again = refusal(desk, "CB-H1", "report.extend", {**target, "days": 10, "reason": "x"})
    assert again.code == "invalid_payload"
    conclusion, commitment = sealed_text("Có căn cứ một phần")
    desk.submit(
        "CB-H1",
        "report.conclude",
        {**target, "outcome": "partly_substantiated", "private_sha256": commitment},
        conclusion,
    )
    status = desk.ledger.reports.status(receipt)
    assert status["outcome"] == "partly_substantiated"
    assert status["deadlines"]["timely"] is True
    history = desk.ledger.app.personnel_view.state.reports[report_id]
    assert [who for who, _ in history.reads] == ["CB-H1"]
    opened = desk.ledger.reports.content(report_id)
    assert opened["replies"] == [{"reply": "Tôi có thêm chứng từ."}]


def test_an_identity_opens_only_with_two_protection_officers(reports_desk: Desk) -> None:
    desk = reports_desk
    _receipt, report_id = file(desk, identity={"name": "Lê Văn Tố", "contact": "0900"})
    request = {"report_id": report_id, "request_id": "YC-1"}
    desk.submit("CB-INSP", "identity.request", {**request, "reason": "Cần lấy lời khai"})
    desk.submit("CB-PROT", "identity.approve", request)
    assert refusal(desk, "CB-PROT", "identity.approve", request).code == "not_authorised"
    assert refusal(desk, "CB-INSP", "identity.open", request).code == "not_authorised"
    desk.submit("CB-PROT2", "identity.approve", request)
    desk.submit("CB-INSP", "identity.open", request)
    assert desk.ledger.reports.identity(report_id) == {"name": "Lê Văn Tố", "contact": "0900"}
    opened = desk.ledger.app.personnel_view.state.reports[report_id].identity_requests["YC-1"]
    assert opened.opened_at is not None and len(opened.approvals) == 2


def test_an_official_who_reported_is_protected_from_retaliation(reports_desk: Desk) -> None:
    desk = reports_desk
    file(desk, identity={"name": "Người báo cáo", "official_id": "CB-REP"})
    receipt = desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-D",
            "discipline",
            "CB-REP",
            desk.days(0),
            penalty="warning",
            violation_id="VP-9",
            violation_on=desk.days(-3),
            collective=chair_collective(),
        ),
    )
    assert receipt["outcome"]["status"] == "held"
    # Another official, not a reporter, is not held.
    other = desk.submit(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-E",
            "discipline",
            "CB-FIN",
            desk.days(0),
            penalty="reprimand",
            violation_id="VP-10",
            violation_on=desk.days(-3),
            collective=chair_collective(),
        ),
    )
    assert other["outcome"]["status"] == "proposed"


def test_after_retention_the_keys_are_destroyed_and_the_log_still_verifies(
    reports_desk: Desk,
) -> None:
    desk = reports_desk
    receipt, report_id = file(desk)
    target = {"report_id": report_id}
    desk.submit("CB-C1", "report.accept", {**target, "complexity": "normal"})
    conclusion, commitment = sealed_text("Không có căn cứ")
    desk.submit(
        "CB-C1",
        "report.conclude",
        {**target, "outcome": "unsubstantiated", "private_sha256": commitment},
        conclusion,
    )
    early = refusal(desk, "CB-C1", "report.expire", {**target, "reason": "Hết hạn"})
    assert early.code == "invalid_payload" and early.details["retention_ends"]
    # The province shortens its retention period (a framework parameter, approved by quorum).
    desk.submit(
        "CB-C1",
        "framework.propose",
        {
            "framework_id": "QN-professional",
            "province": "QN",
            "title_group": "professional",
            "effective_on": desk.days(0),
            "competencies": {"law": 3},
            "parameters": {"report_retention_years": 0},
            "summary": "Thời hạn lưu trữ báo cáo",
        },
    )
    for who in ["CB-C2", "CB-C3", "CB-C4"]:
        desk.submit(who, "framework.approve", {"framework_id": "QN-professional", "proposal": 2})
    desk.submit("CB-C1", "framework.publish", {"framework_id": "QN-professional", "proposal": 2})
    desk.submit("CB-C1", "report.expire", {**target, "reason": "Hết thời hạn lưu trữ"})
    assert desk.ledger.reports.content(report_id)["content"] == {}
    assert desk.ledger.reports.status(receipt)["status"] == "expired"
    read = refusal(desk, "CB-C1", "report.read", target)
    assert read.code == "version_conflict"
    result = verify_log(data_dir=desk.log.settings.data_dir, workers=0)
    assert result.ok, result.failure


@pytest.mark.postgres
def test_with_a_separate_sequencer_a_report_is_kept_though_not_yet_sequenced(
    tmp_path, postgres_database_url: str
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_log

    log = make_log(tmp_path / "data", postgres_database_url, reports=True)
    ledger = log.open(sequence_in_process=False)  # as `canbo serve` on PostgreSQL
    try:
        desk = Desk(log, ledger)
        province = {
            "unit_id": "QN",
            "name": "Quảng Nam",
            "level": "province",
            "established_on": "2010-01-01",
        }
        ledger.save([desk.sign("registrar", "unit.establish", province)])
        filed = ledger.reports.file({"category": "other", "unit": "QN", "text": SECRET_TEXT})
        report_id = ledger.reports.report_of(filed["receipt"])
        assert ledger.reports.content(report_id)["content"]["text"] == SECRET_TEXT
        head = ledger.log.head()
        assert head is not None and head.size < ledger.app.recorder.max_notification_id()
    finally:
        ledger.close()


def test_the_official_a_report_concerns_may_not_read_or_handle_it(reports_desk: Desk) -> None:
    desk = reports_desk
    filed = desk.ledger.reports.file(
        {
            "category": "abuse_of_power",
            "unit": COMMUNE,
            "text": "CB-C1 đe doạ tôi",
            "concerns": "CB-C1",
        }
    )
    target = {"report_id": desk.ledger.reports.report_of(filed["receipt"])}
    for act, payload in [("report.read", {}), ("report.accept", {"complexity": "normal"})]:
        assert refusal(desk, "CB-C1", act, {**target, **payload}).code == "not_authorised"
    desk.submit("CB-C2", "report.accept", {**target, "complexity": "normal"})


def test_a_transferred_report_is_handled_by_the_unit_it_went_to(reports_desk: Desk) -> None:
    desk = reports_desk
    _receipt, report_id = file(desk)
    target = {"report_id": report_id}
    desk.submit(
        "CB-C1", "report.transfer", {**target, "to_unit": "QN/hoa-lac", "reason": "Thẩm quyền"}
    )
    # The province committee, whose scope covers the unit it went to, accepts it there.
    desk.submit("CB-C2", "report.accept", {**target, "complexity": "normal"})
    state = desk.ledger.app.personnel_view.state.reports[report_id]
    assert (state.status, state.transferred_to) == ("accepted", "QN/hoa-lac")
    # An inspector of the unit it went to, who sees it in the overview, may read it and ask
    # for the reporter's identity too; one of a third unit may not.
    desk.enrol("CB-INSP-HL", "inspector", "QN/hoa-lac")
    desk.submit("CB-INSP-HL", "report.read", target)
    desk.submit(
        "CB-INSP-HL", "identity.request", {**target, "request_id": "YC-1", "reason": "Xác minh"}
    )
    desk.enrol("CB-INSP-X", "inspector", "QN/xa-khac")
    assert refusal(desk, "CB-INSP-X", "report.read", target).code == "not_authorised"


def test_protection_ends_only_in_scope_and_never_in_the_past(reports_desk: Desk) -> None:
    desk = reports_desk
    file(desk, identity={"name": "N", "official_id": "CB-REP"})
    (protection,) = desk.ledger.app.personnel_view.state.protections.values()
    assert not protection.id.removeprefix("BV-").startswith("TC-")  # not the report's id
    desk.enrol("CB-PROT-HN", "protection_officer", "HN")
    end = {"protection_id": protection.id, "until": desk.days(0)}
    assert refusal(desk, "CB-PROT-HN", "protection.end", end).code == "not_authorised"
    past = {"protection_id": protection.id, "until": desk.days(-400)}
    assert refusal(desk, "CB-PROT", "protection.end", past).code == "invalid_payload"
    desk.submit("CB-PROT", "protection.end", {**end, "until": desk.days(30)})
    assert refusal(desk, "CB-PROT", "protection.end", end).code == "version_conflict"
