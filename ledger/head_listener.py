"""PostgreSQL LISTEN/NOTIFY between the processes of one log, so nobody waits on a poll timer.

Two wake-ups cross process boundaries on PostgreSQL:
- stored events: eventsourcing's recorder already sends NOTIFY on its channel in every insert
  transaction, so `canbo sequencer` sleeps on that channel instead of polling the table;
- sequenced batches: the sequencer sends NOTIFY on SEQUENCED_CHANNEL in each batch's
  transaction, so an API process answers receipts as soon as a batch commits.

A notification is delivered only after its transaction commits, and only as a hint: whoever
wakes still reads the database, and still polls now and then in case one was missed (a
listener reconnecting after an outage, say).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg

log = logging.getLogger("canbo.head_listener")

SEQUENCED_CHANNEL = "canbo_log_sequenced"

# How often the listening thread looks up from the socket to see whether it should stop.
STOP_CHECK_SECONDS = 0.2
RECONNECT_SECONDS = 1.0


def wait_for_notification(connection: psycopg.Connection[Any], timeout: float) -> bool:
    """Wait on a connection that LISTENs until a notification arrives or `timeout` passes.

    Notifications that came in while the connection ran other statements count at once.
    True if one came.
    """
    return any(True for _ in connection.notifies(timeout=timeout, stop_after=1))


class SequencedListener:
    """A thread that LISTENs for sequenced batches and calls every subscriber on each."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._subscribers: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call `callback` (from the listening thread) after each sequenced batch."""
        with self._lock:
            self._subscribers.append(callback)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="canbo-sequenced-listener", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Stop listening and close the connection."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5 * STOP_CHECK_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=2) as conn:
                    conn.execute(f"LISTEN {SEQUENCED_CHANNEL}")
                    self._notify_all()  # a batch may have committed before the LISTEN
                    while not self._stop.is_set():
                        if wait_for_notification(conn, STOP_CHECK_SECONDS):
                            self._notify_all()
            except psycopg.Error as exc:
                log.warning("listening for sequenced batches failed (%s); retrying", exc)
                self._stop.wait(RECONNECT_SECONDS)

    def _notify_all(self) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback()
            except Exception:  # one subscriber's failure must not silence the others
                log.exception("a subscriber to sequenced batches failed")
