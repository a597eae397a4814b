"""The worker processes and the event store reader behind them."""

from __future__ import annotations

import time

import pytest

from ledger.entry import entry_bytes
from ledger.statement import signing_prefix
from ledger.verify.eventstore import EventReader
from ledger.verify.workers import FactPipeline, WorkerError, run_task
from tests.ledger.verify.conftest import ORIGIN, VerifyLog


def started(pipeline: FactPipeline) -> FactPipeline:
    deadline = time.monotonic() + 30
    while not pipeline._workers():
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.01)
    return pipeline


def test_workers_answer_in_task_order(large_log: VerifyLog) -> None:
    pipeline = started(FactPipeline(2, large_log.settings, in_flight=4))
    reader = EventReader(large_log.settings)
    try:
        # Uneven tasks, so that the workers finish them out of order.
        prefix = signing_prefix(ORIGIN)
        tasks = [
            (n, (prefix, (after, count)))
            for n, (after, count) in enumerate([(0, 200), (200, 5)] * 3)
        ]
        answers = list(pipeline.map(tasks))
        assert [tag for tag, _ids, _facts in answers] == list(range(6))
        for (_tag, task), (_tag2, ids, facts) in zip(tasks, answers, strict=True):
            here_ids, rows = run_task(task, reader)
            assert ids == here_ids
            assert [tuple(f) for f in facts] == rows
    finally:
        reader.close()
        pipeline.close()


def test_a_killed_worker_is_reported_at_once(large_log: VerifyLog) -> None:
    pipeline = started(FactPipeline(2, large_log.settings))
    try:
        for worker in pipeline._workers():
            worker.process.kill()
            worker.process.join()
        with pytest.raises(WorkerError, match="a worker process stopped"):
            list(pipeline.map([(0, (signing_prefix(ORIGIN), (0, 10)))]))
    finally:
        pipeline.close()


def test_the_sqlite_reader_reads_what_the_recorder_selects(small_log: VerifyLog) -> None:
    # Stored originator ids are usually lower-case hex; others go through the recorder's own
    # conversion.
    small_log.sql(
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
        "SELECT 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', 1, topic, state FROM stored_events "
        "WHERE rowid = 3"
    )
    reader = EventReader(small_log.settings)
    try:
        assert reader._sqlite_select is not None
        fast = reader.read(2, 100)
        reader._sqlite_select = None
        assert reader.read(2, 100) == fast
        assert fast[1][-1][0] == "ffffffff-ffff-ffff-ffff-ffffffffffff"
        assert len(fast[0]) == 11
    finally:
        reader.close()


def test_large_tasks_and_answers_cross_without_waiting(large_log: VerifyLog) -> None:
    # Entries from a server make tasks of megabytes: the main process may be sending one while
    # the worker sends a large answer; neither must wait for the other to read.
    reader = EventReader(large_log.settings)
    try:
        _ids, events = reader.read(0, 400)
    finally:
        reader.close()
    entries = [entry_bytes(*event) for event in events] * 4
    pipeline = started(FactPipeline(1, None, in_flight=4))
    try:
        prefix = signing_prefix(ORIGIN)
        answers = list(pipeline.map((n, (prefix, entries)) for n in range(5)))
    finally:
        pipeline.close()
    assert [tag for tag, _ids, _facts in answers] == list(range(5))
    assert all(len(facts) == len(entries) for _tag, _ids, facts in answers)
