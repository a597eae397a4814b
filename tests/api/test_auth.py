"""Logging in with an enrolled key, and every way a login or a session token is refused."""

from __future__ import annotations

import base64
from datetime import timedelta

from fastapi.testclient import TestClient

from api.auth import login_message
from api.tokens import TokenMinter
from ledger.client import make_statement
from ledger.statement import signing_message
from tests.api.sessions import PERSONAS, bearer, login
from tests.conftest import LogFixture, official_key

INSPECTOR = next(p for p in PERSONAS if p.name == "inspector_province").key


def challenge(client: TestClient, key_id: str) -> dict[str, str]:
    response = client.post("/v1/auth/challenge", json={"key_id": key_id})
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body


def login_with(
    client: TestClient, key_id: str, challenge: str, signature: bytes
) -> tuple[int, str]:
    response = client.post(
        "/v1/auth/login",
        json={
            "key_id": key_id,
            "challenge": challenge,
            "signature": base64.b64encode(signature).decode(),
        },
    )
    body = response.json()
    if response.status_code != 200:
        # Every refusal is the one error shape, in both languages.
        assert set(body) == {"code", "message_vi", "message_en", "details"}
        assert body["message_vi"] and body["message_en"]
        return response.status_code, body["code"]
    return 200, "ok"


def test_a_session_says_who_is_calling_as_the_registry_does(api: TestClient) -> None:
    token = login(api, INSPECTOR)
    session = api.get("/v1/auth/session", headers=bearer(token))
    assert session.status_code == 200
    body = session.json()
    assert (body["key_id"], body["role"], body["unit_scope"], body["official_id"]) == (
        INSPECTOR.key_id,
        "inspector",
        "VN-HN",
        "CB-inspector_province",
    )


def test_the_challenge_is_bound_to_the_log_and_the_login_context(api: TestClient) -> None:
    issued = challenge(api, INSPECTOR.key_id)
    assert issued["origin"] == "canbo.test/log"
    assert issued["sign_prefix"] == "canbo-ledger/login/v1\ncanbo.test/log\n"
    # A signature over the challenge for another log, or as a statement, does not log in.
    for message in (
        login_message("canbo.test/other-log", issued["challenge"]),
        signing_message(issued["challenge"].encode(), "canbo.test/log"),
        issued["challenge"].encode(),
    ):
        assert login_with(api, INSPECTOR.key_id, issued["challenge"], INSPECTOR.sign(message)) == (
            401,
            "bad_signature",
        )


def test_each_bad_login_is_refused_with_its_code(api: TestClient, sqlite_log: LogFixture) -> None:
    origin = "canbo.test/log"
    stranger = official_key("never-enrolled")
    issued = challenge(api, stranger.key_id)["challenge"]
    signed = stranger.sign(login_message(origin, issued))
    assert login_with(api, stranger.key_id, issued, signed) == (401, "unknown_key")

    # A challenge issued for one key does not serve another.
    other = official_key("persona/official")
    issued = challenge(api, other.key_id)["challenge"]
    signed = INSPECTOR.sign(login_message(origin, issued))
    assert login_with(api, INSPECTOR.key_id, issued, signed) == (401, "invalid_challenge")

    # A made-up or altered challenge is refused.
    issued = challenge(api, INSPECTOR.key_id)["challenge"]
    forged = issued[:-2] + ("AA" if not issued.endswith("AA") else "BB")
    signed = INSPECTOR.sign(login_message(origin, forged))
    assert login_with(api, INSPECTOR.key_id, forged, signed) == (401, "invalid_challenge")

    # A challenge answers one login only.
    signed = INSPECTOR.sign(login_message(origin, issued))
    assert login_with(api, INSPECTOR.key_id, issued, signed) == (200, "ok")
    assert login_with(api, INSPECTOR.key_id, issued, signed) == (401, "invalid_challenge")

    # A challenge expires after a minute.
    issued = challenge(api, INSPECTOR.key_id)["challenge"]
    sqlite_log.clock.advance(seconds=61)
    signed = INSPECTOR.sign(login_message(origin, issued))
    assert login_with(api, INSPECTOR.key_id, issued, signed) == (401, "invalid_challenge")

    # A malformed key id or signature is a clear 4xx, not a crash.
    bad = api.post("/v1/auth/login", json={"key_id": "xyz", "challenge": "a", "signature": "b"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")
    issued = challenge(api, INSPECTOR.key_id)["challenge"]
    short = api.post(
        "/v1/auth/login",
        json={"key_id": INSPECTOR.key_id, "challenge": issued, "signature": "AAAA"},
    )
    assert (short.status_code, short.json()["code"]) == (401, "bad_signature")


def test_a_session_ends_when_it_expires(api: TestClient, sqlite_log: LogFixture) -> None:
    token = login(api, INSPECTOR)
    sqlite_log.clock.advance(seconds=899)
    assert api.get("/v1/auth/session", headers=bearer(token)).status_code == 200
    sqlite_log.clock.advance(seconds=1)
    expired = api.get("/v1/auth/session", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json()["details"] == {"reason": "expired"}
    assert expired.headers["www-authenticate"] == 'Bearer realm="canbo-ledger"'


def test_revoking_a_key_ends_its_sessions_at_once(api: TestClient, sqlite_log: LogFixture) -> None:
    token = login(api, INSPECTOR)
    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    revoke = make_statement(
        "key.revoke",
        {"key_id": INSPECTOR.key_id, "reason": "left the post"},
        sqlite_log.registrar,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    assert api.post("/v1/statements", json=revoke.envelope()).status_code == 201
    sqlite_log.clock.advance(seconds=1)
    refused = api.get("/v1/auth/session", headers=bearer(token))
    assert (refused.status_code, refused.json()["details"]["reason"]) == (401, "revoked_key")
    # Nor can it log in again.
    issued = challenge(api, INSPECTOR.key_id)["challenge"]
    signed = INSPECTOR.sign(login_message(ledger.origin, issued))
    assert login_with(api, INSPECTOR.key_id, issued, signed) == (403, "revoked_key")


def test_tokens_that_are_not_this_servers_sessions_are_refused(
    api: TestClient, sqlite_log: LogFixture
) -> None:
    now = sqlite_log.clock.now
    secret = (sqlite_log.settings.data_dir / "keys" / "session.secret").read_bytes()
    own = TokenMinter(secret, "canbo.test/log")
    later = now + timedelta(minutes=5)
    cases = [
        # Same secret, but a token for another log.
        (
            "wrong_origin",
            TokenMinter(secret, "canbo.test/other").issue(
                "session", {"kid": INSPECTOR.key_id}, later
            ),
        ),
        # Another secret.
        (
            "forged",
            TokenMinter(bytes(32), "canbo.test/log").issue(
                "session", {"kid": INSPECTOR.key_id}, later
            ),
        ),
        # A challenge is not a session.
        ("forged", own.issue("challenge", {"kid": INSPECTOR.key_id}, later)),
        ("malformed", "not-a-token"),
        ("malformed", "a.b"),
    ]
    for reason, token in cases:
        refused = api.get("/v1/auth/session", headers=bearer(token))
        assert refused.status_code == 401, reason
        assert refused.json()["details"] == {"reason": reason}

    for header in ("Basic dXNlcjpwYXNz", "Bearer ", "token"):
        refused = api.get("/v1/auth/session", headers={"Authorization": header})
        assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")
    missing = api.get("/v1/auth/session")
    assert (missing.status_code, missing.json()["code"]) == (401, "unauthenticated")


def test_the_session_secret_is_private_and_kept_across_restarts(sqlite_log: LogFixture) -> None:
    from api.app import create_app
    from tests.api.sessions import UNLIMITED, enrol_personas

    app = create_app(sqlite_log.open, config=UNLIMITED)
    with TestClient(app) as client:
        enrol_personas(client, sqlite_log)
        token = login(client, INSPECTOR)
    path = sqlite_log.settings.data_dir / "keys" / "session.secret"
    assert path.stat().st_mode & 0o077 == 0
    with TestClient(create_app(sqlite_log.open, config=UNLIMITED)) as client:
        assert client.get("/v1/auth/session", headers=bearer(token)).status_code == 200
