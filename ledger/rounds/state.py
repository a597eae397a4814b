"""A cross-inspection round as the log records it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class FollowUp:
    """An action a unit must take by a deadline."""

    id: str
    finding_id: str
    unit: str
    action: str
    deadline: date
    resolved_on: date | None = None
    result: str | None = None


@dataclass
class Finding:
    """What the inspectors found in one unit."""

    id: str
    unit: str
    severity: str
    summary: str
    decision_id: str | None = None


@dataclass
class InspectionRound:
    """One round: who inspects whom, over which period, and what came of it."""

    id: str
    inspecting_unit: str
    units: tuple[str, ...]
    period_from: date
    period_to: date
    inspectors: tuple[str, ...]
    subject: str
    opened_on: date
    findings: dict[str, Finding] = field(default_factory=dict)
    follow_ups: dict[str, FollowUp] = field(default_factory=dict)
    closed_on: date | None = None
    conclusion: str | None = None
