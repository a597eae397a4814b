"""A log written only through the application verifies, whichever way it is read."""

from __future__ import annotations

from collections.abc import Iterator

from ledger.verify import DataDirSource, verify_log, verify_source
from ledger.verify.sources import Chunk
from tests.ledger.verify.conftest import VerifyLog


def test_a_clean_log_verifies_from_its_data_directory(small_log: VerifyLog) -> None:
    result = verify_log(data_dir=small_log.data_dir, workers=0)
    # Leaves: 0 genesis enrolment, 1 the official's enrolment, 2..11 the notices.
    assert result.ok, result.failure
    assert (result.size, result.leaves_checked) == (12, 12)
    (row,) = small_log.sql("SELECT root FROM log_state")
    assert result.root == row[0]
    assert result.notes == [] and result.warnings == []


def test_worker_processes_give_the_same_result(large_log: VerifyLog) -> None:
    result = verify_log(data_dir=large_log.data_dir, workers=2, chunk_size=64)
    assert result.ok, result.failure
    assert result.leaves_checked == 302


class RecordingSource(DataDirSource):
    """The data-directory source, noting how many leaves each read asks for."""

    sizes: list[int]

    def chunks(self, size: int, sizes: Iterator[int]) -> Iterator[Chunk]:
        self.sizes = []
        for chunk in super().chunks(size, sizes):
            self.sizes.append(len(chunk.expected_ids or []))
            yield chunk


def test_the_log_is_read_in_chunks_smaller_than_the_log(small_log: VerifyLog) -> None:
    source = RecordingSource(small_log.data_dir)
    try:
        key = source.log_key()
        assert key is not None
        result = verify_source(source, key, workers=0, chunk_size=5)
    finally:
        source.close()
    assert result.ok, result.failure
    # 12 leaves, never more than 5 at a time: the verifier holds a chunk, not the log.
    assert source.sizes == [5, 5, 2]


def test_events_stored_after_the_checkpoint_are_a_note_not_a_failure(
    small_log: VerifyLog,
) -> None:
    # Copy the last stored event as a new aggregate, without sequencing it.
    small_log.sql(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
        "SELECT 'ffffffffffffffffffffffffffffffff', 1, topic, state FROM stored_events "
        "WHERE rowid = (SELECT MAX(rowid) FROM stored_events)"
    )
    result = verify_log(data_dir=small_log.data_dir, workers=0)
    assert result.ok, result.failure
    assert result.notes == ["1 events stored but not yet sequenced"]


def test_the_event_store_is_named_as_the_application_names_it() -> None:
    from ledger.application import LedgerApplication
    from ledger.verify.eventstore import APPLICATION_NAME

    assert LedgerApplication.name == APPLICATION_NAME
