"""The verification run: one pass over the log, workers for signatures, checks in order."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from keys.ed25519 import ED25519
from ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from ledger.note import NoteError, VerifierKey, VerifierKeyError
from ledger.settings import Settings, SettingsError
from ledger.statement import signing_prefix
from ledger.verify.checks import StatementCheck
from ledger.verify.eventstore import EventStoreError
from ledger.verify.facts import LeafFacts
from ledger.verify.report import Failure, VerifyResult, b64, leaf_failure
from ledger.verify.sources import Chunk, LogSource, SourceError, ids_failure
from ledger.verify.tree import TreeCheck
from ledger.verify.workers import FactPipeline, Task, WorkerError
from ledger.witness.policy import NotEnoughCosignatures, WitnessPolicy

if TYPE_CHECKING:
    import httpx

Progress = Callable[[int, int], None]

DEFAULT_CHUNK_SIZE = 1024
DEFAULT_WORKERS = 2
DEFAULT_NONCE_WINDOW = timedelta(hours=1)
SERVER_KEY_WARNING = (
    "WARNING: the log key was taken from the server itself ({url}/v1/log/vkey): this shows "
    "only that the log agrees with itself; pass --vkey or --vkey-file with a key obtained "
    "independently to check it is the log you trust"
)


def verify_log(
    *,
    data_dir: Path | None = None,
    url: str | None = None,
    vkey: str | VerifierKey | None = None,
    earlier_checkpoint: str | None = None,
    workers: int = DEFAULT_WORKERS,
    nonce_window: timedelta = DEFAULT_NONCE_WINDOW,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    http_client: httpx.Client | None = None,
    witness_policy: WitnessPolicy | None = None,
) -> VerifyResult:
    """Verify a whole log from a data directory or a server URL; SourceError if unreadable.

    With a witness policy the checkpoint must carry k of its n cosignatures; from a data
    directory, the checkpoint verified is then the log's published (cosigned) one.
    """
    if (data_dir is None) == (url is None):
        raise SourceError("give exactly one of a data directory or a server URL")
    trusted = _parse_vkey(vkey) if vkey is not None else None
    settings = _settings(data_dir) if data_dir is not None else None
    warnings: list[str] = []
    with contextlib.ExitStack() as stack:
        # Workers start first: the forkserver's start-up overlaps opening the source.
        pipeline = FactPipeline(workers, settings)
        stack.callback(pipeline.close)
        source: LogSource
        # Each source's driver (SQLAlchemy, httpx) is imported only when used.
        if data_dir is not None:
            from ledger.verify.datadir import DataDirSource

            source = DataDirSource(
                data_dir, witnessed=witness_policy.witnesses if witness_policy else None
            )
            stack.callback(source.close)
        else:
            from ledger.verify.http import HttpSource

            assert url is not None
            http = HttpSource(url, http_client)
            source = http
            stack.callback(http.close)
            if trusted is None:
                trusted = http.server_vkey()
                warnings.append(SERVER_KEY_WARNING.format(url=http.url))
        key = trusted or source.log_key()
        assert key is not None, "a data directory always has keys/log.pub"
        result = verify_source(
            source,
            key,
            earlier_checkpoint=earlier_checkpoint,
            nonce_window=nonce_window,
            chunk_size=chunk_size,
            progress=progress,
            pipeline=pipeline,
            witness_policy=witness_policy,
        )
    result.warnings[:0] = warnings
    return result


def _settings(data_dir: Path) -> Settings:
    try:
        return Settings.load(data_dir)
    except SettingsError as exc:
        raise SourceError(str(exc)) from None


def _parse_vkey(vkey: str | VerifierKey) -> VerifierKey:
    if isinstance(vkey, VerifierKey):
        return vkey
    try:
        return VerifierKey.parse(vkey.strip())
    except VerifierKeyError as exc:
        raise SourceError(f"the log verifier key is not valid: {exc}") from None


def verify_source(
    source: LogSource,
    log_key: VerifierKey,
    *,
    earlier_checkpoint: str | None = None,
    workers: int = DEFAULT_WORKERS,
    nonce_window: timedelta = DEFAULT_NONCE_WINDOW,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
    pipeline: FactPipeline | None = None,
    witness_policy: WitnessPolicy | None = None,
) -> VerifyResult:
    """Verify the log behind source, trusting log_key (its name is the log's origin).

    Signatures are checked by `workers` processes, or by `pipeline` if given (the caller then
    closes it).
    """
    if chunk_size < 1:
        raise SourceError(f"chunk size must be at least 1, got {chunk_size}")
    started = time.monotonic()
    result = VerifyResult()
    head = source.head()
    cp, failure = _open("checkpoint", head.note, log_key)
    if failure is None and witness_policy is not None:
        failure = _check_cosignatures(head.note, witness_policy, result)
    earlier: Checkpoint | None = None
    if failure is None and earlier_checkpoint is not None:
        earlier, failure = _open("earlier checkpoint", earlier_checkpoint, log_key)
    if failure is None:
        assert cp is not None
        result.size = cp.size
        failure = _check_head(cp, earlier, head.size, head.root)
    if failure is not None or cp is None:
        result.failure = failure
        return result
    tree = TreeCheck(cp.size, source.tile, earlier)
    statements = StatementCheck(log_key.public_key, nonce_window)
    own = pipeline is None
    if pipeline is None:
        pipeline = FactPipeline(workers, source.event_store)
    try:
        sizes = _chunk_sizes(chunk_size, pipeline.workers, cp.size)
        prefix = signing_prefix(cp.origin)  # statements are signed for this log only
        result.failure = (
            _stream(source, cp.size, sizes, pipeline, tree, statements, progress, prefix)
            or statements.finish_statement()
        )
    except (EventStoreError, WorkerError) as exc:
        raise SourceError(str(exc)) from None
    finally:
        if own:
            pipeline.close()
    if result.failure is None:
        result.root = tree.root()
        result.failure = tree.check_final(cp)
    if result.failure is None:
        notes, result.failure = source.finish(cp)
        result.notes.extend(notes)
    result.leaves_checked = tree.leaves
    if result.failure is not None and result.failure.index is not None:
        result.leaves_checked = min(tree.leaves, result.failure.index)
    result.seconds = time.monotonic() - started
    return result


def _open(what: str, note: str, key: VerifierKey) -> tuple[Checkpoint | None, Failure | None]:
    try:
        return open_checkpoint(note, key, ED25519, origin=key.name), None
    except (NoteError, CheckpointError, ValueError) as exc:
        return None, Failure(what, f"not a checkpoint signed by {key.format()}: {exc}")


def _check_cosignatures(note: str, policy: WitnessPolicy, result: VerifyResult) -> Failure | None:
    try:
        names = policy.check(note, ED25519)
    except NotEnoughCosignatures as exc:
        return Failure("checkpoint", f"not trusted under the witness policy: {exc}")
    result.notes.append(
        f"checkpoint cosigned by {len(names)} of {len(policy.witnesses)} trusted witnesses "
        f"({', '.join(names)}; {policy.threshold} required)"
    )
    return None


def _check_head(
    cp: Checkpoint, earlier: Checkpoint | None, size: int | None, root: bytes | None
) -> Failure | None:
    if size is not None and (size != cp.size or root != cp.root):
        return Failure(
            "checkpoint",
            f"log_state says size {size} and root {b64(root or b'')}, "
            f"its signed checkpoint says size {cp.size} and root {b64(cp.root)}",
        )
    if earlier is not None and earlier.size > cp.size:
        return Failure(
            "earlier checkpoint",
            f"its size {earlier.size} is larger than the log's current size {cp.size}: "
            "the log has shrunk or forked",
        )
    return None


def _chunk_sizes(chunk_size: int, workers: int, size: int) -> Iterator[int]:
    """Leaves per chunk: small at first while the workers start, then chunk_size, and small
    again for the last few so that the workers finish together."""
    # The main process checks the first chunks itself until the workers are up (a tenth of a
    # second or more); small ones let it hand over to them as soon as they are.
    ramp = [128, 128, 256, 256, 512] if workers else []
    # A worker left alone with the last full chunk would keep the others idle that long.
    tail, tail_size = 2 * workers * chunk_size, max(1, chunk_size // 4)
    given = 0
    for n in itertools.chain((min(n, chunk_size) for n in ramp), itertools.repeat(chunk_size)):
        if size - given <= tail:
            n = min(n, tail_size)
        given += n
        yield n


def _stream(
    source: LogSource,
    size: int,
    sizes: Iterator[int],
    pipeline: FactPipeline,
    tree: TreeCheck,
    statements: StatementCheck,
    progress: Progress | None,
    prefix: bytes,
) -> Failure | None:
    def tagged(chunks: Iterator[Chunk]) -> Iterator[tuple[Chunk, Task]]:
        for chunk in chunks:
            work, chunk.task = chunk.task, ()  # the tag need not keep the entries alive
            yield chunk, (prefix, work)

    done = 0
    for chunk, ids, facts in pipeline.map(tagged(source.chunks(size, sizes))):
        failure = _check_chunk(chunk, ids, facts, tree, statements)
        if failure is not None:
            return failure
        done = chunk.start + len(facts)
        if progress is not None:
            progress(done, size)
    if done != size:
        return leaf_failure(done, f"the checkpoint's size is {size}, the log has {done} leaves")
    return None


def _check_chunk(
    chunk: Chunk,
    ids: list[int] | None,
    facts: list[LeafFacts],
    tree: TreeCheck,
    statements: StatementCheck,
) -> Failure | None:
    """Check one chunk's leaves in order; the failure at the lowest leaf, if any."""
    # A disagreement between log_leaves and the event store ends the run at that leaf.
    tail = (ids_failure(chunk, ids) if ids is not None else None) or chunk.failure
    if tail is not None and tail.index is not None:
        facts = facts[: tail.index - chunk.start]
    hashes: list[bytes] = []
    for leaf in facts:
        if leaf.leaf_hash is None:
            break  # a stored event that makes no entry
        hashes.append(leaf.leaf_hash)
    failure = tree.check_leaves(chunk.start, hashes)
    checked = len(hashes) if failure is None else (failure.index or 0) - chunk.start
    if failure is None and checked < len(facts):
        failure = leaf_failure(chunk.start + checked, facts[checked].error or "no leaf hash")
    # Statements in order, up to the first leaf whose hash is wrong.
    for offset in range(checked):
        leaf = facts[offset]
        index = chunk.start + offset
        found = leaf_failure(index, leaf.error) if leaf.error else statements.check(index, leaf)
        if found is not None:
            failure, checked = found, offset
            break
    # Tiles above level 0 may name an earlier leaf than a failure found leaf by leaf.
    return _first(tree.append(chunk.start, hashes[:checked]), failure) or tail


def _first(a: Failure | None, b: Failure | None) -> Failure | None:
    """The failure at the lower leaf index (a, on a tie or without indexes)."""
    if a is None or b is None:
        return a or b
    if a.index is not None and b.index is not None and b.index < a.index:
        return b
    return a
