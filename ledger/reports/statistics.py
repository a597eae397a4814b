"""Public statistics of reports: counts by category, level, outcome and timeliness.

Counts for a single commune or ward under 5 are suppressed (shown as null), so a small count
cannot point at a reporter; province-wide totals are shown in full.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from ledger.personnel.state import PersonnelState
from ledger.reports.checks import report_parameters
from ledger.reports.deadlines import deadlines
from ledger.rules.model import Level

SUPPRESS_BELOW = 5


def timeliness(state: PersonnelState, report: Any, today: date) -> str:
    """on_time, late (concluded after its deadline), overdue (open past one) or open."""
    due = deadlines(report, report_parameters(state, report.unit, today), today)
    if due.timely is not None:
        return "on_time" if due.timely else "late"
    return "overdue" if due.overdue else "open"


def statistics(state: PersonnelState, today: date) -> dict[str, Any]:
    """The public statistics as of today."""
    reports = list(state.reports.values())
    by_unit: dict[str, Counter[str]] = {}
    totals: dict[str, Counter[str]] = {
        "category": Counter(),
        "level": Counter(),
        "outcome": Counter(),
        "timeliness": Counter(),
    }
    for report in reports:
        unit = state.units.get(report.unit)
        level = unit.level.value if unit else "unknown"
        row = {
            "category": report.category,
            "level": level,
            "outcome": report.outcome or report.status,
            "timeliness": timeliness(state, report, today),
        }
        for name, value in row.items():
            totals[name][value] += 1
        if unit is not None and unit.level is not Level.PROVINCE:
            cell = by_unit.setdefault(report.unit, Counter())
            cell["total"] += 1
            for name in ("category", "outcome", "timeliness"):
                cell[f"{name}:{row[name]}"] += 1
    return {
        "as_of": today.isoformat(),
        "total": len(reports),
        **{name: dict(sorted(counter.items())) for name, counter in totals.items()},
        "by_unit": {
            unit: {key: (n if n >= SUPPRESS_BELOW else None) for key, n in sorted(cell.items())}
            for unit, cell in sorted(by_unit.items())
        },
        "suppressed_below": SUPPRESS_BELOW,
    }
