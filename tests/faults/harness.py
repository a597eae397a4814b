"""The load a fault test runs, what it was told, and the checks of what the log still proves.

The load signs notices in the test process and posts them to the API over HTTP, recording
every answer. An acknowledgement (201 with a receipt, or 202 with receipt links) is a promise;
afterwards `check_promises_kept` holds the log to each of them, and `check_one_history` holds
it to every checkpoint it published meanwhile.
"""

from __future__ import annotations

import base64
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from keys.ed25519 import ED25519, Ed25519SigningKey
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.client import make_statement
from ledger.entry import parse_entry
from ledger.merkle import verify_consistency, verify_inclusion
from ledger.note import VerifierKey
from tests.conftest import ORIGIN

UNIT = "VN-HN/ba-dinh"


@dataclass
class Promise:
    """One acknowledged statement: its nonce, and its receipt or pending notification ids."""

    nonce: str
    leaf_index: int | None = None
    leaf_hash: bytes | None = None
    pending_ids: list[int] = field(default_factory=list)


@dataclass
class Outcomes:
    """Everything the API answered during a run."""

    promises: list[Promise] = field(default_factory=list)
    checkpoints: set[str] = field(default_factory=set)
    statuses: Counter[str] = field(default_factory=Counter)  # "201", "503 database_unavailable"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, prefix: str) -> int:
        """How many answers had a status (and code) starting with prefix."""
        with self.lock:
            return sum(n for status, n in self.statuses.items() if status.startswith(prefix))


class Load:
    """`workers` threads posting signed notices to `target()` until stopped."""

    def __init__(self, key: Ed25519SigningKey, target: Any, workers: int = 3) -> None:
        self.key, self.target, self.outcomes = key, target, Outcomes()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(workers)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Outcomes:
        """Stop posting; wait for the answers in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return self.outcomes

    def _run(self) -> None:
        with httpx.Client(timeout=40) as client:
            while not self._stop.is_set():
                statement = make_statement(
                    "notice.publish",
                    {"notice_id": _uuid(), "unit": UNIT, "title": "Thông báo", "body": "Nội dung"},
                    self.key,
                    origin=ORIGIN,
                )
                url = f"{self.target()}/v1/statements"
                try:
                    answer = client.post(url, json=statement.envelope())
                except httpx.HTTPError as exc:
                    # Not acknowledged: the client must retry; the log owes it nothing.
                    self._record(f"no answer {type(exc).__name__}", None)
                    time.sleep(0.05)
                    continue
                self._record_answer(statement.statement.nonce, answer)

    def _record_answer(self, nonce: str, answer: httpx.Response) -> None:
        body = answer.json()
        if answer.status_code == 201:
            (receipt,) = body["statements"]
            entry = receipt["entries"][0]
            promise = Promise(nonce, entry["leaf_index"], base64.b64decode(entry["leaf_hash"]))
            with self.outcomes.lock:
                self.outcomes.checkpoints.add(body["checkpoint"])
            self._record("201", promise)
        elif answer.status_code == 202:
            self._record("202", Promise(nonce, pending_ids=body["notification_ids"]))
        else:
            self._record(f"{answer.status_code} {body.get('code')}", None)
            time.sleep(0.05)  # as a client backs off after an error

    def _record(self, status: str, promise: Promise | None) -> None:
        with self.outcomes.lock:
            self.outcomes.statuses[status] += 1
            if promise is not None:
                self.outcomes.promises.append(promise)


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


class LogReader:
    """Reads and checks the log through the public read API of a server."""

    def __init__(self, url: str, vkey: VerifierKey) -> None:
        self.client = httpx.Client(base_url=url, timeout=15)
        self.vkey = vkey

    def close(self) -> None:
        """Close the connection."""
        self.client.close()

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON document; any status other than 200 fails the test."""
        answer = self.client.get(path, params=params)
        assert answer.status_code == 200, f"{path} {params}: {answer.status_code} {answer.text}"
        return answer.json()

    def checkpoint(self) -> tuple[str, Checkpoint]:
        """The latest checkpoint, its signature checked with the log key."""
        note: str = self.get("/v1/log/checkpoint")["checkpoint"]
        return note, self.open(note)

    def open(self, note: str) -> Checkpoint:
        """Check a checkpoint's signature and origin."""
        return open_checkpoint(note, self.vkey, ED25519, origin=ORIGIN)

    def check_included(self, index: int, expected_hash: bytes, head: Checkpoint) -> bytes:
        """Leaf `index` has expected_hash and is in the tree of head; returns the entry."""
        entry = base64.b64decode(self.get(f"/v1/log/entries/{index}")["entry"])
        proof = self.get("/v1/log/proof/inclusion", index=index, size=head.size)["hashes"]
        hashes = [base64.b64decode(h) for h in proof]
        verify_inclusion(expected_hash, index, head.size, hashes, head.root)
        return entry


def check_promises_kept(reader: LogReader, outcomes: Outcomes) -> int:
    """Every acknowledged statement is in the current tree, at its promised leaf; returns
    how many promises were checked."""
    _note, head = reader.checkpoint()
    for promise in outcomes.promises:
        if promise.leaf_index is None:  # a 202: its receipt must exist now
            (event_id,) = promise.pending_ids
            receipt = reader.get(f"/v1/receipts/{event_id}")
            promise.leaf_index = receipt["leaf_index"]
            promise.leaf_hash = base64.b64decode(receipt["leaf_hash"])
        assert promise.leaf_hash is not None
        entry = reader.check_included(promise.leaf_index, promise.leaf_hash, head)
        # The leaf holds the very statement that was acknowledged, not merely some leaf.
        assert f'"nonce":"{promise.nonce}"' in parse_entry(entry).statement_text
    return len(outcomes.promises)


def check_one_history(reader: LogReader, checkpoints: set[str]) -> int:
    """The current tree extends every checkpoint published before (consistency proofs)."""
    _note, head = reader.checkpoint()
    for note in checkpoints:
        old = reader.open(note)
        proof = reader.get("/v1/log/proof/consistency", old=old.size, new=head.size)["hashes"]
        hashes = [base64.b64decode(h) for h in proof]
        verify_consistency(old.size, head.size, hashes, old.root, head.root)
    return len(checkpoints)
