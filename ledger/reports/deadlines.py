"""Deadlines of a report, from the framework's parameters or the Law on Denunciation's defaults.

Defaults (Law on Denunciation 25/2018 as amended by Law 136/2025): classify within 7 working
days of receipt [u: up to 10]; notify the reporter within 5 working days of acceptance; resolve
within 30 days of acceptance, extended once (complex) or twice (especially complex) by at most
30 days. Working days skip weekends and the framework's `holidays`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.reports.state import ReportState
from ledger.rules.dates import add_working_days, add_years

DEFAULTS: dict[str, Any] = {
    "report_classify_working_days": 7,
    "report_notice_working_days": 5,
    "report_resolve_days": 30,
    "report_extension_days": 30,
    "report_retention_years": 5,  # [u] no source fixes it; the framework sets it
    "holidays": [],
}
EXTENSIONS_ALLOWED = {"normal": 0, "complex": 1, "especially_complex": 2}


@dataclass(frozen=True)
class Deadlines:
    """A report's deadlines and which of them are missed on a given day."""

    classify_by: date
    notice_by: date | None
    resolve_by: date | None
    overdue: tuple[str, ...]
    timely: bool | None  # for a concluded report: resolved by its deadline

    def to_json(self) -> dict[str, Any]:
        """As shown to the reporter and to inspection."""
        return {
            "classify_by": self.classify_by.isoformat(),
            "notice_by": self.notice_by.isoformat() if self.notice_by else None,
            "resolve_by": self.resolve_by.isoformat() if self.resolve_by else None,
            "overdue": list(self.overdue),
            "timely": self.timely,
        }


def parameter(parameters: Mapping[str, Any], name: str) -> Any:
    """A report parameter: the framework's, else the default."""
    return parameters.get(name, DEFAULTS[name])


def deadlines(report: ReportState, parameters: Mapping[str, Any], today: date) -> Deadlines:
    """The report's deadlines, and those missed as of `today`."""
    holidays = [date.fromisoformat(h) for h in parameter(parameters, "holidays")]
    classify_by = add_working_days(
        report.received_on, parameter(parameters, "report_classify_working_days"), holidays
    )
    notice_by = resolve_by = None
    if report.accepted_on is not None:
        notice_by = add_working_days(
            report.accepted_on, parameter(parameters, "report_notice_working_days"), holidays
        )
        extra = sum(days for _on, days, _reason in report.extensions)
        resolve_by = report.accepted_on + timedelta(
            days=parameter(parameters, "report_resolve_days") + extra
        )
    overdue = []
    classified = report.accepted_on or (report.status == "transferred" and report.received_on)
    if not classified and report.status == "received" and today > classify_by:
        overdue.append("classification")
    if notice_by and report.acknowledged_on is None and today > notice_by:
        overdue.append("notice")
    if resolve_by and report.concluded_on is None and today > resolve_by:
        overdue.append("resolution")
    timely = None
    if report.concluded_on is not None and resolve_by is not None:
        timely = report.concluded_on <= resolve_by
    return Deadlines(classify_by, notice_by, resolve_by, tuple(overdue), timely)


def retention_ends(report: ReportState, parameters: Mapping[str, Any]) -> date | None:
    """The day a concluded (or transferred) report's keys may be destroyed."""
    closed = report.concluded_on or (report.received_on if report.status == "transferred" else None)
    if closed is None:
        return None
    return add_years(closed, parameter(parameters, "report_retention_years"))
