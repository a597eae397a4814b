"""With a separate sequencer a statement is saved at once; its receipt follows (202, then GET)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import statements
from ledger.bootstrap import make_engines, make_sequencer
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
