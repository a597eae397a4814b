"""Public records over HTTP: read from the read models, which follow the log in-process."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import make_log
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    log = make_log(tmp_path / "data")
    app = create_app(log.open)
    with TestClient(app) as test_client:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        record_history(desk)
        yield test_client


def test_a_write_is_readable_at_once_from_the_read_models(client: TestClient) -> None:
    record = client.get("/v1/public/officials/CB-CHAIR").json()
    assert record["person"]["name"] == "Nguyễn Văn CB-CHAIR"
    assert record["memberships"][0]["decision_id"] == "QD-2021-01"
    assert client.get("/v1/public/officials/CB-B").json()["person"]["name"] is None


def test_decision_search_filters_and_errors(client: TestClient) -> None:
    found = client.get("/v1/public/decisions", params={"flag": "R11"}).json()
    assert found["total"] == 2 and found["pages"] == 1
    assert client.get("/v1/public/decisions", params={"q": "discipline"}).json()["total"] == 1
    bad = client.get("/v1/public/decisions", params={"kind": "bribe"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    assert bad.json()["message_vi"]
    missing = client.get("/v1/public/decisions/QD-NONE")
    assert missing.status_code == 404 and missing.json()["message_vi"].startswith("không có")
    assert client.get("/v1/public/decisions/QD-D1").json()["status"] == "held"


def test_change_feed_paging_and_exports(client: TestClient) -> None:
    first = client.get("/v1/public/changes", params={"limit": 5}).json()
    rest = client.get("/v1/public/changes", params={"after": first["next_after"]}).json()
    indexes = [c["log_index"] for c in first["changes"] + rest["changes"]]
    assert indexes == sorted(indexes) and len(indexes) == len(set(indexes))
    assert client.get("/v1/public/changes", params={"limit": 0}).status_code == 422
    lines = client.get("/v1/public/export/decisions.ndjson").content.splitlines()
    assert {orjson.loads(line)["id"] for line in lines} >= {"QD-F1", "QD-D1"}
    response = client.get("/v1/public/export/officials.csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["id"] for r in rows} >= {"CB-A", "CB-CHAIR"}
    popolo = client.get("/v1/public/popolo.json").json()
    assert set(popolo) == {"persons", "organizations", "posts", "memberships", "events"}
