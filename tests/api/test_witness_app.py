"""The witness over HTTP: the spec's statuses and bodies, the evidence and the read endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.witness_app import create_witness_app
from keys.ed25519 import ED25519
from ledger.note import open_note
from ledger.witness.protocol import MAX_REQUEST_BYTES, format_add_checkpoint
from tests.ledger.witness.fakes import MemoryLog, fixed_key, make_witness, witness_vkey

ORIGIN = "canbo.test/commune-http"


@pytest.fixture
def log() -> MemoryLog:
    memory = MemoryLog(ORIGIN, fixed_key("http-log"))
    memory.grow(10)
    return memory


@pytest.fixture
def client(tmp_path: Path, log: MemoryLog) -> Iterator[TestClient]:
    app = create_witness_app(lambda: make_witness(tmp_path / "w", [log]))
    with TestClient(app) as test_client:
        yield test_client


def post(client: TestClient, body: bytes) -> tuple[int, str, str]:
    response = client.post("/add-checkpoint", content=body)
    return response.status_code, response.headers["content-type"], response.text


def test_a_cosignature_comes_back_and_verifies_on_the_checkpoint(
    client: TestClient, log: MemoryLog
) -> None:
    status, _, lines = post(client, log.request(0))
    assert status == 200
    assert lines.startswith("\u2014 witness.test/province ") and lines.endswith("\n")
    # As the spec suggests, a client appends the lines to the checkpoint and opens the note.
    opened = open_note(log.checkpoint() + lines, [witness_vkey(fixed_key("witness"))], ED25519)
    assert opened.names == ("witness.test/province",)


def test_each_refusal_has_the_specs_status(client: TestClient, log: MemoryLog) -> None:
    stranger = MemoryLog("canbo.test/unknown", log.key, list(log.leaves))
    impostor = MemoryLog(ORIGIN, fixed_key("impostor"), list(log.leaves))
    assert post(client, stranger.request(0))[0] == 404
    assert post(client, impostor.request(0))[0] == 403
    assert post(client, format_add_checkpoint(11, [], log.checkpoint()))[0] == 400
    assert post(client, b"old 0\n")[0] == 400
    status, content_type, text = post(client, log.request(4))
    assert (status, content_type, text) == (409, "text/x.tlog.size", "0\n")
    assert post(client, log.request(0))[0] == 200
    log.grow(3)
    bad = log.proof(10)
    bad[-1] = bytes(32)
    status, _, text = post(client, format_add_checkpoint(10, bad, log.checkpoint()))
    assert status == 422 and "does not verify" in text
    status, content_type, text = post(client, log.request(0))
    assert (status, content_type, text) == (409, "text/x.tlog.size", "10\n")


def test_an_oversized_request_is_413(client: TestClient) -> None:
    response = client.post("/add-checkpoint", content=b"x" * (MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413


def test_evidence_is_retrievable_with_both_checkpoints_and_the_proof(
    client: TestClient, log: MemoryLog
) -> None:
    assert post(client, log.request(0))[0] == 200
    fork = MemoryLog(ORIGIN, log.key, list(log.leaves[:7]))
    fork.grow(5, tag="fork ")
    status, _, _ = post(client, format_add_checkpoint(10, fork.proof(10), fork.checkpoint()))
    assert status == 422
    listing = client.get("/evidence").json()["evidence"]
    assert len(listing) == 1
    item = client.get(f"/evidence/{listing[0]['id']}").json()
    assert item == listing[0]
    assert item["kind"] == "inconsistent_proof"
    assert item["stored_checkpoint"] == log.checkpoint()
    assert item["submitted_checkpoint"] == fork.checkpoint()
    assert len(item["proof"]) == len(fork.proof(10))
    assert client.get("/evidence", params={"origin": "other"}).json() == {"evidence": []}
    assert client.get("/evidence/999").status_code == 404


def test_read_endpoints_name_the_key_and_the_sizes(client: TestClient, log: MemoryLog) -> None:
    assert client.get("/vkey").text == witness_vkey(fixed_key("witness")).format() + "\n"
    assert client.get("/logs").json()["logs"][0]["size"] == 0
    post(client, log.request(0))
    [entry] = client.get("/logs").json()["logs"]
    assert (entry["origin"], entry["size"], entry["checkpoint"]) == (ORIGIN, 10, log.checkpoint())
    assert entry["vkeys"] == [log.vkey.format()]
    assert client.get("/healthz").json() == {"status": "ok"}
