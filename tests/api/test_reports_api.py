"""The reporting channel over HTTP and from `canbo report` against a real server."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes import reports as report_routes
from api.routes import statements as statement_routes
from tests.conftest import make_log
from tests.ledger.personnel.conftest import COMMUNE, OTHER_COMMUNE, build_province
from tests.ledger.personnel.desk import Desk
from tests.servers import ServerThread

FORM = {"category": "abuse_of_power", "unit": COMMUNE, "text": "Ép cấp dưới ký khống"}


@pytest.fixture
def desk_client(tmp_path: Path) -> Iterator[tuple[Desk, TestClient]]:
    log = make_log(tmp_path / "data", reports=True)
    app = create_app(log.open)
    with TestClient(app) as client:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        desk.enrol("CB-H1", "handler", COMMUNE)
        desk.register("CB-CLERK", "CB-H1", COMMUNE)
        yield desk, client


def test_the_form_page_is_self_contained_and_strict(desk_client: tuple[Desk, TestClient]) -> None:
    _desk, client = desk_client
    page = client.get("/report")
    assert page.status_code == 200 and "<form" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in page.text.replace("http-equiv", "")  # nothing loaded from elsewhere
    assert client.get("/report/form.js").headers["content-type"].startswith("text/javascript")


def test_file_check_reply_and_a_logged_read(desk_client: tuple[Desk, TestClient]) -> None:
    desk, client = desk_client
    filed = client.post(
        "/v1/reports",
        json={**FORM, "attachments": [{"name": "bien-ban.txt", "data": "QmnDqm4gYuG6o24="}]},
    )
    assert filed.status_code == 201 and filed.headers["cache-control"] == "no-store"
    receipt = filed.json()["receipt"]
    status = client.post("/v1/reports/status", json={"receipt": receipt})
    assert status.status_code == 200 and status.json()["status"] == "received"
    reply = client.post("/v1/reports/reply", json={"receipt": receipt, "text": "Bổ sung"})
    assert reply.status_code == 200
    report_id = desk.ledger.reports.report_of(receipt)
    desk.submit("CB-C1", "report.accept", {"report_id": report_id, "complexity": "normal"})
    desk.submit("CB-C1", "report.assign", {"report_id": report_id, "handler": "CB-H1"})
    read = desk.sign("CB-H1", "report.read", {"report_id": report_id})
    opened = client.post("/v1/reports/open", json=read.envelope())
    assert opened.status_code == 200, opened.json()
    body = opened.json()
    assert body["opened"]["content"]["text"] == FORM["text"]
    assert body["opened"]["content"]["attachments"][0]["name"] == "bien-ban.txt"
    assert body["opened"]["replies"] == [{"reply": "Bổ sung"}]
    assert body["receipt"]["statements"][0]["type"] == "report.read"
    # A statement of another kind is not an opening.
    other = desk.sign("CB-H1", "report.acknowledge", {"report_id": report_id})
    assert client.post("/v1/reports/open", json=other.envelope()).status_code == 422


def test_an_opening_is_recorded_and_answered_while_the_sequencer_lags(
    desk_client: tuple[Desk, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, client = desk_client
    receipt = client.post("/v1/reports", json=FORM).json()["receipt"]
    report_id = desk.ledger.reports.report_of(receipt)
    desk.submit("CB-C1", "report.accept", {"report_id": report_id, "complexity": "normal"})
    desk.submit("CB-C1", "report.assign", {"report_id": report_id, "handler": "CB-H1"})
    read = desk.sign("CB-H1", "report.read", {"report_id": report_id})
    monkeypatch.setattr(statement_routes, "RECEIPT_WAIT_SECONDS", 0.2)
    # An API process beside a sequencer that has not run: the read is recorded (202's links
    # to its receipt), then the content is answered.
    lagging = create_app(lambda: desk.log.open(sequence_in_process=False))
    with TestClient(lagging) as beside:
        opened = beside.post("/v1/reports/open", json=read.envelope())
    assert opened.status_code == 200, opened.json()
    body = opened.json()
    assert body["receipt"]["status"] == "pending" and body["receipt"]["receipts"]
    assert body["opened"]["content"]["text"] == FORM["text"]
    stored = desk.ledger.app.recorder.max_notification_id()
    assert body["receipt"]["notification_ids"] == [stored]  # recorded before it was answered


def test_a_wrong_code_gets_the_same_answer_and_tries_are_limited(
    desk_client: tuple[Desk, TestClient],
) -> None:
    _desk, client = desk_client
    client.post("/v1/reports", json=FORM)
    answers, times = [], []
    for code in ["0000-0000-0000-0000-0000", "nonsense", "7KQ2-M9XD-0PZ4-H3TR-W8BC"]:
        started = time.monotonic()
        response = client.post("/v1/reports/status", json={"receipt": code})
        times.append(time.monotonic() - started)
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 404
    assert min(times) >= report_routes.RECEIPT_ANSWER_SECONDS
    for _ in range(7):
        client.post("/v1/reports/status", json={"receipt": "nonsense"})
    limited = client.post("/v1/reports/status", json={"receipt": "nonsense"})
    assert limited.status_code == 429 and limited.json()["details"]["retry_after_seconds"] > 0


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({**FORM, "category": "gossip"}, "category"),
        ({**FORM, "text": ""}, "text"),
        ({**FORM, "attachments": [{"name": "a", "data": "***"}]}, "attachments[0].data"),
        ({**FORM, "surprise": 1}, None),
        ({**FORM, "unit": "QN/nowhere"}, "unit"),
    ],
)
def test_bad_reports_are_refused_with_the_field_named(
    desk_client: tuple[Desk, TestClient], form: dict[str, Any], field: str | None
) -> None:
    _desk, client = desk_client
    response = client.post("/v1/reports", json=form)
    assert response.status_code == 422
    if field is not None:
        assert response.json()["details"].get("field") == field


def test_statistics_suppress_small_commune_counts(desk_client: tuple[Desk, TestClient]) -> None:
    _desk, client = desk_client
    for _ in range(5):
        client.post("/v1/reports", json=FORM)
    client.post("/v1/reports", json={**FORM, "unit": OTHER_COMMUNE, "category": "corruption"})
    stats = client.get("/v1/reports/statistics").json()
    assert stats["total"] == 6 and stats["category"] == {"abuse_of_power": 5, "corruption": 1}
    assert stats["by_unit"][COMMUNE]["total"] == 5
    assert stats["by_unit"][OTHER_COMMUNE]["total"] is None  # 1 < 5: suppressed


def test_canbo_report_seals_on_this_machine_against_a_real_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.cli import main

    log = make_log(tmp_path / "data", reports=True)
    app = create_app(log.open)
    with ServerThread(app) as server:
        build_province(Desk(log, app.state.ledger))
        url = server.url
        text = tmp_path / "report.txt"
        text.write_text("Thu tiền trái phép khi cấp giấy", encoding="utf-8")
        evidence = tmp_path / "anh.jpg"
        evidence.write_bytes(b"\xff\xd8jpeg")
        assert (
            main(
                [
                    "report",
                    "file",
                    "--url",
                    url,
                    "--category",
                    "corruption",
                    "--unit",
                    COMMUNE,
                    "--text-file",
                    str(text),
                    "--attach",
                    str(evidence),
                    "--identity-name",
                    "Ẩn danh",
                ]
            )
            == 0
        )
        out = capsys.readouterr().out
        code = out.split("receipt code: ", 1)[1].split()[0]
        report_id = app.state.ledger.reports.report_of(code)
        opened = app.state.ledger.reports.content(report_id)["content"]
        assert opened["text"] == "Thu tiền trái phép khi cấp giấy"
        monkeypatch.setattr("sys.stdin", io.StringIO(code + "\n"))
        assert main(["report", "status", "--url", url]) == 0
        assert json.loads(capsys.readouterr().out)["status"] == "received"
        monkeypatch.setattr("sys.stdin", io.StringIO("0000-0000-0000-0000-0000\n"))
        assert main(["report", "status", "--url", url]) == 1
        assert "no report" in capsys.readouterr().err
        # A server that does not answer with report keys: a clear error, not a traceback.
        wrong = [a if a != url else url + "/elsewhere" for a in ["report", "file", "--url", url]]
        filing = [*wrong, "--category", "other", "--unit", COMMUNE, "--text-file", str(text)]
        assert main(filing) == 1
        assert capsys.readouterr().err.startswith("error: ")
