"""Back up a live log, restore it elsewhere, and verify it against the checkpoint published
before the backup; a checkpoint published after the backup must not verify against it."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from api.cli import main as canbo
from api.services import migrate_read_models
from ledger.bootstrap import Ledger
from ops.backup import CHECKPOINT_FILE, create_backup, restore_backup
from tests.conftest import POSTGRES_ADMIN_URL, LogFixture, enrol, notice, official_key

OFFICIAL = official_key("backup")


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A second throwaway database to restore into."""
    name = f"canbo_restore_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def back_up_while_writing(log: LogFixture, ledger: Ledger, backup: Path) -> None:
    """Write from another thread while the backup runs: the copy must still be one snapshot."""
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            ledger.submit([notice(ledger, OFFICIAL) for _ in range(5)])

    writer = threading.Thread(target=write)
    writer.start()
    try:
        create_backup(log.settings.data_dir, backup)
    finally:
        stop.set()
        writer.join(timeout=30)


def check_round_trip(log: LogFixture, tmp_path: Path, database_url: str | None) -> None:
    migrate_read_models(log.settings)
    ledger = log.open()
    try:
        enrol(ledger, log.registrar, OFFICIAL)
        ledger.submit([notice(ledger, OFFICIAL) for _ in range(20)])
        published = tmp_path / "published.txt"
        published.write_text(ledger.log.require_head().checkpoint)
        back_up_while_writing(log, ledger, tmp_path / "backup")
        ledger.submit([notice(ledger, OFFICIAL) for _ in range(20)])  # after the backup
        later = tmp_path / "later.txt"
        later.write_text(ledger.log.require_head().checkpoint)
    finally:
        ledger.close()

    restored = restore_backup(tmp_path / "backup", tmp_path / "restored", database_url)
    verify = ["verify", "--data-dir", str(restored), "--workers", "0", "--quiet"]
    assert canbo([*verify, "--checkpoint", str(published)]) == 0
    assert canbo([*verify, "--checkpoint", str(tmp_path / "backup" / CHECKPOINT_FILE)]) == 0
    # The restored log ends where the backup did: it cannot prove a later checkpoint.
    assert canbo([*verify, "--checkpoint", str(later)]) == 1


def test_sqlite_backup_restores_a_log_that_verifies(sqlite_log: LogFixture, tmp_path: Path) -> None:
    check_round_trip(sqlite_log, tmp_path, None)


@pytest.mark.postgres
def test_postgres_backup_restores_a_log_that_verifies(
    postgres_log: LogFixture, empty_database: str, tmp_path: Path
) -> None:
    check_round_trip(postgres_log, tmp_path, empty_database)
