"""The PostgreSQL recorder stores events as eventsourcing would, byte for byte, ids in order."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import StoredEvent

from tests.conftest import LogFixture

pytestmark = pytest.mark.postgres

# State bytes a text encoding would have to escape: NUL, backslashes, quotes, braces, commas,
# non-ASCII and every byte value.
AWKWARD = [b'\x00\\"{},()\n\xc3\xa1', bytes(range(256)), b"", b'{"a":"\\u0000"}']


def test_events_round_trip_byte_for_byte_with_ids_in_order(postgres_log: LogFixture) -> None:
    ledger = postgres_log.open()
    try:
        recorder = ledger.app.recorder
        first = recorder.max_notification_id() or 0
        events = [
            StoredEvent(uuid.uuid4(), version, f"tests:Topic{n}", state)
            for n, state in enumerate(AWKWARD)
            for version in (1, 2)
        ]
        ids = recorder.insert_events(events)
        assert ids == list(range(first + 1, first + 1 + len(events)))
        stored = recorder.select_notifications(start=first + 1, limit=len(events))
        assert [(n.originator_id, n.originator_version, n.topic, n.state) for n in stored] == [
            (e.originator_id, e.originator_version, e.topic, e.state) for e in events
        ]
    finally:
        ledger.close()
