"""The sequencer's view of the database inside one transaction, as plain SQL.

Two ways in: a DB-API cursor already inside the event store's insert transaction (embedded
SQLite: leaves, tiles and checkpoint commit with the events themselves), or a SQLAlchemy
connection in a transaction of its own (the separate sequencer, SQLite or PostgreSQL). Plain SQL
keeps the per-statement cost small on the ingest path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection

from ledger.head_listener import SEQUENCED_CHANNEL
from ledger.tiles import FULL_TILE_BYTES, TILE_WIDTH


@dataclass(frozen=True)
class StoredRow:
    """A stored event as the sequencer needs it."""

    id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


@dataclass(frozen=True)
class LogState:
    """The tracking record: tree size and last sequenced notification id."""

    size: int
    position: int


class LogTx(Protocol):
    """Reads and writes of one sequencer transaction."""

    def state(self) -> LogState | None:
        """The tracking record, locked for this transaction."""
        ...

    def events_after(self, position: int, limit: int) -> Sequence[StoredRow]:
        """Stored events with notification id > position, in order."""
        ...

    def tile(self, level: int, index: int) -> bytes:
        """Stored hashes of a tile, b'' if none."""
        ...

    def write(
        self,
        tiles: dict[tuple[int, int], bytes],
        leaves: Sequence[tuple[int, int, bytes]],
        state: LogState,
        root: bytes,
        checkpoint: str,
        *,
        is_new: bool,
    ) -> None:
        """Write changed tiles, (leaf index, notification id, leaf hash) rows and tracking."""
        ...


class _SqlTx:
    """Shared SQL; subclasses supply execution and the placeholder style."""

    mark = "?"
    lock_state = ""
    upsert_tile = (
        "INSERT INTO log_tiles (level, tile_index, hashes) VALUES (?, ?, ?) "
        "ON CONFLICT (level, tile_index) DO UPDATE SET hashes = excluded.hashes"
    )

    def _q(self, sql: str) -> str:
        return sql if self.mark == "?" else sql.replace("?", self.mark)

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _all(self, sql: str, params: Sequence[Any]) -> Sequence[Any]:
        raise NotImplementedError

    def state(self) -> LogState | None:
        row = self._one("SELECT size, position FROM log_state WHERE id = 1" + self.lock_state, ())
        return None if row is None else LogState(int(row[0]), int(row[1]))

    def tile(self, level: int, index: int) -> bytes:
        row = self._one(
            self._q("SELECT hashes FROM log_tiles WHERE level = ? AND tile_index = ?"),
            (level, index),
        )
        if row is not None:
            return bytes(row[0])
        if level != 0:
            return b""
        # The right-edge level-0 tile is kept as leaf rows until it is full.
        return b"".join(
            bytes(r[0])
            for r in self._all(
                self._q(
                    "SELECT leaf_hash FROM log_leaves WHERE leaf_index >= ? AND leaf_index < ? "
                    "ORDER BY leaf_index"
                ),
                (index * TILE_WIDTH, (index + 1) * TILE_WIDTH),
            )
        )

    def write(
        self,
        tiles: dict[tuple[int, int], bytes],
        leaves: Sequence[tuple[int, int, bytes]],
        state: LogState,
        root: bytes,
        checkpoint: str,
        *,
        is_new: bool,
    ) -> None:
        # Level 0 is stored only when full; its growing tile lives in the leaf rows.
        stored = [
            (lv, ix, h) for (lv, ix), h in tiles.items() if lv > 0 or len(h) == FULL_TILE_BYTES
        ]
        self._many(self._q(self.upsert_tile), stored)
        self._many(
            self._q(
                "INSERT INTO log_leaves (leaf_index, notification_id, leaf_hash) VALUES (?, ?, ?)"
            ),
            leaves,
        )
        if is_new:
            sql = "INSERT INTO log_state (size, position, root, checkpoint, id) VALUES (?,?,?,?,1)"
        else:
            sql = "UPDATE log_state SET size=?, position=?, root=?, checkpoint=? WHERE id=1"
        self._many(self._q(sql), [(state.size, state.position, root, checkpoint)])
        self._announce()

    def _announce(self) -> None:
        """Tell other processes, once the transaction commits, that the tree grew."""


class CursorTx(_SqlTx):
    """Inside the event store's own SQLite insert transaction (sqlite3 cursor, '?' style)."""

    def __init__(
        self,
        cursor: Any,
        convert_originator_id: Callable[[Any], Any],
        events_table: str = "stored_events",
        inserted: Sequence[tuple[int, Any]] = (),
    ) -> None:
        self.cursor = cursor
        # The (notification id, stored event) pairs this transaction just inserted: when they
        # are all that is unsequenced, they need not be read back.
        self.inserted = [
            StoredRow(i, e.originator_id, e.originator_version, e.topic, e.state)
            for i, e in inserted
        ]
        # The recorder's own conversion (SQLite stores UUIDs as hex text): entries must be
        # byte-identical whichever path read the event.
        self.convert_originator_id = convert_originator_id
        self.events_table = events_table

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        self.cursor.execute(sql, params)
        return self.cursor.fetchone()

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(sql, rows)

    def _all(self, sql: str, params: Sequence[Any]) -> Sequence[Any]:
        self.cursor.execute(sql, params)
        rows: Sequence[Any] = self.cursor.fetchall()
        return rows

    def events_after(self, position: int, limit: int) -> Sequence[StoredRow]:
        inserted = self.inserted
        if inserted and inserted[0].id == position + 1 and len(inserted) <= limit:
            self.inserted = []
            return inserted
        self.cursor.execute(
            f"SELECT rowid, originator_id, originator_version, topic, state FROM "
            f"{self.events_table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (position, limit),
        )
        return [
            StoredRow(row[0], self.convert_originator_id(row[1]), row[2], row[3], row[4])
            for row in self.cursor.fetchall()
        ]


class ConnectionTx(_SqlTx):
    """A SQLAlchemy connection in its own transaction; events read through the recorder."""

    def __init__(self, conn: Connection, recorder: Any) -> None:
        self.conn = conn
        self.recorder = recorder
        if conn.dialect.name == "postgresql":
            self.mark = "%s"
            # One sequencer at a time, whatever else holds the advisory lock.
            self.lock_state = " FOR UPDATE"

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        return self.conn.exec_driver_sql(sql, tuple(params)).first()

    def _announce(self) -> None:
        # API processes beside `canbo sequencer` LISTEN for it to answer waiting receipts.
        if self.conn.dialect.name == "postgresql":
            self.conn.exec_driver_sql(f"NOTIFY {SEQUENCED_CHANNEL}")

    def _many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.exec_driver_sql(sql, [tuple(r) for r in rows])

    def _all(self, sql: str, params: Sequence[Any]) -> Sequence[Any]:
        return self.conn.exec_driver_sql(sql, tuple(params)).all()

    def events_after(self, position: int, limit: int) -> Sequence[StoredRow]:
        notifications = self.recorder.select_notifications(
            start=position, limit=limit, inclusive_of_start=False
        )
        return [
            StoredRow(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications
        ]
