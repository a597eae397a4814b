"""Inclusion-proof latency through LogStore's SQL path, over a synthetic tree of N leaves."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine

from keys.ed25519 import Ed25519SigningKey
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.log_schema import metadata
from ledger.log_store import LogStore
from ledger.log_tx import ConnectionTx, LogState
from ledger.merkle import HASH_SIZE, root_from_leaf_hashes, verify_inclusion
from ledger.tiles import TileAppender

ORIGIN = "canbo.bench/proofs"
APPEND_BATCH = 65_536


@dataclass(frozen=True)
class SyntheticTree:
    """A tree of random leaf hashes stored as tiles in a fresh SQLite database."""

    engine: Engine
    size: int
    root: bytes
    leaves: bytes  # leaf hash i is leaves[32 * i : 32 * i + 32]

    def leaf(self, index: int) -> bytes:
        """Leaf hash at index."""
        return self.leaves[HASH_SIZE * index : HASH_SIZE * (index + 1)]


def build_tree(db_path: Path, size: int, seed: int = 6962) -> SyntheticTree:
    """Write the tiles, leaves and a signed checkpoint of `size` random leaf hashes to db_path."""
    leaves = random.Random(seed).randbytes(HASH_SIZE * size)
    hashes = [leaves[i : i + HASH_SIZE] for i in range(0, len(leaves), HASH_SIZE)]
    # Checked against the plain RFC 6962 root of the leaves, so the proofs timed below come from
    # a correct tree, not merely a self-consistent one.
    root = root_from_leaf_hashes(hashes)
    signer = Ed25519SigningKey.generate()
    engine = create_engine(f"sqlite:///{db_path}")
    metadata.create_all(engine)
    appender = TileAppender(0, _no_tiles)
    # The sequencer's own write path (ConnectionTx.write), one big batch at a time, so tiles and
    # leaf rows are stored exactly as a real log of this size has them.
    for start in range(0, size, APPEND_BATCH):
        batch = hashes[start : start + APPEND_BATCH]
        changed = appender.append(batch)
        new_size = start + len(batch)
        note = sign_checkpoint(Checkpoint(ORIGIN, new_size, root), ORIGIN, signer)
        with engine.begin() as conn:
            ConnectionTx(conn, recorder=None).write(
                changed,
                [(start + i, start + i + 1, h) for i, h in enumerate(batch)],
                LogState(new_size, new_size),
                root,
                note,
                is_new=start == 0,
            )
    stored = LogStore(engine, recorder=None).require_head()
    if (stored.size, stored.root) != (size, root):
        raise RuntimeError("the stored tree head is not the one written")
    return SyntheticTree(engine, size, root, leaves)


def _no_tiles(level: int, index: int) -> bytes:
    raise LookupError("a tree built from size 0 has no tiles to load")


@dataclass(frozen=True)
class ProofResult:
    """Latencies (seconds) of inclusion proofs at one tree size, and how many were checked."""

    size: int
    latencies: list[float]
    verified: int

    def percentile_ms(self, q: float) -> float:
        """The q-th percentile (0..100) of the latencies, in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
        return 1000 * ordered[rank]


def time_proofs(
    tree: SyntheticTree, count: int, *, warmup: int = 500, check: int = 200, seed: int = 9162
) -> ProofResult:
    """Time LogStore.inclusion_proof(i, size) for random i; verify `check` of them."""
    # A fresh LogStore, as a server process has; the warm-up fills its tile cache the way a
    # running server's is, so the figures are of steady state rather than of a cold start.
    store = LogStore(tree.engine, recorder=None)
    rng = random.Random(seed)
    size = tree.size
    for _ in range(warmup):
        store.inclusion_proof(rng.randrange(size), size)
    indexes = [rng.randrange(size) for _ in range(count)]
    latencies: list[float] = []
    proofs: list[tuple[int, list[bytes]]] = []
    clock = time.perf_counter
    for index in indexes:
        start = clock()
        proof = store.inclusion_proof(index, size)
        latencies.append(clock() - start)
        proofs.append((index, proof))
    for index, proof in rng.sample(proofs, min(check, len(proofs))):
        verify_inclusion(tree.leaf(index), index, size, proof, tree.root)
    return ProofResult(size, latencies, min(check, len(proofs)))


def bench_proofs(db_path: Path, size: int, count: int) -> ProofResult:
    """Build a tree of `size` leaves and time `count` inclusion proofs against it."""
    tree = build_tree(db_path, size)
    try:
        return time_proofs(tree, count)
    finally:
        tree.engine.dispose()
