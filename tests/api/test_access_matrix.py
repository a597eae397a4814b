"""The authorisation matrix: every route is in the table, and every route called as every role
answers what the table says. docs/authorisation.md is the table, rendered."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.access import ACCESS, render_markdown, routes_of, rule_for
from api.auth import Public, RoleRule, SignedWrite, login_message
from ledger.client import make_statement
from ledger.registry import scope_covers
from tests.api.sessions import OWN_UNIT, PERSONAS, Persona, bearer, login
from tests.conftest import notice

DOC = Path(__file__).parents[2] / "docs" / "authorisation.md"
OFFICIAL = next(p for p in PERSONAS if p.name == "official")


@dataclass(frozen=True)
class Probe:
    """A request that succeeds (`ok`) for anyone the rule lets in; `unit`: what it is about."""

    path: str
    ok: int = 200
    params: dict[str, Any] = field(default_factory=dict)
    body: Callable[[TestClient], Any] | None = None
    unit: str | None = None
    outside: int = 403  # the answer to a session whose scope does not cover `unit`


def _statement(client: TestClient) -> Any:
    return notice(client.app.state.ledger, OFFICIAL.key).envelope()  # type: ignore[attr-defined]


def _report_read(client: TestClient) -> Any:
    ledger = client.app.state.ledger  # type: ignore[attr-defined]
    return make_statement(
        "report.read", {"report_id": "TC-none"}, OFFICIAL.key, origin=ledger.origin
    ).envelope()


def _login_body(client: TestClient) -> Any:
    key = OFFICIAL.key
    issued = client.post("/v1/auth/challenge", json={"key_id": key.key_id}).json()
    signature = key.sign(login_message(issued["origin"], issued["challenge"]))
    return {
        "key_id": key.key_id,
        "challenge": issued["challenge"],
        "signature": base64.b64encode(signature).decode(),
    }


PROBES: dict[tuple[str, str], Probe] = {
    ("POST", "/v1/statements"): Probe("/v1/statements", 201, body=_statement),
    ("POST", "/v1/statements/batch"): Probe(
        "/v1/statements/batch", 201, body=lambda c: {"statements": [_statement(c)]}
    ),
    ("GET", "/v1/receipts/{notification_id}"): Probe("/v1/receipts/1"),
    ("GET", "/log/checkpoint"): Probe("/log/checkpoint"),
    ("GET", "/log/tile/{path:path}"): Probe("/log/tile/entries/000.p/1"),
    ("GET", "/v1/log/proof/inclusion"): Probe(
        "/v1/log/proof/inclusion", params={"index": 0, "size": 1}
    ),
    ("GET", "/v1/log/proof/consistency"): Probe(
        "/v1/log/proof/consistency", params={"old": 1, "new": 1}
    ),
    ("GET", "/v1/log/entries/{index}"): Probe("/v1/log/entries/0"),
    ("GET", "/v1/log/vkey"): Probe("/v1/log/vkey"),
    ("GET", "/v1/log/checkpoint"): Probe("/v1/log/checkpoint"),
    ("GET", "/v1/rules"): Probe("/v1/rules"),
    ("POST", "/v1/auth/challenge"): Probe(
        "/v1/auth/challenge", body=lambda c: {"key_id": OFFICIAL.key.key_id}
    ),
    ("POST", "/v1/auth/login"): Probe("/v1/auth/login", body=_login_body),
    ("GET", "/v1/auth/session"): Probe("/v1/auth/session"),
    ("GET", "/v1/inspection/keys"): Probe(
        "/v1/inspection/keys", params={"unit": OWN_UNIT}, unit=OWN_UNIT
    ),
    # A key outside the caller's scope reads as missing.
    ("GET", "/v1/inspection/keys/{key_id}"): Probe(
        f"/v1/inspection/keys/{OFFICIAL.key.key_id}", unit=OWN_UNIT, outside=404
    ),
    ("GET", "/v1/statement-types"): Probe("/v1/statement-types"),
    ("GET", "/v1/records/{kind}/{record_id:path}"): Probe(f"/v1/records/unit/{OWN_UNIT}"),
    ("GET", "/v1/records/{kind}/{record_id:path}/history"): Probe(
        f"/v1/records/unit/{OWN_UNIT}/history"
    ),
    ("GET", "/v1/log/witnesses"): Probe("/v1/log/witnesses"),
    ("GET", "/report"): Probe("/report"),
    ("GET", "/report/form.js"): Probe("/report/form.js"),
    ("GET", "/v1/reports/keys"): Probe("/v1/reports/keys"),
    ("POST", "/v1/reports"): Probe(
        "/v1/reports", 201, body=lambda c: {"category": "other", "unit": OWN_UNIT, "text": "x"}
    ),
    # A code that opens nothing: the same 404 for everyone.
    ("POST", "/v1/reports/status"): Probe(
        "/v1/reports/status", 404, body=lambda c: {"receipt": "0000-0000-0000-0000-0000"}
    ),
    ("POST", "/v1/reports/reply"): Probe(
        "/v1/reports/reply", 404, body=lambda c: {"receipt": "0000", "text": "x"}
    ),
    ("GET", "/v1/reports/statistics"): Probe("/v1/reports/statistics"),
    # Signed by an official, who may not read reports: refused, whoever sends it.
    ("POST", "/v1/reports/open"): Probe("/v1/reports/open", 403, body=lambda c: _report_read(c)),
    # A decision that does not exist reads as missing for everyone allowed to ask.
    ("GET", "/v1/inspection/decisions/{decision_id:path}"): Probe(
        "/v1/inspection/decisions/QD-none", 404
    ),
    ("GET", "/v1/inspection/reports"): Probe(
        "/v1/inspection/reports", params={"unit": OWN_UNIT}, unit=OWN_UNIT
    ),
    ("GET", "/v1/inspection/rounds"): Probe(
        "/v1/inspection/rounds", params={"unit": OWN_UNIT}, unit=OWN_UNIT
    ),
    # Inspection views (read models): the whole scope, or the province's communes compared.
    **{
        ("GET", f"/v1/inspection/{view}"): Probe(f"/v1/inspection/{view}", params=params)
        for view, params in [
            ("decisions", {"since": "2020-01-01", "until": "2030-01-01"}),
            ("holds", {}),
            ("probations", {}),
            ("rotations", {}),
            ("posts", {}),
            ("tasks", {}),
            ("initiatives", {}),
            ("consultations", {}),
        ]
    },
    **{
        ("GET", f"/v1/inspection/{view}"): Probe(
            f"/v1/inspection/{view}",
            params={"province": "VN-HN", "since": "2020-01-01", "until": "2030-01-01"},
            unit="VN-HN",
        )
        for view in ("communes", "communes/chart.svg")
    },
    # Public records and the site: open to all; unknown records are 404 for everyone.
    ("GET", "/v1/public/officials"): Probe("/v1/public/officials"),
    ("GET", "/v1/public/officials/{official_id:path}"): Probe("/v1/public/officials/CB-X", 404),
    ("GET", "/v1/public/decisions"): Probe("/v1/public/decisions"),
    ("GET", "/v1/public/decisions/{decision_id:path}"): Probe("/v1/public/decisions/QD-X", 404),
    ("GET", "/v1/public/changes"): Probe("/v1/public/changes"),
    ("GET", "/v1/public/popolo.json"): Probe("/v1/public/popolo.json"),
    ("GET", "/v1/public/export/officials.ndjson"): Probe("/v1/public/export/officials.ndjson"),
    ("GET", "/v1/public/export/decisions.ndjson"): Probe("/v1/public/export/decisions.ndjson"),
    ("GET", "/v1/public/export/officials.csv"): Probe("/v1/public/export/officials.csv"),
    ("GET", "/v1/public/export/decisions.csv"): Probe("/v1/public/export/decisions.csv"),
    ("GET", "/site"): Probe("/site"),
    ("GET", "/site/"): Probe("/site/"),
    ("GET", "/site/{page:path}"): Probe("/site/en/stats.html"),
    ("GET", "/healthz"): Probe("/healthz"),
    ("GET", "/readyz"): Probe("/readyz"),
    ("GET", "/metrics"): Probe("/metrics"),
    ("GET", "/openapi.json"): Probe("/openapi.json"),
    ("GET", "/docs"): Probe("/docs"),
    ("GET", "/docs/oauth2-redirect"): Probe("/docs/oauth2-redirect"),
    ("GET", "/redoc"): Probe("/redoc"),
}


def expected(rule: Any, persona: Persona, probe: Probe) -> int:
    """What the table says this persona gets from this probe."""
    if isinstance(rule, Public | SignedWrite):
        return probe.ok
    assert isinstance(rule, RoleRule)
    if persona.role is None:
        return 401
    if persona.role not in rule.roles:
        return 403
    assert persona.unit_scope is not None
    if probe.unit is not None and not scope_covers(persona.unit_scope, probe.unit):
        return probe.outside
    return probe.ok


def test_every_route_is_in_the_table_and_every_entry_is_a_route(api: TestClient) -> None:
    served = {(method, path) for method, path, _ in routes_of(api.app)}  # type: ignore[arg-type]
    assert served - ACCESS.keys() == set(), "routes missing from api/access.py ACCESS"
    assert ACCESS.keys() - served == set(), "ACCESS lists routes the app does not serve"
    assert served - PROBES.keys() == set(), "routes without a probe in this test"


def test_every_route_as_every_role(api: TestClient) -> None:
    tokens = {p.name: login(api, p.key) for p in PERSONAS if p.role is not None}
    wrong = []
    for (method, path), probe in PROBES.items():
        rule = rule_for(method, path)
        for persona in PERSONAS:
            headers = bearer(tokens[persona.name]) if persona.role else {}
            body = probe.body(api) if probe.body else None
            response = api.request(
                method, probe.path, params=probe.params, json=body, headers=headers
            )
            want = expected(rule, persona, probe)
            if response.status_code != want:
                wrong.append(f"{method} {path} as {persona.name}: {response.status_code} != {want}")
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message_vi", "message_en", "details"}
    assert wrong == []


def test_a_route_missing_from_the_table_is_refused_not_served(api: TestClient) -> None:
    # A route added without a table entry: the enforcement fails closed.
    app = api.app

    @app.get("/v1/forgotten")  # type: ignore[attr-defined, misc]
    def forgotten() -> dict[str, str]:
        return {"secret": "should never be served"}

    response = api.get("/v1/forgotten")
    assert response.status_code == 500
    assert response.json()["code"] == "access_rule_missing"
    assert "secret" not in response.text


def test_the_documented_matrix_is_the_table(api: TestClient) -> None:
    # Regenerate with: python -m api.access > docs/authorisation.md
    assert DOC.read_text() == render_markdown(api.app)  # type: ignore[arg-type]
