"""What one leaf says, as far as it can be checked without the leaves before it.

`entry_facts` is the full check of one leaf, which names whatever is wrong; leaves.py runs a
faster pass over the usual case first and falls back to it. Everything order-dependent (tree,
key registry, nonces) is checked in the main process, from these facts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from keys.ed25519 import ED25519
from ledger.binding import (
    expected_events,
    mismatch,
    notice_event_matches,
    personnel_binding_error,
)
from ledger.canonical import CanonicalJSONError, parse_json
from ledger.entry import MAX_ENTRY_BYTES, LogEntry, entry_bytes, entry_of_event, parse_entry
from ledger.errors import LedgerError
from ledger.merkle import leaf_hash
from ledger.personnel.catalogue import CATALOGUE
from ledger.registry import KEY_STATEMENT_TYPES, key_id_of
from ledger.statement import Statement
from ledger.verify.eventstore import RawEvent

# An entry served by a log server, or a stored event to make the entry from.
Item = bytes | RawEvent

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
NO_TIMESTAMP = "the entry's event has no aware recording timestamp (event.timestamp)"


class LeafFacts(NamedTuple):
    """What one leaf says, as far as it can be checked alone (error set if it cannot)."""

    leaf_hash: bytes | None  # None only when the stored event does not even make an entry
    error: str | None
    statement_id: bytes  # identifies the exact signed statement: its events share it
    signer: str = ""
    type: str = ""
    # Times as microseconds since the epoch (UTC): cheap to send between processes and compare.
    time: int = 0  # the statement's time
    nonce: str = ""
    recorded: int | None = None  # the event's recording timestamp
    public_key: bytes = b""
    payload: dict[str, Any] | None = None  # what the ordered checks read (checked_payload)
    # The event itself, to hold it to what its statement must produce (ledger.binding).
    topic: str = ""
    aggregate_id: str = ""
    version: int = 0
    record: Any = None  # the event's "record" field (key events), else None


def local_binding_error(
    kind: str, payload: dict[str, Any], topic: str, aggregate_id: str, version: int
) -> str | None:
    """Whether a statement's (first) event is what it must be, for statements whose events do
    not depend on earlier leaves; key statements are checked in order by the main process."""
    if kind in KEY_STATEMENT_TYPES:
        return None
    if notice_event_matches(kind, payload, topic, aggregate_id, version):
        return None  # the usual case, without building the expected events
    if kind in CATALOGUE:
        try:
            return personnel_binding_error(kind, payload, topic, aggregate_id, version)
        except (KeyError, TypeError) as exc:
            return f"a {kind} statement without its record id: {exc}"
    try:
        expected = expected_events(kind, payload, [])
    except (ValueError, KeyError, TypeError) as exc:
        return f"a {kind} statement is not one the log knows: {exc}"
    return mismatch(expected[:1], [(topic, aggregate_id, version, {})])


def event_fields(kind: str, topic: str, aggregate_id: str, version: int, record: Any) -> Any:
    """The event's fields the main process needs: a key statement's, else none (checked here)."""
    if kind in KEY_STATEMENT_TYPES:
        return topic, aggregate_id, version, record
    return "", "", 0, None


def checked_payload(kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """The part of a payload the main process needs: key statements whole, a notice's unit."""
    if kind in KEY_STATEMENT_TYPES:
        return payload
    if kind == "notice.publish" and "unit" in payload:
        return {"unit": payload["unit"]}
    return None


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of microseconds since the epoch."""
    return EPOCH + micros * MICROSECOND


def entry_facts(
    item: Item, previous: tuple[bytes, LeafFacts] | None, prefix: bytes
) -> tuple[LeafFacts, bytes]:
    """The facts of one item and its statement bytes (b"" if it has none); never raises for bad
    data. previous: the statement bytes and facts of the leaf before, if it had a statement.
    """
    parsed: LogEntry | None = None
    try:
        if isinstance(item, bytes):
            entry = item
        else:
            try:
                # Built and parsed in one go: the usual case reads no JSON twice.
                entry, parsed = entry_of_event(*item)
            except ValueError:
                entry = entry_bytes(*item)  # the check below names what is wrong
    except (CanonicalJSONError, ValueError, TypeError) as exc:
        error = f"the stored event does not make a log entry: {exc}"
        return LeafFacts(None, error, b""), b""
    return _check_entry(entry, previous, parsed, prefix)


def _check_entry(
    entry: bytes, previous: tuple[bytes, LeafFacts] | None, parsed: LogEntry | None, prefix: bytes
) -> tuple[LeafFacts, bytes]:
    digest = leaf_hash(entry)
    if len(entry) > MAX_ENTRY_BYTES:
        too_large = f"entry is {len(entry)} bytes, the limit is {MAX_ENTRY_BYTES}"
        return LeafFacts(digest, too_large, b""), b""
    if parsed is None:
        try:
            parsed = parse_entry(entry)
        except (CanonicalJSONError, ValueError) as exc:
            return LeafFacts(digest, f"entry is malformed: {exc}", b""), b""
    raw = parsed.statement_text.encode("utf-8", errors="surrogatepass")
    # Within a log, a signature and key identify the statement: a signature verifies for one
    # text only, and every leaf's signature is verified (hashing the text would cost more).
    statement_id = parsed.signature + parsed.public_key
    recorded = recorded_at(parsed.event)
    if previous is not None and previous[1].statement_id == statement_id and previous[0] == raw:
        # The same statement's next event: its signature was just checked.
        topic, aggregate_id, version, record = event_fields(
            previous[1].type,
            parsed.topic,
            parsed.aggregate_id,
            parsed.aggregate_version,
            parsed.event.get("record"),
        )
        same = previous[1]._replace(
            leaf_hash=digest,
            recorded=recorded,
            topic=topic,
            aggregate_id=aggregate_id,
            version=version,
            record=record,
        )
        if recorded is None and same.error is None:
            same = same._replace(error=NO_TIMESTAMP)
        return same, raw
    try:
        statement = Statement.from_json(parse_json(raw))
    except (LedgerError, CanonicalJSONError) as exc:
        return LeafFacts(digest, f"statement is malformed: {exc}", statement_id), b""
    # The signature covers these exact bytes, so they are not re-canonicalised: canonical form
    # is the server's admission rule, and re-encoding would cost a fifth of a leaf's time.
    error = _signature_error(statement, prefix + raw, parsed.signature, parsed.public_key)
    if error is None and recorded is None:
        error = NO_TIMESTAMP
    if error is None:
        error = local_binding_error(
            statement.type,
            statement.payload,
            parsed.topic,
            parsed.aggregate_id,
            parsed.aggregate_version,
        )
    topic, aggregate_id, version, record = event_fields(
        statement.type,
        parsed.topic,
        parsed.aggregate_id,
        parsed.aggregate_version,
        parsed.event.get("record"),
    )
    facts = LeafFacts(
        leaf_hash=digest,
        error=error,
        statement_id=statement_id,
        signer=statement.signer,
        type=statement.type,
        time=to_micros(statement.time),
        nonce=statement.nonce,
        recorded=recorded,
        public_key=parsed.public_key,
        payload=checked_payload(statement.type, statement.payload),
        topic=topic,
        aggregate_id=aggregate_id,
        version=version,
        record=record,
    )
    return facts, raw


def _signature_error(
    statement: Statement, message: bytes, signature: bytes, public_key: bytes
) -> str | None:
    if key_id_of(public_key) != statement.signer:
        return (
            f"the entry's public key has key id {key_id_of(public_key)}, "
            f"the statement's signer is {statement.signer}"
        )
    if not ED25519.verify(public_key, signature, message):
        return f"the signature does not verify under the entry's public key ({statement.signer})"
    return None


def recorded_at(event: dict[str, Any]) -> int | None:
    """The event's recording time in microseconds, if it has an aware one."""
    stamp = event.get("timestamp")
    if not isinstance(stamp, dict) or stamp.get("_type_") != "datetime_iso":
        return None
    text = stamp.get("_data_")
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    # A naive timestamp cannot be compared with the statement's UTC time.
    return to_micros(moment) if moment is not None and moment.tzinfo is not None else None
