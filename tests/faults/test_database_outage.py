"""The database goes away mid-run and comes back: clear 503s meanwhile, recovery unattended.

The PostgreSQL server is shared with other work on this machine, so the test does not restart
it: it makes its own database refuse connections (ALLOW_CONNECTIONS false) and terminates every
connection to it, which is what the API and the sequencer see of a restart, only longer.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from tests.conftest import POSTGRES_ADMIN_URL
from tests.faults.conftest import OFFICIAL, Running, wait_until
from tests.faults.harness import Load

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
OUTAGE_SECONDS = 4.0


def cut_off(database: str, allow: bool) -> None:
    """Refuse (or allow again) new connections to database; refusing also ends the open ones."""
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )


def test_a_database_outage_gives_503_then_recovers_without_a_restart(running: Running) -> None:
    database = running.database_url.rsplit("/", 1)[1]
    with Load(OFFICIAL, lambda: running.api.url) as load:
        outcomes = load.outcomes
        wait_until(lambda: outcomes.count("201") >= 20, 20, "20 receipts before the outage")
        cut_off(database, allow=False)
        try:
            wait_until(
                lambda: outcomes.count("503 database_unavailable") >= 3,
                20,
                "503s in the outage",
                outcomes.statuses,
            )
            time.sleep(OUTAGE_SECONDS)
        finally:
            cut_off(database, allow=True)
        before = outcomes.count("201")
        wait_until(
            lambda: outcomes.count("201") >= before + 20,
            30,
            "receipts after recovery",
            outcomes.statuses,
        )
    # The sequencer lost the database and led again by itself.
    assert b"database unavailable" in running.sequencer.log_file.read_bytes()
    # Neither process needed a restart, and nothing answered with an unexplained 500.
    assert running.api.alive() and running.sequencer.alive()
    allowed = {"201", "202", "503 database_unavailable"}
    assert set(outcomes.statuses) <= allowed, outcomes.statuses
    promises, checkpoints = running.check(outcomes)
    assert promises >= 40 and checkpoints >= 2
