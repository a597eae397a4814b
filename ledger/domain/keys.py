"""The key registry as aggregates: one per enrolled key, changed only by signed key.* statements."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.signed import Signed
from ledger.registry import KeyRecord
from ledger.statement import format_time, parse_time

_KEY_NAMESPACE = uuid5(NAMESPACE_URL, "https://canbo-ledger/keys")


def record_to_json(record: KeyRecord) -> dict[str, Any]:
    """A key record as event data."""
    return {
        "key_id": record.key_id,
        "public_key": base64.b64encode(record.public_key).decode("ascii"),
        "official_id": record.official_id,
        "role": record.role,
        "unit_scope": record.unit_scope,
        "valid_from": format_time(record.valid_from),
        "revoked_at": _optional_time(record.revoked_at),
        "revocation_reason": record.revocation_reason,
        "rotated_to": record.rotated_to,
    }


def record_from_json(data: dict[str, Any]) -> KeyRecord:
    """A key record from event data."""
    revoked_at = data.get("revoked_at")
    return KeyRecord(
        key_id=data["key_id"],
        public_key=base64.b64decode(data["public_key"]),
        official_id=data["official_id"],
        role=data["role"],
        unit_scope=data["unit_scope"],
        valid_from=parse_time(data["valid_from"]),
        revoked_at=parse_time(revoked_at) if revoked_at else None,
        revocation_reason=data.get("revocation_reason"),
        rotated_to=data.get("rotated_to"),
    )


def _optional_time(moment: datetime | None) -> str | None:
    return format_time(moment) if moment is not None else None


class OfficialKey(Aggregate):
    """One official's signing key: its enrolment and, later, its revocation or rotation."""

    @staticmethod
    def create_id(record: dict[str, Any]) -> UUID:
        """Keys are found by key id, so the aggregate id is derived from it."""
        return key_aggregate_id(record["key_id"])

    @event("Enrolled")
    def __init__(self, record: dict[str, Any], signed: Signed) -> None:
        self.record = record_from_json(record)

    @event("Revoked")
    def revoke(self, record: dict[str, Any], signed: Signed) -> None:
        """Record a revocation (the record carries the time and reason)."""
        self.record = record_from_json(record)

    @event("Rotated")
    def rotate(self, record: dict[str, Any], signed: Signed) -> None:
        """Record a rotation to a successor key."""
        self.record = record_from_json(record)


def key_aggregate_id(key_id: str) -> UUID:
    """The aggregate id of a key id."""
    return uuid5(_KEY_NAMESPACE, key_id)
