"""The inspection projection: held decisions with their reasons, hard tasks, initiatives,
consultations and reports (status and deadlines only), for inspectors of the unit and above.

A hold's reason is never recorded (the public sees only that a decision is held). It is
re-derived here the way the server derived it: the power-control rules run on the state just
before the statement that held the decision, which is the state the server checked it against
(`ledger.personnel.decisions._run_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import Connection, Table

from ledger.personnel.private import unsealed
from ledger.personnel.rulestate import rules_decision, rules_state, title_group_of
from ledger.personnel.state import DecisionState, PersonnelState
from ledger.protocols import PersonalDataVault
from ledger.reports.checks import report_parameters
from ledger.reports.deadlines import deadlines
from ledger.rules import evaluate
from ledger.rules.dates import local_date
from projections.follower import Folded, Located, Projection
from projections.public_records import _replace, unit_path
from projections.schema import (
    inspection_consultations,
    inspection_holds,
    inspection_initiatives,
    inspection_reports,
    inspection_tasks,
)


class InspectionRecords(Projection):
    """Writes the inspection_* tables."""

    name: ClassVar[str] = "inspection"
    tables: ClassVar[tuple[Table, ...]] = (
        inspection_holds,
        inspection_tasks,
        inspection_initiatives,
        inspection_consultations,
        inspection_reports,
    )

    def __init__(self, vault: PersonalDataVault | None) -> None:
        self.vault = vault
        # Why each decision was held, by decision id, with the leaf index that held it.
        self.reasons: dict[str, tuple[int, list[dict[str, Any]]]] = {}

    def reset(self) -> None:
        """Forget the reasons: the fold starts again from the beginning of the log."""
        self.reasons = {}

    def before(self, folded: Folded, located: Located) -> None:
        """Re-derive the reasons of a hold from the state the statement was checked on."""
        e = located.entry
        if e.type not in ("decision.propose", "decision.approve"):
            return
        if e.outcome.get("status") != "held":
            return
        s = folded.state
        decision_id = e.payload["decision_id"]
        existing = s.decisions.get(decision_id)
        if e.type == "decision.approve" and existing is not None:
            decision, approvers = existing, [*existing.approvals, e.signer]
        elif existing is not None:
            decision, approvers = replace(existing, proposer=e.signer), []
        else:
            decision, approvers = _proposed(e.payload, e.signer, e.time), []
        derived = folded.derived()
        # Personal data is opened for this check only and not kept: an erasure that follows
        # must leave nothing of it in this process.
        opened: dict[tuple[str, str], dict[str, Any] | None] = {}
        state = rules_state(
            s,
            derived,
            lambda subject, commitment: self._private_of(opened, subject, commitment),
            self._blind_index,
            unit=decision.unit,
            group=title_group_of(s, derived, decision),
        )
        verdicts = evaluate(rules_decision(s, decision, approvers, e.time), state)
        self.reasons[decision_id] = (
            located.log_index,
            [v.to_inspection_json() for v in verdicts],
        )

    def write(self, conn: Connection, folded: Folded, page: Sequence[Located]) -> None:
        """Rewrite the rows the page touched."""
        s = folded.state
        touched: dict[str, set[str]] = {}
        for located in page:
            touched.setdefault(located.entry.record_kind, set()).add(located.entry.record_id)
        self._holds(conn, s, touched.get("decision", set()))
        self._tasks(conn, s, folded, touched.get("task", set()))
        self._initiatives(conn, s, folded, touched.get("initiative", set()))
        self._consultations(conn, s, folded, touched.get("consultation", set()))
        self._reports(conn, s, folded, touched.get("report", set()))

    def _reports(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = []
        for report_id in sorted(ids):
            r = s.reports[report_id]
            # Deadlines as the parameters in force when it was received fix them.
            due = deadlines(r, report_parameters(s, r.unit, r.received_on), r.received_on)
            rows.append(
                {
                    "report_id": r.id,
                    "category": r.category,
                    "unit": r.unit,
                    "unit_path": unit_path(s, r.unit),
                    "status": r.status,
                    "complexity": r.complexity,
                    "received_on": r.received_on.isoformat(),
                    "accepted_on": _iso(r.accepted_on),
                    "acknowledged_on": _iso(r.acknowledged_on),
                    "concluded_on": _iso(r.concluded_on),
                    "outcome": r.outcome,
                    "classify_by": due.classify_by.isoformat(),
                    "notice_by": _iso(due.notice_by),
                    "resolve_by": _iso(due.resolve_by),
                    "log_indexes": f.indexes.get(("report", r.id), []),
                }
            )
        _replace(conn, inspection_reports, "report_id", ids, rows)

    def _holds(self, conn: Connection, s: PersonnelState, ids: set[str]) -> None:
        ids = {d for d in ids if d in self.reasons}
        rows = []
        for decision_id in sorted(ids):
            d = s.decisions[decision_id]
            held_at, verdicts = self.reasons[decision_id]
            rows.append(
                {
                    "decision_id": d.id,
                    "unit": d.unit,
                    "unit_path": unit_path(s, d.unit),
                    "subject": d.subject,
                    "kind": d.kind,
                    "status": d.status,
                    "held_at_log_index": held_at,
                    "verdicts": verdicts,
                }
            )
        _replace(conn, inspection_holds, "decision_id", ids, rows)

    def _tasks(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = [
            {
                "task_id": t.id,
                "unit": t.unit,
                "unit_path": unit_path(s, t.unit),
                "title": t.title,
                "deadline": t.deadline.isoformat(),
                "owner": t.owner,
                "assigned_on": _iso(t.assigned_on),
                "outcome": t.outcome,
                "closed_on": _iso(t.closed_on),
                "log_indexes": f.indexes.get(("task", t.id), []),
            }
            for t in (s.tasks[i] for i in sorted(ids))
        ]
        _replace(conn, inspection_tasks, "task_id", ids, rows)

    def _initiatives(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = [
            {
                "initiative_id": i.id,
                "official_id": i.official,
                "unit": i.unit,
                "unit_path": unit_path(s, i.unit),
                "aim": i.aim,
                "starts_on": i.starts_on.isoformat(),
                "assessment": i.assessment,
                "evaluated_on": _iso(i.evaluated_on),
                "log_indexes": f.indexes.get(("initiative", i.id), []),
            }
            for i in (s.initiatives[x] for x in sorted(ids))
        ]
        _replace(conn, inspection_initiatives, "initiative_id", ids, rows)

    def _consultations(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = [
            {
                "consultation_id": c.id,
                "unit": c.unit,
                "unit_path": unit_path(s, c.unit),
                "to_unit": c.to_unit,
                "question": c.question,
                "deadline": c.deadline.isoformat(),
                "asked_on": local_date(c.asked_at).isoformat(),
                "answered_on": local_date(c.answered_at).isoformat() if c.answered_at else None,
                "log_indexes": f.indexes.get(("consultation", c.id), []),
            }
            for c in (s.consultations[x] for x in sorted(ids))
        ]
        _replace(conn, inspection_consultations, "consultation_id", ids, rows)

    def _private_of(
        self, opened: dict[tuple[str, str], dict[str, Any] | None], subject: str, commitment: str
    ) -> dict[str, Any] | None:
        if self.vault is None:
            return None
        key = (subject, commitment)
        if key not in opened:
            opened[key] = unsealed(self.vault.open(subject, commitment))
        return opened[key]

    def _blind_index(self, value: str) -> str:
        if self.vault is None:
            return ""
        return self.vault.blind_index(value)


def _proposed(payload: dict[str, Any], signer: str, time: Any) -> DecisionState:
    return DecisionState(
        id=payload["decision_id"],
        kind=payload["kind"],
        subject=payload["subject"],
        unit=payload["unit"],
        payload={k: v for k, v in payload.items() if k != "decision_id"},
        proposer=signer,
        proposed_at=time,
        effective_on=date.fromisoformat(payload["effective_on"]),
        status="proposed",
    )


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
