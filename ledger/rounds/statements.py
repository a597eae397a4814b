"""The statement types of a cross-inspection round."""

from __future__ import annotations

from ledger.personnel.fields import day, ident, list_of, one_of, optional, text
from ledger.personnel.kinds import StatementKind, kind

SEVERITIES = frozenset({"minor", "major", "serious"})
INSPECTING = {"inspector", "committee"}
ROUND = {"round_id": ident()}

ROUND_STATEMENTS: list[StatementKind] = [
    kind(
        "inspection.open",
        "inspection",
        True,
        INSPECTING,
        "Open a cross-inspection round of units below the inspecting unit",
        {
            **ROUND,
            "inspecting_unit": ident("unit doing the inspection"),
            "units": list_of(ident("unit inspected"), 50),
            "period_from": day(),
            "period_to": day(),
            "inspectors": list_of(ident("official id"), 20),
            "subject": text(2000, "what is inspected"),
        },
    ),
    kind(
        "inspection.finding",
        "inspection",
        False,
        INSPECTING,
        "Record a finding",
        {
            **ROUND,
            "finding_id": ident(),
            "unit": ident("unit concerned"),
            "severity": one_of(SEVERITIES),
            "summary": text(8000, "the finding"),
            "decision_id": optional(ident("a decision the finding is about")),
        },
    ),
    kind(
        "inspection.follow_up",
        "inspection",
        False,
        INSPECTING,
        "Require a follow-up action with a deadline",
        {
            **ROUND,
            "follow_up_id": ident(),
            "finding_id": ident(),
            "unit": ident("unit responsible"),
            "action": text(4000, "what must be done"),
            "deadline": day(),
        },
    ),
    kind(
        "inspection.resolve",
        "inspection",
        False,
        {"official", "committee"},
        "Report a follow-up done (by the responsible unit)",
        {
            **ROUND,
            "follow_up_id": ident(),
            "result": text(8000, "what was done"),
        },
    ),
    kind(
        "inspection.close",
        "inspection",
        False,
        INSPECTING,
        "Close the round",
        {
            **ROUND,
            "conclusion": text(8000, "conclusion"),
        },
    ),
]
