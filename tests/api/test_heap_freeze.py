"""A server process moves its start-up heap out of the garbage collector's reach."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import LogFixture


def test_a_server_freezes_its_heap_once_started(sqlite_log: LogFixture) -> None:
    gc.unfreeze()
    app = create_app(sqlite_log.open, freeze_heap=True)
    try:
        with TestClient(app) as client:
            assert gc.get_freeze_count() > 10_000  # modules and the opened log, at least
            assert client.get("/readyz").status_code == 200
    finally:
        gc.unfreeze()  # other tests' garbage must stay collectable


def test_an_app_built_by_a_test_does_not(sqlite_log: LogFixture) -> None:
    gc.unfreeze()
    with TestClient(create_app(sqlite_log.open)):
        assert gc.get_freeze_count() == 0
