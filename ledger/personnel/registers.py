"""Checks of the registers: disciplinary reviews, postponements, reporter protection, hard tasks,
initiatives and quick consultations."""

from __future__ import annotations

from typing import Any

from ledger.errors import InvalidPayload, NotAuthorised
from ledger.personnel.organisation import Check, Outcome
from ledger.personnel.private import check_private
from ledger.personnel.work import PersonnelWork, day_of, exists, unknown, wrong_status
from ledger.registry import KeyRecord
from ledger.statement import Statement


def _in_unit(w: PersonnelWork, signer: KeyRecord, st: Statement, act: str) -> None:
    p = st.payload
    w.unit(p["unit"])
    w.require_scope(signer, p["unit"], act)
    if "official" in p:
        w.official(p["official"])


def _get(table: dict[str, Any], st: Statement, field: str, what: str) -> Any:
    found = table.get(st.payload[field])
    if found is None:
        raise unknown(field, what, st.payload[field])
    return found


def review_open(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["review_id"] in w.state.reviews:
        raise exists("review", st.payload["review_id"])
    _in_unit(w, signer, st, "open disciplinary reviews")
    return {}


def review_close(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    review = _get(w.state.reviews, st, "review_id", "review")
    w.require_scope(signer, w.state.officials[review.official].unit, "close disciplinary reviews")
    if review.closed_on is not None:
        raise wrong_status("review", review.id, "closed", "open")
    if day_of(st.payload, "closed_on") < review.opened_on:
        raise InvalidPayload(
            "a review closes on or after the day it opened",
            "ngày kết thúc trước ngày mở",
            field="closed_on",
        )
    return {}


def postponement_record(
    w: PersonnelWork, signer: KeyRecord, st: Statement, private: dict[str, Any] | None
) -> Outcome:
    p = st.payload
    if p["postponement_id"] in w.state.postponements:
        raise exists("postponement", p["postponement_id"])
    _in_unit(w, signer, st, "record postponements")
    data = check_private(st.type, p, private, required=True)
    assert data is not None
    w.seal_later(p["official"], p["private_sha256"], data)
    return {}


def postponement_end(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    case = _get(w.state.postponements, st, "postponement_id", "postponement")
    w.require_scope(signer, w.state.officials[case.official].unit, "end postponements")
    if day_of(st.payload, "until") < case.since:
        raise InvalidPayload("a case ends after it starts", "ngày kết thúc trước ngày bắt đầu")
    return {}


def protection_grant(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["protection_id"] in w.state.protections:
        raise exists("protection", st.payload["protection_id"])
    _in_unit(w, signer, st, "grant protection")
    return {}


def protection_end(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    protection = _get(w.state.protections, st, "protection_id", "protection")
    w.require_scope(signer, protection.unit, "end protection")
    if protection.ended:
        raise wrong_status("protection", protection.id, "ended", "in force")
    # Ending it in the past would lift it from decisions already held: never retroactive.
    earliest = max(protection.since, _today(st))
    if day_of(st.payload, "until") < earliest:
        raise InvalidPayload(
            f"a protection ends on or after {earliest} (never in the past)",
            "không được kết thúc bảo vệ hồi tố",
            field="until",
        )
    return {}


def task_register(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["task_id"] in w.state.tasks:
        raise exists("task", st.payload["task_id"])
    _in_unit(w, signer, st, "register hard tasks")
    return {}


def task_assign(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    task = _get(w.state.tasks, st, "task_id", "task")
    w.require_scope(signer, task.unit, "assign hard tasks")
    w.official(st.payload["official"])
    if task.outcome is not None:
        raise wrong_status("task", task.id, "closed", "open")
    return {}


def task_close(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    task = _get(w.state.tasks, st, "task_id", "task")
    w.require_scope(signer, task.unit, "close hard tasks")
    if task.outcome is not None:
        raise wrong_status("task", task.id, "closed", "open")
    if task.owner is None:
        raise wrong_status("task", task.id, "without an owner", "assigned")
    return {}


def initiative_register(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["initiative_id"] in w.state.initiatives:
        raise exists("initiative", st.payload["initiative_id"])
    _in_unit(w, signer, st, "register initiatives")
    # Registered before the work starts: that is what tells initiative from improvisation.
    if day_of(st.payload, "starts_on") < _today(st):
        raise InvalidPayload(
            "an initiative is registered before its work starts (starts_on is in the past)",
            "sáng kiến phải đăng ký trước khi bắt đầu thực hiện",
            field="starts_on",
        )
    return {}


def initiative_evaluate(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    initiative = _get(w.state.initiatives, st, "initiative_id", "initiative")
    w.require_scope(signer, initiative.unit, "evaluate initiatives")
    if signer.official_id == initiative.official:
        raise NotAuthorised(
            "an initiative is evaluated by someone other than its author",
            "người thực hiện sáng kiến không tự đánh giá",
        )
    if initiative.assessment is not None:
        raise wrong_status("initiative", initiative.id, "evaluated", "open")
    return {}


def consultation_ask(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    if p["consultation_id"] in w.state.consultations:
        raise exists("consultation", p["consultation_id"])
    _in_unit(w, signer, st, "ask for consultation")
    w.unit(p["to_unit"], "to_unit")
    if w.state.units[p["unit"]].parent != p["to_unit"]:
        raise InvalidPayload(
            "a quick consultation goes to the unit directly above",
            "xin ý kiến gửi đơn vị cấp trên trực tiếp",
            field="to_unit",
        )
    if day_of(p, "deadline") < _today(st):
        raise InvalidPayload("the deadline is in the past", "hạn trả lời đã qua", field="deadline")
    return {}


def consultation_answer(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    asked = _get(w.state.consultations, st, "consultation_id", "consultation")
    w.require_scope(signer, asked.to_unit, "answer consultations")
    if asked.answer is not None:
        raise wrong_status("consultation", asked.id, "answered", "open")
    late = _today(st) > asked.deadline
    return {"late": late}


def _today(st: Statement) -> Any:
    from ledger.personnel.work import local_today

    return local_today(st.time)


CHECKS: dict[str, Check] = {
    "review.open": review_open,
    "review.close": review_close,
    "postponement.record": postponement_record,
    "postponement.end": postponement_end,
    "protection.grant": protection_grant,
    "protection.end": protection_end,
    "task.register": task_register,
    "task.assign": task_assign,
    "task.close": task_close,
    "initiative.register": initiative_register,
    "initiative.evaluate": initiative_evaluate,
    "consultation.ask": consultation_ask,
    "consultation.answer": consultation_answer,
}
