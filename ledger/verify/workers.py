"""The parallel half of `canbo verify`: worker processes that turn tasks into leaf facts.

A task is either entries served by a log server, or a run of stored events that the worker
reads itself from the event store (so the main process neither reads nor copies them). Each
worker answers with one LeafFacts row per leaf (leaves.py); everything order-dependent stays in
the main process. Ed25519 verification dominates the cost; the workers spread it over the cores.

The workers are plain processes with a pipe each, not a multiprocessing.Pool: the pool's
worker-maintenance thread also waits on the result pipe, so it spins whenever a result is
waiting to be read (a fifth of the main process's CPU here), and a worker that dies leaves its
task unanswered until a timeout. Here each task goes to the least busy worker, answers are read
as they come (a worker never waits to hand one over) and used in task order, and a dead worker
is noticed at once: its pipe closes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from queue import SimpleQueue
from typing import Any, TypeVar

from ledger.settings import Settings
from ledger.verify.eventstore import EventReader, EventStoreError
from ledger.verify.facts import Item, LeafFacts
from ledger.verify.leaves import Row, leaf_rows

# Entries to check, or (after, count): read `count` stored events after notification `after`.
# Entries to check, or (after, count): read `count` stored events after notification `after`.
Work = Sequence[Item] | tuple[int, int]
# The work, with the prefix a signature covers before a statement's bytes (ledger.statement).
Task = tuple[bytes, Work]
# The notification ids read (None for entries) and one LeafFacts row per leaf.
TaskResult = tuple[list[int] | None, list[Row]]

T = TypeVar("T")
TASK_TIMEOUT = 600.0  # seconds without any answer while one is due; a chunk takes well under one


class WorkerError(RuntimeError):
    """A worker process stopped answering."""


def run_task(task: Task, reader: EventReader | None) -> TaskResult:
    """Check one task; never raises for bad data."""
    prefix, work = task
    if isinstance(work, tuple):
        if reader is None:
            raise EventStoreError("stored events need an event store")
        ids, items = reader.read(*work)
        return ids, leaf_rows(items, prefix)
    return None, leaf_rows(work, prefix)


def _serve(conn: Connection, settings: Settings | None) -> None:
    """A worker process: open the event store, say so, then answer tasks until told to stop."""
    reader: EventReader | None = None
    store_error = ""
    try:
        reader = EventReader(settings) if settings is not None else None
    except EventStoreError as exc:
        store_error = str(exc)  # reported with each task that needs the store
    # Tasks are taken as they come, by a thread: the main process may be sending a large one
    # (entries from a server) while this one sends an answer; neither may wait for the other.
    tasks: SimpleQueue[Task | None] = SimpleQueue()
    threading.Thread(target=_take_tasks, args=(conn, tasks), daemon=True).start()
    try:
        conn.send(None)
        while (task := tasks.get()) is not None:
            answer: tuple[bool, Any]
            try:
                if store_error and isinstance(task[1], tuple):
                    raise EventStoreError(store_error)
                answer = (True, run_task(task, reader))
            except Exception as exc:  # re-raised in the main process, as Pool would
                answer = (False, exc)
            try:
                conn.send(answer)
            except OSError:
                raise
            except Exception as exc:  # an exception that cannot be pickled
                conn.send((False, WorkerError(f"a worker failed: {exc!r}")))
    except (OSError, KeyboardInterrupt):
        pass  # the main process went away or was interrupted: it reports that
    finally:
        if reader is not None:
            reader.close()


def _take_tasks(conn: Connection, tasks: SimpleQueue[Task | None]) -> None:
    try:
        while (task := conn.recv()) is not None:
            tasks.put(task)
    except (EOFError, OSError):
        pass  # the main process went away
    tasks.put(None)


def _context(settings: Settings | None) -> ForkServerContext | SpawnContext:
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


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    busy: int = 0  # tasks sent, not yet answered
    answers: deque[tuple[bool, Any]] = field(default_factory=deque)  # read, not yet used


class FactPipeline:
    """Ordered, bounded map of run_task over tasks, in worker processes.

    The workers start in a background thread (forkserver and worker start take a tenth of a
    second or more); until they are up, tasks run in this process, so no time is lost. With 0
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
        self._started: list[_Worker] = []  # appended by the starter thread
        self._ready: list[_Worker] | None = None  # once all have started (or failed)
        self._start_error: BaseException | None = None
        self._starter: threading.Thread | None = None
        if workers:
            self._starter = threading.Thread(
                target=self._start, args=(workers,), name="verify-workers-start", daemon=True
            )
            self._starter.start()
        # Bounded so that a fast reader never queues the whole log in memory.
        self._in_flight = in_flight or 2 * workers + 1

    def _start(self, workers: int) -> None:
        try:
            context = _context(self._settings)
            for number in range(workers):
                conn, child = context.Pipe()
                process = context.Process(
                    target=_serve,
                    args=(child, self._settings),
                    name=f"canbo-verify-{number}",
                    daemon=True,
                )
                process.start()
                child.close()
                self._started.append(_Worker(process, conn))
            for worker in self._started:
                worker.conn.recv()  # the worker is up and has opened the store
        except BaseException as exc:  # reported by map, in the caller's thread
            self._start_error = exc

    def _workers(self) -> list[_Worker]:
        """The workers once they are all up; none while they start (or with 0 workers)."""
        if self._ready is None and self._starter is not None and not self._starter.is_alive():
            self._starter = None
            if self._start_error is not None:
                raise WorkerError(f"the workers did not start: {self._start_error!r}")
            self._ready = self._started
        return self._ready or []

    def _run_here(self, task: Task) -> TaskResult:
        if isinstance(task[1], tuple) and self._reader is None:
            if self._settings is None:
                raise EventStoreError("stored events need an event store")
            self._reader = EventReader(self._settings)
        return run_task(task, self._reader)

    def map(
        self, tasks: Iterable[tuple[T, Task]]
    ) -> Iterator[tuple[T, list[int] | None, list[LeafFacts]]]:
        """Yield (tag, notification ids, facts) for each (tag, task), in order."""
        pending: deque[tuple[T, _Worker]] = deque()
        for tag, task in tasks:
            workers = self._workers()
            if not workers:
                yield tag, *_facts(self._run_here(task))  # nothing is pending without workers
                continue
            worker = min(workers, key=lambda w: w.busy)
            try:
                worker.conn.send(task)
            except OSError:  # the pipe is broken: the worker is gone
                raise _stopped(worker) from None
            worker.busy += 1
            pending.append((tag, worker))
            if len(pending) >= self._in_flight:
                done_tag, done_by = pending.popleft()
                yield done_tag, *_facts(self._answer(done_by))
        while pending:
            done_tag, done_by = pending.popleft()
            yield done_tag, *_facts(self._answer(done_by))

    def _answer(self, worker: _Worker) -> TaskResult:
        """The oldest unused answer of worker (each answers its tasks in order)."""
        while not worker.answers:
            self._receive()
        ok, answer = worker.answers.popleft()
        if not ok:
            raise answer
        result: TaskResult = answer
        return result

    def _receive(self) -> None:
        """Wait for answers; read every one that has come, so no worker waits to send."""
        busy = [w for w in self._workers() if w.busy]
        ready = wait([w.conn for w in busy], timeout=TASK_TIMEOUT)
        if not ready:
            raise WorkerError(f"a worker gave no answer within {TASK_TIMEOUT} s (was it killed?)")
        for worker in busy:
            if worker.conn not in ready:
                continue
            try:
                worker.answers.append(worker.conn.recv())
            except (EOFError, OSError):  # the pipe is closed: the worker is gone
                raise _stopped(worker) from None
            worker.busy -= 1

    def close(self) -> None:
        """Stop the workers (also mid-run, after a failure)."""
        if self._starter is not None:
            self._starter.join()
            self._starter = None
        for worker in self._started:
            worker.process.terminate()
        for worker in self._started:
            worker.process.join()
            worker.conn.close()
        self._started, self._ready = [], None
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _stopped(worker: _Worker) -> WorkerError:
    worker.process.join(1)
    return WorkerError(
        f"a worker process stopped (exit code {worker.process.exitcode}; was it killed?)"
    )


def _facts(result: TaskResult) -> tuple[list[int] | None, list[LeafFacts]]:
    make = LeafFacts._make
    ids, rows = result
    return ids, [make(row) for row in rows]
