"""Statements the application would refuse, stored behind its back, are named by the verifier.

Each test crafts a stored event around a properly signed statement, inserts it straight into the
event store, lets the sequencer put it in the tree (so tiles and checkpoint are consistent), and
checks that verification names the leaf and says why.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from keys.ed25519 import Ed25519SigningKey
from ledger.client import make_statement
from ledger.verify import verify_log
from tests.ledger.verify.conftest import (
    OFFICIAL,
    VerifyLog,
    enrol_statement,
    insert_crafted,
    notice_statement,
)

SECOND = Ed25519SigningKey.from_seed(b"verify-test-second".ljust(32, b"\0"))


def failure_at(log: VerifyLog, leaf: int) -> str:
    result = verify_log(data_dir=log.data_dir, workers=0)
    assert result.failure is not None, "expected a failure"
    assert result.failure.index == leaf, result.failure.line()
    return result.failure.line()


def test_a_crafted_event_with_a_valid_statement_verifies(small_log: VerifyLog) -> None:
    # The control: crafting itself is not what the other tests detect.
    insert_crafted(small_log, notice_statement(OFFICIAL), OFFICIAL.public_key)
    result = verify_log(data_dir=small_log.data_dir, workers=0)
    assert result.ok, result.failure
    assert result.leaves_checked == 13


def test_a_statement_by_a_revoked_key_is_named(small_log: VerifyLog) -> None:
    ledger = small_log.open()
    try:
        ledger.submit([enrol_statement(small_log.registrar, SECOND)])
        revoke = make_statement(
            "key.revoke",
            {"key_id": SECOND.key_id, "reason": "lost"},
            small_log.registrar,
            origin=ledger.origin,
        )
        ledger.submit([revoke])
    finally:
        ledger.close()
    # Dated after the revocation (statement times have whole seconds).
    later = datetime.now(UTC) + timedelta(seconds=2)
    leaf = insert_crafted(small_log, notice_statement(SECOND, time=later), SECOND.public_key)
    line = failure_at(small_log, leaf)
    assert f"key {SECOND.key_id} was revoked at" in line


def test_a_statement_before_its_key_is_valid_is_named(small_log: VerifyLog) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    ledger = small_log.open()
    try:
        ledger.submit([enrol_statement(small_log.registrar, SECOND, valid_from=tomorrow)])
    finally:
        ledger.close()
    leaf = insert_crafted(small_log, notice_statement(SECOND), SECOND.public_key)
    line = failure_at(small_log, leaf)
    assert f"key {SECOND.key_id} is valid from" in line


def test_a_statement_by_an_unenrolled_key_is_named(small_log: VerifyLog) -> None:
    leaf = insert_crafted(small_log, notice_statement(SECOND), SECOND.public_key)
    assert f"key {SECOND.key_id} signed a notice.publish statement but is not enrolled" in (
        failure_at(small_log, leaf)
    )


def test_a_replayed_nonce_is_named_with_its_first_use(small_log: VerifyLog) -> None:
    (row,) = small_log.sql(
        "SELECT state FROM stored_events WHERE rowid = ?", small_log.notification_id(4)
    )
    first_nonce = bytes(row[0]).split(b'\\"nonce\\":\\"')[1].split(b"\\")[0].decode()
    replay = notice_statement(OFFICIAL, nonce=first_nonce)
    leaf = insert_crafted(small_log, replay, OFFICIAL.public_key)
    line = failure_at(small_log, leaf)
    assert f"key {OFFICIAL.key_id} already used nonce {first_nonce} at leaf 4" in line


def test_an_exact_replay_of_a_statement_is_named(small_log: VerifyLog) -> None:
    # The same signed bytes again, later and not next to the first: a replay, not a 2nd event.
    original = notice_statement(OFFICIAL)
    insert_crafted(small_log, original, OFFICIAL.public_key)
    insert_crafted(small_log, notice_statement(OFFICIAL), OFFICIAL.public_key)
    leaf = insert_crafted(small_log, original, OFFICIAL.public_key, version=2)
    # Named at the replay, as a reused nonce or, first, as an event its statement does not
    # produce (a notice.publish makes version 1 only).
    line = failure_at(small_log, leaf)
    assert "already used nonce" in line or "should be version 1, the log has 2" in line


def test_a_statement_far_from_its_recording_time_is_named(small_log: VerifyLog) -> None:
    stale = datetime.now(UTC) - timedelta(hours=2)
    leaf = insert_crafted(small_log, notice_statement(OFFICIAL, time=stale), OFFICIAL.public_key)
    line = failure_at(small_log, leaf)
    assert "expected within 3600 s of each other" in line


def test_a_forged_signature_is_named(small_log: VerifyLog) -> None:
    good = notice_statement(OFFICIAL)
    forged = type(good)(good.statement, good.raw, bytes(64))
    leaf = insert_crafted(small_log, forged, OFFICIAL.public_key)
    assert "the signature does not verify" in failure_at(small_log, leaf)


def test_the_log_key_signs_only_the_genesis(small_log: VerifyLog) -> None:
    log_key = small_log.log_signer
    leaf = insert_crafted(small_log, notice_statement(log_key), log_key.public_key)
    assert "the log key signs only the genesis enrolment at leaf 0" in failure_at(small_log, leaf)
