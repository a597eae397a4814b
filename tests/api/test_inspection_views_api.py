"""Inspection views over HTTP: a session of an inspection role, scoped to its units."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.sessions import UNLIMITED, bearer, login
from tests.conftest import enrol, make_log, official_key
from tests.ledger.personnel.conftest import COMMUNE, OTHER_COMMUNE, build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    log = make_log(tmp_path / "data")
    app = create_app(log.open, config=UNLIMITED)
    with TestClient(app) as client:
        ledger = app.state.ledger
        desk = Desk(log, ledger)
        build_province(desk)
        record_history(desk)
        tokens = {}
        for name, role, scope in [
            ("province", "inspector", "QN"),
            ("commune", "inspector", OTHER_COMMUNE),
            ("clerk", "clerk", COMMUNE),
        ]:
            key = official_key(f"inspection-views/{name}")
            enrol(ledger, log.registrar, key, role=role, unit_scope=scope, official_id=f"X-{name}")
            tokens[name] = login(client, key)
        yield client, tokens


def test_holds_with_reasons_for_the_inspector_of_the_province_only(
    api: tuple[TestClient, dict[str, str]],
) -> None:
    client, tokens = api
    anonymous = client.get("/v1/inspection/holds")
    assert anonymous.status_code == 401 and anonymous.json()["message_vi"]
    clerk = client.get("/v1/inspection/holds", headers=bearer(tokens["clerk"]))
    assert clerk.status_code == 403
    held = client.get("/v1/inspection/holds", headers=bearer(tokens["province"])).json()
    (hold,) = held["holds"]
    assert hold["decision_id"] == "QD-D1" and hold["reasons"][0]["rule_id"] == "R15"
    other = client.get("/v1/inspection/holds", headers=bearer(tokens["commune"])).json()
    assert other["holds"] == []
    # Asking about a unit outside one's scope is refused by the access table.
    outside = client.get(
        "/v1/inspection/holds", params={"unit": COMMUNE}, headers=bearer(tokens["commune"])
    )
    assert outside.status_code == 403


def test_the_other_views_answer_within_scope(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    headers = bearer(tokens["province"])
    period = {"since": "2015-01-01", "until": "2030-12-31"}
    flagged = client.get(
        "/v1/inspection/decisions", params={**period, "flagged_only": True}, headers=headers
    ).json()["decisions"]
    assert {d["id"] for d in flagged} == {"QD-2021-01", "QD-F1"}
    probations = client.get(
        "/v1/inspection/probations", params={"within_days": 365}, headers=headers
    ).json()
    assert [p["official_id"] for p in probations["probations"]] == ["CB-A"]
    rotations = client.get("/v1/inspection/rotations", headers=headers).json()["overdue"]
    assert [r["official_id"] for r in rotations] == ["CB-FIN"]
    posts = client.get("/v1/inspection/posts", headers=headers).json()
    assert [v["post_id"] for v in posts["vacancies"]] == [f"{COMMUNE}/culture"]
    assert len(client.get("/v1/inspection/tasks", headers=headers).json()["tasks"]) == 1
    assert len(client.get("/v1/inspection/initiatives", headers=headers).json()["initiatives"]) == 1
    consultations = client.get("/v1/inspection/consultations", headers=headers).json()
    assert consultations["consultations"][0]["status"] == "answered"
    compared = client.get(
        "/v1/inspection/communes", params={"province": "QN", **period}, headers=headers
    ).json()
    assert {c["unit_id"] for c in compared["communes"]} == {COMMUNE, OTHER_COMMUNE}
    chart = client.get(
        "/v1/inspection/communes/chart.svg",
        params={"province": "QN", "measure": "officials", **period},
        headers=headers,
    )
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg")
    # A commune inspector may not compare the province's communes.
    refused = client.get(
        "/v1/inspection/communes",
        params={"province": "QN", **period},
        headers=bearer(tokens["commune"]),
    )
    assert refused.status_code == 403
    bad = client.get("/v1/inspection/decisions", params={"since": "x"}, headers=headers)
    assert bad.status_code == 422
