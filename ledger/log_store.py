"""Reading the transparency log: checkpoint, tiles, entries and proofs from the SQL tables."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from ledger.entry import entry_bytes
from ledger.errors import LogUnavailable, NotFound
from ledger.log_schema import log_leaves, log_state
from ledger.log_snapshot import leaf_indexes, load_snapshot
from ledger.log_tx import ConnectionTx
from ledger.merkle import consistency_proof, inclusion_proof
from ledger.sequencer import Sequenced
from ledger.tiles import TILE_WIDTH, TileNodeReader, tile_width_at


@dataclass(frozen=True)
class LogHead:
    """The latest signed checkpoint and what it commits to."""

    size: int
    root: bytes
    checkpoint: str
    position: int


class LogStore:
    """Read side of the log; safe to share between threads."""

    def __init__(
        self,
        engine: Engine,
        recorder: Any,
        recent: Callable[[], Sequenced | None] = lambda: None,
    ) -> None:
        self.engine = engine
        self.recorder = recorder
        # What an in-process sequencer committed last: its right-edge tiles answer new proofs
        # without reading the tiles back (tiles only grow, so a later state serves any size).
        self._sequenced_here = recent
        # In a process that does not sequence: the latest snapshot() loaded, used the same way.
        self._loaded: Sequenced | None = None
        self._nodes = TileNodeReader(self.tile_hashes)
        self._recent_nodes = TileNodeReader(self._recent_or_stored_tile)

    def recent(self) -> Sequenced | None:
        """The newest right edge known without a read: sequenced here, or loaded by snapshot()."""
        here, loaded = self._sequenced_here(), self._loaded
        if here is None or (loaded is not None and loaded.size > here.size):
            return loaded
        return here

    def snapshot(self, notification_ids: Collection[int], *, after: int = 0) -> Sequenced | None:
        """The latest checkpoint with its right-edge tiles and these events' leaf indexes.

        For a process that does not sequence (the API beside `canbo sequencer`): a few reads on
        one connection (ledger/log_snapshot.py), and the receipts of every request waiting on
        the sequencer come from it without reading again. None if nothing is sequenced yet or
        the tracking position is not past `after`, which costs one read.
        """
        previous = self._loaded
        with self.engine.connect() as conn:
            snapshot = load_snapshot(conn, self.recorder, notification_ids, after, previous)
        if snapshot is not None and (previous is None or snapshot.size >= previous.size):
            self._loaded = snapshot
        return snapshot

    def _recent_or_stored_tile(self, level: int, index: int) -> bytes:
        recent = self.recent()
        if recent is not None and (tile := recent.edge_tiles.get((level, index))):
            return tile
        return self.tile_hashes(level, index)

    def head(self) -> LogHead | None:
        """The latest checkpoint, or None before the first sequencing."""
        with self.engine.connect() as conn:
            row = conn.execute(select(log_state).where(log_state.c.id == 1)).first()
        if row is None:
            return None
        return LogHead(row.size, row.root, row.checkpoint, row.position)

    def require_head(self) -> LogHead:
        """The latest checkpoint; LogUnavailable if nothing is sequenced yet."""
        head = self.head()
        if head is None:
            raise LogUnavailable("the log has no checkpoint yet", "nhật ký chưa có checkpoint")
        return head

    def tile_hashes(self, level: int, index: int) -> bytes:
        """The stored hashes of a tile (possibly partial), or b'' if absent."""
        with self.engine.connect() as conn:
            return ConnectionTx(conn, self.recorder).tile(level, index)

    def tile(self, level: int, index: int, width: int, size: int) -> bytes:
        """A tile as served: the first `width` hashes, only if the tree of `size` has them."""
        available = tile_width_at(level, index, size)
        if width > available:
            raise NotFound(
                f"tile {level}/{index} has {available} hashes at tree size {size}, not {width}",
                "ô (tile) này chưa có đủ số hash yêu cầu",
                level=level,
                index=index,
                width=width,
            )
        return self.tile_hashes(level, index)[: 32 * width]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of leaf index in the tree of size (<= the head's size)."""
        self._check_size(size)
        if not 0 <= index < size:
            raise NotFound(
                f"leaf {index} is not in a tree of size {size}",
                f"lá {index} không nằm trong cây kích thước {size}",
                index=index,
                size=size,
            )
        return inclusion_proof(index, size, self._reader_for(size))

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """RFC 9162 consistency proof between two tree sizes (new <= the head's size)."""
        self._check_size(new)
        if not 0 <= old <= new:
            raise NotFound(
                f"no consistency proof from size {old} to size {new}",
                f"không có chứng minh nhất quán từ {old} đến {new}",
                old=old,
                new=new,
            )
        return consistency_proof(old, new, self._reader_for(new))

    def _reader_for(self, size: int) -> TileNodeReader:
        recent = self.recent()
        return self._recent_nodes if recent is not None and recent.size >= size else self._nodes

    def _check_size(self, size: int) -> None:
        recent = self.recent()
        if recent is not None and 0 < size <= recent.size:
            return
        head = self.require_head()
        if not 0 < size <= head.size:
            raise NotFound(
                f"tree size {size} is not between 1 and the latest checkpoint's {head.size}",
                f"kích thước cây {size} không hợp lệ (checkpoint mới nhất: {head.size})",
                size=size,
                latest=head.size,
            )

    def leaf_hash(self, index: int) -> bytes:
        """The stored leaf hash of a sequenced leaf."""
        recent = self.recent()
        if recent is not None and index < recent.size:
            tile = self._recent_or_stored_tile(0, index // TILE_WIDTH)
        else:  # sequenced by another process after this one's last batch
            tile = self.tile_hashes(0, index // TILE_WIDTH)
        offset = 32 * (index % TILE_WIDTH)
        return tile[offset : offset + 32]

    def leaf_index(self, notification_id: int) -> int | None:
        """The leaf index of a stored event, if sequenced."""
        recent = self.recent()
        if recent is not None and notification_id in recent.leaves:
            return recent.leaves[notification_id]
        with self.engine.connect() as conn:
            return leaf_indexes(conn, [notification_id], below=2**63).get(notification_id)

    def entries(self, first: int, count: int) -> list[bytes]:
        """Entries of leaves first .. first+count-1 (all must be sequenced)."""
        with self.engine.connect() as conn:
            ids = list(
                conn.execute(
                    select(log_leaves.c.notification_id)
                    .where(
                        log_leaves.c.leaf_index >= first, log_leaves.c.leaf_index < first + count
                    )
                    .order_by(log_leaves.c.leaf_index)
                ).scalars()
            )
        if len(ids) != count:
            raise NotFound(
                f"leaves {first}..{first + count - 1} are not all in the log",
                "một số lá không có trong nhật ký",
                first=first,
                count=count,
            )
        return self.entries_of_notifications(ids)

    def entries_of_notifications(self, ids: Sequence[int]) -> list[bytes]:
        """Entries of stored events by notification id, in the given order."""
        if not ids:
            return []
        notifications = self.recorder.select_notifications(
            start=ids[0], stop=ids[-1], limit=len(ids) + 1
        )
        by_id = {n.id: n for n in notifications}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise NotFound(
                f"stored event {missing[0]} is missing from the event store",
                "thiếu sự kiện trong kho sự kiện",
                notification_id=missing[0],
            )
        return [
            entry_bytes(n.originator_id, n.originator_version, n.topic, n.state)
            for n in (by_id[i] for i in ids)
        ]
