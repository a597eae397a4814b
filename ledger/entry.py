"""Log entries: the canonical bytes of a stored event, which the Merkle tree's leaves hash.

An entry is the RFC 8785 form of {aggregate_id, aggregate_version, topic, event} where event is
the stored event's JSON state (which holds the statement text, its signature and the signer's
public key). Anyone holding the entries can re-check every signature without the database.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.canonical import canonical_bytes_of_trusted, parse_json

# Entry bundles prefix each entry with a big-endian uint16 length (C2SP tlog-tiles).
MAX_ENTRY_BYTES = 65_535


def entry_bytes(aggregate_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    """The log entry of one stored event."""
    return canonical_bytes_of_trusted(_entry_object(aggregate_id, version, topic, state))


def entry_of_event(
    aggregate_id: UUID | str, version: int, topic: str, state: bytes
) -> tuple[bytes, LogEntry]:
    """The log entry of one stored event and its parsed form, without parsing it back."""
    obj = _entry_object(aggregate_id, version, topic, state)
    return canonical_bytes_of_trusted(obj), _parsed(obj)


def _entry_object(aggregate_id: UUID | str, version: int, topic: str, state: bytes) -> Any:
    return {
        "aggregate_id": str(aggregate_id),
        "aggregate_version": version,
        "topic": topic,
        "event": parse_json(state),
    }


@dataclass(frozen=True)
class LogEntry:
    """A parsed log entry, with the statement attestation it carries."""

    aggregate_id: str
    aggregate_version: int
    topic: str
    event: dict[str, Any]
    statement_text: str
    signature: bytes
    public_key: bytes


def parse_entry(entry: bytes) -> LogEntry:
    """Parse an entry; ValueError says what is missing or malformed."""
    return _parsed(parse_json(entry))


def _parsed(obj: Any) -> LogEntry:
    if not isinstance(obj, dict) or set(obj) != {
        "aggregate_id",
        "aggregate_version",
        "topic",
        "event",
    }:
        raise ValueError("an entry is {aggregate_id, aggregate_version, topic, event}")
    event = obj["event"]
    signed = event.get("signed") if isinstance(event, dict) else None
    if not isinstance(signed, dict) or set(signed) != {"statement", "signature", "public_key"}:
        raise ValueError("the entry's event carries no signed statement")
    try:
        signature = base64.b64decode(signed["signature"], validate=True)
        public_key = base64.b64decode(signed["public_key"], validate=True)
    except (ValueError, TypeError):
        raise ValueError("the entry's signature or public key is not base64") from None
    if not isinstance(signed["statement"], str):
        raise ValueError("the entry's statement is not text")
    return LogEntry(
        aggregate_id=obj["aggregate_id"],
        aggregate_version=obj["aggregate_version"],
        topic=obj["topic"],
        event=event,
        statement_text=signed["statement"],
        signature=signature,
        public_key=public_key,
    )
