"""Applying recorded round statements to the state (see ledger.personnel.fold)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ledger.rounds.state import Finding, FollowUp, InspectionRound
from ledger.rules.dates import local_date

if TYPE_CHECKING:
    from ledger.personnel.fold import Entry
    from ledger.personnel.state import PersonnelState


def _round(s: PersonnelState, e: Entry) -> InspectionRound:
    return s.rounds[e.payload["round_id"]]


def _open(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.rounds[p["round_id"]] = InspectionRound(
        p["round_id"],
        p["inspecting_unit"],
        tuple(p["units"]),
        date.fromisoformat(p["period_from"]),
        date.fromisoformat(p["period_to"]),
        tuple(p["inspectors"]),
        p["subject"],
        local_date(e.time),
    )


def _finding(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    _round(s, e).findings[p["finding_id"]] = Finding(
        p["finding_id"], p["unit"], p["severity"], p["summary"], p.get("decision_id")
    )


def _follow_up(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    _round(s, e).follow_ups[p["follow_up_id"]] = FollowUp(
        p["follow_up_id"],
        p["finding_id"],
        p["unit"],
        p["action"],
        date.fromisoformat(p["deadline"]),
    )


def _resolve(s: PersonnelState, e: Entry) -> None:
    follow_up = _round(s, e).follow_ups[e.payload["follow_up_id"]]
    follow_up.resolved_on = local_date(e.time)
    follow_up.result = e.payload["result"]


def _close(s: PersonnelState, e: Entry) -> None:
    inspection = _round(s, e)
    inspection.closed_on = local_date(e.time)
    inspection.conclusion = e.payload["conclusion"]


ROUND_FOLDS: dict[str, Callable[[PersonnelState, Entry], None]] = {
    "inspection.open": _open,
    "inspection.finding": _finding,
    "inspection.follow_up": _follow_up,
    "inspection.resolve": _resolve,
    "inspection.close": _close,
}
