"""A worker's per-leaf pass: LeafFacts rows for a run of items, the usual case in one go.

Besides the Ed25519 check, much of a leaf's cost went into objects the verifier reads once: a
LogEntry, a Statement, datetimes. `_usual_row` takes a well-formed leaf whose signature verifies
straight from the parsed JSON, in about 60% of the time; on anything else (bad JSON, a malformed
field, a wrong key or signature, no recording time) it gives up, and facts.entry_facts, the full
check, runs and names the problem. It accepts only what the full check accepts, with the same
facts: tests/ledger/verify/test_leaves.py compares the two on damaged events.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import orjson

from keys.ed25519 import ED25519
from ledger.entry import MAX_ENTRY_BYTES
from ledger.merkle import leaf_hash
from ledger.registry import key_id_of
from ledger.statement import well_formed_fields
from ledger.verify.facts import (
    Item,
    LeafFacts,
    checked_payload,
    entry_facts,
    event_fields,
    local_binding_error,
    recorded_at,
    to_micros,
)

# A LeafFacts as a plain tuple: cheaper to build and to send between processes.
Row = tuple[Any, ...]

_ENTRY_FIELDS = frozenset({"aggregate_id", "aggregate_version", "topic", "event"})
_SIGNED_FIELDS = frozenset({"statement", "signature", "public_key"})
_key_id = lru_cache(maxsize=1024)(key_id_of)  # a log has few keys, each signing many leaves


def leaf_rows(items: Sequence[Item], prefix: bytes) -> list[Row]:
    """One LeafFacts row per item, in order; never raises for bad data.

    prefix: what the signatures cover before each statement's bytes (ledger.statement).
    """
    rows: list[Row] = []
    previous: tuple[bytes, Row] | None = None  # the statement bytes and row of the leaf before
    # One object for each repeated signer, type and public key: pickle then sends it once.
    shared: dict[Any, Any] = {}
    for item in items:
        usual = _usual_row(item, previous, shared.setdefault, prefix)
        if usual is None:
            before = (previous[0], LeafFacts._make(previous[1])) if previous else None
            facts, raw = entry_facts(item, before, prefix)
            usual = raw, tuple(facts)
        raw, row = usual
        rows.append(row)
        previous = (raw, row) if row[2] else None  # row[2]: the statement id
    return rows


def _usual_row(
    item: Item,
    previous: tuple[bytes, Row] | None,
    shared: Callable[[Any, Any], Any],
    prefix: bytes,
) -> tuple[bytes, Row] | None:
    """The statement bytes and facts of a leaf that passes every check alone; else None.

    shared(x, x) is x or an equal object already in use (to send it once).
    """
    try:
        if isinstance(item, bytes):
            entry = item
            obj = orjson.loads(entry)
            if type(obj) is not dict or obj.keys() != _ENTRY_FIELDS:
                return None
            event = obj["event"]
            aggregate_id, version, topic = (
                obj["aggregate_id"],
                obj["aggregate_version"],
                obj["topic"],
            )
            if type(aggregate_id) is not str or type(version) is not int or type(topic) is not str:
                return None
        else:
            aggregate_id, version, topic, state = item
            event = orjson.loads(state)
            # As ledger.entry.entry_bytes writes it (canonical: keys sorted, no whitespace).
            entry = orjson.dumps(
                {
                    "aggregate_id": str(aggregate_id),
                    "aggregate_version": version,
                    "topic": topic,
                    "event": event,
                },
                option=orjson.OPT_SORT_KEYS,
            )
        signed = event.get("signed") if type(event) is dict else None
        if len(entry) > MAX_ENTRY_BYTES or type(signed) is not dict:
            return None
        if signed.keys() != _SIGNED_FIELDS or type(text := signed["statement"]) is not str:
            return None
        signature = binascii.a2b_base64(signed["signature"], strict_mode=True)
        public_key = binascii.a2b_base64(signed["public_key"], strict_mode=True)
    except (ValueError, TypeError):  # bad JSON or base64 (orjson's errors are ValueErrors)
        return None
    raw = text.encode("utf-8", errors="surrogatepass")
    statement_id = signature + public_key
    recorded = recorded_at(event)
    if recorded is None:
        return None
    if previous is not None and previous[1][2] == statement_id and previous[0] == raw:
        # The same statement's next event: its signature was just checked; as the full check
        # does, keep the leaf before's facts (and error) but for the leaf hash and time.
        before = previous[1]
        fields = event_fields(before[4], topic, str(aggregate_id), version, event.get("record"))
        return raw, (leaf_hash(entry), *before[1:7], recorded, *before[8:10], *fields)
    try:
        fields = well_formed_fields(orjson.loads(raw))
    except ValueError:
        return None
    if fields is None:
        return None
    kind, payload, signer, moment, nonce = fields
    if _key_id(public_key) != signer or not ED25519.verify(public_key, signature, prefix + raw):
        return None
    if local_binding_error(kind, payload, topic, str(aggregate_id), version) is not None:
        return None  # the full check names it
    row = (
        leaf_hash(entry),
        None,
        statement_id,
        shared(signer, signer),
        shared(kind, kind),
        to_micros(moment),
        nonce,
        recorded,
        shared(public_key, public_key),
        checked_payload(kind, payload),
        *event_fields(kind, shared(topic, topic), str(aggregate_id), version, event.get("record")),
    )
    return raw, row
