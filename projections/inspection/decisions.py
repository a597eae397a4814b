"""Decisions for inspection: those of a period with their rule flags, and held ones with why."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from projections.inspection.scope import Scope
from projections.public_read import PUBLIC_STATUSES, decision
from projections.schema import inspection_holds, public_decisions


def decisions_in_period(
    engine: Engine, scope: Scope, since: date, until: date, *, flagged_only: bool = False
) -> list[dict[str, Any]]:
    """Decisions effective in [since, until], oldest first, each with its rules' verdicts."""
    d = public_decisions.c
    query = (
        select(public_decisions)
        .where(
            scope.covers(d.unit_path),
            d.status.in_(PUBLIC_STATUSES),
            d.effective_on >= since.isoformat(),
            d.effective_on <= until.isoformat(),
        )
        .order_by(d.effective_on, d.decision_id)
    )
    if flagged_only:
        query = query.where(d.flag_rules != "")
    with engine.connect() as conn:
        scope.check(conn)
        return [decision(r) for r in conn.execute(query)]


def held_decisions(
    engine: Engine, scope: Scope, *, still_held: bool = True
) -> list[dict[str, Any]]:
    """Decisions held for independent review, with the rules that held them (inspection only)."""
    h = inspection_holds.c
    query = select(inspection_holds).where(scope.covers(h.unit_path)).order_by(h.held_at_log_index)
    if still_held:
        query = query.where(h.status == "held")
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(query).fetchall()
    return [
        {
            "decision_id": r.decision_id,
            "kind": r.kind,
            "subject": r.subject,
            "unit": r.unit,
            "status": r.status,
            "held_at_log_index": r.held_at_log_index,
            "reasons": [v for v in r.verdicts if v["outcome"] == "hold"],
            "verdicts": r.verdicts,
        }
        for r in rows
    ]
