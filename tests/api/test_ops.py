"""/healthz, /readyz and /metrics."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.sessions import PERSONAS, bearer, login
from tests.conftest import LogFixture, notice


def metric(text: str, name: str, labels: str = "") -> float:
    pattern = rf"^{re.escape(name)}{re.escape(labels)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"{name}{labels} not in the metrics"
    return float(found.group(1))


def test_probes(api: TestClient) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz").json()
    # genesis, 10 personas, the intake key, a province and a commune
    assert ready["status"] == "ready" and ready["tree_size"] == 14


def test_metrics_count_requests_and_report_the_ledgers_progress(
    api: TestClient, sqlite_log: LogFixture
) -> None:
    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    official = next(p for p in PERSONAS if p.name == "official").key
    for _ in range(3):
        assert (
            api.post("/v1/statements", json=notice(ledger, official).envelope()).status_code == 201
        )
    api.get("/v1/log/entries/999")
    response = api.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    assert (
        metric(
            text, "canbo_http_requests_total", '{method="POST",route="/v1/statements",status="201"}'
        )
        == 3
    )
    # The route template, never the path itself, labels a request.
    assert (
        metric(
            text,
            "canbo_http_requests_total",
            '{method="GET",route="/v1/log/entries/{index}",status="404"}',
        )
        == 1
    )
    assert "/v1/log/entries/999" not in text
    assert (
        metric(
            text,
            "canbo_http_request_duration_seconds_count",
            '{method="POST",route="/v1/statements"}',
        )
        == 3
    )
    # 14 in the fixture (personas, intake key, units), then 3 notices
    assert metric(text, "canbo_ledger_events_total") == 17
    assert metric(text, "canbo_log_leaves_total") == 17
    assert metric(text, "canbo_sequencer_lag_events") == 0
    # The key registry read model catches up when read: until then it lags every event.
    assert metric(text, "canbo_projection_lag_events", '{projection="key_registry"}') == 17
    token = login(api, next(p for p in PERSONAS if p.name == "inspector_province").key)
    api.get("/v1/inspection/keys", headers=bearer(token))
    after = api.get("/metrics").text
    assert metric(after, "canbo_projection_lag_events", '{projection="key_registry"}') == 0
    assert 0 <= metric(after, "canbo_checkpoint_age_seconds") < 30
