"""Waiting for a separate sequencer: one read of the log head answers every waiting request.

With PostgreSQL the API does not sequence; a submission is saved, then its receipt waits until
the sequencer process has put its events in the tree. A receipt read on its own costs the head,
the leaf index, the right-edge tiles and a connection checkout for each, per request. So each
process keeps one watcher: while anyone waits, it reads the head every few milliseconds, and
once the tree covers some waiters it loads the head's right edge and their leaf indexes in one
go (LogStore.snapshot) and computes all their receipts from that in one worker-thread call.
On PostgreSQL the sequencer announces each batch (ledger/head_listener.py), so the watcher
reads the head when told, and polls only as a fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from fastapi.concurrency import run_in_threadpool

log = logging.getLogger("canbo.api.sequenced")

POLL_SECONDS = 0.005  # without announcements (or when one may have been missed)
ANNOUNCED_POLL_SECONDS = 0.1


@dataclass
class _Waiter:
    accepted: list[Any]
    last_id: int  # the highest notification id among its events
    future: asyncio.Future[dict[str, Any]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class SequencedWatch:
    """Answers receipts once the log head's tracking position reaches their events."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self._waiters: list[_Waiter] = []
        self._task: asyncio.Task[None] | None = None
        self._announced: asyncio.Event | None = None  # set on each announced batch
        self._position_read = 0  # the tracking position of the newest head read

    def _listen(self) -> None:
        listener = getattr(self.ledger, "sequenced_listener", None)
        if listener is None or self._announced is not None:
            return
        announced = self._announced = asyncio.Event()
        loop = asyncio.get_running_loop()
        listener.subscribe(lambda: loop.call_soon_threadsafe(announced.set))

    async def receipts(self, accepted: list[Any], timeout: float) -> dict[str, Any] | None:
        """The receipts of saved statements once sequenced; None if `timeout` passes first.

        The statements are saved already, so a failure to read the head (the database gone,
        say) is no refusal: it is logged, and the waiter waits on until its timeout, when the
        caller answers with links to fetch the receipts later.
        """
        last_id = max(e.notification_id for a in accepted for e in a.events)
        waiter = _Waiter(accepted, last_id)
        self._waiters.append(waiter)
        if self._task is None or self._task.done():
            self._listen()
            self._task = asyncio.create_task(self._poll())
        elif self._announced is not None and last_id <= self._position_read:
            # Its batch was announced and read for the waiters before it: read again now
            # rather than at the next announcement or the fallback poll.
            self._announced.set()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except TimeoutError:
            return None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
            # An answer computed after this then goes nowhere.
            waiter.future.cancel()

    async def _poll(self) -> None:
        while self._waiters:
            if self._announced is not None:
                self._announced.clear()  # before the read: a batch after it wakes the wait
            waiting = [w for w in self._waiters if not w.future.done()]
            try:
                answers = await run_in_threadpool(self._answer, waiting)
            except Exception:
                log.warning("reading the log head for waiting receipts failed", exc_info=True)
                await asyncio.sleep(ANNOUNCED_POLL_SECONDS)
                continue
            for waiter, answer in answers:
                if not waiter.future.done():
                    waiter.future.set_result(answer)
            if not answers:
                await self._until_next_batch()

    async def _until_next_batch(self) -> None:
        if self._announced is None:
            await asyncio.sleep(POLL_SECONDS)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._announced.wait(), ANNOUNCED_POLL_SECONDS)

    def _answer(self, waiting: list[_Waiter]) -> list[tuple[_Waiter, dict[str, Any]]]:
        # In a worker thread: one snapshot, then every receipt it covers.
        if not waiting:
            return []
        first_wanted = min(w.last_id for w in waiting)
        ids = {e.notification_id for w in waiting for a in w.accepted for e in a.events}
        snapshot = self.ledger.log.snapshot(ids, after=first_wanted - 1)
        if snapshot is None:
            return []
        self._position_read = max(self._position_read, snapshot.position)
        answers: list[tuple[_Waiter, dict[str, Any]]] = []
        for waiter in waiting:
            if waiter.last_id > snapshot.position:
                continue
            try:
                answers.append((waiter, self.ledger.receipts_from(waiter.accepted, snapshot)))
            except Exception:  # saved all the same: it waits on, and may end up pending
                log.warning("a receipt could not be built from the log head", exc_info=True)
        return answers


_WATCHES: weakref.WeakKeyDictionary[Any, SequencedWatch] = weakref.WeakKeyDictionary()


def watch_of(ledger: Any) -> SequencedWatch:
    """The process's watcher of this ledger's log."""
    watch = _WATCHES.get(ledger)
    if watch is None:
        watch = _WATCHES[ledger] = SequencedWatch(ledger)
    return watch
