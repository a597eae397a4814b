"""One watcher of the log head wakes every request waiting on a separate sequencer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from api.sequenced import SequencedWatch


@dataclass
class Head:
    position: int


class FakeLog:
    """A log whose head moves when told; counts the polls."""

    def __init__(self) -> None:
        self.position = 0
        self.polls = 0

    def head(self) -> Head:
        self.polls += 1
        return Head(self.position)


def test_waiters_wake_when_the_tree_covers_them_and_time_out_otherwise() -> None:
    async def scenario() -> tuple[list[bool], int]:
        log = FakeLog()
        watch = SequencedWatch(log)
        waits = [asyncio.create_task(watch.wait_for(n, 0.5)) for n in (3, 5, 9)]
        await asyncio.sleep(0.05)
        log.position = 5  # the sequencer reached notification 5
        late = await asyncio.gather(*waits)
        return late, log.polls

    woken, polls = asyncio.run(scenario())
    assert woken == [True, True, False]  # 9 was never sequenced within its half second
    assert polls < 300  # one poll serves all three waiters


def test_a_position_already_reached_needs_no_poll() -> None:
    async def scenario() -> tuple[bool, int]:
        log = FakeLog()
        watch = SequencedWatch(log)
        watch.position = 10
        return await watch.wait_for(7, 0.1), log.polls

    assert asyncio.run(scenario()) == (True, 0)
