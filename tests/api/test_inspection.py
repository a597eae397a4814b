"""GET /v1/inspection/keys: inspectors read the key registry of their own units only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ledger.client import make_statement
from tests.api.sessions import OWN_UNIT, PERSONAS, bearer, login
from tests.conftest import LogFixture

BY_NAME = {p.name: p for p in PERSONAS}


def keys_seen(client: TestClient, persona: str, **params: object) -> tuple[int, set[str]]:
    token = login(client, BY_NAME[persona].key)
    response = client.get("/v1/inspection/keys", params=params, headers=bearer(token))
    if response.status_code != 200:
        return response.status_code, set()
    return 200, {k["official_id"] for k in response.json()["keys"]}


def test_a_province_inspector_sees_its_communes_and_a_commune_inspector_only_its_own(
    api: TestClient,
) -> None:
    in_commune = {"CB-official", "CB-clerk", "CB-inspector_commune"}
    in_province = in_commune | {
        "CB-inspector_province",
        "CB-handler",
        "CB-protection_officer",
        "CB-committee",
        "CB-registrar_province",
    }
    # The province (VN-HN) sees itself and its communes; never HCM's keys, nor the log's
    # registrar (scope *).
    assert keys_seen(api, "inspector_province") == (200, in_province)
    assert keys_seen(api, "inspector_province", unit=OWN_UNIT) == (200, in_commune)
    # The commune inspector sees the commune only, and cannot ask about the province.
    assert keys_seen(api, "inspector_commune") == (200, in_commune)
    assert keys_seen(api, "inspector_commune", unit="VN-HN")[0] == 403
    # Another province's inspector sees its own keys, and is refused Hanoi's.
    assert keys_seen(api, "inspector_other_unit") == (
        200,
        {"CB-inspector_other_unit", "CB-committee_other_unit"},
    )
    assert keys_seen(api, "inspector_other_unit", unit=OWN_UNIT)[0] == 403
    # Asking twice, once inside and once outside the scope, is refused.
    assert keys_seen(api, "inspector_commune", unit=[OWN_UNIT, "VN-HCM"])[0] == 403


def test_unit_names_with_like_wildcards_match_only_themselves(
    api: TestClient, sqlite_log: LogFixture
) -> None:
    # "VN_HN" must not match "VN-HN" through LIKE's single-character wildcard.
    from tests.conftest import enrol, official_key

    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    enrol(ledger, sqlite_log.registrar, official_key("odd"), unit_scope="VN_HN", official_id="X")
    assert "X" not in keys_seen(api, "inspector_province")[1]


def test_pages_follow_key_order_and_end(api: TestClient) -> None:
    token = login(api, BY_NAME["inspector_province"].key)
    seen: list[str] = []
    after = None
    while True:
        params: dict[str, object] = {"limit": 3}
        if after:
            params["after"] = after
        page = api.get("/v1/inspection/keys", params=params, headers=bearer(token)).json()
        seen += [k["key_id"] for k in page["keys"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 8


def test_the_read_model_follows_revocations(api: TestClient, sqlite_log: LogFixture) -> None:
    token = login(api, BY_NAME["inspector_province"].key)
    clerk = BY_NAME["clerk"].key
    ledger = api.app.state.ledger  # type: ignore[attr-defined]
    revoke = make_statement(
        "key.revoke",
        {"key_id": clerk.key_id, "reason": "transferred"},
        sqlite_log.registrar,
        origin=ledger.origin,
        time=sqlite_log.clock.now,
    )
    assert api.post("/v1/statements", json=revoke.envelope()).status_code == 201
    page = api.get("/v1/inspection/keys", params={"unit": OWN_UNIT}, headers=bearer(token))
    clerk_row = next(k for k in page.json()["keys"] if k["key_id"] == clerk.key_id)
    assert clerk_row["revocation_reason"] == "transferred" and clerk_row["revoked_at"]
    assert page.json()["position"] == ledger.app.recorder.max_notification_id()
    # The single-key read says the same.
    one = api.get(f"/v1/inspection/keys/{clerk.key_id}", headers=bearer(token))
    assert one.json()["revocation_reason"] == "transferred"


def test_a_key_outside_the_scope_reads_as_missing(api: TestClient) -> None:
    token = login(api, BY_NAME["inspector_other_unit"].key)
    outside = BY_NAME["official"].key.key_id
    response = api.get(f"/v1/inspection/keys/{outside}", headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    never = api.get(f"/v1/inspection/keys/{'0' * 32}", headers=bearer(token))
    assert never.json()["message_en"] == response.json()["message_en"].replace(outside, "0" * 32)
