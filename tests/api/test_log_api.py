"""The log's read API: C2SP tlog-tiles paths and encodings, and the JSON proof endpoints."""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from keys.ed25519 import ED25519
from ledger.checkpoint import open_checkpoint
from ledger.merkle import leaf_hash, root_from_leaf_hashes, verify_consistency, verify_inclusion
from ledger.note import VerifierKey
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("tiles")


@pytest.fixture
def client(sqlite_log: LogFixture) -> Iterator[TestClient]:
    app = create_app(sqlite_log.open)
    with TestClient(app) as test_client:
        ledger = app.state.ledger
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        # 300 leaves: one full level-0 tile and a partial one.
        for _ in range(3):
            ledger.submit([notice(ledger, OFFICIAL) for _ in range(100)])
        yield test_client


def entries_of(bundle: bytes) -> list[bytes]:
    entries, offset = [], 0
    while offset < len(bundle):
        (length,) = struct.unpack(">H", bundle[offset : offset + 2])
        entries.append(bundle[offset + 2 : offset + 2 + length])
        offset += 2 + length
    return entries


def test_tiles_and_bundles_rebuild_the_checkpoint_root(client: TestClient) -> None:
    vkey = VerifierKey.parse(client.get("/v1/log/vkey").text.strip())
    checkpoint = open_checkpoint(client.get("/log/checkpoint").text, vkey, ED25519)
    assert checkpoint.size == 302
    full = client.get("/log/tile/entries/000")
    partial = client.get("/log/tile/entries/001.p/46")
    assert full.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert partial.headers["cache-control"] == "public, max-age=5"
    entries = entries_of(full.content) + entries_of(partial.content)
    hashes = [leaf_hash(e) for e in entries]
    assert root_from_leaf_hashes(hashes) == checkpoint.root
    tile0 = client.get("/log/tile/0/000").content + client.get("/log/tile/0/001.p/46").content
    assert tile0 == b"".join(hashes)
    level1 = client.get("/log/tile/1/000.p/1").content
    assert level1 == root_from_leaf_hashes(hashes[:256])


@pytest.mark.parametrize(
    "path",
    [
        "/log/tile/0/001",
        "/log/tile/0/001.p/47",
        "/log/tile/entries/002",
        "/log/tile/0/1",
        "/log/tile/0/000.p/256",
        "/log/tile/1/000",
        "/log/tile/x/000",
    ],
)
def test_absent_or_malformed_tiles_are_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_json_proofs_verify(client: TestClient) -> None:
    checkpoint = client.get("/v1/log/checkpoint").json()
    root = base64.b64decode(checkpoint["root"])
    proof = client.get("/v1/log/proof/inclusion", params={"index": 257, "size": 302}).json()
    entry = client.get("/v1/log/entries/257").json()
    verify_inclusion(
        base64.b64decode(entry["leaf_hash"]),
        257,
        302,
        [base64.b64decode(h) for h in proof["hashes"]],
        root,
    )
    old_root = root_from_leaf_hashes(
        [leaf_hash(e) for e in entries_of(client.get("/log/tile/entries/000.p/100").content)]
    )
    consistency = client.get("/v1/log/proof/consistency", params={"old": 100, "new": 302}).json()
    verify_consistency(
        100, 302, [base64.b64decode(h) for h in consistency["hashes"]], old_root, root
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/log/proof/inclusion?index=302&size=302", 404),
        ("/v1/log/proof/inclusion?index=0&size=303", 404),
        ("/v1/log/proof/inclusion?index=-1&size=3", 422),
        ("/v1/log/proof/consistency?old=5&new=4", 404),
        ("/v1/log/entries/302", 404),
    ],
)
def test_proof_requests_outside_the_tree(client: TestClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


def test_a_receipt_by_notification_id(client: TestClient) -> None:
    receipt = client.get("/v1/receipts/3").json()
    assert receipt["leaf_index"] == 2 and receipt["tree_size"] == 302
    missing = client.get("/v1/receipts/9999")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/receipts/99999999999999999999", 422),
        ("/v1/receipts/0", 422),
        ("/v1/log/entries/99999999999999999999", 422),
        ("/log/tile/0/" + "x001/" * 1500 + "001", 404),
    ],
)
def test_oversized_numbers_are_refused_not_500(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert "Traceback" not in response.text
