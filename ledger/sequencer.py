"""The sequencer: appends every stored event, in notification order, as a leaf of the Merkle tree.

Each batch writes its leaves, tiles, tracking position and a new signed checkpoint in one
transaction, so a crash at any point leaves either the whole batch or none of it, and the next
run resumes from the tracking position: exactly once. Only one sequencer writes at a time: on
SQLite the transaction takes the write lock first (BEGIN IMMEDIATE on the sequencer's engine), on
PostgreSQL the tracking row is locked FOR UPDATE (and `canbo sequencer` also holds an advisory
lock, so standby sequencers wait rather than contend).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.entry import MAX_ENTRY_BYTES, entry_bytes
from ledger.log_schema import log_leaves, log_state, log_tiles
from ledger.merkle import EMPTY_ROOT, leaf_hash, tree_root
from ledger.protocols import Signer
from ledger.tiles import TileAppender, TileNodeReader


class SequencerError(RuntimeError):
    """The event store holds something that cannot become a leaf."""


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

    def catch_up(self) -> int:
        """Sequence everything stored so far; return how many leaves were added."""
        total = 0
        while added := self.run_once():
            total += added
        return total

    def run_once(self) -> int:
        """Sequence one batch; return its number of leaves (0 when caught up)."""
        try:
            with self.engine.begin() as conn:
                added = self._sequence_batch(conn)
        except BaseException:
            self._appender = None  # its in-memory right edge may be ahead of the database
            raise
        return added

    def _sequence_batch(self, conn: Connection) -> int:
        query = select(log_state).where(log_state.c.id == 1)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        state = conn.execute(query).first()
        size, position = (state.size, state.position) if state else (0, 0)
        notifications = self.recorder.select_notifications(
            start=position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        hashes = []
        for notification in notifications:
            entry = entry_bytes(
                notification.originator_id,
                notification.originator_version,
                notification.topic,
                notification.state,
            )
            if len(entry) > MAX_ENTRY_BYTES:
                raise SequencerError(
                    f"stored event {notification.id} makes an entry of {len(entry)} bytes"
                )
            hashes.append(leaf_hash(entry))

        def fetch(level: int, index: int) -> bytes:
            return _fetch_tile(conn, level, index)

        appender = self._appender
        if appender is None or appender.size != size:
            appender = TileAppender(size, fetch)
        changed = appender.append(hashes)
        self._appender = appender
        _write_tiles(conn, changed)
        conn.execute(
            insert(log_leaves),
            [
                {"leaf_index": size + offset, "notification_id": n.id}
                for offset, n in enumerate(notifications)
            ],
        )
        new_size = size + len(notifications)

        def fetch_latest(level: int, index: int) -> bytes:
            return changed.get((level, index)) or _fetch_tile(conn, level, index)

        root = tree_root(new_size, TileNodeReader(fetch_latest)) if new_size else EMPTY_ROOT
        note = sign_checkpoint(
            Checkpoint(self.origin, new_size, root), self.origin, self.log_signer
        )
        values = {
            "size": new_size,
            "position": notifications[-1].id,
            "root": root,
            "checkpoint": note,
        }
        if state is None:
            conn.execute(insert(log_state).values(id=1, **values))
        else:
            conn.execute(update(log_state).where(log_state.c.id == 1).values(**values))
        if self.on_batch is not None:
            self.on_batch(size, new_size)
        return len(notifications)


def _fetch_tile(conn: Connection, level: int, index: int) -> bytes:
    hashes = conn.execute(
        select(log_tiles.c.hashes).where(
            log_tiles.c.level == level, log_tiles.c.tile_index == index
        )
    ).scalar()
    return bytes(hashes) if hashes is not None else b""


def _write_tiles(conn: Connection, tiles: dict[tuple[int, int], bytes]) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    rows = [{"level": lv, "tile_index": ix, "hashes": h} for (lv, ix), h in tiles.items()]
    statement = upsert(log_tiles)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["level", "tile_index"], set_={"hashes": statement.excluded.hashes}
        ),
        rows,
    )
