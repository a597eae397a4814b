"""The verifier reads a log kept in PostgreSQL as it reads one kept in SQLite."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ledger.bootstrap import open_ledger
from ledger.datadir import init_data_dir
from ledger.verify import verify_log
from tests.ledger.verify.conftest import (
    OFFICIAL,
    ORIGIN,
    VerifyLog,
    enrol_statement,
    notice_statement,
)

pytestmark = pytest.mark.postgres


def test_a_postgres_log_verifies_and_a_deleted_event_is_found(
    tmp_path: Path, postgres_database_url: str
) -> None:
    result = init_data_dir(
        tmp_path / "pg",
        origin=ORIGIN,
        database_url=postgres_database_url,
        unencrypted_keys=True,
        enable_reports=False,
    )
    log = VerifyLog(tmp_path / "pg")
    ledger = open_ledger(result.settings, sequence_in_process=True)
    try:
        ledger.submit([enrol_statement(log.registrar, OFFICIAL)])
        ledger.submit([notice_statement(OFFICIAL) for _ in range(20)])
    finally:
        ledger.close()
    # Worker processes open the PostgreSQL event store themselves.
    clean = verify_log(data_dir=log.data_dir, workers=2, chunk_size=8)
    assert clean.ok, clean.failure
    assert clean.leaves_checked == 22
    with psycopg.connect(postgres_database_url, autocommit=True) as db:
        row = db.execute("SELECT notification_id FROM log_leaves WHERE leaf_index = 9").fetchone()
        assert row is not None
        # eventsourcing names the table after the application on PostgreSQL.
        db.execute("DELETE FROM ledger_events WHERE notification_id = %s", (row[0],))
    tampered = verify_log(data_dir=log.data_dir, workers=0)
    assert tampered.failure is not None and tampered.failure.index == 9
