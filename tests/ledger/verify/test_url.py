"""Through a server's tlog-tiles read API, the verifier runs the same checks."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from keys.ed25519 import Ed25519SigningKey
from ledger.note import VerifierKey
from ledger.verify import SourceError, verify_log
from ledger.verify.runner import SERVER_KEY_WARNING
from tests.ledger.verify.conftest import ORIGIN, VerifyLog

BASE = "http://testserver"
STRANGER = Ed25519SigningKey.from_seed(bytes(32))


@pytest.fixture
def client(large_log: VerifyLog) -> Iterator[TestClient]:
    with TestClient(create_app(large_log.open)) as test_client:
        yield test_client


def vkey_of(client: TestClient) -> str:
    text: str = client.get("/v1/log/vkey").text
    return text.strip()


@pytest.mark.parametrize("workers", [0, 2])
def test_a_clean_log_verifies_through_its_server(client: TestClient, workers: int) -> None:
    # Workers get entries from the main process here: only it talks to the server.
    result = verify_log(url=BASE, http_client=client, vkey=vkey_of(client), workers=workers)
    assert result.ok, result.failure
    assert (result.size, result.leaves_checked) == (302, 302)
    assert result.warnings == []


def test_without_a_trusted_key_the_server_key_is_used_with_a_warning(
    client: TestClient,
) -> None:
    result = verify_log(url=BASE, http_client=client, workers=0)
    assert result.ok, result.failure
    assert result.warnings == [SERVER_KEY_WARNING.format(url=BASE)]


def test_a_server_signing_with_another_key_fails_against_the_trusted_key(
    client: TestClient,
) -> None:
    trusted = VerifierKey.from_public_key(ORIGIN, STRANGER.public_key).format()
    result = verify_log(url=BASE, http_client=client, vkey=trusted, workers=0)
    assert result.failure is not None and result.failure.where == "checkpoint"
    assert "no signature from a known key" in result.failure.message


def test_a_malformed_trusted_key_is_a_source_error(client: TestClient) -> None:
    with pytest.raises(SourceError, match="the log verifier key is not valid"):
        verify_log(url=BASE, http_client=client, vkey="not a key", workers=0)


def tampering(client: TestClient, path: str, change: bytes) -> httpx.Client:
    """A client to the same server, whose response to `path` has one byte changed."""

    def handle(request: httpx.Request) -> httpx.Response:
        response = client.get(request.url.path)
        body = response.content
        if request.url.path == path:
            at = body.index(change)
            body = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
        return httpx.Response(response.status_code, content=body)

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_a_changed_served_entry_is_found_at_its_leaf(client: TestClient) -> None:
    # The first bundle's leaves 0..255; change a byte inside leaf 0's recording time.
    evil = tampering(client, "/log/tile/entries/000", b"+00:00")
    result = verify_log(url=BASE, http_client=evil, vkey=vkey_of(client), workers=0)
    assert result.failure is not None and result.failure.index == 0
    assert "the entry hashes to" in result.failure.message


def test_a_missing_bundle_is_a_failure_at_its_first_leaf(client: TestClient) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/log/tile/entries/001"):
            return httpx.Response(404)
        response = client.get(request.url.path)
        return httpx.Response(response.status_code, content=response.content)

    partial = httpx.Client(transport=httpx.MockTransport(handle))
    result = verify_log(url=BASE, http_client=partial, vkey=vkey_of(client), workers=0)
    assert result.failure is not None and result.failure.index == 256
    assert "entry bundle tile/entries/001.p/46" in result.failure.message


def test_an_unreachable_server_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="cannot reach"):
        trusted = VerifierKey.from_public_key(ORIGIN, STRANGER.public_key).format()
        verify_log(url="http://127.0.0.1:9", vkey=trusted, workers=0)
