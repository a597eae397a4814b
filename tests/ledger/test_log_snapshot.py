"""Receipts from one snapshot of the head equal the receipts read piece by piece."""

from __future__ import annotations

import base64

from ledger.merkle import verify_inclusion
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("snapshot")


def test_snapshot_receipts_equal_the_stored_ones(any_log: LogFixture) -> None:
    sequencing = any_log.open()
    enrol(sequencing, any_log.registrar, OFFICIAL)  # leaves 0 and 1
    reading = any_log.open(sequence_in_process=False)  # an API process beside a sequencer
    try:
        # A snapshot after each batch: the first reads the edges in full, the next ones
        # extend them by the leaves added since (across a tile boundary at 256: in full
        # again), up to 512 exactly (no level-0 edge) and past it.
        for size in (150, 1, 104, 35, 7, 213, 1, 5):
            accepted = sequencing.save([notice(sequencing, OFFICIAL) for _ in range(size)])
            ids = {e.notification_id for a in accepted for e in a.events}
            snapshot = reading.log.snapshot(ids)
            assert snapshot is not None and set(snapshot.leaves) == ids
            assert reading.receipts_from(accepted, snapshot) == sequencing.receipts(accepted)
            fresh = any_log.open(sequence_in_process=False)
            try:
                loaded = fresh.log.snapshot(set())
                assert loaded is not None and snapshot.edge_tiles == loaded.edge_tiles
            finally:
                fresh.close()

        head = reading.log.require_head()
        assert head.size == 518
        assert reading.log.snapshot(set(), after=head.position) is None  # nothing newer

        last = accepted[-1]
        snapshot = reading.log.snapshot({last.events[0].notification_id})
        assert snapshot is not None
        entry = reading.receipts_from([last], snapshot)["statements"][0]["entries"][0]
        proof = [base64.b64decode(h) for h in entry["inclusion_proof"]]
        index = entry["leaf_index"]
        verify_inclusion(reading.log.leaf_hash(index), index, head.size, proof, head.root)
    finally:
        reading.close()
        sequencing.close()
