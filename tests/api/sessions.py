"""Test officials of every role, enrolled in one log, and logging in as them over HTTP."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from fastapi.testclient import TestClient

from api.auth import login_message
from api.config import ApiConfig
from keys.ed25519 import Ed25519SigningKey
from tests.conftest import LogFixture, enrol, official_key

OWN_UNIT = "VN-HN/ba-dinh"  # the commune the probes ask about
OTHER_UNIT = "VN-HCM/ben-thanh"


@dataclass(frozen=True)
class Persona:
    """Someone calling the API: a role and unit scope (no key: anonymous)."""

    name: str
    role: str | None
    unit_scope: str | None

    @property
    def key(self) -> Ed25519SigningKey:
        return official_key(f"persona/{self.name}")


ANONYMOUS = Persona("anonymous", None, None)
PERSONAS = [
    ANONYMOUS,
    Persona("official", "official", OWN_UNIT),
    Persona("clerk", "clerk", OWN_UNIT),
    Persona("inspector_province", "inspector", "VN-HN"),
    Persona("inspector_commune", "inspector", OWN_UNIT),
    Persona("inspector_other_unit", "inspector", "VN-HCM"),
    Persona("handler", "handler", "VN-HN"),
    Persona("protection_officer", "protection_officer", "VN-HN"),
    Persona("committee", "committee", "VN-HN"),
    Persona("committee_other_unit", "committee", "VN-HCM"),
    Persona("registrar_province", "registrar", "VN-HN"),
]
# No per-client limit in these tests unless a test sets one.
UNLIMITED = ApiConfig(anonymous_rate_per_second=0, receipt_tries=0, report_filings_per_hour=0)


def enrol_personas(client: TestClient, log: LogFixture) -> None:
    """Enrol every persona's key with its role and scope."""
    ledger = client.app.state.ledger  # type: ignore[attr-defined]
    for persona in PERSONAS:
        if persona.role is not None:
            enrol(
                ledger,
                log.registrar,
                persona.key,
                role=persona.role,
                unit_scope=persona.unit_scope,
                official_id=f"CB-{persona.name}",
            )


def login(client: TestClient, key: Ed25519SigningKey) -> str:
    """Log in over HTTP with key; the session token."""
    issued = client.post("/v1/auth/challenge", json={"key_id": key.key_id})
    assert issued.status_code == 200, issued.text
    body = issued.json()
    signature = key.sign(login_message(body["origin"], body["challenge"]))
    answer = client.post(
        "/v1/auth/login",
        json={
            "key_id": key.key_id,
            "challenge": body["challenge"],
            "signature": base64.b64encode(signature).decode(),
        },
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
