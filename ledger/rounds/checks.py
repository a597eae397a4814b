"""Checks of round statements: the level above inspects, the inspected unit answers."""

from __future__ import annotations

from typing import Any

from ledger.errors import InvalidPayload, NotAuthorised
from ledger.personnel.organisation import Check, Outcome
from ledger.personnel.work import PersonnelWork, day_of, exists, unknown, wrong_status
from ledger.registry import KeyRecord
from ledger.rounds.state import InspectionRound
from ledger.statement import Statement


def _round(w: PersonnelWork, st: Statement, *, open_only: bool = True) -> InspectionRound:
    found = w.state.rounds.get(st.payload["round_id"])
    if found is None:
        raise unknown("round_id", "inspection round", st.payload["round_id"])
    if open_only and found.closed_on is not None:
        raise wrong_status("inspection round", found.id, "closed", "open")
    return found


def _inspector(signer: KeyRecord, found: InspectionRound) -> None:
    if signer.official_id not in found.inspectors:
        raise NotAuthorised(
            f"{signer.official_id} is not an inspector of round {found.id}",
            f"{signer.official_id} không thuộc đoàn kiểm tra {found.id}",
        )


def open_round(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    if p["round_id"] in w.state.rounds:
        raise exists("inspection round", p["round_id"])
    w.unit(p["inspecting_unit"], "inspecting_unit")
    w.require_scope(signer, p["inspecting_unit"], "open inspection rounds")
    if not p["units"] or not p["inspectors"]:
        raise InvalidPayload(
            "a round inspects at least one unit with at least one inspector",
            "đợt kiểm tra cần ít nhất một đơn vị và một thành viên",
        )
    for unit in p["units"]:
        w.unit(unit, "units")
        # Cross-inspection is by the level above: each unit lies below the inspecting unit.
        if unit == p["inspecting_unit"] or not w.covers(p["inspecting_unit"], unit):
            raise InvalidPayload(
                f"unit {unit} is not below {p['inspecting_unit']}: the level above inspects",
                f"đơn vị {unit} không thuộc cấp dưới của đơn vị kiểm tra",
                field="units",
            )
    for official in p["inspectors"]:
        w.official(official, "inspectors")
    if day_of(p, "period_to") < day_of(p, "period_from"):
        raise InvalidPayload("the period ends before it starts", "kỳ kiểm tra không hợp lệ")
    return {}


def _inspected(found: Any, unit: str) -> None:
    if unit not in found.units:
        raise InvalidPayload(
            f"unit {unit} is not inspected by round {found.id} (its units: {found.units})",
            "đơn vị không thuộc phạm vi đợt kiểm tra",
            field="unit",
        )


def finding(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    found = _round(w, st)
    _inspector(signer, found)
    if st.payload["finding_id"] in found.findings:
        raise exists("finding", st.payload["finding_id"])
    _inspected(found, st.payload["unit"])
    decision = st.payload.get("decision_id")
    if decision is not None and decision not in w.state.decisions:
        raise unknown("decision_id", "decision", decision)
    return {}


def follow_up(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    found = _round(w, st)
    _inspector(signer, found)
    if st.payload["follow_up_id"] in found.follow_ups:
        raise exists("follow-up", st.payload["follow_up_id"])
    if st.payload["finding_id"] not in found.findings:
        raise unknown("finding_id", "finding", st.payload["finding_id"])
    _inspected(found, st.payload["unit"])
    return {}


def resolve(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    found = _round(w, st, open_only=False)
    action = found.follow_ups.get(st.payload["follow_up_id"])
    if action is None:
        raise unknown("follow_up_id", "follow-up", st.payload["follow_up_id"])
    w.require_scope(signer, action.unit, "report follow-ups done")
    if action.resolved_on is not None:
        raise wrong_status("follow-up", action.id, "resolved", "open")
    return {}


def close(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    found = _round(w, st)
    _inspector(signer, found)
    return {}


CHECKS: dict[str, Check] = {
    "inspection.open": open_round,
    "inspection.finding": finding,
    "inspection.follow_up": follow_up,
    "inspection.resolve": resolve,
    "inspection.close": close,
}
