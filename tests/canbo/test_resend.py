"""A submission without an answer is sent again as the same signed bytes, never re-signed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import canbo.cli
import canbo.client
from api.app import create_app
from api.cli import main
from canbo import ApiError, LedgerClient
from tests.api.sessions import PERSONAS, UNLIMITED, enrol_personas
from tests.conftest import LogFixture

OFFICIAL = next(p for p in PERSONAS if p.name == "official").key


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(canbo.client, "RESEND_PAUSES", (0.0, 0.0))


@pytest.fixture
def app_client(sqlite_log: LogFixture) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_log.open, config=UNLIMITED)) as client:
        enrol_personas(client, sqlite_log)
        yield client


def notice() -> dict[str, str]:
    return {"notice_id": str(uuid.uuid4()), "unit": "VN-HN/ba-dinh", "title": "T", "body": "…"}


_DOWN = {"code": "database_unavailable", "message_en": "down", "message_vi": "down"}


class Flaky(httpx.BaseTransport):
    """Passes requests to the app, but loses answers as scripted: 'lost' forwards the request
    and drops the answer (a timeout after the server recorded it), 'refused' never sends it."""

    def __init__(self, app: TestClient, script: list[str]) -> None:
        self.app, self.script = app, script
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return self._forward(request)
        step = self.script.pop(0) if self.script else "pass"
        if step == "refused":
            raise httpx.ConnectError("connection refused", request=request)
        if step == "down":  # the database is down: nothing reaches it
            return httpx.Response(503, json=_DOWN)
        self.bodies.append(request.read())
        answer = self._forward(request)
        if step == "lost":
            raise httpx.ReadTimeout("no answer", request=request)
        if step == "recorded, answered 503":  # the commit's acknowledgement lost in transit
            return httpx.Response(503, json=_DOWN)
        return answer

    def _forward(self, request: httpx.Request) -> httpx.Response:
        answer = self.app.request(request.method, request.url.path, content=request.content)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)


def client_over(transport: Flaky) -> LedgerClient:
    http = httpx.Client(base_url="http://testserver", transport=transport)
    return LedgerClient("http://testserver", signer=OFFICIAL, http=http)


def entries(app: TestClient) -> int:
    size: int = app.get("/v1/log/checkpoint").json()["size"]
    return size


def test_a_lost_answer_is_resent_unchanged_and_recorded_once(app_client: TestClient) -> None:
    transport = Flaky(app_client, ["lost"])
    before = entries(app_client)
    with pytest.raises(ApiError) as recorded:
        client_over(transport).submit("notice.publish", notice())
    assert recorded.value.code == "recorded_earlier"
    assert len(transport.bodies) == 2 and transport.bodies[0] == transport.bodies[1]
    assert entries(app_client) == before + 1  # recorded by the lost attempt, once


def test_a_503_then_replayed_nonce_is_recorded_earlier(app_client: TestClient) -> None:
    transport = Flaky(app_client, ["recorded, answered 503"])
    with pytest.raises(ApiError) as recorded:
        client_over(transport).submit("notice.publish", notice())
    assert recorded.value.code == "recorded_earlier"


def test_503s_to_the_end_hand_back_the_envelopes_as_the_outcome_may_be_recorded(
    app_client: TestClient,
) -> None:
    """A 503 can hide a commit whose acknowledgement was lost: after the last try the SDK
    hands back the envelopes to send again, never a bare refusal that invites re-signing."""
    transport = Flaky(app_client, ["recorded, answered 503", "down", "down"])
    before = entries(app_client)
    with pytest.raises(ApiError) as unknown:
        client_over(transport).submit("notice.publish", notice())
    assert unknown.value.code == "outcome_unknown"
    assert len(unknown.value.details["envelopes"]) == 1
    assert entries(app_client) == before + 1  # it was recorded, by the first attempt


def test_no_connection_then_an_answer_gives_the_receipt(app_client: TestClient) -> None:
    transport = Flaky(app_client, ["refused", "refused"])
    receipt = client_over(transport).submit("notice.publish", notice())
    assert receipt["statements"][0]["signer"] == OFFICIAL.key_id


def test_no_answer_at_all_hands_back_the_envelopes_for_canbo_resend(
    app_client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    transport = Flaky(app_client, ["lost", "refused", "refused"])
    before = entries(app_client)
    with pytest.raises(ApiError) as unknown:
        client_over(transport).submit("notice.publish", notice())
    assert unknown.value.code == "outcome_unknown"
    saved = tmp_path / "unsent.json"
    saved.write_text(json.dumps(unknown.value.details), "utf-8")
    assert entries(app_client) == before + 1  # the first attempt did record it

    monkeypatch.setattr(canbo.cli, "http_client", lambda url: app_client)
    assert main(["resend", str(saved), "--url", "http://testserver"]) == 0  # recorded, once
    said = capsys.readouterr()
    assert json.loads(said.out)["status"] == "recorded_earlier" and "note:" in said.err
    assert entries(app_client) == before + 1  # still once


def test_canbo_resend_records_what_never_arrived(
    app_client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    statement = client_over(Flaky(app_client, [])).sign("notice.publish", notice())
    saved = tmp_path / "one.json"
    saved.write_text(json.dumps(statement.envelope()), "utf-8")
    monkeypatch.setattr(canbo.cli, "http_client", lambda url: app_client)
    assert main(["resend", str(saved), "--url", "http://testserver"]) == 0
    assert (
        json.loads(capsys.readouterr().out)["statements"][0]["nonce"] == statement.statement.nonce
    )
    (tmp_path / "bad.json").write_text('{"envelopes": [{"statement": 1}]}', "utf-8")
    assert main(["resend", str(tmp_path / "bad.json"), "--url", "http://testserver"]) == 2
    assert "holds no signed envelopes" in capsys.readouterr().err
