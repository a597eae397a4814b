"""A log of personnel work verifies from outside, and a forged personnel event is caught."""

from __future__ import annotations

from ledger.binding import personnel_binding_error
from ledger.canonical import parse_json
from ledger.entry import parse_entry
from ledger.personnel.catalogue import CATALOGUE
from ledger.personnel.record import RECORD_CREATED, record_aggregate_id
from ledger.verify import verify_log
from tests.ledger.personnel.conftest import COMMUNE, decision
from tests.ledger.personnel.desk import Desk


def test_a_personnel_log_verifies_and_holds_no_personal_data(desk: Desk) -> None:
    desk.submit(
        "CB-VICE", "decision.propose", decision("QD-1", "commendation", "CB-FIN", desk.days(0))
    )
    desk.submit("CB-C1", "decision.approve", {"decision_id": "QD-1", "revision": 1})
    result = verify_log(data_dir=desk.log.settings.data_dir, workers=0)
    assert result.ok, result.failure
    size = desk.ledger.log.require_head().size
    entries = b"".join(desk.ledger.log.entries(0, size))
    # Names, birth dates and id numbers were sent beside the statements: none is in the log.
    for secret in ["Nguyễn Văn CB-B".encode(), b"1985-03-02", b"001085012345", b"relatives"]:
        assert secret not in entries
    assert COMMUNE.encode() in entries


def test_each_personnel_event_is_bound_to_the_record_its_statement_names(desk: Desk) -> None:
    size = desk.ledger.log.require_head().size
    checked = 0
    for raw in desk.ledger.log.entries(0, size):
        entry = parse_entry(raw)
        statement = parse_json(entry.statement_text)
        if statement["type"] not in CATALOGUE:
            continue
        args = (statement["type"], statement["payload"], entry.topic, entry.aggregate_id)
        assert personnel_binding_error(*args, entry.aggregate_version) is None
        checked += 1
        # The same statement attached to another record, or posing as a creation, is caught.
        other = str(record_aggregate_id("post", "elsewhere"))
        assert personnel_binding_error(*args[:3], other, entry.aggregate_version)
        if entry.aggregate_version > 1:
            assert personnel_binding_error(*args[:2], RECORD_CREATED, args[3], 1)
    assert checked > 20
