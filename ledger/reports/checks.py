"""Checks of report statements: who may act on a report, in which order, by when."""

from __future__ import annotations

from typing import Any

from ledger.errors import InvalidPayload, NotAuthorised
from ledger.personnel.organisation import Check, Outcome
from ledger.personnel.private import check_private
from ledger.personnel.state import PersonnelState
from ledger.personnel.work import PersonnelWork, exists, local_today, unknown, wrong_status
from ledger.registry import KeyRecord
from ledger.reports.deadlines import EXTENSIONS_ALLOWED, parameter, retention_ends
from ledger.reports.keys import content_subject, identity_subject, open_content
from ledger.reports.state import ReportState
from ledger.statement import Statement

APPROVALS_TO_OPEN_IDENTITY = 2


def report_parameters(state: PersonnelState, unit: str, day: Any) -> dict[str, Any]:
    """Report parameters from the frameworks in force in the unit's province (else defaults)."""
    province = state.province_of(unit)
    found: dict[str, Any] = {}
    for framework in state.frameworks.values():
        if framework.province != province:
            continue
        in_force = [p for p in framework.published() if p.effective_on <= day]
        if in_force:
            found.update(
                max(in_force, key=lambda p: (p.effective_on, p.published_order)).parameters
            )
    return found


def _report(w: PersonnelWork, st: Statement) -> ReportState:
    report = w.state.reports.get(st.payload["report_id"])
    if report is None:
        raise unknown("report_id", "report", st.payload["report_id"])
    if report.status == "expired":
        raise wrong_status("report", report.id, "expired (its keys are destroyed)", "kept")
    return report


def _require_scope_over(w: PersonnelWork, signer: KeyRecord, report: ReportState, act: str) -> None:
    # The unit it was filed with, or after a transfer the unit handling it: either sees it
    # in the inspection overview (ledger.personnel.inspection), so either may act on it.
    if not any(w.covers(signer.unit_scope, unit) for unit in report.units()):
        w.require_scope(signer, report.handling_unit, act)  # refused, naming the unit


def _handling(w: PersonnelWork, signer: KeyRecord, st: Statement) -> ReportState:
    """The report, if the signer handles it: its assigned handler, or committee in scope; never
    the official it concerns or their relative."""
    report = _report(w, st)
    w.require_scope(signer, report.handling_unit, "handle reports")
    if signer.role == "handler" and report.handler != signer.official_id:
        raise NotAuthorised(
            f"report {report.id} is assigned to another handler",
            f"báo cáo {report.id} được giao cho người xử lý khác",
        )
    _refuse_conflict(w, report, signer.official_id)
    return report


def _refuse_conflict(w: PersonnelWork, report: ReportState, official: str) -> None:
    """403 if the report concerns this official or their declared relative.

    The reason is not given: it would tell the signer whom the report concerns.
    """
    content = open_content(w.vault, w.sealing, report.id, report.sealed_sha256)
    concerned = (content or {}).get("concerns")
    if concerned and (official == concerned or official in _relatives(w, concerned)):
        raise NotAuthorised(
            f"{official} may not act on report {report.id}: a conflict of interest",
            f"{official} không được xử lý báo cáo {report.id} do xung đột lợi ích",
            official=official,
        )


def file(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["report_id"] in w.state.reports:
        raise exists("report", st.payload["report_id"])
    w.unit(st.payload["unit"])
    return {}


def reply(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    _report(w, st)
    return {}


def acknowledge(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _handling(w, signer, st)
    if report.acknowledged_on is not None:
        raise wrong_status("report", report.id, "acknowledged", "not yet acknowledged")
    return {}


def accept(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _handling(w, signer, st)
    # A transferred report is classified again by the unit it was transferred to.
    if report.status not in ("received", "transferred"):
        raise wrong_status("report", report.id, report.status, "received")
    return {}


def transfer(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _handling(w, signer, st)
    if report.status not in ("received", "transferred"):
        raise wrong_status("report", report.id, report.status, "received")
    w.unit(st.payload["to_unit"], "to_unit")
    if st.payload["to_unit"] == report.handling_unit:
        raise InvalidPayload(
            "a transfer goes to another unit", "chuyển đến đơn vị khác", field="to_unit"
        )
    return {}


def assign(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _handling(w, signer, st)
    if report.status != "accepted":
        raise wrong_status("report", report.id, report.status, "accepted")
    handler = st.payload["handler"]
    w.official(handler, "handler")
    _refuse_conflict(w, report, handler)
    return {}


def _relatives(w: PersonnelWork, official: str) -> frozenset[str]:
    return (
        w.rules_state(w.state.officials[official].unit, None).relatives_of(official)
        if (official in w.state.officials)
        else frozenset()
    )


def sealed_text(w: PersonnelWork, signer: KeyRecord, st: Statement, private: Any) -> Outcome:
    """report.note, report.message, report.conclude: text sealed beside the statement."""
    report = _handling(w, signer, st)
    if st.type == "report.conclude" and report.status != "accepted":
        raise wrong_status("report", report.id, report.status, "accepted")
    data = check_private(st.type, st.payload, private, required=True)
    assert data is not None
    w.seal_later(content_subject(report.id), st.payload["private_sha256"], data)
    return {}


def read(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if signer.role == "inspector":
        report = _report(w, st)
        _require_scope_over(w, signer, report, "inspect reports")
        _refuse_conflict(w, report, signer.official_id)
    else:
        _handling(w, signer, st)
    return {}


def extend(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _handling(w, signer, st)
    if report.status != "accepted":
        raise wrong_status("report", report.id, report.status, "accepted")
    allowed = EXTENSIONS_ALLOWED[report.complexity]
    if len(report.extensions) >= allowed:
        raise InvalidPayload(
            f"a {report.complexity} report may be extended {allowed} time(s); it has been "
            f"{len(report.extensions)}",
            f"báo cáo loại {report.complexity} chỉ được gia hạn {allowed} lần",
            field="days",
            allowed=allowed,
        )
    params = report_parameters(w.state, report.unit, local_today(st.time))
    most = parameter(params, "report_extension_days")
    if st.payload["days"] > most:
        raise InvalidPayload(
            f"an extension is at most {most} days",
            f"mỗi lần gia hạn tối đa {most} ngày",
            field="days",
        )
    return {}


def expire(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _report(w, st)
    _require_scope_over(w, signer, report, "destroy report keys")
    ends = retention_ends(report, report_parameters(w.state, report.unit, local_today(st.time)))
    today = local_today(st.time)
    if ends is None or today < ends:
        raise InvalidPayload(
            f"report {report.id} is kept until {ends or 'it is concluded'}",
            f"báo cáo {report.id} còn trong thời hạn lưu trữ",
            retention_ends=ends.isoformat() if ends else None,
        )
    w.erasures.extend([content_subject(report.id), identity_subject(report.id)])
    return {}


def identity_request(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _report(w, st)
    _require_scope_over(w, signer, report, "ask for a reporter's identity")
    if st.payload["request_id"] in report.identity_requests:
        raise exists("identity request", st.payload["request_id"])
    return {}


def _request(report: ReportState, st: Statement) -> Any:
    request = report.identity_requests.get(st.payload["request_id"])
    if request is None:
        raise unknown("request_id", "identity request", st.payload["request_id"])
    if request.opened_at is not None:
        raise wrong_status("identity request", request.id, "used", "open")
    return request


def identity_approve(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _report(w, st)
    _require_scope_over(w, signer, report, "approve opening an identity")
    request = _request(report, st)
    if signer.official_id in request.approvals or signer.official_id == request.requester:
        raise NotAuthorised(
            "two distinct protection officers, neither the requester, must approve",
            "cần hai cán bộ bảo vệ khác nhau, không phải người yêu cầu, phê duyệt",
        )
    return {"approvals": len(request.approvals) + 1}


def identity_open(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    report = _report(w, st)
    request = _request(report, st)
    if signer.official_id != request.requester:
        raise NotAuthorised(
            "only the requester opens an approved identity request",
            "chỉ người yêu cầu được mở danh tính đã được phê duyệt",
        )
    if len(request.approvals) < APPROVALS_TO_OPEN_IDENTITY:
        raise NotAuthorised(
            f"opening an identity needs {APPROVALS_TO_OPEN_IDENTITY} protection officers' "
            f"approvals; this request has {len(request.approvals)}",
            "chưa đủ phê duyệt của cán bộ bảo vệ để mở danh tính",
            approvals=len(request.approvals),
        )
    return {}


CHECKS: dict[str, Check] = {
    "report.file": file,
    "report.reply": reply,
    "report.acknowledge": acknowledge,
    "report.accept": accept,
    "report.transfer": transfer,
    "report.assign": assign,
    "report.note": sealed_text,
    "report.message": sealed_text,
    "report.read": read,
    "report.extend": extend,
    "report.conclude": sealed_text,
    "report.expire": expire,
    "identity.request": identity_request,
    "identity.approve": identity_approve,
    "identity.open": identity_open,
}
