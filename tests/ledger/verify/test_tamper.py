"""Changes made behind the application's back, in the SQLite file, are found and placed.

Each test edits the closed log's database as someone with file access could, then checks that
verification fails and names the first leaf concerned.
"""

from __future__ import annotations

import pytest

from ledger.verify import VerifyResult, verify_log
from tests.ledger.verify.conftest import VerifyLog


def verify(log: VerifyLog, workers: int = 0) -> VerifyResult:
    return verify_log(data_dir=log.data_dir, workers=workers, chunk_size=64)


def failed_at(result: VerifyResult, leaf: int) -> str:
    """The failure line, after checking it names `leaf`."""
    assert not result.ok
    assert result.failure is not None
    assert result.failure.index == leaf, result.failure.line()
    line = result.failure.line()
    assert line.startswith(f"FAIL at leaf {leaf}: "), line
    return line


def state_of(log: VerifyLog, leaf: int) -> bytes:
    (row,) = log.sql("SELECT state FROM stored_events WHERE rowid = ?", log.notification_id(leaf))
    return bytes(row[0])


def set_state(log: VerifyLog, leaf: int, state: bytes) -> None:
    log.sql("UPDATE stored_events SET state = ? WHERE rowid = ?", state, log.notification_id(leaf))


@pytest.mark.parametrize("workers", [0, 2])
def test_one_changed_byte_in_a_stored_event_is_found_at_its_leaf(
    large_log: VerifyLog, workers: int
) -> None:
    # The last digit of leaf 200's recording time: the statement and its signature still hold.
    state = state_of(large_log, 200)
    at = state.index(b"+00:00") - 1
    changed = state[:at] + bytes([(state[at] - 48 + 1) % 10 + 48]) + state[at + 1 :]
    set_state(large_log, 200, changed)
    line = failed_at(verify(large_log, workers), 200)
    assert "tile 0/000 holds" in line


def test_a_changed_statement_byte_is_found_at_its_leaf(small_log: VerifyLog) -> None:
    state = state_of(small_log, 7)
    set_state(small_log, 7, state.replace(b"Ti\xc3\xaau ch\xc3\xad", b"Tu ch\xc3\xad", 1))
    failed_at(verify(small_log), 7)


def test_a_stored_event_that_is_no_longer_json_is_found_at_its_leaf(
    small_log: VerifyLog,
) -> None:
    set_state(small_log, 4, state_of(small_log, 4)[:-1])
    line = failed_at(verify(small_log), 4)
    assert "does not make a log entry" in line


def test_a_deleted_stored_event_is_found_at_its_leaf(small_log: VerifyLog) -> None:
    gone = small_log.notification_id(6)
    small_log.sql("DELETE FROM stored_events WHERE rowid = ?", gone)
    line = failed_at(verify(small_log), 6)
    assert f"log_leaves says leaf 6 is stored event {gone}" in line
    assert f"the next stored event in notification order is {gone + 1}" in line


def test_two_swapped_stored_events_are_found_at_the_first(small_log: VerifyLog) -> None:
    first, second = state_of(small_log, 3), state_of(small_log, 9)
    set_state(small_log, 3, second)
    set_state(small_log, 9, first)
    failed_at(verify(small_log), 3)


def flip_stored_leaf_hash(log: VerifyLog, leaf: int) -> None:
    """Change one byte of leaf's stored level-0 hash, wherever the log keeps it."""
    tile, slot = divmod(leaf, 256)
    rows = log.sql("SELECT hashes FROM log_tiles WHERE level = 0 AND tile_index = ?", tile)
    if rows:
        hashes = bytearray(rows[0][0])
        hashes[32 * slot + 5] ^= 0x01
        log.sql(
            "UPDATE log_tiles SET hashes = ? WHERE level = 0 AND tile_index = ?",
            bytes(hashes),
            tile,
        )
        return
    # The growing right-edge tile may be kept as leaf rows until it is full.
    (row,) = log.sql("SELECT leaf_hash FROM log_leaves WHERE leaf_index = ?", leaf)
    changed = bytearray(row[0])
    changed[5] ^= 0x01
    log.sql("UPDATE log_leaves SET leaf_hash = ? WHERE leaf_index = ?", bytes(changed), leaf)


@pytest.mark.parametrize("leaf", [100, 290], ids=["full-tile", "right-edge-tile"])
def test_a_changed_level_0_hash_is_found_at_its_leaf(large_log: VerifyLog, leaf: int) -> None:
    flip_stored_leaf_hash(large_log, leaf)
    line = failed_at(verify(large_log), leaf)
    assert "the entry hashes to" in line


def test_a_changed_level_1_hash_names_its_tile_and_first_leaf(large_log: VerifyLog) -> None:
    # 302 leaves: tile 1/000 holds one hash, the root of leaves 0..255.
    (row,) = large_log.sql("SELECT hashes FROM log_tiles WHERE level = 1 AND tile_index = 0")
    hashes = bytearray(row[0])
    assert len(hashes) == 32
    hashes[0] ^= 0x80
    large_log.sql("UPDATE log_tiles SET hashes = ? WHERE level = 1", bytes(hashes))
    result = verify(large_log)
    assert result.failure is not None
    assert result.failure.where == "tile 1/000"
    assert result.failure.index == 0
    assert "hash 0 (the subtree of leaves 0..255)" in result.failure.message


def test_a_deleted_leaf_row_is_found_at_its_leaf(small_log: VerifyLog) -> None:
    small_log.sql("DELETE FROM log_leaves WHERE leaf_index = 5")
    line = failed_at(verify(small_log), 5)
    assert "log_leaves has no row for leaf 5; the next row is leaf 6" in line


def test_a_checkpoint_that_log_state_does_not_match_fails(small_log: VerifyLog) -> None:
    small_log.sql("UPDATE log_state SET size = size - 1")
    result = verify(small_log)
    assert result.failure is not None and result.failure.where == "checkpoint"
    assert "log_state says size 11" in result.failure.message
