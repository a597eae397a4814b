"""`canbo sequencer`: the long-running sequencer process, one leader at a time.

On PostgreSQL the leader holds a session-level advisory lock on its own connection; standbys
block on it and take over when the leader's connection ends (crash, kill -9, network loss).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from ledger.head_listener import STOP_CHECK_SECONDS, wait_for_notification
from ledger.sequencer import Sequencer

log = logging.getLogger("canbo.sequencer")

# Arbitrary but fixed: every sequencer of the same database contends for this key (advisory
# locks are per database, so logs in other databases do not interfere).
ADVISORY_LOCK_KEY = 0x63616E626F  # "canbo"


# How often, at most, the sequencer logs what it sequenced.
SUMMARY_SECONDS = 10.0

# How long the sequencer waits before trying again after losing the database.
RETRY_SECONDS = 1.0


@contextmanager
def leadership(
    engine: Engine, stop: threading.Event, poll: float = 1.0
) -> Iterator[Connection | None]:
    """Hold the sequencer leadership while inside; yields the connection that holds the lock
    (None on SQLite, where BEGIN IMMEDIATE already serialises sequencers), or raises Stopped."""
    if engine.dialect.name != "postgresql":
        yield None
        return
    with engine.connect() as conn:
        while not stop.is_set():
            acquired = conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            conn.commit()
            if acquired:
                break
            log.info("another sequencer leads; waiting")
            stop.wait(poll)
        else:
            raise Stopped()
        try:
            yield conn
        finally:
            # Closing the session releases the lock and ends its LISTEN: a pooled connection
            # left listening would buffer every later NOTIFY in whoever took it next.
            conn.invalidate()


class Stopped(Exception):
    """Stopped before this process became the leader."""


def run_sequencer(
    sequencer: Sequencer,
    engine: Engine,
    stop: threading.Event,
    *,
    poll_interval: float = 0.1,
    on_lead: Callable[[], Callable[[], None] | None] | None = None,
) -> None:
    """Sequence new events until stop is set (idle polling every poll_interval seconds).

    On PostgreSQL the leader LISTENs on the channel the event store notifies in every insert
    transaction (the recorder's channel_name), so it wakes as soon as events are stored;
    poll_interval is then only how often it looks without being told.
    on_lead runs each time this process takes the lead (it starts what only the leader may
    do, such as sending checkpoints to the witnesses) and returns how to stop that, which
    runs when the lead ends: a sequencer that lost it (say, in an outage while a standby took
    over) must not go on acting as the leader. Losing the database (a restart, a
    failover, a network cut) is not fatal: the process logs it, waits, and contends for the
    leadership again, so an outage needs no one to restart the sequencer. A batch in flight
    when the connection broke was rolled back whole, and the next one starts from the tracking
    position in the database.
    """
    while not stop.is_set():
        try:
            with leadership(engine, stop) as lock:
                log.info("sequencer leading")
                stop_leading = on_lead() if on_lead is not None else None
                try:
                    _sequence_until_stopped(sequencer, lock, stop, poll_interval)
                finally:
                    if stop_leading is not None:
                        stop_leading()
        except Stopped:
            return
        except (DBAPIError, OperationalError, psycopg.Error) as exc:
            # The first line says enough (server closed, refused); the rest is a traceback.
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning("database unavailable (%s); retrying in %g s", reason, RETRY_SECONDS)
            stop.wait(RETRY_SECONDS)


def _sequence_until_stopped(
    sequencer: Sequencer, lock: Connection | None, stop: threading.Event, poll_interval: float
) -> None:
    channel = getattr(sequencer.recorder, "channel_name", None)
    if lock is not None and channel is not None:
        lock.execute(text(f'LISTEN "{channel}"'))
        lock.commit()
    listening = lock is not None and channel is not None
    summary = _BatchSummary()
    try:
        while not stop.is_set():
            started = time.monotonic()
            added = sequencer.run_once()
            if added:
                log.debug("sequenced %d leaves in %.3f s", added, time.monotonic() - started)
                summary.add(added, time.monotonic() - started)
            else:
                summary.flush()  # idle: what the last burst sequenced shows now
            if added == sequencer.batch_size or (added and not listening):
                continue  # more may be stored already
            if not listening or lock is None:
                stop.wait(poll_interval)
                continue
            if not added:
                # While idle, make sure the lock's session is still there: if it ended (the
                # server restarted, an administrator ended it), a standby may lead by now.
                lock.execute(text("SELECT 1"))
                lock.commit()
            # Events stored while this batch ran were announced meanwhile: the wait ends at once.
            driver = lock.connection.driver_connection
            assert driver is not None, "a checked-out connection has its driver connection"
            _wait_for_events(driver, stop, poll_interval)
    finally:
        summary.flush()


class _BatchSummary:
    """At most one INFO line per SUMMARY_SECONDS while busy, not one per batch (a hundred a
    second under load), and one when the sequencer goes idle or stops; each batch is logged
    at DEBUG."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.leaves = self.batches = 0
        self.busy = 0.0
        self.since = time.monotonic()

    def add(self, leaves: int, seconds: float) -> None:
        """Count a batch; log the summary if the period is over."""
        self.leaves += leaves
        self.batches += 1
        self.busy += seconds
        if time.monotonic() - self.since >= SUMMARY_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Log what was counted since the last line, if anything."""
        if self.batches:
            log.info(
                "sequenced %d leaves in %d batches (%.3f s of work) over the last %.0f s",
                self.leaves,
                self.batches,
                self.busy,
                time.monotonic() - self.since,
            )
        self._reset()


def _wait_for_events(driver: psycopg.Connection[Any], stop: threading.Event, most: float) -> None:
    # In slices, so a stop request (SIGTERM) is seen within STOP_CHECK_SECONDS.
    deadline = time.monotonic() + most
    while not stop.is_set():
        remaining = deadline - time.monotonic()
        if remaining <= 0 or wait_for_notification(driver, min(remaining, STOP_CHECK_SECONDS)):
            return
