"""Personnel over HTTP: statements with personal data, rule refusals, records and history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.personnel.private import commitment_of
from tests.conftest import make_log
from tests.ledger.personnel.conftest import COMMUNE, build_province, chair_collective, decision
from tests.ledger.personnel.desk import Desk, personal_data
from tests.servers import ServerThread


@pytest.fixture
def desk_client(tmp_path: Path) -> Iterator[tuple[Desk, TestClient]]:
    log = make_log(tmp_path / "data")
    app = create_app(log.open)
    with TestClient(app) as client:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        yield desk, client


def test_personal_data_travels_beside_the_statement_and_stays_out_of_reads(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    data = personal_data("Trần Thị Mai")
    payload = {
        "official_id": "CB-NEW",
        "unit": COMMUNE,
        "title": "Công chức",
        "registered_on": desk.days(0),
        "private_sha256": commitment_of(data),
    }
    # Without the data, or with data that does not match the commitment: 422, nothing recorded.
    bare = desk.sign("CB-CLERK", "official.register", payload)
    response = client.post("/v1/statements", json=bare.envelope())
    assert response.status_code == 422 and response.json()["details"]["field"] == "private"
    tampered = desk.sign("CB-CLERK", "official.register", payload, {**data, "name": "Khác"})
    response = client.post("/v1/statements", json=tampered.envelope())
    assert response.status_code == 422 and "SHA-256" in response.json()["message_en"]
    good = desk.sign("CB-CLERK", "official.register", payload, data)
    response = client.post("/v1/statements", json=good.envelope())
    assert response.status_code == 201, response.json()
    record = client.get("/v1/records/official/CB-NEW").json()
    assert record["name"] == "Trần Thị Mai" and record["unit"] == COMMUNE
    assert "birth_date" not in str(record) and data["national_id"] not in str(record)
    # Erasure destroys the key: the name is gone, the log still verifies (see ledger tests).
    erase = desk.sign(
        "registrar", "official.erase", {"official_id": "CB-NEW", "reason": "Hết hạn lưu trữ"}
    )
    assert client.post("/v1/statements", json=erase.envelope()).status_code == 201
    record = client.get("/v1/records/official/CB-NEW").json()
    assert record["name"] is None and record["erased"] is True
    assert desk.ledger.app.vault.open("CB-NEW", commitment_of(data)) is None


def test_a_block_is_422_with_rule_ids_and_a_flag_comes_with_the_receipt(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    relative = desk.sign(
        "CB-CHAIR",
        "decision.propose",
        decision(
            "QD-1",
            "recruitment",
            "CB-B",
            desk.days(0),
            target_post=f"{COMMUNE}/finance",
            framework_version="QN-professional@1",
        ),
    )
    response = client.post("/v1/statements", json=relative.envelope())
    body = response.json()
    assert response.status_code == 422 and body["code"] == "rule_blocked"
    assert {v["rule_id"] for v in body["details"]["verdicts"]} >= {"R02"}
    assert all(v["source"] and v["message_vi"] for v in body["details"]["verdicts"])
    late = desk.sign(
        "CB-VICE",
        "decision.propose",
        decision(
            "QD-2",
            "appointment",
            "CB-CHAIR",
            "2021-01-01",
            target_post=f"{COMMUNE}/chair",
            framework_version="QN-leadership@1",
            collective=chair_collective(present=["CB-VICE", "CB-M3"], votes=2),
        ),
    )
    response = client.post("/v1/statements", json=late.envelope())
    assert response.status_code == 201
    outcome = response.json()["statements"][0]["outcome"]
    assert outcome["status"] == "proposed"
    assert [v["rule_id"] for v in outcome["verdicts"]] == ["R11"]
    clerk = desk.sign("CB-CLERK", "decision.approve", {"decision_id": "QD-2", "revision": 1})
    assert client.post("/v1/statements", json=clerk.envelope()).status_code == 403


def test_records_as_of_a_date_and_a_log_index_with_history(
    desk_client: tuple[Desk, TestClient],
) -> None:
    desk, client = desk_client
    desk.submit(
        "CB-VICE",
        "decision.propose",
        decision(
            "QD-1",
            "appointment",
            "CB-CHAIR",
            "2021-01-01",
            target_post=f"{COMMUNE}/chair",
            framework_version="QN-leadership@1",
            collective=chair_collective(present=["CB-VICE", "CB-M3"], votes=2),
        ),
    )
    before = desk.ledger.log.require_head().size - 1
    desk.submit("CB-C1", "decision.approve", {"decision_id": "QD-1", "revision": 1})
    chair = f"{COMMUNE}/chair"
    now = client.get(f"/v1/records/post/{chair}").json()
    assert now["holders"] == ["CB-CHAIR"]
    # Effective view: before the effective date nobody held it.
    assert client.get(f"/v1/records/post/{chair}?as_of=2020-12-31").json()["holders"] == []
    # Recorded view: at the log index of the proposal, the appointment had not been approved.
    then = client.get(f"/v1/records/post/{chair}?at_index={before}").json()
    assert then["holders"] == [] and then["at_log_index"] == before
    history = client.get("/v1/records/decision/QD-1/history").json()["history"]
    assert [h["type"] for h in history] == ["decision.propose", "decision.approve"]
    assert [h["outcome"]["status"] for h in history] == ["proposed", "approved"]
    assert history[1]["log_index"] == before + 1
    entry = client.get(f"/v1/log/entries/{history[1]['log_index']}")
    assert entry.status_code == 200
    unit = client.get(f"/v1/records/unit/{COMMUNE}").json()
    assert chair in unit["posts"] and unit["special_areas"] == ["mountainous"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/records/official/NO-SUCH", 404),
        ("/v1/records/review/R-1", 422),
        ("/v1/records/post/x?as_of=2026-13-01", 422),
        ("/v1/records/post/x?at_index=-1", 422),
        ("/v1/records/unit/QN?at_index=999999", 404),
    ],
)
def test_bad_reads_get_clear_errors(
    desk_client: tuple[Desk, TestClient], path: str, status: int
) -> None:
    _desk, client = desk_client
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["message_en"]


def test_canbo_records_reads_a_data_directory_and_a_server(
    desk_client: tuple[Desk, TestClient], capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from api.cli import main

    desk, _client = desk_client
    data_dir = str(desk.log.settings.data_dir)
    assert main(["records", "unit", COMMUNE, "--data-dir", data_dir]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["unit_id"] == COMMUNE and shown["level"] == "commune"
    assert main(["records", "framework", "QN-leadership", "--history", "--data-dir", data_dir]) == 0
    history = json.loads(capsys.readouterr().out)["history"]
    assert [h["type"] for h in history][-1] == "framework.publish"
    assert main(["records", "official", "NOBODY", "--data-dir", data_dir]) == 1
    assert "NOBODY" in capsys.readouterr().err


def test_canbo_records_reads_a_real_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from api.cli import main

    log = make_log(tmp_path / "data")
    app = create_app(log.open)
    with ServerThread(app) as server:
        build_province(Desk(log, app.state.ledger))
        url = server.url
        assert main(["records", "post", f"{COMMUNE}/vice", "--url", url]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert shown["key_position"] is True and shown["holders"] == []
        assert main(["records", "decision", "NONE", "--url", url]) == 1
        assert "NONE" in capsys.readouterr().err


def test_statement_types_are_served(desk_client: tuple[Desk, TestClient]) -> None:
    _desk, client = desk_client
    types = {t["type"]: t for t in client.get("/v1/statement-types").json()}
    assert {"decision.propose", "framework.publish", "consultation.answer"} <= set(types)
    assert types["decision.release"]["roles"] == ["inspector"]
