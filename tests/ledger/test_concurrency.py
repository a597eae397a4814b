"""Eight writers race on one aggregate: one wins per version, leaf indexes stay dense."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.domain.notices import notice_aggregate_id
from ledger.errors import VersionConflict
from ledger.log_schema import log_leaves
from tests.conftest import ORIGIN, LogFixture, enrol, notice, official_key

WRITERS = 8
OFFICIAL = official_key("racer")


def race(
    ledgers: list[Ledger], fixture: LogFixture, notice_id: uuid.UUID, version: int
) -> list[str]:
    """Each writer amends the notice expecting `version`; returns each writer's outcome."""
    barrier = threading.Barrier(len(ledgers))
    outcomes = ["" for _ in ledgers]
    statements = [
        make_statement(
            "notice.amend",
            {"notice_id": str(notice_id), "expected_version": version, "title": f"by writer {n}"},
            OFFICIAL,
            origin=ORIGIN,
            time=fixture.clock.now,
        )
        for n in range(len(ledgers))
    ]

    def write(n: int) -> None:
        barrier.wait()
        try:
            ledgers[n].submit([statements[n]])
            outcomes[n] = "won"
        except VersionConflict:
            outcomes[n] = "conflict"

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(ledgers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_eight_writers_one_winner_per_version(any_log: LogFixture) -> None:
    # Separate Ledger objects, as separate API processes would have (no shared cache or lock).
    ledgers = [any_log.open() for _ in range(WRITERS)]
    try:
        enrol(ledgers[0], any_log.registrar, OFFICIAL)
        notice_id = uuid.uuid4()
        ledgers[0].submit([notice(ledgers[0], OFFICIAL, notice_id=notice_id)])
        for version in (1, 2, 3):
            outcomes = race(ledgers, any_log, notice_id, version)
            assert outcomes.count("won") == 1, outcomes
            assert outcomes.count("conflict") == WRITERS - 1, outcomes
        final = ledgers[0].app.repository.get(notice_aggregate_id(notice_id))
        assert final.version == 4
        for ledger in ledgers:
            ledger.sequence_now()
        with ledgers[0].log.engine.connect() as conn:
            rows = conn.execute(
                select(log_leaves.c.leaf_index, log_leaves.c.notification_id).order_by(
                    log_leaves.c.leaf_index
                )
            ).all()
        indexes = [r.leaf_index for r in rows]
        assert indexes == list(range(len(rows)))  # dense, no duplicate
        ids = [r.notification_id for r in rows]
        assert ids == sorted(set(ids))  # notification order, each event once
        assert ledgers[0].log.require_head().size == len(rows) == 6
    finally:
        for ledger in ledgers:
            ledger.close()


@pytest.mark.postgres
def test_postgres_conflict_is_reported_as_409_material(postgres_log: LogFixture) -> None:
    ledger = postgres_log.open()
    try:
        enrol(ledger, postgres_log.registrar, OFFICIAL)
        notice_id = uuid.uuid4()
        ledger.submit([notice(ledger, OFFICIAL, notice_id=notice_id)])
        with pytest.raises(VersionConflict):
            ledger.submit([notice(ledger, OFFICIAL, notice_id=notice_id)])
    finally:
        ledger.close()
