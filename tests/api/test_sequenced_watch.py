"""One watcher of the log head answers every request waiting on a separate sequencer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


def test_a_failed_read_reaches_every_waiter() -> None:
    async def scenario() -> list[BaseException | dict[str, Any] | None]:
        ledger = FakeLedger()
        ledger.log.broken = RuntimeError("database gone")
        watch = SequencedWatch(ledger)
        waits = [watch.receipts(saved(i), 1.0) for i in (1, 2)]
        return list(await asyncio.gather(*waits, return_exceptions=True))

    answers = asyncio.run(scenario())
    assert [str(a) for a in answers] == ["database gone", "database gone"]
