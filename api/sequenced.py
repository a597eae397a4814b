"""Waiting for a separate sequencer: one poll of the log head serves every waiting request.

With PostgreSQL the API does not sequence; a submission is saved, then its receipt waits until
the sequencer process has put its events in the tree. Each waiting request polling on its own
would multiply the queries (and the thread hops) by the number of requests, so each process
keeps one watcher that polls the head every few milliseconds while anyone waits, and wakes each
request once the tree covers its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

from fastapi.concurrency import run_in_threadpool

POLL_SECONDS = 0.005


class SequencedWatch:
    """Wakes waiters once the log head's tracking position reaches their notification id."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.position = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def wait_for(self, notification_id: int, timeout: float) -> bool:
        """True once the tree covers notification_id; False if `timeout` seconds pass first."""
        if self.position >= notification_id:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (notification_id, future)
        self._waiters.append(entry)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    async def _poll(self) -> None:
        while self._waiters:
            head = await run_in_threadpool(self.log.head)
            if head is not None and head.position > self.position:
                self.position = head.position
                for wanted, future in list(self._waiters):
                    if wanted <= self.position and not future.done():
                        future.set_result(None)
            await asyncio.sleep(POLL_SECONDS)


_WATCHES: weakref.WeakKeyDictionary[Any, SequencedWatch] = weakref.WeakKeyDictionary()


def watch_of(ledger: Any) -> SequencedWatch:
    """The process's watcher of this ledger's log."""
    watch = _WATCHES.get(ledger)
    if watch is None:
        watch = _WATCHES[ledger] = SequencedWatch(ledger.log)
    return watch
