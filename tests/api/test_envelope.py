"""Limits, headers and the one error shape, around every request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import access
from api.app import create_app
from api.config import ApiConfig, ApiConfigError
from tests.api.sessions import UNLIMITED
from tests.conftest import LogFixture, notice, official_key

ERROR_FIELDS = {"code", "message_vi", "message_en", "details"}


def error_of(response: object) -> tuple[int, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == ERROR_FIELDS and body["message_vi"] and body["message_en"]
    return response.status_code, body["code"]  # type: ignore[attr-defined]


@pytest.fixture
def strict(sqlite_log: LogFixture) -> Iterator[TestClient]:
    """A client of an app with small limits."""
    config = ApiConfig(anonymous_rate_per_second=1, anonymous_burst=3, request_timeout_seconds=0.5)
    with TestClient(create_app(sqlite_log.open, config=config)) as client:
        yield client


def test_bodies_over_the_limit_are_refused_before_they_are_read(api: TestClient) -> None:
    big = b'{"key_id": "' + b"a" * 20_000 + b'"}'
    response = api.post(
        "/v1/auth/challenge", content=big, headers={"content-type": "application/json"}
    )
    assert error_of(response) == (413, "body_too_large")

    # Without a declared length (chunked), the count stops the read just the same.
    def chunks() -> Iterator[bytes]:
        yield b'{"key_id": "'
        for _ in range(40):
            yield b"a" * 1000
        yield b'"}'

    response = api.post(
        "/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert error_of(response) == (413, "body_too_large")


def test_anonymous_clients_are_rate_limited_signed_statements_are_not(
    strict: TestClient, sqlite_log: LogFixture
) -> None:
    answers = [strict.get("/v1/rules").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = strict.get("/v1/log/vkey")
    assert error_of(limited) == (429, "rate_limited")
    assert int(limited.headers["retry-after"]) >= 1
    # Health probes and tiles are not limited; signed statements are not either.
    assert strict.get("/healthz").status_code == 200
    ledger = strict.app.state.ledger  # type: ignore[attr-defined]
    from tests.conftest import enrol

    official = official_key("limits")
    enrol(ledger, sqlite_log.registrar, official)
    for _ in range(5):
        assert (
            strict.post("/v1/statements", json=notice(ledger, official).envelope()).status_code
            == 201
        )
    # The allowance comes back with time.
    time.sleep(1.1)
    assert strict.get("/v1/rules").status_code == 200


def test_a_request_over_the_time_limit_answers_504(
    strict: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = strict.app

    @app.get("/v1/test-slow")  # type: ignore[attr-defined, misc]
    async def slow() -> dict[str, str]:
        import asyncio

        await asyncio.sleep(2)
        return {}

    monkeypatch.setitem(access.ACCESS, ("GET", "/v1/test-slow"), access.OPEN_UNLIMITED)
    started = time.monotonic()
    assert error_of(strict.get("/v1/test-slow")) == (504, "timeout")
    assert time.monotonic() - started < 1.5


def test_an_unexpected_error_is_logged_not_shown(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = api.app

    @app.get("/v1/test-broken")  # type: ignore[attr-defined, misc]
    def broken() -> None:
        raise ValueError("secret internals: /etc/shadow line 3")

    monkeypatch.setitem(access.ACCESS, ("GET", "/v1/test-broken"), access.OPEN_UNLIMITED)
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/v1/test-broken")
    assert error_of(response) == (500, "internal_error")
    assert "secret" not in response.text and "Traceback" not in response.text


def test_unknown_paths_and_methods_answer_in_the_error_shape(api: TestClient) -> None:
    assert error_of(api.get("/v1/nothing-here")) == (404, "not_found")
    assert error_of(api.delete("/v1/rules")) == (405, "method_not_allowed")
    assert error_of(api.get("/v1/log/entries/-1")) == (422, "invalid_request")


def test_security_headers_and_request_ids(api: TestClient) -> None:
    html = api.get("/docs")
    assert html.headers["content-type"].startswith("text/html")
    policy = html.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    for response in (html, api.get("/v1/rules")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert len(response.headers["x-request-id"]) == 32
    # A caller's plain request id is kept; anything else is replaced.
    kept = api.get("/healthz", headers={"X-Request-ID": "trace-1234-abcd"})
    assert kept.headers["x-request-id"] == "trace-1234-abcd"
    replaced = api.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"


def test_cors_is_closed_unless_origins_are_named(sqlite_log: LogFixture) -> None:
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    with TestClient(create_app(sqlite_log.open, config=UNLIMITED)) as closed:
        assert (
            "access-control-allow-origin"
            not in closed.options("/v1/rules", headers=preflight).headers
        )
        simple = closed.get("/v1/rules", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in simple.headers
    config = ApiConfig(anonymous_rate_per_second=0, cors_origins=("https://minhbach.gov.vn",))
    with TestClient(create_app(sqlite_log.open, config=config)) as opened:
        named = opened.get("/v1/rules", headers={"Origin": "https://minhbach.gov.vn"})
        assert named.headers["access-control-allow-origin"] == "https://minhbach.gov.vn"
        other = opened.get("/v1/rules", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_configuration_from_the_environment() -> None:
    config = ApiConfig.from_env(
        {"CANBO_API_ANONYMOUS_BURST": "7", "CANBO_API_CORS_ORIGINS": "https://a.vn, https://b.vn"}
    )
    assert config.anonymous_burst == 7 and config.cors_origins == ("https://a.vn", "https://b.vn")
    with pytest.raises(ApiConfigError, match="not a number"):
        ApiConfig.from_env({"CANBO_API_ANONYMOUS_BURST": "many"})
    with pytest.raises(ApiConfigError, match="named"):
        ApiConfig.from_env({"CANBO_API_CORS_ORIGINS": "*"})
