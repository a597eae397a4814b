"""What inspection alone may read: why a decision is held, and how reports are being handled.

A hold's reason is never recorded (the public log shows only that the decision is held); it is
derived again here by running the rules on the state as the log stood just before the
statement that held the decision, so inspection sees exactly what the server saw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from ledger.errors import NotFound
from ledger.personnel.private import unsealed
from ledger.personnel.reading import PersonnelReader
from ledger.personnel.rulestate import rules_decision, rules_state, title_group_of
from ledger.personnel.view import fold_stages
from ledger.reports.checks import report_parameters
from ledger.reports.deadlines import deadlines
from ledger.rules import evaluate
from ledger.statement import format_time

RULED = ("decision.propose", "decision.approve")


def decision_verdicts(reader: PersonnelReader, decision_id: str) -> dict[str, Any]:
    """The decision with every rule check it went through, reasons included (inspection only)."""
    with reader.snapshot(None) as snap:
        decision = snap.state.decisions.get(decision_id)
        items = list(snap.state.history.get(("decision", decision_id), []))
    if decision is None:
        raise NotFound(f"no decision {decision_id!r}", f"không có quyết định {decision_id!r}")
    vault = reader.vault

    def private_of(subject: str, commitment: str) -> dict[str, Any] | None:
        return unsealed(vault.open(subject, commitment)) if vault is not None else None

    blind_index: Callable[[str], str] = vault.blind_index if vault is not None else str
    checks = []
    ruled = sorted(
        (i for i in items if i.type in RULED and i.notification_id is not None),
        key=lambda i: i.notification_id or 0,
    )
    # The log as each check saw it: one pass over the log, not one per check.
    stages = fold_stages(
        reader.recorder, reader.view.official_of, [i.notification_id - 1 for i in ruled]
    )
    for item, (state, derived) in zip(ruled, stages, strict=True):
        then = state.decisions.get(decision_id)
        if then is None:  # proposed new: the decision as its proposal describes it
            then = replace(decision, proposer=item.signer, approvals=[], status="proposed")
        elif item.type == "decision.propose":  # a draft being proposed
            then = replace(then, proposer=item.signer)
        approvers = [*then.approvals, item.signer] if item.type == "decision.approve" else []
        group = title_group_of(state, derived, then)
        view = rules_state(state, derived, private_of, blind_index, unit=then.unit, group=group)
        verdicts = evaluate(rules_decision(state, then, approvers, item.time), view)
        checks.append(
            {
                "type": item.type,
                "time": format_time(item.time),
                "signer": item.signer,
                "log_index": reader.log.leaf_index(item.notification_id),
                "status": item.outcome.get("status"),
                "verdicts": [v.to_inspection_json() for v in verdicts],
            }
        )
    return {
        "decision_id": decision.id,
        "unit": decision.unit,
        "kind": decision.kind,
        "subject": decision.subject,
        "status": decision.status,
        "checks": checks,
    }


def reports_overview(
    reader: PersonnelReader, covers: Callable[[str], bool], today: date, *, overdue_only: bool
) -> list[dict[str, Any]]:
    """Reports of the units in scope: status, deadlines, who read them, identity openings."""
    found = []
    with reader.snapshot(None) as snap:
        for report in snap.state.reports.values():
            if not (any(covers(unit) for unit in report.units())):
                continue
            due = deadlines(report, report_parameters(snap.state, report.unit, today), today)
            if overdue_only and not due.overdue:
                continue
            found.append(
                {
                    "report_id": report.id,
                    "category": report.category,
                    "unit": report.unit,
                    "status": report.status,
                    "complexity": report.complexity,
                    "received_on": report.received_on.isoformat(),
                    "handler": report.handler,
                    "transferred_to": report.transferred_to,
                    "extensions": [
                        {"on": on.isoformat(), "days": days, "reason": reason}
                        for on, days, reason in report.extensions
                    ],
                    "outcome": report.outcome,
                    "deadlines": due.to_json(),
                    "reads": [{"by": who, "at": format_time(when)} for who, when in report.reads],
                    "identity_requests": [
                        {
                            "request_id": r.id,
                            "requester": r.requester,
                            "reason": r.reason,
                            "approvals": r.approvals,
                            "opened_at": format_time(r.opened_at) if r.opened_at else None,
                        }
                        for r in report.identity_requests.values()
                    ],
                }
            )
    return sorted(found, key=lambda r: (r["received_on"], r["report_id"]))


def rounds_overview(
    reader: PersonnelReader, covers: Callable[[str], bool], today: date
) -> list[dict[str, Any]]:
    """Cross-inspection rounds touching units in scope, with findings and follow-ups (overdue
    ones flagged)."""
    found = []
    with reader.snapshot(None) as snap:
        for inspection in snap.state.rounds.values():
            if not (covers(inspection.inspecting_unit) or any(map(covers, inspection.units))):
                continue
            found.append(
                {
                    "round_id": inspection.id,
                    "inspecting_unit": inspection.inspecting_unit,
                    "units": list(inspection.units),
                    "period": [
                        inspection.period_from.isoformat(),
                        inspection.period_to.isoformat(),
                    ],
                    "inspectors": list(inspection.inspectors),
                    "subject": inspection.subject,
                    "opened_on": inspection.opened_on.isoformat(),
                    "closed_on": inspection.closed_on.isoformat() if inspection.closed_on else None,
                    "conclusion": inspection.conclusion,
                    "findings": [vars(f) for f in inspection.findings.values()],
                    "follow_ups": [
                        {
                            "follow_up_id": a.id,
                            "finding_id": a.finding_id,
                            "unit": a.unit,
                            "action": a.action,
                            "deadline": a.deadline.isoformat(),
                            "resolved_on": a.resolved_on.isoformat() if a.resolved_on else None,
                            "result": a.result,
                            "overdue": a.resolved_on is None and today > a.deadline,
                        }
                        for a in inspection.follow_ups.values()
                    ],
                }
            )
    return sorted(found, key=lambda r: (r["opened_on"], r["round_id"]))
