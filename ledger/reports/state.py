"""A report as the log records it: category, unit, times and handling, never its content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class IdentityRequest:
    """A request to open a reporter's sealed identity; two protection officers must approve."""

    id: str
    requester: str
    reason: str
    requested_at: datetime
    approvals: list[str] = field(default_factory=list)
    opened_at: datetime | None = None


@dataclass
class ReportState:
    """One report's handling; deadlines are computed from these dates (ledger.reports.deadlines)."""

    id: str
    category: str
    unit: str
    received_at: datetime
    received_on: date
    sealed_sha256: str
    status: str = "received"  # received, accepted, transferred, concluded, expired
    acknowledged_on: date | None = None
    accepted_on: date | None = None
    complexity: str = "normal"  # normal, complex, especially_complex
    transferred_to: str | None = None
    handler: str | None = None
    extensions: list[tuple[date, int, str]] = field(default_factory=list)  # (on, days, reason)
    concluded_on: date | None = None
    outcome: str | None = None
    reads: list[tuple[str, datetime]] = field(default_factory=list)  # (reader, when)
    identity_requests: dict[str, IdentityRequest] = field(default_factory=dict)
    expired_on: date | None = None

    @property
    def handling_unit(self) -> str:
        """The unit that handles it now: the one it was transferred to, else the one filed."""
        return self.transferred_to or self.unit

    def units(self) -> tuple[str, ...]:
        """The unit it was filed with and, after a transfer, the unit handling it."""
        return (self.unit,) if self.transferred_to is None else (self.unit, self.transferred_to)
