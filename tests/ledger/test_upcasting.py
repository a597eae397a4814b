"""Schema evolution: an event stored in an old shape is read in the new one (eventsourcing's
class_version / upcast_vX_vY), while its log leaf, the stored bytes, never changes.

The test plays the next release: it gives Notice.Published a version 2 that adds a field, then
reads a notice stored by this release. See ops/deploy/README.md ("Evolving an event").
"""

from __future__ import annotations

from typing import Any

import pytest

from api.cli import main as canbo
from ledger.domain.notices import Notice
from ledger.entry import entry_bytes
from ledger.merkle import leaf_hash
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("upcasting")


def upcast_v1_v2(state: dict[str, Any]) -> None:
    # Version 2 records the notice's language; every version-1 notice was Vietnamese.
    state["language"] = "vi"


def test_an_old_event_reads_in_the_new_shape_and_its_leaf_still_verifies(
    sqlite_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = sqlite_log.open()
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    receipt = ledger.submit([notice(ledger, OFFICIAL)])
    index = receipt["statements"][0]["leaf_index"]
    leaf_before = ledger.log.entries(index, 1)[0]
    ledger.close()

    monkeypatch.setattr(Notice.Published, "class_version", 2, raising=False)
    monkeypatch.setattr(Notice.Published, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False)
    ledger = sqlite_log.open()
    try:
        (stored,) = ledger.app.recorder.select_notifications(start=index + 1, limit=1)
        assert b"language" not in stored.state  # stored in the old shape, and left so
        event = ledger.app.mapper.to_domain_event(stored)
        assert isinstance(event, Notice.Published) and event.language == "vi"  # type: ignore[attr-defined]

        # The leaf is the stored bytes, not the upcast event: it is what was signed into the tree.
        entry = entry_bytes(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )
        assert entry == leaf_before == ledger.log.entries(index, 1)[0]
        assert ledger.log.leaf_hash(index) == leaf_hash(entry)

        # New events are stored in the new shape (class_version 2), and all of it verifies.
        new = ledger.submit([notice(ledger, OFFICIAL)])["statements"][0]["leaf_index"]
        assert b'"class_version":2' in ledger.log.entries(new, 1)[0]
    finally:
        ledger.close()
    assert canbo(["verify", "--data-dir", str(sqlite_log.settings.data_dir), "--workers", "0"]) == 0
