"""The workers' quick pass over a leaf gives exactly the facts of the full check, or defers to it.

leaves.leaf_rows takes a shortcut for well-formed leaves whose signature verifies. Each case
below damages one stored event in one way (re-signing the statement where the damage is inside
it, so that only the damaged field is wrong) and compares leaf_rows with the full check alone.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import pytest

from keys.ed25519 import Ed25519SigningKey
from ledger.entry import entry_bytes
from ledger.statement import signing_prefix
from ledger.verify.eventstore import EventReader
from ledger.verify.facts import Item, LeafFacts, entry_facts
from ledger.verify.leaves import Row, _usual_row, leaf_rows
from tests.ledger.verify.conftest import OFFICIAL, ORIGIN, VerifyLog

PREFIX = signing_prefix(ORIGIN)

OTHER = Ed25519SigningKey.from_seed(b"verify-test-other".ljust(32, b"\0"))


def full_rows(items: Sequence[Item]) -> list[Row]:
    """The facts of the full check alone, as leaf_rows tracks the leaf before."""
    rows: list[Row] = []
    previous: tuple[bytes, LeafFacts] | None = None
    for item in items:
        facts, raw = entry_facts(item, previous, PREFIX)
        rows.append(tuple(facts))
        previous = (raw, facts) if facts.statement_id else None
    return rows


@pytest.fixture
def events(small_log: VerifyLog) -> list[Any]:
    reader = EventReader(small_log.settings)
    try:
        _ids, events = reader.read(0, 100)
    finally:
        reader.close()
    return events


Change = Callable[[dict[str, Any]], None]


def with_state(event: Any, change: Change) -> Any:
    state = json.loads(event[3])
    change(state)
    return (*event[:3], json.dumps(state, ensure_ascii=False).encode())


def resigned(change: Callable[[dict[str, Any]], Any], key: Ed25519SigningKey = OFFICIAL) -> Change:
    """Change the statement object (or replace its text), then sign it again with key."""

    def apply(state: dict[str, Any]) -> None:
        statement = json.loads(state["signed"]["statement"])
        replaced = change(statement)
        text = replaced if isinstance(replaced, str) else json.dumps(statement, sort_keys=True)
        raw = text.encode("utf-8", errors="surrogatepass")
        state["signed"]["statement"] = text
        state["signed"]["signature"] = base64.b64encode(key.sign(PREFIX + raw)).decode()
        state["signed"]["public_key"] = base64.b64encode(key.public_key).decode()

    return apply


def signed_field(name: str, value: Any) -> Change:
    def apply(state: dict[str, Any]) -> None:
        state["signed"][name] = value

    return apply


def statement_field(name: str, value: Any) -> Change:
    def apply(statement: dict[str, Any]) -> None:
        statement[name] = value

    return apply


def drop(*path: str) -> Change:
    def apply(state: dict[str, Any]) -> None:
        target = state
        for name in path[:-1]:
            target = target[name]
        del target[path[-1]]

    return apply


CHANGES: dict[str, Change] = {
    "no signed statement": drop("signed"),
    "signed has an extra field": signed_field("extra", 1),
    "signature not base64": signed_field("signature", "!!!"),
    "signature not text": signed_field("signature", 7),
    "statement not text": signed_field("statement", {"a": 1}),
    "signature does not verify": signed_field("signature", base64.b64encode(bytes(64)).decode()),
    "another key's public key": signed_field(
        "public_key", base64.b64encode(OTHER.public_key).decode()
    ),
    "short public key": signed_field("public_key", base64.b64encode(bytes(5)).decode()),
    "no timestamp": drop("timestamp"),
    "naive timestamp": lambda s: s["timestamp"].update(_data_="2026-01-01T00:00:00"),
    "timestamp not a time": lambda s: s["timestamp"].update(_data_="yesterday"),
    "entry too large": lambda s: s.update(padding="x" * 70_000),
    "statement not JSON": resigned(lambda st: "{not json"),
    "statement not an object": resigned(lambda st: "[1, 2]"),
    "statement misses a field": resigned(lambda st: st.pop("nonce")),
    "statement has an extra field": resigned(statement_field("extra", 1)),
    "bad type": resigned(statement_field("type", "Notice")),
    "payload not an object": resigned(statement_field("payload", [])),
    "bad signer": resigned(statement_field("signer", "ABC")),
    "signer of another key": resigned(statement_field("signer", OTHER.key_id)),
    "short nonce": resigned(statement_field("nonce", "abc")),
    "nonce not text": resigned(statement_field("nonce", 12345678901234567)),
    "time not UTC": resigned(statement_field("time", "2026-01-01T00:00:00+07:00")),
    "month 13": resigned(statement_field("time", "2026-13-01T00:00:00Z")),
    "non-ASCII digits": resigned(statement_field("time", "2026-01-01T00:00:0\u0663Z")),
    "one fraction digit": resigned(statement_field("time", "2026-01-01T00:00:00.5Z")),
    "time not text": resigned(statement_field("time", 1767225600)),
    "re-signed, fine": resigned(lambda st: None),
    "lone surrogate": resigned(statement_field("type", "notice.\ud800")),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_changed_event_has_the_full_checks_facts(events: list[Any], name: str) -> None:
    changed = with_state(events[5], CHANGES[name])
    # Alone, and after an intact leaf (whose row the quick pass keeps as "the leaf before").
    for items in ([changed], [events[4], changed], [changed, events[6]]):
        assert leaf_rows(items, PREFIX) == full_rows(items)
        entries = [entry_bytes(*item) for item in items]  # as a log server serves them
        assert leaf_rows(entries, PREFIX) == full_rows(entries)


def test_intact_leaves_take_the_quick_pass(events: list[Any]) -> None:
    for item in [*events, *(entry_bytes(*event) for event in events)]:
        assert _usual_row(item, None, lambda x, y: x, PREFIX) is not None
    assert leaf_rows(events, PREFIX) == full_rows(events)
    assert all(row[1] is None for row in leaf_rows(events, PREFIX))


def test_further_events_of_one_statement_have_the_full_checks_facts(events: list[Any]) -> None:
    # key.rotate stores two events of one statement; here, a notice's event stored twice.
    again = (events[5][0], events[5][1] + 1, *events[5][2:])
    naive = with_state(again, CHANGES["naive timestamp"])
    bad = with_state(events[5], CHANGES["signature does not verify"])
    # Another text under the same signature: not the same statement.
    copied = with_state(again, lambda s: s["signed"].update(statement='{"a": 1}'))
    for items in (
        [events[5], again],
        [events[5], naive],
        [bad, bad],
        [events[5], again, again],
        [events[5], copied],
    ):
        assert leaf_rows(items, PREFIX) == full_rows(items)


def test_malformed_entries_have_the_full_checks_facts(events: list[Any]) -> None:
    entry = orjson.loads(entry_bytes(*events[5]))
    extra = orjson.dumps({**entry, "extra": 1})
    missing = orjson.dumps({k: v for k, v in entry.items() if k != "topic"})
    not_json = entry_bytes(*events[5])[:-1]
    items: list[Item] = [extra, missing, not_json, b"[]", (*events[5][:3], b"{")]
    for item in items:
        assert leaf_rows([item], PREFIX) == full_rows([item])
