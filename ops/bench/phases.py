"""Where Ledger.submit spends its time per statement, by wrapping the ledger's parts with timers.

Wall-clock timers on a few calls per statement cost far less than a profiler's per-call hooks,
so the breakdown adds up to the measured rate instead of inflating the Python-heavy parts.
"""

from __future__ import annotations

import importlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ops.bench.ingest import BenchLog, open_bench_log, presign_notices, submit_batches

# (where, attribute, label). `where` is a dotted path from the Ledger, or "module:<name>" for a
# module-level function (patched in that module's namespace for the run, then restored). Parts
# the ledger does not have (it is being reworked) are skipped. Nested calls overlap: where the
# ledger sequences inside the event store's transaction, the save includes sequencing.
PHASES = [
    ("", "submit", "Ledger.submit (total)"),
    ("app", "submit_many", "LedgerApplication.submit_many"),
    ("app.verifier", "verify", "  Ed25519 verify"),
    ("app.repository", "get", "  Repository.get (key record)"),
    ("app.recorder", "nonce_used", "  recorder.nonce_used"),
    ("app", "save_events", "  LedgerApplication.save_events (incl. commit)"),
    ("", "sequence_now", "Ledger.sequence_now"),
    ("sequencer", "run_once", "  Sequencer.run_once"),
    ("sequencer", "sequence_within", "  Sequencer.sequence_within"),
    ("app.recorder", "select_notifications", "  recorder.select_notifications"),
    ("module:ledger.sequencer", "entry_bytes", "  entry_bytes"),
    ("module:ledger.sequencer", "_write_tiles", "  _write_tiles"),
    ("module:ledger.sequencer", "tree_root", "  tree_root"),
    ("module:ledger.sequencer", "sign_checkpoint", "  sign_checkpoint"),
    ("", "receipts", "Ledger.receipts"),
    ("log", "head", "  LogStore.head"),
    ("log", "leaf_index", "  LogStore.leaf_index"),
    ("log", "inclusion_proof", "  LogStore.inclusion_proof"),
    ("log", "leaf_hash", "  LogStore.leaf_hash"),
    ("log", "tile_hashes", "  LogStore.tile_hashes (direct calls)"),
]


class _Proxy:
    """Forwards everything to a target, with some methods replaced (for objects without dict)."""

    def __init__(self, target: Any, overrides: dict[str, Callable[..., Any]]) -> None:
        self._target = target
        self._overrides = overrides

    def __getattr__(self, name: str) -> Any:
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._target, name)


def _timed(
    totals: dict[str, float], counts: dict[str, int], label: str, fn: Callable[..., Any]
) -> Callable[..., Any]:
    clock = time.perf_counter

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[label] += clock() - start
            counts[label] += 1

    return wrapper


@contextmanager
def _instrumented(
    log: BenchLog, totals: dict[str, float], counts: dict[str, int]
) -> Iterator[None]:
    restore: list[tuple[Any, str, Any]] = []
    try:
        for where, attr, label in PHASES:
            if where.startswith("module:"):
                module = importlib.import_module(where.removeprefix("module:"))
                original = getattr(module, attr, None)
                if original is None:
                    continue
                restore.append((module, attr, original))
                setattr(module, attr, _timed(totals, counts, label, original))
                continue
            owner: Any = None
            owner_attr = ""
            target: Any = log.ledger
            for part in where.split(".") if where else []:
                owner, owner_attr, target = target, part, getattr(target, part, None)
            method = getattr(target, attr, None)
            if method is None:
                continue
            wrapped = _timed(totals, counts, label, method)
            try:
                setattr(target, attr, wrapped)
            except AttributeError:
                # The shared ED25519 verifier has no instance dict: give the app a proxy.
                setattr(owner, owner_attr, _Proxy(target, {attr: wrapped}))
        yield
    finally:
        for module, attr, original in restore:
            setattr(module, attr, original)


def ingest_phases(root: Path, count: int, batch: int = 1, warmup: int = 20) -> dict[str, float]:
    """Mean microseconds per statement in each phase of Ledger.submit, `batch` per call."""
    log = open_bench_log(root / f"phases-{batch}", f"canbo.bench/phases-{batch}")
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    try:
        submit_batches(log, presign_notices(log.official, warmup, log.ledger.origin), batch)
        statements = presign_notices(log.official, count, log.ledger.origin)
        with _instrumented(log, totals, counts):
            submit_batches(log, statements, batch)
    finally:
        log.close()
    # Only what was called: parts the current ledger has but did not use stay out of the table.
    return {label: 1e6 * totals[label] / count for _, _, label in PHASES if counts[label]}
