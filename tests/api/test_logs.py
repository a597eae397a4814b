"""Logs are JSON lines with request ids, and never carry contents, tokens or personal data."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from fastapi.testclient import TestClient

from api import access
from api.jsonlog import JsonFormatter
from ledger.client import make_statement
from tests.api.sessions import PERSONAS, bearer, login
from tests.conftest import LogFixture

SECRET_TITLE = "Báo cáo về việc nhận hối lộ của trưởng phòng"
SECRET_BODY = "Người báo cáo: Nguyễn Văn A, số điện thoại 0912345678"
REPORT_TEXT = "Phó chủ tịch xã nhận tiền để cấp sổ đỏ"
REPORTER = "Trần Văn Tố Giác"


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name != "httpx":  # the test client's own log of its requests, not the server's
            self.lines.append(self.format(record))


def test_logs_carry_request_ids_and_nothing_secret(
    api: TestClient, sqlite_log: LogFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    captured = Captured()
    root = logging.getLogger()
    root.addHandler(captured)
    level = root.level
    root.setLevel(logging.DEBUG)  # setLevel, not the attribute: loggers cache their levels
    try:
        secrets = _scenario(api, sqlite_log, monkeypatch)
    finally:
        root.setLevel(level)
        root.removeHandler(captured)

    entries = [json.loads(line) for line in captured.lines]  # every line is JSON
    requests = [e for e in entries if e.get("message") == "request"]
    assert len(requests) == 10
    assert all(len(e["request_id"]) == 32 for e in requests)
    assert {"method", "route", "status", "duration_ms"} <= set(requests[0])
    failure = next(e for e in entries if "exception" in e)
    assert failure["exception"]["type"] == "builtins.ValueError"
    everything = "\n".join(captured.lines)
    for secret in secrets:
        assert secret not in everything, secret
    # Nor is any raw path with an identifier in it, only route templates.
    assert "/v1/inspection/keys/{key_id}" in everything


def _scenario(api: TestClient, log: LogFixture, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    official = next(p for p in PERSONAS if p.name == "official")
    inspector = next(p for p in PERSONAS if p.name == "inspector_province")
    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    statement = make_statement(
        "notice.publish",
        {
            "notice_id": str(uuid.uuid4()),
            "unit": "VN-HN/ba-dinh",
            "title": SECRET_TITLE,
            "body": SECRET_BODY,
        },
        official.key,
        origin=ledger.origin,
        time=log.clock.now,
    )
    receipt = api.post("/v1/statements", json=statement.envelope()).json()
    api.post("/v1/statements", json=statement.envelope())  # replayed: a refusal
    token = login(api, inspector.key)
    api.get(f"/v1/inspection/keys/{official.key.key_id}", headers=bearer(token))
    api.get("/v1/auth/session", headers=bearer(token + "x"))  # a bad token, refused

    @api.app.get("/v1/test-broken")  # type: ignore[attr-defined, misc]
    def broken() -> None:
        raise ValueError(f"failed on {SECRET_BODY}")

    monkeypatch.setitem(access.ACCESS, ("GET", "/v1/test-broken"), access.OPEN_UNLIMITED)
    TestClient(api.app, raise_server_exceptions=False).get("/v1/test-broken")
    # A report: its text, the reporter's identity and the receipt code stay out of the logs.
    filed = api.post(
        "/v1/reports",
        json={
            "category": "corruption",
            "unit": "VN-HN/ba-dinh",
            "text": REPORT_TEXT,
            "identity": {"name": REPORTER, "contact": "0988777666"},
        },
    ).json()
    api.post("/v1/reports/status", json={"receipt": filed["receipt"]})
    api.post("/v1/reports/reply", json={"receipt": filed["receipt"], "text": REPORT_TEXT})
    return [
        REPORT_TEXT,
        REPORTER,
        "0988777666",
        filed["receipt"],
        SECRET_TITLE,
        SECRET_BODY,
        "0912345678",
        token,
        statement.envelope()["signature"],
        statement.statement.nonce,
        receipt["statements"][0]["entries"][0]["tlog_proof"].splitlines()[0],
        "CB-official",
        "CB-inspector_province",
        official.key.key_id,
    ]
