"""A log held in memory, signed with a fixed key, that can fork: for the witness's tests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from keys.ed25519 import Ed25519SigningKey
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.merkle import consistency_proof, leaf_hash, root_from_leaf_hashes
from ledger.note import ALG_COSIGNATURE_V1, VerifierKey
from ledger.witness.config import OverseenLog, WitnessConfig
from ledger.witness.log_config import LogWitness
from ledger.witness.protocol import format_add_checkpoint
from ledger.witness.store import WitnessStore, make_engine
from ledger.witness.witness import Witness
from tests.ledger.naive_tree import NaiveReader, complete_levels


def fixed_key(label: str) -> Ed25519SigningKey:
    """A fixed key per label."""
    return Ed25519SigningKey.from_seed(hashlib.sha256(f"witness-test/{label}".encode()).digest())


@dataclass
class MemoryLog:
    """A log's leaves and key; fork() copies it so that the copy can take another history."""

    origin: str
    key: Ed25519SigningKey
    leaves: list[bytes] = field(default_factory=list)

    @property
    def vkey(self) -> VerifierKey:
        return VerifierKey.from_public_key(self.origin, self.key.public_key)

    def append(self, *entries: bytes) -> None:
        self.leaves.extend(leaf_hash(e) for e in entries)

    def grow(self, count: int, tag: str = "") -> None:
        start = len(self.leaves)
        self.append(*(f"{tag}entry {start + i}".encode() for i in range(count)))

    def root(self, size: int | None = None) -> bytes:
        return root_from_leaf_hashes(self.leaves[: len(self.leaves) if size is None else size])

    def checkpoint(self, size: int | None = None) -> str:
        size = len(self.leaves) if size is None else size
        return sign_checkpoint(
            Checkpoint(self.origin, size, self.root(size)), self.origin, self.key
        )

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = len(self.leaves) if new is None else new
        return consistency_proof(old, new, NaiveReader(complete_levels(self.leaves[:new]), new))

    def request(self, old: int, size: int | None = None) -> bytes:
        """An add-checkpoint body from old to size (default: all leaves)."""
        size = len(self.leaves) if size is None else size
        return format_add_checkpoint(old, self.proof(old, size), self.checkpoint(size))

    def fork(self) -> MemoryLog:
        return MemoryLog(self.origin, self.key, list(self.leaves))


class StepClock:
    """POSIX seconds that move only when told to."""

    def __init__(self, now: float = 1_767_225_600.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


WITNESS_NAME = "witness.test/province"


def witness_vkey(key: Ed25519SigningKey, name: str = WITNESS_NAME) -> VerifierKey:
    return VerifierKey.from_public_key(name, key.public_key, ALG_COSIGNATURE_V1)


def make_witness(
    directory: Path,
    logs: list[MemoryLog],
    *,
    key: Ed25519SigningKey | None = None,
    name: str = WITNESS_NAME,
    clock: StepClock | None = None,
) -> Witness:
    """A witness with its store in directory, overseeing logs."""
    directory.mkdir(parents=True, exist_ok=True)
    config = WitnessConfig(
        data_dir=directory,
        name=name,
        logs=tuple(OverseenLog(log.origin, log.vkey.format()) for log in logs),
    )
    from keys.ed25519 import ED25519

    return Witness(
        name,
        key or fixed_key("witness"),
        {log.origin: [log.key] for log in config.logs},
        WitnessStore(make_engine(config.sqlalchemy_url())),
        ED25519,
        clock or StepClock(),
    )


class WitnessNetwork:
    """In-process witness servers by host name; a host marked down refuses connections."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.down: set[str] = set()
        self.requests: list[tuple[str, bytes]] = []

    def add(self, host: str, witness: Witness) -> LogWitness:
        """Serve witness at http://host; return the log's configuration entry for it."""
        from fastapi.testclient import TestClient

        from api.witness_app import create_witness_app

        client = TestClient(create_witness_app(lambda: witness, close_on_shutdown=False))
        client.__enter__()  # runs the lifespan, which opens the witness
        self.clients[host] = client
        return LogWitness(f"http://{host}", witness.verifier_key.format())

    def _handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.requests.append((host, request.content))
        if host in self.down or host not in self.clients:
            raise httpx.ConnectError(f"connection refused by {host}", request=request)
        answer = self.clients[host].post(request.url.path, content=request.content)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def http(self) -> httpx.Client:
        """An HTTP client whose requests reach these witnesses."""
        return httpx.Client(transport=httpx.MockTransport(self._handle))

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)
