"""Fixtures of the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.client import make_statement
from ledger.datadir import enable_report_intake
from tests.api.sessions import OWN_UNIT, UNLIMITED, enrol_personas
from tests.conftest import LogFixture


@pytest.fixture
def api(sqlite_log: LogFixture) -> Iterator[TestClient]:
    """A client of a fresh log where every persona is enrolled."""
    app = create_app(sqlite_log.open, config=UNLIMITED)
    with TestClient(app) as client:
        enrol_personas(client, sqlite_log)
        seed_units(client, sqlite_log)
        yield client


def seed_units(client: TestClient, log: LogFixture) -> None:
    """The personas' province and commune, and the reporting channel's intake key."""
    ledger = client.app.state.ledger  # type: ignore[attr-defined]
    enable_report_intake(ledger, log.registrar, log.clock())
    for unit, level, parent in [("VN-HN", "province", None), (OWN_UNIT, "commune", "VN-HN")]:
        payload = {"unit_id": unit, "name": unit, "level": level, "established_on": "2025-07-01"}
        if parent:
            payload["parent"] = parent
        ledger.submit(
            [
                make_statement(
                    "unit.establish", payload, log.registrar, origin=ledger.origin, time=log.clock()
                )
            ]
        )
