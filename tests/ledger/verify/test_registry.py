"""The verifier replays the key registry as the server does: rotation, revocation, windows."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from keys.ed25519 import Ed25519SigningKey
from ledger.client import make_statement
from ledger.registry import key_id_of
from ledger.verify import verify_log
from ledger.verify.checks import StatementCheck
from ledger.verify.facts import LeafFacts, to_micros
from tests.ledger.verify.conftest import OFFICIAL, VerifyLog, notice_statement

SUCCESSOR = Ed25519SigningKey.from_seed(b"verify-test-successor".ljust(32, b"\0"))


def test_a_rotated_key_and_its_successor_verify(small_log: VerifyLog) -> None:
    ledger = small_log.open()
    try:
        # key.rotate makes two events (the old key Rotated, the new one Enrolled): one statement.
        rotate = make_statement(
            "key.rotate",
            {
                "key_id": OFFICIAL.key_id,
                "public_key": base64.b64encode(SUCCESSOR.public_key).decode(),
            },
            OFFICIAL,
            origin=ledger.origin,
        )
        receipt = ledger.submit([rotate])
        assert len(receipt["statements"][0]["entries"]) == 2
        later = datetime.now(UTC) + timedelta(seconds=1)
        ledger.submit([notice_statement(SUCCESSOR, time=later)])
    finally:
        ledger.close()
    result = verify_log(data_dir=small_log.data_dir, workers=0)
    assert result.ok, result.failure
    assert result.leaves_checked == 15


LOG_KEY = Ed25519SigningKey.from_seed(b"verify-test-log".ljust(32, b"\0"))
T0 = to_micros(datetime(2026, 1, 1, tzinfo=UTC))
HOUR = 3_600_000_000


def facts(signer: str, nonce: str, time: int, recorded: int) -> LeafFacts:
    return LeafFacts(
        leaf_hash=bytes(32),
        error=None,
        statement_id=nonce.encode(),
        signer=signer,
        type="notice.publish",
        time=time,
        nonce=nonce,
        recorded=recorded,
        public_key=b"",
    )


def test_nonces_are_forgotten_outside_the_window() -> None:
    check = StatementCheck(LOG_KEY.public_key, timedelta(hours=1))
    signer = key_id_of(OFFICIAL.public_key)
    for i in range(100):
        moment = T0 + i * HOUR // 10  # ten statements an hour, for ten hours
        # Unenrolled signer: the registry check fails after the nonce check, which is the point.
        check.check(i, facts(signer, f"nonce-{i:016d}", moment, moment))
        # The window is two hours wide: about 20 nonces, never the whole log.
        assert check.remembered_nonces <= 21


def test_a_replay_after_its_nonce_is_forgotten_is_still_refused() -> None:
    check = StatementCheck(LOG_KEY.public_key, timedelta(hours=1))
    signer = key_id_of(OFFICIAL.public_key)
    check.check(0, facts(signer, "n" * 16, T0, T0))
    check.check(1, facts(signer, "m" * 16, T0 + 3 * HOUR, T0 + 3 * HOUR))
    assert check.remembered_nonces == 1
    # Replayed three hours later: its time is outside the window of its recording.
    failure = check.check(2, facts(signer, "n" * 16, T0, T0 + 3 * HOUR + 5))
    assert failure is not None and failure.index == 2
    assert "expected within 3600 s" in failure.message


def test_recording_times_may_not_go_back_beyond_the_window() -> None:
    check = StatementCheck(LOG_KEY.public_key, timedelta(hours=1))
    signer = key_id_of(OFFICIAL.public_key)
    check.check(0, facts(signer, "a" * 16, T0 + 3 * HOUR, T0 + 3 * HOUR))
    failure = check.check(1, facts(signer, "b" * 16, T0, T0))
    assert failure is not None and "before an earlier leaf's recording time" in failure.message
