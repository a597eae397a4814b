"""Which events each statement produces: so anyone holding the log can check that every event is
exactly what its signed statement says, not just that a valid signature rides along with it.

The server's handlers produce these events; `canbo verify` checks them with the function here,
and a test holds the two to each other for every statement type.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ledger.domain.keys import key_aggregate_id, record_to_json
from ledger.domain.notices import NOTICE_NAMESPACE
from ledger.personnel.catalogue import CATALOGUE
from ledger.personnel.record import (
    KINDS,
    RECORD_CHANGED,
    RECORD_CREATED,
    record_aggregate_text,
)
from ledger.registry import KeyRecord

KEY_ENROLLED = "ledger.domain.keys:OfficialKey.Enrolled"
KEY_REVOKED = "ledger.domain.keys:OfficialKey.Revoked"
KEY_ROTATED = "ledger.domain.keys:OfficialKey.Rotated"
NOTICE_PUBLISHED = "ledger.domain.notices:Notice.Published"
NOTICE_AMENDED = "ledger.domain.notices:Notice.Amended"


@dataclass(frozen=True)
class ExpectedEvent:
    """An event a statement must have produced."""

    topic: str
    aggregate_id: str
    version: int | None = None  # None where a streaming check cannot know it
    fields: dict[str, Any] = field(default_factory=dict)  # event fields that must match


def expected_events(
    statement_type: str, payload: dict[str, Any], key_records: Sequence[KeyRecord]
) -> list[ExpectedEvent]:
    """The events of a statement, in order; key_records are what key_changes derived from it."""
    if statement_type in ("key.enrol", "key.revoke", "key.rotate"):
        return [_key_event(statement_type, record) for record in key_records]
    if statement_type == "notice.publish":
        return [ExpectedEvent(NOTICE_PUBLISHED, _notice(payload), 1)]
    if statement_type == "notice.amend":
        return [ExpectedEvent(NOTICE_AMENDED, _notice(payload), payload["expected_version"] + 1)]
    if statement_type in CATALOGUE:
        kind = CATALOGUE[statement_type]
        aggregate_id = record_aggregate_text(kind.record, payload[KINDS[kind.record]])
        if kind.creates:
            return [ExpectedEvent(RECORD_CREATED, aggregate_id, 1)]
        return [ExpectedEvent(RECORD_CHANGED, aggregate_id)]  # see personnel_binding_error
    raise ValueError(f"no events are known for statement type {statement_type!r}")


_NOTICE_TOPICS = {"notice.publish": NOTICE_PUBLISHED, "notice.amend": NOTICE_AMENDED}


def notice_event_matches(
    statement_type: str, payload: dict[str, Any], topic: str, aggregate_id: str, version: int
) -> bool:
    """The quick form of mismatch() for a notice statement's one event (verify checks every
    leaf); False also where the payload is not what a notice statement carries."""
    want_topic = _NOTICE_TOPICS.get(statement_type)
    if want_topic is None or topic != want_topic:
        return False
    try:
        want_version = 1 if statement_type == "notice.publish" else payload["expected_version"] + 1
        return version == want_version and aggregate_id == _notice(payload)
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def personnel_binding_error(
    statement_type: str, payload: dict[str, Any], topic: str, aggregate_id: str, version: int
) -> str | None:
    """Why a personnel statement's one event is not what it must be, or None.

    Its record is named by the payload; a record's first event is its creation, every later one
    a change (a proposal may do either, so the version decides which it must be).
    """
    kind = CATALOGUE[statement_type]
    want = record_aggregate_text(kind.record, payload[KINDS[kind.record]])
    if aggregate_id != want:
        return f"the {statement_type} statement changes record {want}, the log has {aggregate_id}"
    if kind.creates and version != 1:
        return f"the {statement_type} statement creates its record, the log has version {version}"
    if kind.creates is False and version == 1:
        return f"the {statement_type} statement changes an existing record, the log creates one"
    want_topic = RECORD_CREATED if version == 1 else RECORD_CHANGED
    if topic != want_topic:
        return f"version {version} of a personnel record is {want_topic}, the log has {topic}"
    return None


def _key_event(statement_type: str, record: KeyRecord) -> ExpectedEvent:
    if record.revoked_at is None:
        topic, version = KEY_ENROLLED, 1
    else:
        topic, version = (KEY_ROTATED if record.rotated_to else KEY_REVOKED), None
    fields = {"record": record_to_json(record)}
    return ExpectedEvent(topic, str(key_aggregate_id(record.key_id)), version, fields)


def _notice(payload: dict[str, Any]) -> str:
    return notice_aggregate_text(payload["notice_id"])


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def notice_aggregate_text(notice_id: str) -> str:
    """str(notice_aggregate_id(UUID(notice_id))), computed directly: verify does it per leaf.

    RFC 4122 name-based UUID (version 5): SHA-1 of namespace and name, version and variant bits
    set; a test holds it equal to uuid.uuid5.
    """
    canonical = notice_id if _CANONICAL_UUID.fullmatch(notice_id) else str(UUID(notice_id))
    digest = bytearray(hashlib.sha1(NOTICE_NAMESPACE.bytes + canonical.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def mismatch(
    expected: Sequence[ExpectedEvent], found: Sequence[tuple[str, str, int, dict[str, Any]]]
) -> str | None:
    """Why the events found (topic, aggregate id, version, event) differ, or None if they match."""
    if len(found) != len(expected):
        return f"the statement produces {len(expected)} event(s), the log has {len(found)}"
    for n, (want, (topic, aggregate_id, version, event)) in enumerate(
        zip(expected, found, strict=True)
    ):
        where = f"event {n + 1} of the statement"
        if topic != want.topic:
            return f"{where} should be {want.topic}, the log has {topic}"
        if aggregate_id != want.aggregate_id:
            return f"{where} should change {want.aggregate_id}, the log has {aggregate_id}"
        if want.version is not None and version != want.version:
            return f"{where} should be version {want.version}, the log has {version}"
        for name, value in want.fields.items():
            if event.get(name) != value:
                return f"{where}: its {name} is not what the statement says ({event.get(name)!r})"
    return None
