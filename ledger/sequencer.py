"""The sequencer: appends every stored event, in notification order, as a leaf of the Merkle tree.

Each batch writes its leaves, tiles, tracking position and a new signed checkpoint in one
transaction, so a crash at any point leaves either the whole batch or none of it, and the next
run resumes from the tracking position: exactly once.

Two modes share this code. Embedded (SQLite), the batch runs inside the event store's own insert
transaction (`sequence_within`), so events, leaves and checkpoint commit together and the caller
gets its receipt at once. Separately (`run_once`, `canbo sequencer`, and catching up at start-up),
the batch is a transaction of its own: on SQLite it takes the write lock first (BEGIN IMMEDIATE on
the sequencer's engine), on PostgreSQL the tracking row is locked FOR UPDATE.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.entry import MAX_ENTRY_BYTES, entry_bytes
from ledger.log_tx import ConnectionTx, LogState, LogTx
from ledger.merkle import leaf_hash
from ledger.protocols import Signer
from ledger.tiles import TileAppender


class SequencerError(RuntimeError):
    """The event store holds something that cannot become a leaf."""


@dataclass(frozen=True)
class Sequenced:
    """What the last committed batch left: enough to answer receipts without reading back."""

    size: int
    position: int
    checkpoint: str
    root: bytes
    edge_tiles: dict[tuple[int, int], bytes]
    leaves: dict[int, int]  # notification id -> leaf index, for the batch


class Sequencer:
    """Follows the event store's notification log and extends the tree."""

    def __init__(
        self,
        engine: Engine,
        recorder: Any,
        *,
        origin: str,
        log_signer: Signer,
        batch_size: int = 1000,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        self.origin = origin
        self.log_signer = log_signer
        self.batch_size = batch_size
        self.on_batch = on_batch
        self._appender: TileAppender | None = None
        self._pending: Sequenced | None = None
        self._pending_appender: TileAppender | None = None
        self.last: Sequenced | None = None  # the latest batch this sequencer committed
        # The appender's right edge is shared state: one batch at a time in this process.
        self.lock = threading.RLock()

    def catch_up(self) -> int:
        """Sequence everything stored so far; return how many leaves were added."""
        total = 0
        while True:
            added = self.run_once()
            total += added
            if added < self.batch_size:
                return total

    def run_once(self) -> int:
        """Sequence one batch in a transaction of its own; return its number of leaves."""
        with self.lock:
            try:
                with self.engine.begin() as conn:
                    added = self.sequence_within(ConnectionTx(conn, self.recorder))
            except BaseException:
                self.discard()
                raise
            self.committed()
            return added

    def sequence_within(self, tx: LogTx) -> int:
        """Sequence what is stored after the tracking position, inside the caller's transaction.

        The caller must call committed() after its commit, or discard() if it rolls back.
        """
        state = tx.state()
        size, position = (state.size, state.position) if state else (0, 0)
        rows = tx.events_after(position, self.batch_size)
        if not rows:
            return 0
        hashes = []
        for row in rows:
            entry = entry_bytes(row.originator_id, row.originator_version, row.topic, row.state)
            if len(entry) > MAX_ENTRY_BYTES:
                raise SequencerError(f"stored event {row.id} makes an entry of {len(entry)} bytes")
            hashes.append(leaf_hash(entry))
        appender = self._pending_appender if self._pending is not None else self._appender
        if appender is None or appender.size != size:
            appender = TileAppender(size, tx.tile)
        self._appender = None  # until the caller's commit, it may be ahead of the database
        changed = appender.append(hashes)
        new_size = size + len(rows)
        edges = appender.edge_tiles()
        root = appender.root()  # from the right edge it holds: no tile is read back
        note = sign_checkpoint(
            Checkpoint(self.origin, new_size, root), self.origin, self.log_signer
        )
        leaves = [
            (size + i, row.id, h) for i, (row, h) in enumerate(zip(rows, hashes, strict=True))
        ]
        tx.write(changed, leaves, LogState(new_size, rows[-1].id), root, note, is_new=state is None)
        if self.on_batch is not None:
            self.on_batch(size, new_size)
        self._pending_appender = appender
        self._pending = Sequenced(
            size=new_size,
            position=rows[-1].id,
            checkpoint=note,
            root=root,
            edge_tiles=edges,
            leaves={n: i for i, n, _ in leaves},
        )
        return len(rows)

    def committed(self) -> None:
        """The caller's transaction committed: the batch's state is now the database's."""
        if self._pending is not None:
            self.last, self._pending = self._pending, None
            self._appender = self._pending_appender

    def discard(self) -> None:
        """The caller's transaction rolled back: forget what the batch computed."""
        self._pending = None
        self._pending_appender = None
        self._appender = None

    def sequence_all_within(self, tx: LogTx) -> None:
        """Sequence everything unsequenced inside the caller's transaction (embedded mode)."""
        while self.sequence_within(tx) == self.batch_size:
            pass
