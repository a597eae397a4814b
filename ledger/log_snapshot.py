"""Loading the log head with its right edge, for a process that does not sequence.

An API process beside `canbo sequencer` answers receipts from a snapshot: the checkpoint, the
right-edge tile of each level and the leaf indexes of the events it waits for. Leaves never
change once sequenced, so a snapshot after the previous one reads only the leaves added since:
one range read gives their hashes (the level-0 edge grows by them) and their notification ids
(usually every waiting event). The higher levels' edges change only when a level-0 tile fills;
only then, or after a jump over a tile boundary, are the edges read in full.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, select

from ledger.log_schema import log_leaves, log_state
from ledger.log_tx import ConnectionTx
from ledger.sequencer import Sequenced
from ledger.tiles import TILE_WIDTH, TileAppender


def load_snapshot(
    conn: Connection,
    recorder: Any,
    notification_ids: Collection[int],
    after: int,
    previous: Sequenced | None,
) -> Sequenced | None:
    """The head as committed now, if its tracking position is past `after`; else None.

    `previous`: an earlier snapshot of the same log, whose edge is extended if it can be.
    """
    row = conn.execute(select(log_state).where(log_state.c.id == 1)).first()
    if row is None or row.position <= after:
        return None
    size = int(row.size)
    wanted = {n for n in notification_ids if n <= row.position}  # the rest are not in it yet
    if previous is not None and previous.size <= size and _same_level0_tile(previous.size, size):
        edges, leaves = _extend(conn, previous, size, wanted)
    else:
        # The state row was read first and tiles only grow: the appender cuts each edge tile
        # to its width at `size` (and refuses one too short for it).
        edges = TileAppender(size, ConnectionTx(conn, recorder).tile).edge_tiles()
        leaves = {}
    missing = wanted - leaves.keys()
    if missing:
        leaves.update(leaf_indexes(conn, missing, below=size))
    return Sequenced(
        size=size,
        position=int(row.position),
        checkpoint=row.checkpoint,
        root=bytes(row.root),
        edge_tiles=edges,
        leaves=leaves,
    )


def _same_level0_tile(old: int, new: int) -> bool:
    # Every level's count above 0 is then the same, and so are their edge tiles.
    return old // TILE_WIDTH == new // TILE_WIDTH


def _extend(
    conn: Connection, previous: Sequenced, size: int, wanted: set[int]
) -> tuple[dict[tuple[int, int], bytes], dict[int, int]]:
    edges = dict(previous.edge_tiles)
    if size == previous.size:
        return edges, {}
    added = conn.execute(
        select(log_leaves.c.leaf_index, log_leaves.c.notification_id, log_leaves.c.leaf_hash)
        .where(log_leaves.c.leaf_index >= previous.size, log_leaves.c.leaf_index < size)
        .order_by(log_leaves.c.leaf_index)
    ).all()
    key = (0, size // TILE_WIDTH)
    edges[key] = edges.get(key, b"") + b"".join(bytes(r.leaf_hash) for r in added)
    return edges, {
        int(r.notification_id): int(r.leaf_index) for r in added if r.notification_id in wanted
    }


def leaf_indexes(conn: Connection, notification_ids: Collection[int], below: int) -> dict[int, int]:
    """Leaf index of each stored event sequenced into a tree of `below` leaves (others left out).

    SQLite never skips a notification id, so leaf i is id i + 1: primary-key probes there.
    PostgreSQL may (rolled-back inserts use up ids), so it looks the ids up by their index.
    """
    if conn.dialect.name == "sqlite":
        query = select(log_leaves.c.notification_id, log_leaves.c.leaf_index).where(
            log_leaves.c.leaf_index.in_([n - 1 for n in notification_ids])
        )
    else:
        query = select(log_leaves.c.notification_id, log_leaves.c.leaf_index).where(
            log_leaves.c.notification_id.in_(list(notification_ids))
        )
    wanted = set(notification_ids)
    return {int(n): int(i) for n, i in conn.execute(query) if n in wanted and i < below}
