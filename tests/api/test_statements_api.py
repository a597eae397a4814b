"""POST /v1/statements over HTTP: receipts, and each refusal's status and error shape."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.client import make_statement
from ledger.merkle import leaf_hash, verify_inclusion
from ledger.statement import SignedStatement
from tests.conftest import ORIGIN, LogFixture, enrol, notice, official_key

OFFICIAL = official_key("api-official")


@pytest.fixture
def client(sqlite_log: LogFixture) -> Iterator[TestClient]:
    app = create_app(sqlite_log.open)
    with TestClient(app) as test_client:
        enrol(app.state.ledger, sqlite_log.registrar, OFFICIAL)
        yield test_client


def ledger_of(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.ledger  # type: ignore[attr-defined]


def post(client: TestClient, statement: SignedStatement) -> tuple[int, dict[str, object]]:
    response = client.post("/v1/statements", json=statement.envelope())
    return response.status_code, response.json()


def test_a_receipt_proves_inclusion_against_its_checkpoint(client: TestClient) -> None:
    status, receipt = post(client, notice(ledger_of(client), OFFICIAL))
    assert status == 201
    entry = receipt["statements"][0]["entries"][0]  # type: ignore[index]
    leaf = client.get(f"/v1/log/entries/{entry['leaf_index']}").json()
    checkpoint = client.get("/v1/log/checkpoint").json()
    verify_inclusion(
        leaf_hash(base64.b64decode(leaf["entry"])),
        entry["leaf_index"],
        receipt["tree_size"],  # type: ignore[arg-type]
        [base64.b64decode(h) for h in entry["inclusion_proof"]],
        base64.b64decode(checkpoint["root"]),
    )


def refusal(client: TestClient, statement: SignedStatement) -> tuple[int, str]:
    status, body = post(client, statement)
    assert set(body) == {"code", "message_vi", "message_en", "details"}
    assert body["message_vi"] and body["message_en"]
    return status, str(body["code"])


def test_each_refusal_has_its_status(client: TestClient, sqlite_log: LogFixture) -> None:
    ledger = ledger_of(client)
    good = notice(ledger, OFFICIAL)
    assert refusal(client, SignedStatement(good.statement, good.raw, bytes(64))) == (
        401,
        "bad_signature",
    )
    assert refusal(client, notice(ledger, official_key("nobody"))) == (401, "unknown_key")
    stale = notice(ledger, OFFICIAL, time=sqlite_log.clock.now - timedelta(hours=7))
    assert refusal(client, stale) == (422, "clock_skew")
    assert refusal(client, notice(ledger, OFFICIAL, unit="VN-HCM")) == (403, "not_authorised")
    unknown = make_statement("x.y", {}, OFFICIAL, origin=ORIGIN, time=sqlite_log.clock.now)
    assert refusal(client, unknown) == (422, "unknown_statement_type")
    assert post(client, good)[0] == 201
    assert refusal(client, good) == (409, "replayed_nonce")
    duplicate_id = uuid.UUID(good.statement.payload["notice_id"])
    assert refusal(client, notice(ledger, OFFICIAL, notice_id=duplicate_id)) == (
        409,
        "version_conflict",
    )


def test_revoked_keys_get_403(client: TestClient, sqlite_log: LogFixture) -> None:
    ledger = ledger_of(client)
    revoke = make_statement(
        "key.revoke",
        {"key_id": OFFICIAL.key_id, "reason": "left the post"},
        sqlite_log.registrar,
        origin=ORIGIN,
        time=sqlite_log.clock.now,
    )
    assert post(client, revoke)[0] == 201
    sqlite_log.clock.advance(seconds=1)
    assert refusal(client, notice(ledger, OFFICIAL)) == (403, "revoked_key")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "malformed_statement"),
        (b'{"statement": "{}", "signature": ""}', 400, "malformed_statement"),
        (b"[]", 400, "malformed_statement"),
        (b'{"statement": "' + b"x" * 200_000 + b'", "signature": ""}', 413, "statement_too_large"),
    ],
)
def test_bad_bodies(client: TestClient, body: bytes, status: int, code: str) -> None:
    response = client.post("/v1/statements", content=body)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_non_canonical_statement_is_400(client: TestClient) -> None:
    envelope = notice(ledger_of(client), OFFICIAL).envelope()
    envelope["statement"] = envelope["statement"].replace(":", ": ", 1)
    response = client.post("/v1/statements", json=envelope)
    assert (response.status_code, response.json()["code"]) == (400, "non_canonical_statement")


def test_a_batch_is_saved_in_one_transaction(client: TestClient) -> None:
    ledger = ledger_of(client)
    size = ledger.log.require_head().size
    batch = [notice(ledger, OFFICIAL).envelope() for _ in range(3)]
    response = client.post("/v1/statements/batch", json={"statements": batch})
    assert response.status_code == 201
    indexes = [s["leaf_index"] for s in response.json()["statements"]]
    assert indexes == [size, size + 1, size + 2]
    bad = [notice(ledger, OFFICIAL).envelope(), {"statement": "x"}]
    response = client.post("/v1/statements/batch", json={"statements": bad})
    assert response.status_code == 400
    assert response.json()["details"]["position"] == 1
    assert ledger.log.require_head().size == size + 3


def test_errors_never_leak_a_stack_trace(client: TestClient) -> None:
    response = client.get("/v1/log/proof/inclusion", params={"index": "x", "size": 1})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    assert "Traceback" not in response.text


def test_a_database_outage_is_503_and_records_nothing(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventsourcing.persistence import OperationalError

    ledger = ledger_of(client)
    size = ledger.log.require_head().size

    def down(*_args: object, **_kwargs: object) -> object:
        raise OperationalError("connection refused")

    monkeypatch.setattr(ledger.app, "save_events", down)
    response = client.post("/v1/statements", json=notice(ledger, OFFICIAL).envelope())
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "database_unavailable" and "retry" in body["message_en"]
    assert "connection refused" not in response.text
    assert ledger.log.require_head().size == size
