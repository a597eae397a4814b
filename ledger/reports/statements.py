"""The report statement types: intake (by the server's custodial intake key), handling,
identity protection and retention."""

from __future__ import annotations

from ledger.personnel.fields import ident, integer, one_of, sha256_hex, text
from ledger.personnel.kinds import PRIVATE_FIELD, StatementKind, kind

CATEGORIES = frozenset({"personnel_decision", "criteria", "abuse_of_power", "corruption", "other"})
COMPLEXITY = frozenset({"normal", "complex", "especially_complex"})
OUTCOMES = frozenset({"substantiated", "partly_substantiated", "unsubstantiated", "dismissed"})
INTAKE = {"intake"}
HANDLING = {"handler", "committee"}
ID = ident()
REPORT = {"report_id": ID}

REPORT_STATEMENTS: list[StatementKind] = [
    kind(
        "report.file",
        "report",
        True,
        INTAKE,
        "A report received (its content sealed; the log holds the sealed text's hash)",
        {
            **REPORT,
            "category": one_of(CATEGORIES),
            "unit": ident("unit concerned"),
            "sealed_sha256": sha256_hex("SHA-256 of the sealed content"),
        },
    ),
    kind(
        "report.reply",
        "report",
        False,
        INTAKE,
        "The reporter replied (sealed)",
        {
            **REPORT,
            "sealed_sha256": sha256_hex("SHA-256 of the sealed reply"),
        },
    ),
    kind(
        "report.acknowledge",
        "report",
        False,
        HANDLING,
        "Acknowledge receipt to the reporter",
        {**REPORT},
    ),
    kind(
        "report.accept",
        "report",
        False,
        HANDLING,
        "Accept the report for handling",
        {
            **REPORT,
            "complexity": one_of(COMPLEXITY),
        },
    ),
    kind(
        "report.transfer",
        "report",
        False,
        HANDLING,
        "Transfer the report to the competent unit",
        {
            **REPORT,
            "to_unit": ident("competent unit"),
            "reason": text(2000, "reason"),
        },
    ),
    kind(
        "report.assign",
        "report",
        False,
        {"committee"},
        "Assign a handler",
        {
            **REPORT,
            "handler": ident("official id of the handler"),
        },
    ),
    kind(
        "report.note",
        "report",
        False,
        HANDLING,
        "An investigation note (sealed)",
        {
            **REPORT,
            PRIVATE_FIELD: sha256_hex("commitment to {salt, text}"),
        },
        private=True,
    ),
    kind(
        "report.message",
        "report",
        False,
        HANDLING,
        "A message to the reporter (sealed)",
        {
            **REPORT,
            PRIVATE_FIELD: sha256_hex("commitment to {salt, text}"),
        },
        private=True,
    ),
    kind(
        "report.read",
        "report",
        False,
        HANDLING | {"inspector"},
        "Read the report's content (every read is in the log)",
        {**REPORT},
    ),
    kind(
        "report.extend",
        "report",
        False,
        HANDLING,
        "Extend the resolution deadline",
        {
            **REPORT,
            "days": integer(1, 30, "days"),
            "reason": text(2000, "reason"),
        },
    ),
    kind(
        "report.conclude",
        "report",
        False,
        HANDLING,
        "Conclude the report",
        {
            **REPORT,
            "outcome": one_of(OUTCOMES),
            PRIVATE_FIELD: sha256_hex("commitment to {salt, text}: the conclusion"),
        },
        private=True,
    ),
    kind(
        "report.expire",
        "report",
        False,
        {"committee", "registrar"},
        "Destroy the report's keys after the retention period",
        {
            **REPORT,
            "reason": text(2000, "reason"),
        },
    ),
    kind(
        "identity.request",
        "report",
        False,
        HANDLING | {"inspector"},
        "Ask to open the reporter's sealed identity",
        {
            **REPORT,
            "request_id": ID,
            "reason": text(2000, "reason"),
        },
    ),
    kind(
        "identity.approve",
        "report",
        False,
        {"protection_officer"},
        "Approve opening a reporter's identity (two distinct officers needed)",
        {
            **REPORT,
            "request_id": ID,
        },
    ),
    kind(
        "identity.open",
        "report",
        False,
        HANDLING | {"inspector"},
        "Open the reporter's identity once approved (the opening is in the log)",
        {
            **REPORT,
            "request_id": ID,
        },
    ),
]
OPENING_TYPES = frozenset({"report.read", "identity.open"})  # answered with what they open
