"""SQL tables of the transparency log (beside the event store, in the same database)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, SmallInteger, Table, Text

metadata = MetaData()

# Leaf i of the tree is the stored event with this notification id (ids may have gaps on
# PostgreSQL after rollbacks; leaf indexes never do).
log_leaves = Table(
    "log_leaves",
    metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("notification_id", BigInteger, nullable=False, unique=True),
)

# C2SP tlog-tiles: up to 256 hashes of 32 bytes per (level, tile_index); the right-edge tile
# of each level grows in place, full tiles never change.
log_tiles = Table(
    "log_tiles",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("tile_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),
)

# The sequencer's tracking record and the latest signed checkpoint: one row, id = 1, updated in
# the same transaction as the tiles, so sequencing is exactly once across crashes.
log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("checkpoint", Text, nullable=False),
)
