"""The fast path for POST /v1/statements answers exactly as the routed endpoint does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import middleware
from tests.api.sessions import PERSONAS
from tests.conftest import LogFixture, notice

OFFICIAL = next(p for p in PERSONAS if p.name == "official")


def _cases(api: TestClient) -> list[tuple[str, Callable[[], Any]]]:
    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    good = notice(ledger, OFFICIAL.key)
    forged = {**notice(ledger, OFFICIAL.key).envelope(), "signature": "A" * 86 + "=="}
    return [
        ("not json", lambda: b"{nope"),
        ("wrong shape", lambda: b'{"statement": 1}'),
        ("bad signature", lambda: forged),
        ("good", lambda: good.envelope()),
        ("replayed", lambda: good.envelope()),
        ("too large", lambda: {"statement": "x" * 200_000, "signature": "AA=="}),
    ]


def _answers(api: TestClient) -> list[tuple[int, str | None]]:
    found = []
    for _name, body in _cases(api):
        made = body()
        if isinstance(made, bytes):
            response = api.post(
                "/v1/statements", content=made, headers={"content-type": "application/json"}
            )
        else:
            response = api.post("/v1/statements", json=made)
        payload = response.json()
        found.append((response.status_code, payload.get("code")))
        assert response.headers["x-request-id"] and response.headers["x-content-type-options"]
    return found


def test_the_fast_path_and_the_route_answer_alike(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _answers(api)
    monkeypatch.setattr(middleware, "is_fast", lambda scope: False)  # through the router
    routed = _answers(api)
    assert fast == routed
    assert [status for status, _ in fast] == [400, 400, 401, 201, 409, 413]


def test_with_cors_configured_submissions_carry_its_headers(sqlite_log: LogFixture) -> None:
    from dataclasses import replace

    from api.app import create_app
    from tests.api.sessions import UNLIMITED

    config = replace(UNLIMITED, cors_origins=("https://tools.example",))
    with TestClient(create_app(sqlite_log.open, config=config)) as client:
        response = client.post(
            "/v1/statements", content=b"{}", headers={"origin": "https://tools.example"}
        )
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "https://tools.example"
