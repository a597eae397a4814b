"""The sequencer: exactly once, checkpoints always consistent, level-0 tiles stored when full."""

from __future__ import annotations

import base64
import itertools

import pytest
from sqlalchemy import func, select

from keys.ed25519 import ED25519
from ledger.checkpoint import open_checkpoint
from ledger.log_schema import log_leaves, log_tiles
from ledger.merkle import verify_consistency
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("seq")


def test_every_checkpoint_is_consistent_with_every_later_one(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    try:
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        notes = []
        for batch in (1, 3, 250, 7, 1):  # crosses the first full tile
            receipt = ledger.submit([notice(ledger, OFFICIAL) for _ in range(batch)])
            notes.append(receipt["checkpoint"])
        checkpoints = [open_checkpoint(n, ledger.verifier_key, ED25519) for n in notes]
        assert [c.size for c in checkpoints] == [3, 6, 256, 263, 264]
        for old, new in itertools.combinations(checkpoints, 2):
            proof = ledger.log.consistency_proof(old.size, new.size)
            verify_consistency(old.size, new.size, proof, old.root, new.root)
    finally:
        ledger.close()


def test_sequencing_again_adds_nothing(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    try:
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        assert ledger.sequencer is not None
        assert ledger.sequencer.catch_up() == 0
        assert ledger.log.require_head().size == 2
    finally:
        ledger.close()


def test_level0_tiles_are_stored_once_full(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    try:
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        for _ in range(3):
            ledger.submit([notice(ledger, OFFICIAL) for _ in range(100)])
        with ledger.log.engine.connect() as conn:
            tiles = conn.execute(select(log_tiles.c.level, log_tiles.c.tile_index)).all()
            leaves = conn.execute(select(func.count()).select_from(log_leaves)).scalar()
        assert sorted(tiles) == [(0, 0), (1, 0)]  # 302 leaves: one full level-0 tile
        assert leaves == 302
        # The partial right-edge tile is served from leaf rows, the same as the in-memory edge.
        assert ledger.sequencer is not None and ledger.sequencer.last is not None
        assert ledger.log.tile_hashes(0, 1) == ledger.sequencer.last.edge_tiles[(0, 1)]
    finally:
        ledger.close()


def test_a_receipt_can_be_fetched_later_by_notification_id(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    try:
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        receipt = ledger.receipt_of_event(2)
        assert receipt["leaf_index"] == 1
        assert base64.b64decode(receipt["leaf_hash"]) == ledger.log.leaf_hash(1)
    finally:
        ledger.close()


def test_leaf_hashes_sequenced_by_another_process_are_read_from_the_store(
    sqlite_log: LogFixture,
) -> None:
    first, second = sqlite_log.open(), sqlite_log.open()
    try:
        enrol(first, sqlite_log.registrar, OFFICIAL)
        receipt = second.submit([notice(second, OFFICIAL)])
        index = receipt["statements"][0]["leaf_index"]
        assert first.log.leaf_hash(index) == second.log.leaf_hash(index) != b""
    finally:
        first.close()
        second.close()


def test_a_changed_origin_or_log_key_is_refused(sqlite_log: LogFixture) -> None:
    import json

    from keys.ed25519 import Ed25519SigningKey
    from keys.keyfile import write_private_key, write_public_key
    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings, SettingsError

    data_dir = sqlite_log.settings.data_dir
    config = json.loads((data_dir / "ledger.json").read_text())
    (data_dir / "ledger.json").write_text(json.dumps({**config, "origin": "evil.example/x"}))
    with pytest.raises(SettingsError, match="origin and log key never change"):
        open_ledger(Settings.load(data_dir))
    (data_dir / "ledger.json").write_text(json.dumps(config))
    other = Ed25519SigningKey.generate()
    write_private_key(
        data_dir / "keys/log.key", other, None, allow_unencrypted=True, overwrite=True
    )
    write_public_key(data_dir / "keys/log.pub", other, "log", overwrite=True)
    with pytest.raises(SettingsError, match="origin and log key never change"):
        open_ledger(Settings.load(data_dir))


def test_an_unsequenced_log_under_another_origin_is_refused(sqlite_log: LogFixture) -> None:
    import json

    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings, SettingsError

    data_dir = sqlite_log.settings.data_dir
    # Leave the genesis stored but unsequenced, as after a crash before the first checkpoint.
    import sqlite3

    with sqlite3.connect(data_dir / "ledger.sqlite3") as db:
        db.execute("DELETE FROM log_leaves")
        db.execute("DELETE FROM log_tiles")
        db.execute("DELETE FROM log_state")
    config = json.loads((data_dir / "ledger.json").read_text())
    (data_dir / "ledger.json").write_text(json.dumps({**config, "origin": "evil.example/x"}))
    with pytest.raises(SettingsError, match="never change"):
        open_ledger(Settings.load(data_dir))
    (data_dir / "ledger.json").write_text(json.dumps(config))
    ledger = open_ledger(Settings.load(data_dir))  # the right origin re-sequences the genesis
    try:
        assert ledger.log.require_head().size == 1
    finally:
        ledger.close()
