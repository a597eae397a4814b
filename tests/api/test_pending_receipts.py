"""With a separate sequencer a statement is saved at once; its receipt follows (202, then GET)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from api import sequenced
from api.app import create_app
from api.routes import statements
from api.services import migrate_read_models
from ledger.bootstrap import make_engines, make_sequencer
from ledger.sequencer_service import run_sequencer
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("pending")


def test_a_saved_statement_waits_for_the_sequencer(
    sqlite_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer_ledger = sqlite_log.open()
    enrol(writer_ledger, sqlite_log.registrar, OFFICIAL)
    writer_ledger.close()
    monkeypatch.setattr(statements, "RECEIPT_WAIT_SECONDS", 0.2)
    app = create_app(lambda: sqlite_log.open(sequence_in_process=False))
    with TestClient(app) as client:
        ledger = app.state.ledger
        response = client.post("/v1/statements", json=notice(ledger, OFFICIAL).envelope())
        assert response.status_code == 202
        body = response.json()
        assert body["status"] == "pending" and body["receipts"] == ["/v1/receipts/3"]
        assert client.get("/v1/receipts/3").status_code == 404  # not in the log yet
        # The sequencer process catches up; the receipt is then there.
        _, writer = make_engines(sqlite_log.settings)
        make_sequencer(sqlite_log.settings, writer, ledger.app.recorder).catch_up()
        writer.dispose()
        receipt = client.get("/v1/receipts/3").json()
        assert receipt["leaf_index"] == 2 and receipt["tree_size"] == 3


@pytest.mark.postgres
def test_announced_batches_answer_at_once_without_polling(
    postgres_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both fallback polls are far longer than the test: only LISTEN/NOTIFY can wake the
    sequencer (events stored) and the API (batch sequenced) in time."""
    setup = postgres_log.open()
    enrol(setup, postgres_log.registrar, OFFICIAL)
    migrate_read_models(setup.settings)  # as `canbo init` does; the API needs them
    setup.close()
    monkeypatch.setattr(sequenced, "ANNOUNCED_POLL_SECONDS", 60.0)
    monkeypatch.setattr(statements, "RECEIPT_WAIT_SECONDS", 30.0)
    app = create_app(lambda: postgres_log.open(sequence_in_process=False))
    _, writer = make_engines(postgres_log.settings)
    stop = threading.Event()
    with TestClient(app) as client:
        ledger = app.state.ledger
        sequencer = make_sequencer(postgres_log.settings, writer, ledger.app.recorder)
        thread = threading.Thread(
            target=run_sequencer, args=(sequencer, writer, stop), kwargs={"poll_interval": 60.0}
        )
        thread.start()
        try:
            for expected_leaf in (2, 3, 4):
                began = time.monotonic()
                response = client.post("/v1/statements", json=notice(ledger, OFFICIAL).envelope())
                assert response.status_code == 201, response.text
                assert time.monotonic() - began < 10
                receipt = response.json()
                assert receipt["statements"][0]["leaf_index"] == expected_leaf
                assert receipt["tree_size"] == expected_leaf + 1
        finally:
            stop.set()
            thread.join(timeout=70)
            writer.dispose()
