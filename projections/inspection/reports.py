"""Internal reports for inspection: status and deadlines, never content or reporter.

Which deadlines are missed depends on the day asked about, so it is worked out here from the
deadlines the projection stored (the same tests as `ledger.reports.deadlines`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from projections.inspection.scope import Scope
from projections.schema import inspection_reports


def overdue_steps(row: Any, today: date) -> list[str]:
    """The handling steps whose deadline passed undone: classification, notice, resolution."""
    day = today.isoformat()
    missed = []
    classified = row.accepted_on is not None or row.status == "transferred"
    if not classified and row.status == "received" and day > row.classify_by:
        missed.append("classification")
    if row.notice_by and row.acknowledged_on is None and day > row.notice_by:
        missed.append("notice")
    if row.resolve_by and row.concluded_on is None and day > row.resolve_by:
        missed.append("resolution")
    return missed


def reports_by_status(
    engine: Engine, scope: Scope, today: date, *, status: str | None = None
) -> list[dict[str, Any]]:
    """Reports in scope, overdue ones first, then by the next deadline."""
    r = inspection_reports.c
    query = select(inspection_reports).where(scope.covers(r.unit_path))
    if status:
        query = query.where(r.status == status)
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(query.order_by(r.received_on, r.report_id)).fetchall()
    found = []
    for row in rows:
        missed = overdue_steps(row, today)
        timely = None
        if row.concluded_on is not None and row.resolve_by is not None:
            timely = row.concluded_on <= row.resolve_by
        found.append(
            {
                "report_id": row.report_id,
                "category": row.category,
                "unit": row.unit,
                "status": row.status,
                "complexity": row.complexity,
                "received_on": row.received_on,
                "deadlines": {
                    "classify_by": row.classify_by,
                    "notice_by": row.notice_by,
                    "resolve_by": row.resolve_by,
                },
                "overdue": missed,
                "timely": timely,
                "outcome": row.outcome,
                "log_indexes": row.log_indexes,
            }
        )
    return sorted(found, key=lambda x: (not x["overdue"], x["received_on"]))
