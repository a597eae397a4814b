"""A full disk on SQLite: a clear 507 (not a 500), nothing half-written, the log verifies.

A real full disk and a database at its PRAGMA max_page_count both make SQLite answer
SQLITE_FULL at the write that needs a new page; the limit gives that portably, without root
or a small filesystem. Every connection the server opens to the log's file gets the limit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from api.services import migrate_read_models
from ledger.bootstrap import open_ledger
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("disk-full")
HEADROOM_PAGES = 6  # room for a few statements, then SQLITE_FULL


def limit_pages(monkeypatch: pytest.MonkeyPatch, database: Path, pages: int) -> None:
    """Every new connection to `database` may grow it to `pages` pages only."""
    connect = sqlite3.connect

    def limited(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        target = str(args[0] if args else kwargs.get("database", ""))
        if Path(target.removeprefix("file:").split("?")[0]).resolve() == database.resolve():
            connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(sqlite3, "connect", limited)


def page_count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        count: int = connection.execute("PRAGMA page_count").fetchone()[0]
    return count


def test_a_full_disk_is_a_507_and_the_log_still_verifies(
    sqlite_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = sqlite_log.settings
    migrate_read_models(settings)
    ledger = sqlite_log.open()
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    ledger.close()
    database = settings.sqlite_path
    limit_pages(monkeypatch, database, page_count(database) + HEADROOM_PAGES)

    app = create_app(lambda: open_ledger(settings))
    acknowledged, refusals = 0, []
    with TestClient(app) as client:
        for _ in range(200):
            answer = client.post("/v1/statements", json=notice(ledger, OFFICIAL).envelope())
            if answer.status_code == 201:
                acknowledged += 1
                assert not refusals, "a write after a refusal means the refusal was not 'full'"
            else:
                refusals.append(answer)
                if len(refusals) == 3:
                    break
        # Reads still work on a full disk.
        assert client.get("/v1/log/checkpoint").status_code == 200
    assert acknowledged >= 1, "the headroom should take a few statements"
    assert [r.status_code for r in refusals] == [507, 507, 507]
    body = refusals[0].json()
    assert body["code"] == "disk_full"
    assert "disk is full" in body["message_en"] and "ổ đĩa" in body["message_vi"]

    monkeypatch.undo()  # the operator frees space
    assert main(["verify", "--data-dir", str(settings.data_dir), "--workers", "0"]) == 0
    reopened = sqlite_log.open(clock=None)
    try:
        # Genesis and enrolment, then exactly the acknowledged statements: none half-kept.
        assert reopened.log.require_head().size == 2 + acknowledged
        reopened.submit([notice(reopened, OFFICIAL)])  # writable again once there is room
        assert reopened.log.require_head().size == 3 + acknowledged
    finally:
        reopened.close()
