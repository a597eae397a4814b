"""Applying recorded report statements to the state (see ledger.personnel.fold)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ledger.reports.state import IdentityRequest, ReportState
from ledger.rules.dates import local_date

if TYPE_CHECKING:
    from ledger.personnel.fold import Entry
    from ledger.personnel.state import PersonnelState


def _report(s: PersonnelState, e: Entry) -> ReportState:
    return s.reports[e.payload["report_id"]]


def _file(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.reports[p["report_id"]] = ReportState(
        p["report_id"], p["category"], p["unit"], e.time, local_date(e.time), p["sealed_sha256"]
    )


def _sealed_beside(s: PersonnelState, e: Entry) -> None:
    # A reply, note or message: its text is sealed in the vault; the report only has to exist
    # (its history, kept for every statement, lists them).
    _report(s, e)


def _acknowledge(s: PersonnelState, e: Entry) -> None:
    _report(s, e).acknowledged_on = local_date(e.time)


def _accept(s: PersonnelState, e: Entry) -> None:
    report = _report(s, e)
    report.status = "accepted"
    report.accepted_on = local_date(e.time)
    report.complexity = e.payload["complexity"]


def _transfer(s: PersonnelState, e: Entry) -> None:
    report = _report(s, e)
    report.status = "transferred"
    report.transferred_to = e.payload["to_unit"]


def _assign(s: PersonnelState, e: Entry) -> None:
    _report(s, e).handler = e.payload["handler"]


def _read(s: PersonnelState, e: Entry) -> None:
    _report(s, e).reads.append((e.signer, e.time))


def _extend(s: PersonnelState, e: Entry) -> None:
    _report(s, e).extensions.append((local_date(e.time), e.payload["days"], e.payload["reason"]))


def _conclude(s: PersonnelState, e: Entry) -> None:
    report = _report(s, e)
    report.status = "concluded"
    report.outcome = e.payload["outcome"]
    report.concluded_on = local_date(e.time)


def _expire(s: PersonnelState, e: Entry) -> None:
    report = _report(s, e)
    report.status = "expired"
    report.expired_on = local_date(e.time)


def _request(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    _report(s, e).identity_requests[p["request_id"]] = IdentityRequest(
        p["request_id"], e.signer, p["reason"], e.time
    )


def _approve(s: PersonnelState, e: Entry) -> None:
    _report(s, e).identity_requests[e.payload["request_id"]].approvals.append(e.signer)


def _open(s: PersonnelState, e: Entry) -> None:
    _report(s, e).identity_requests[e.payload["request_id"]].opened_at = e.time


REPORT_FOLDS: dict[str, Callable[[PersonnelState, Entry], None]] = {
    "report.file": _file,
    "report.reply": _sealed_beside,
    "report.acknowledge": _acknowledge,
    "report.accept": _accept,
    "report.transfer": _transfer,
    "report.assign": _assign,
    "report.note": _sealed_beside,
    "report.message": _sealed_beside,
    "report.read": _read,
    "report.extend": _extend,
    "report.conclude": _conclude,
    "report.expire": _expire,
    "identity.request": _request,
    "identity.approve": _approve,
    "identity.open": _open,
}
