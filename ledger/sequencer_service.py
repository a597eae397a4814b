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

from sqlalchemy import Engine, text

from ledger.sequencer import Sequencer

log = logging.getLogger("canbo.sequencer")

# Arbitrary but fixed: every sequencer of the same database contends for this key (advisory
# locks are per database, so logs in other databases do not interfere).
ADVISORY_LOCK_KEY = 0x63616E626F  # "canbo"


@contextmanager
def leadership(engine: Engine, stop: threading.Event, poll: float = 1.0) -> Iterator[bool]:
    """Hold the sequencer leadership while inside; yields False if stopped before acquiring."""
    if engine.dialect.name != "postgresql":
        yield True  # SQLite: BEGIN IMMEDIATE already serialises sequencers
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
            yield False
            return
        try:
            yield True
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            conn.commit()


def run_sequencer(
    sequencer: Sequencer,
    engine: Engine,
    stop: threading.Event,
    *,
    poll_interval: float = 0.1,
    on_lead: Callable[[], None] | None = None,
) -> None:
    """Sequence new events until stop is set (idle polling every poll_interval seconds).

    on_lead runs once this process leads (it starts what only the leader may do, such as
    sending checkpoints to the witnesses).
    """
    with leadership(engine, stop) as leader:
        if not leader:
            return
        log.info("sequencer leading")
        if on_lead is not None:
            on_lead()
        while not stop.is_set():
            started = time.monotonic()
            added = sequencer.run_once()
            if added:
                log.info("sequenced %d leaves in %.3f s", added, time.monotonic() - started)
            else:
                stop.wait(poll_interval)
