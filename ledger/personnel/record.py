"""The personnel aggregate: one per unit, post, framework, official, decision or register entry.

Every personnel statement produces exactly one event on exactly one record, carrying the signed
statement and the outcome the server decided (a decision's resulting status and the rule
verdicts shown to the public; a framework version's number), so replaying the log never has to
decide anything again. One event shape keeps log
entries uniform and lets `canbo verify` bind each event to its statement without knowing the
domain; the typed meaning of each record lives in `ledger.personnel.state`.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.signed import Signed

PERSONNEL_NAMESPACE = uuid5(NAMESPACE_URL, "https://canbo-ledger/personnel")
RECORD_CREATED = "ledger.personnel.record:PersonnelRecord.Created"
RECORD_CHANGED = "ledger.personnel.record:PersonnelRecord.Changed"
PERSONNEL_TOPICS = frozenset({RECORD_CREATED, RECORD_CHANGED})

# What each kind of record is called in statements, and the payload field naming it.
KINDS = {
    "unit": "unit_id",
    "reorganisation": "reorganisation_id",
    "post": "post_id",
    "framework": "framework_id",
    "official": "official_id",
    "decision": "decision_id",
    "review": "review_id",
    "postponement": "postponement_id",
    "protection": "protection_id",
    "task": "task_id",
    "initiative": "initiative_id",
    "consultation": "consultation_id",
    "report": "report_id",
    "inspection": "round_id",
}


def record_aggregate_id(kind: str, record_id: str) -> UUID:
    """The aggregate id of a record: derived from its kind and client-chosen id."""
    return uuid5(PERSONNEL_NAMESPACE, f"{kind}:{record_id}")


def record_aggregate_text(kind: str, record_id: str) -> str:
    """str(record_aggregate_id(kind, record_id)) without building a UUID (verify, per leaf)."""
    digest = bytearray(
        hashlib.sha1(PERSONNEL_NAMESPACE.bytes + f"{kind}:{record_id}".encode()).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class PersonnelRecord(Aggregate):
    """A personnel record: its kind and id, changed only by signed statements."""

    @staticmethod
    def create_id(kind: str, record_id: str, signed: Signed, outcome: dict[str, Any]) -> UUID:
        """Records are found by kind and id, so the aggregate id is derived from them."""
        return record_aggregate_id(kind, record_id)

    @event("Created")
    def __init__(self, kind: str, record_id: str, signed: Signed, outcome: dict[str, Any]) -> None:
        self.kind = kind
        self.record_id = record_id

    @event("Changed")
    def change(self, signed: Signed, outcome: dict[str, Any]) -> None:
        """Record one more signed statement about this record."""
