"""One watcher of the log head answers every request waiting on a separate sequencer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from api import sequenced
from api.sequenced import SequencedWatch


@dataclass
class Event:
    notification_id: int


@dataclass
class Accepted:
    events: list[Event]


@dataclass
class Snapshot:
    position: int
    leaves: dict[int, int] = field(default_factory=dict)


class FakeLog:
    """A log whose head moves when told; counts the reads."""

    def __init__(self) -> None:
        self.position = 0
        self.reads = 0
        self.broken: Exception | None = None

    def snapshot(self, ids: set[int], *, after: int = 0) -> Snapshot | None:
        self.reads += 1
        if self.broken is not None:
            raise self.broken
        if self.position <= after:
            return None
        return Snapshot(self.position, {i: i - 1 for i in ids if i <= self.position})


class FakeListener:
    def __init__(self) -> None:
        self.subscribers: list[Callable[[], None]] = []

    def subscribe(self, callback: Callable[[], None]) -> None:
        self.subscribers.append(callback)

    def announce(self) -> None:
        for callback in self.subscribers:
            callback()


class FakeLedger:
    def __init__(self, listener: FakeListener | None = None) -> None:
        self.log = FakeLog()
        self.sequenced_listener = listener
        self.receipts_made = 0

    def receipts_from(self, accepted: list[Accepted], snapshot: Snapshot) -> dict[str, Any]:
        self.receipts_made += 1
        ids = [e.notification_id for a in accepted for e in a.events]
        return {"leaves": [snapshot.leaves[i] for i in ids], "size": snapshot.position}


def saved(*ids: int) -> list[Accepted]:
    return [Accepted([Event(i)]) for i in ids]


def test_waiters_get_their_receipts_once_the_tree_covers_them() -> None:
    async def scenario() -> tuple[list[dict[str, Any] | None], FakeLedger]:
        ledger = FakeLedger()
        watch = SequencedWatch(ledger)
        waits = [
            asyncio.create_task(watch.receipts(saved(*ids), 0.5)) for ids in ((3,), (4, 5), (9,))
        ]
        await asyncio.sleep(0.05)
        ledger.log.position = 5  # the sequencer reached notification 5
        return list(await asyncio.gather(*waits)), ledger

    answers, ledger = asyncio.run(scenario())
    assert answers == [{"leaves": [2], "size": 5}, {"leaves": [3, 4], "size": 5}, None]
    assert ledger.receipts_made == 2  # 9 was never sequenced within its half second
    assert ledger.log.reads < 300  # one read serves all three waiters


def test_an_announced_batch_wakes_the_watcher_without_polling() -> None:
    async def scenario() -> tuple[dict[str, Any] | None, int, float]:
        listener = FakeListener()
        ledger = FakeLedger(listener)
        watch = SequencedWatch(ledger)
        wait = asyncio.create_task(watch.receipts(saved(1), 5.0))
        await asyncio.sleep(0.05)
        reads_while_waiting = ledger.log.reads
        ledger.log.position = 1
        began = asyncio.get_running_loop().time()
        listener.announce()
        answer = await wait
        return answer, reads_while_waiting, asyncio.get_running_loop().time() - began

    answer, reads, seconds = asyncio.run(scenario())
    assert answer == {"leaves": [0], "size": 1}
    assert reads <= 2  # no 5 ms polling while told of batches (its fallback is 0.1 s)
    assert seconds < sequenced.ANNOUNCED_POLL_SECONDS  # woken by the announcement


def test_a_failed_read_is_no_refusal_the_waiters_wait_on() -> None:
    """The statements are saved: a read that fails is retried, and a waiter that is never
    answered gets None (the caller's 202 with links), never the read's error."""

    async def scenario() -> list[dict[str, Any] | None]:
        ledger = FakeLedger()
        ledger.log.broken = RuntimeError("database gone")
        ledger.log.position = 1
        watch = SequencedWatch(ledger)
        recovers = asyncio.create_task(watch.receipts(saved(1), 2.0))
        never = asyncio.create_task(watch.receipts(saved(2), 0.3))
        await asyncio.sleep(0.2)
        ledger.log.broken = None  # the database is back
        return list(await asyncio.gather(recovers, never))

    assert asyncio.run(scenario()) == [{"leaves": [0], "size": 1}, None]


def test_a_waiter_behind_a_batch_already_read_is_answered_without_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sequenced, "ANNOUNCED_POLL_SECONDS", 5.0)

    async def scenario() -> tuple[dict[str, Any] | None, float]:
        listener = FakeListener()
        ledger = FakeLedger(listener)
        watch = SequencedWatch(ledger)
        first = asyncio.create_task(watch.receipts(saved(2), 10.0))
        behind = asyncio.create_task(watch.receipts(saved(9), 10.0))  # keeps the watcher on
        await asyncio.sleep(0.02)
        ledger.log.position = 3  # one batch covers 2 and 3, read for the first waiter
        listener.announce()
        await first
        loop = asyncio.get_running_loop()
        began = loop.time()
        # 3 registers after that read, while the watcher waits for the next announcement.
        late = await watch.receipts(saved(3), 10.0)
        seconds = loop.time() - began
        behind.cancel()
        return late, seconds

    answer, seconds = asyncio.run(scenario())
    assert answer == {"leaves": [2], "size": 3}
    assert seconds < 1.0  # not the 5 s until the fallback read
