"""An earlier checkpoint must be signed by the log key and be a prefix of the current tree."""

from __future__ import annotations

import hashlib

import pytest

from keys.ed25519 import Ed25519SigningKey
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.verify import VerifyResult, verify_log
from tests.ledger.verify.conftest import OFFICIAL, ORIGIN, VerifyLog, notice_statement


def verify_with(log: VerifyLog, earlier: str, chunk_size: int = 1024) -> VerifyResult:
    return verify_log(
        data_dir=log.data_dir, workers=0, earlier_checkpoint=earlier, chunk_size=chunk_size
    )


@pytest.fixture
def grown(small_log: VerifyLog) -> tuple[VerifyLog, str]:
    """The small log with its 12-leaf checkpoint kept, then grown by 5 leaves."""
    (row,) = small_log.sql("SELECT checkpoint FROM log_state")
    ledger = small_log.open()
    try:
        ledger.submit([notice_statement(OFFICIAL) for _ in range(5)])
    finally:
        ledger.close()
    return small_log, str(row[0])


@pytest.mark.parametrize("chunk_size", [1024, 12, 5], ids=["inside", "at-end", "across"])
def test_a_consistent_earlier_checkpoint_passes(
    grown: tuple[VerifyLog, str], chunk_size: int
) -> None:
    # Its root is taken where the earlier tree ends: inside a chunk, at a chunk's end, or
    # in a later chunk than the one it started in.
    log, earlier = grown
    result = verify_with(log, earlier, chunk_size)
    assert result.ok, result.failure
    assert (result.size, result.leaves_checked) == (17, 17)


def test_the_current_checkpoint_is_consistent_with_itself(small_log: VerifyLog) -> None:
    (row,) = small_log.sql("SELECT checkpoint FROM log_state")
    assert verify_with(small_log, str(row[0])).ok


def test_an_inconsistent_earlier_checkpoint_fails(grown: tuple[VerifyLog, str]) -> None:
    log, _ = grown
    fake_root = hashlib.sha256(b"another history").digest()
    fake = sign_checkpoint(Checkpoint(ORIGIN, 12, fake_root), ORIGIN, log.log_signer)
    result = verify_with(log, fake, chunk_size=5)
    assert result.failure is not None
    assert result.failure.where == "earlier checkpoint"
    assert "at size 12 the recomputed root is" in result.failure.message
    assert "the log is not an extension of it" in result.failure.message


def test_an_earlier_checkpoint_larger_than_the_log_fails(small_log: VerifyLog) -> None:
    future = sign_checkpoint(Checkpoint(ORIGIN, 13, bytes(32)), ORIGIN, small_log.log_signer)
    result = verify_with(small_log, future)
    assert result.failure is not None
    assert "its size 13 is larger than the log's current size 12" in result.failure.message


def test_an_earlier_checkpoint_of_another_origin_or_key_fails(small_log: VerifyLog) -> None:
    (row,) = small_log.sql("SELECT root FROM log_state")
    root = bytes(row[0])
    other_origin = sign_checkpoint(
        Checkpoint("canbo.test/other", 12, root), ORIGIN, small_log.log_signer
    )
    stranger = Ed25519SigningKey.from_seed(bytes(32))
    other_key = sign_checkpoint(Checkpoint(ORIGIN, 12, root), ORIGIN, stranger)
    for note in (other_origin, other_key):
        result = verify_with(small_log, note)
        assert result.failure is not None and result.failure.where == "earlier checkpoint"
    assert "expected 'canbo.test/verify'" in str(verify_with(small_log, other_origin).failure)
