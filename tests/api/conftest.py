"""Fixtures of the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.sessions import UNLIMITED, enrol_personas
from tests.conftest import LogFixture


@pytest.fixture
def api(sqlite_log: LogFixture) -> Iterator[TestClient]:
    """A client of a fresh log where every persona is enrolled."""
    app = create_app(sqlite_log.open, config=UNLIMITED)
    with TestClient(app) as client:
        enrol_personas(client, sqlite_log)
        yield client
