"""The parallel half of `canbo verify`: per-leaf work that needs no earlier leaf.

A worker turns a task into one `LeafFacts` per leaf: the RFC 6962 leaf hash, what the statement
says, and whether its signature verifies. A task is either entries served by a log server, or
a run of stored events that the worker reads itself from the event store (so the main process
neither reads nor copies them). Everything order-dependent (tree, key registry, nonces) stays in
the main process. Ed25519 verification dominates the cost; the pool spreads it over the cores.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, NamedTuple, TypeVar

from keys.ed25519 import ED25519
from ledger.canonical import CanonicalJSONError, parse_json
from ledger.entry import MAX_ENTRY_BYTES, LogEntry, entry_bytes, entry_of_event, parse_entry
from ledger.errors import LedgerError
from ledger.merkle import leaf_hash
from ledger.registry import KEY_STATEMENT_TYPES, key_id_of
from ledger.settings import Settings
from ledger.statement import Statement
from ledger.verify.eventstore import EventReader, EventStoreError, RawEvent

Item = bytes | RawEvent
# Entries to check, or (after, count): read `count` stored events after notification `after`.
Task = Sequence[Item] | tuple[int, int]
# The notification ids read (None for entries) and one LeafFacts row per leaf.
TaskResult = tuple[list[int] | None, list[tuple[Any, ...]]]

T = TypeVar("T")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
TASK_TIMEOUT = 600.0  # seconds; a chunk takes well under one

_reader: EventReader | None = None  # a worker process's own event store connection
_reader_error: str | None = None


class WorkerError(RuntimeError):
    """A worker process stopped answering."""


class LeafFacts(NamedTuple):
    """What one leaf says, as far as it can be checked alone (error set if it cannot)."""

    leaf_hash: bytes | None  # None only when the stored event does not even make an entry
    error: str | None
    statement_id: bytes  # identifies the exact signed statement: its events share it
    signer: str = ""
    type: str = ""
    # Times as microseconds since the epoch (UTC): cheap to send between processes and compare.
    time: int = 0  # the statement's time
    nonce: str = ""
    recorded: int | None = None  # the event's recording timestamp
    public_key: bytes = b""
    payload: dict[str, Any] | None = None  # key.* statements only: the registry replays them


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime of microseconds since the epoch."""
    return EPOCH + micros * MICROSECOND


def open_event_store(settings: Settings | None) -> None:
    """Pool initializer: open this process's event store (data-directory mode)."""
    global _reader, _reader_error
    try:
        _reader = EventReader(settings) if settings is not None else None
    except EventStoreError as exc:
        # Raising here would make the pool restart the worker for ever; fail the task instead.
        _reader_error = str(exc)


def run_task(task: Task, reader: EventReader | None = None) -> TaskResult:
    """Check one task; LeafFacts as plain tuples (cheaper to pickle); never raises for bad data."""
    ids: list[int] | None = None
    items: Sequence[Item]
    if isinstance(task, tuple):
        reader = reader or _reader
        if reader is None:
            raise EventStoreError(_reader_error or "no event store was opened in this process")
        ids, items = reader.read(*task)
    else:
        items = task
    return ids, [tuple(facts) for facts in check_leaves(items)]


def check_leaves(items: Sequence[Item]) -> list[LeafFacts]:
    """LeafFacts of each item, in order; never raises for bad data."""
    facts: list[LeafFacts] = []
    previous: tuple[bytes, LeafFacts] | None = None
    for item in items:
        parsed: LogEntry | None = None
        try:
            if isinstance(item, bytes):
                entry = item
            else:
                try:
                    # Built and parsed in one go: the usual case reads no JSON twice.
                    entry, parsed = entry_of_event(*item)
                except ValueError:
                    entry = entry_bytes(*item)  # the check below names what is wrong
        except (CanonicalJSONError, ValueError, TypeError) as exc:
            facts.append(LeafFacts(None, f"the stored event does not make a log entry: {exc}", b""))
            previous = None
            continue
        result, raw = _check_entry(entry, previous, parsed)
        facts.append(result)
        previous = (raw, result) if result.statement_id else None
    return facts


def _check_entry(
    entry: bytes, previous: tuple[bytes, LeafFacts] | None, parsed: LogEntry | None = None
) -> tuple[LeafFacts, bytes]:
    """The facts of one entry and its statement bytes (b"" if it has none)."""
    digest = leaf_hash(entry)
    if len(entry) > MAX_ENTRY_BYTES:
        too_large = f"entry is {len(entry)} bytes, the limit is {MAX_ENTRY_BYTES}"
        return LeafFacts(digest, too_large, b""), b""
    if parsed is None:
        try:
            parsed = parse_entry(entry)
        except (CanonicalJSONError, ValueError) as exc:
            return LeafFacts(digest, f"entry is malformed: {exc}", b""), b""
    raw = parsed.statement_text.encode("utf-8", errors="surrogatepass")
    # Within a log, a signature and key identify the statement: a signature verifies for one
    # text only, and every leaf's signature is verified (hashing the text would cost more).
    statement_id = parsed.signature + parsed.public_key
    recorded = _recorded_at(parsed.event)
    if previous is not None and previous[1].statement_id == statement_id and previous[0] == raw:
        # The same statement's next event: its signature was just checked.
        same = previous[1]._replace(leaf_hash=digest, recorded=recorded)
        if recorded is None and same.error is None:
            same = same._replace(error=_NO_TIMESTAMP)
        return same, raw
    try:
        statement = Statement.from_json(parse_json(raw))
    except (LedgerError, CanonicalJSONError) as exc:
        return LeafFacts(digest, f"statement is malformed: {exc}", statement_id), b""
    # The signature covers these exact bytes, so they are not re-canonicalised: canonical form
    # is the server's admission rule, and re-encoding would cost a fifth of a leaf's time.
    error = _signature_error(statement, raw, parsed.signature, parsed.public_key)
    if error is None and recorded is None:
        error = _NO_TIMESTAMP
    facts = LeafFacts(
        leaf_hash=digest,
        error=error,
        statement_id=statement_id,
        signer=statement.signer,
        type=statement.type,
        time=to_micros(statement.time),
        nonce=statement.nonce,
        recorded=recorded,
        public_key=parsed.public_key,
        payload=statement.payload if statement.type in KEY_STATEMENT_TYPES else None,
    )
    return facts, raw


_NO_TIMESTAMP = "the entry's event has no aware recording timestamp (event.timestamp)"


def _signature_error(
    statement: Statement, raw: bytes, signature: bytes, public_key: bytes
) -> str | None:
    if key_id_of(public_key) != statement.signer:
        return (
            f"the entry's public key has key id {key_id_of(public_key)}, "
            f"the statement's signer is {statement.signer}"
        )
    if not ED25519.verify(public_key, signature, raw):
        return f"the signature does not verify under the entry's public key ({statement.signer})"
    return None


def _recorded_at(event: dict[str, Any]) -> int | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, dict) or stamp.get("_type_") != "datetime_iso":
        return None
    text = stamp.get("_data_")
    try:
        moment = datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    # A naive timestamp cannot be compared with the statement's UTC time.
    return to_micros(moment) if moment is not None and moment.tzinfo is not None else None


def _context(settings: Settings | None) -> multiprocessing.context.BaseContext:
    # fork would copy the parent's database connections and threads; forkserver starts clean
    # and fast, spawn is the portable fallback.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that has imported this module, cryptography, orjson and the
    # event store's driver once, instead of each importing them again.
    preload = [__name__, "eventsourcing.persistence"]
    if settings is not None:
        preload.append(settings.eventsourcing_env(create_table=False)["PERSISTENCE_MODULE"])
    context.set_forkserver_preload(preload)
    return context


class FactPipeline:
    """Ordered, bounded map of run_task over tasks, in a pool of worker processes.

    The pool starts in a background thread (forkserver and worker start take a tenth of a
    second or more); until it is up, tasks run in this process, so no time is lost. With 0
    workers every task runs in this process.
    """

    def __init__(
        self, workers: int, settings: Settings | None = None, in_flight: int | None = None
    ) -> None:
        """Start `workers` processes, each opening the event store of settings (if any)."""
        if workers < 0:
            raise ValueError(f"workers must be 0 or more, got {workers}")
        self.workers = workers
        self._settings = settings
        self._reader: EventReader | None = None
        self._pool: Pool | None = None
        self._pool_error: BaseException | None = None
        self._starter: threading.Thread | None = None
        if workers:
            self._starter = threading.Thread(
                target=self._start_pool, args=(workers,), name="verify-pool-start", daemon=True
            )
            self._starter.start()
        # Bounded so that a fast reader never queues the whole log in memory (Pool.imap would).
        self._in_flight = in_flight or 2 * workers + 1

    def _start_pool(self, workers: int) -> None:
        pool: Pool | None = None
        try:
            pool = _context(self._settings).Pool(workers, open_event_store, (self._settings,))
            pool.apply(_is_up)  # returns once a worker has started and opened the store
            self._pool = pool
        except BaseException as exc:  # reported by map, in the caller's thread
            self._pool_error = exc
            if pool is not None:
                pool.terminate()

    def _ready_pool(self) -> Pool | None:
        """The pool once it is up; None while it starts (or with 0 workers)."""
        if self._starter is not None:
            if self._starter.is_alive():
                return None
            self._starter = None
            if self._pool_error is not None:
                raise self._pool_error
        return self._pool

    def _run_here(self, task: Task) -> TaskResult:
        if isinstance(task, tuple) and self._reader is None:
            if self._settings is None:
                raise EventStoreError("stored events need an event store")
            self._reader = EventReader(self._settings)
        return run_task(task, self._reader)

    def map(
        self, tasks: Iterable[tuple[T, Task]]
    ) -> Iterator[tuple[T, list[int] | None, list[LeafFacts]]]:
        """Yield (tag, notification ids, facts) for each (tag, task), in order."""
        pending: deque[tuple[T, AsyncResult[TaskResult]]] = deque()
        for tag, task in tasks:
            pool = self._ready_pool()
            if pool is None:
                yield tag, *_facts(self._run_here(task))  # nothing is pending without a pool
                continue
            pending.append((tag, pool.apply_async(run_task, (task,))))
            if len(pending) >= self._in_flight:
                done_tag, result = pending.popleft()
                yield done_tag, *_facts(_get(result))
        while pending:
            done_tag, result = pending.popleft()
            yield done_tag, *_facts(_get(result))

    def close(self) -> None:
        """Stop the workers (also mid-run, after a failure)."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _is_up() -> bool:
    return True


def _get(result: AsyncResult[TaskResult]) -> TaskResult:
    # A worker killed mid-task (out of memory, say) loses its task: the pool never answers.
    try:
        return result.get(timeout=TASK_TIMEOUT)
    except multiprocessing.TimeoutError:
        message = f"a worker gave no answer within {TASK_TIMEOUT} s (was it killed?)"
        raise WorkerError(message) from None


def _facts(result: TaskResult) -> tuple[list[int] | None, list[LeafFacts]]:
    make = LeafFacts._make
    ids, rows = result
    return ids, [make(row) for row in rows]
