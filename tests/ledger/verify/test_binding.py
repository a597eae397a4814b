"""An event must be exactly what its signed statement produces: a valid signature riding on a
different event (an operator forging a revocation, say) is named by the verifier."""

from __future__ import annotations

import base64
import dataclasses
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ledger.client import make_statement
from ledger.domain.keys import OfficialKey, key_aggregate_id, record_to_json
from ledger.domain.notices import Notice
from ledger.domain.signed import make_signed
from ledger.registry import key_changes
from ledger.statement import format_time
from ledger.verify import verify_log
from tests.conftest import enrol, make_log, notice, official_key


def test_a_genuine_statement_on_a_forged_revocation_is_caught(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data")
    ledger = log.open(clock=None)
    try:
        victim = official_key("victim")
        enrol(ledger, log.registrar, victim)
        # Whoever holds the database takes a genuine notice signed by the victim and records it
        # as the revocation of the registrar's key; the server then believes it.
        statement = notice(ledger, victim)
        attestation = make_signed(statement.raw, statement.signature, victim.public_key)
        registrar = ledger.app.repository.get(key_aggregate_id(log.registrar.key_id))
        forged = dataclasses.replace(
            registrar.record, revoked_at=ledger.app.clock(), revocation_reason="forged"
        )
        registrar.revoke(record=record_to_json(forged), signed=attestation)
        ledger.app.save(registrar)
        leaf = ledger.log.require_head().size - 1
    finally:
        ledger.close()
    result = verify_log(data_dir=tmp_path / "data", workers=0)
    assert result.failure is not None and result.failure.index == leaf
    assert "should be ledger.domain.notices:Notice.Published" in result.failure.line()


def test_a_key_record_other_than_the_statement_says_is_caught(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data")
    ledger = log.open(clock=None)
    try:
        # The registrar signs an official's enrolment; what gets stored enrols a registrar.
        official = official_key("promoted")
        now = ledger.app.clock()
        statement = make_statement(
            "key.enrol",
            {
                "public_key": base64.b64encode(official.public_key).decode(),
                "official_id": "CB-0007",
                "role": "official",
                "unit_scope": "VN-HN/ba-dinh",
                "valid_from": format_time(now),
            },
            log.registrar,
            origin=ledger.origin,
            time=now,
        )
        attestation = make_signed(statement.raw, statement.signature, log.registrar.public_key)
        honest = key_changes(
            statement.statement,
            ledger.app.key_record(log.registrar.key_id),
            ledger.app,
            log_is_empty=False,
        )[0]
        promoted = dataclasses.replace(honest, role="registrar", unit_scope="*")
        ledger.app.save(OfficialKey(record=record_to_json(promoted), signed=attestation))
        leaf = ledger.log.require_head().size - 1
    finally:
        ledger.close()
    result = verify_log(data_dir=tmp_path / "data", workers=0)
    assert result.failure is not None and result.failure.index == leaf
    assert "record is not what the statement says" in result.failure.line()


def test_a_notice_outside_the_signers_unit_is_caught(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data")
    ledger = log.open(clock=None)
    try:
        official = official_key("ba-dinh")
        enrol(ledger, log.registrar, official, unit_scope="VN-HN/ba-dinh")
        # Signed by the official, for another unit: the server would refuse it (403).
        statement = notice(ledger, official, unit="VN-HCM/quan-1")
        attestation = make_signed(statement.raw, statement.signature, official.public_key)
        notice_id = uuid.UUID(statement.statement.payload["notice_id"])
        ledger.app.save(Notice(notice_id=notice_id, signed=attestation))
        leaf = ledger.log.require_head().size - 1
    finally:
        ledger.close()
    result = verify_log(data_dir=tmp_path / "data", workers=0)
    assert result.failure is not None and result.failure.index == leaf
    assert "may not publish notices for VN-HCM/quan-1" in result.failure.line()


def test_a_statement_received_after_its_keys_revocation_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server that skips the "received after the revocation" rule accepts a statement dated
    # a second before the revocation but sent after it; verify must notice.
    import ledger.application as application

    authenticate = application.authenticate
    monkeypatch.setattr(
        application,
        "authenticate",
        lambda *args, received_at=None, **kwargs: authenticate(*args, **kwargs),
    )
    log = make_log(tmp_path / "data")
    ledger = log.open()
    try:
        official = official_key("leaving")
        enrol(ledger, log.registrar, official)
        log.clock.advance(seconds=2)
        # Recording times are real: let real time pass the revocation by more than verify's
        # one-second margin before the late statement is recorded.
        time.sleep(max(0.0, (log.clock.now - datetime.now(UTC)).total_seconds() + 1.5))
        revoke = make_statement(
            "key.revoke",
            {"key_id": official.key_id, "reason": "left"},
            log.registrar,
            origin=ledger.origin,
            time=log.clock.now,
        )
        ledger.submit([revoke])
        late = notice(ledger, official, time=log.clock.now - timedelta(seconds=1))
        ledger.submit([late])  # recorded after the revocation
        leaf = ledger.log.require_head().size - 1
    finally:
        ledger.close()
    result = verify_log(data_dir=tmp_path / "data", workers=0)
    assert result.failure is not None and result.failure.index == leaf
    assert "was recorded at" in result.failure.line()
