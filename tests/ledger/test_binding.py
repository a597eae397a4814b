"""Every statement type's events, as the server records them, are what ledger.binding expects."""

from __future__ import annotations

import base64
import itertools
import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ledger.binding import expected_events, mismatch
from ledger.bootstrap import Ledger
from ledger.canonical import parse_json
from ledger.client import make_statement
from ledger.entry import parse_entry
from ledger.registry import KeyRecord, key_changes
from ledger.statement import Statement, format_time
from tests.conftest import LogFixture, enrol, notice, official_key


class Registry:
    """The key registry as replayed from the log."""

    def __init__(self) -> None:
        self.records: dict[str, KeyRecord] = {}

    def key_record(self, key_id: str) -> KeyRecord | None:
        return self.records.get(key_id)


def replay(ledger: Ledger) -> list[str | None]:
    """For each statement in the log, why its events differ from the expected ones (or None)."""
    size = ledger.log.require_head().size
    entries = [parse_entry(e) for e in ledger.log.entries(0, size)]
    registry, problems = Registry(), []
    for _, group in itertools.groupby(entries, key=lambda e: e.signature):
        events = list(group)
        statement = Statement.from_json(parse_json(events[0].statement_text))
        records: list[KeyRecord] = []
        if statement.type.startswith("key."):
            signer = registry.key_record(statement.signer)
            records = key_changes(statement, signer, registry, log_is_empty=not registry.records)
            registry.records.update({r.key_id: r for r in records})
        expected = expected_events(statement.type, statement.payload, records)
        found = [(e.topic, e.aggregate_id, e.aggregate_version, e.event) for e in events]
        problems.append(mismatch(expected, found))
    return problems


def test_the_server_records_exactly_the_expected_events(
    ledger: Ledger, sqlite_log: LogFixture
) -> None:
    official, successor = official_key("an"), official_key("an-new")
    enrol(ledger, sqlite_log.registrar, official)
    notice_id = uuid.uuid4()
    ledger.submit([notice(ledger, official, notice_id=notice_id)])
    amend = make_statement(
        "notice.amend",
        {"notice_id": str(notice_id), "expected_version": 1, "body": "sửa đổi"},
        official,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    rotate = make_statement(
        "key.rotate",
        {"key_id": official.key_id, "public_key": base64.b64encode(successor.public_key).decode()},
        official,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    ledger.submit([amend, rotate])
    revoke = make_statement(
        "key.revoke",
        {"key_id": successor.key_id, "reason": "retired", "at": format_time(sqlite_log.clock.now)},
        sqlite_log.registrar,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    ledger.submit([revoke])
    # Six statements (seven events: a rotation is two): genesis, enrol, publish, amend,
    # rotate, revoke.
    assert replay(ledger) == [None] * 6


def test_a_mismatch_names_what_differs() -> None:
    from ledger.binding import ExpectedEvent

    want = [ExpectedEvent("a:B", "id-1", 1, {"record": {"role": "clerk"}})]
    assert mismatch(want, []) == "the statement produces 1 event(s), the log has 0"
    assert "should be a:B" in (mismatch(want, [("a:C", "id-1", 1, {})]) or "")
    assert "should change id-1" in (mismatch(want, [("a:B", "id-2", 1, {})]) or "")
    assert "version 1" in (mismatch(want, [("a:B", "id-1", 2, {})]) or "")
    found = [("a:B", "id-1", 1, {"record": {"role": "registrar"}})]
    assert "record is not what the statement says" in (mismatch(want, found) or "")


@given(st.uuids(), st.sampled_from([str, lambda u: str(u).upper(), lambda u: "{" + str(u) + "}"]))
def test_the_quick_notice_id_equals_uuid5(notice_id: uuid.UUID, spell: Any) -> None:
    from ledger.binding import notice_aggregate_text
    from ledger.domain.notices import notice_aggregate_id

    assert notice_aggregate_text(spell(notice_id)) == str(notice_aggregate_id(notice_id))
