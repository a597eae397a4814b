"""SQL tables of the transparency log (beside the event store, in the same database)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
)

metadata = MetaData()

# SQLite makes an INTEGER PRIMARY KEY the rowid itself: one b-tree write per leaf, not two.
_LeafIndex = BigInteger().with_variant(Integer(), "sqlite")

# Leaf i: the stored event with this notification id (ids may have gaps on PostgreSQL after
# rollbacks; leaf indexes never do) and its leaf hash. The hashes of the growing right-edge
# level-0 tile live here, so appending a leaf writes one small row instead of rewriting an
# up-to-8 KiB tile; a level-0 tile is stored in log_tiles once full.
log_leaves = Table(
    "log_leaves",
    metadata,
    Column("leaf_index", _LeafIndex, primary_key=True, autoincrement=False),
    Column("notification_id", BigInteger, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
)
# Only PostgreSQL needs it: there notification ids can skip (see LogStore.leaf_index).
Index("ix_log_leaves_notification_id", log_leaves.c.notification_id, unique=True).ddl_if(
    dialect="postgresql"
)

# C2SP tlog-tiles: up to 256 hashes of 32 bytes per (level, tile_index). Level 0: full tiles
# only. Higher levels: the right-edge tile grows in place (once per 256**level leaves).
log_tiles = Table(
    "log_tiles",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("tile_index", BigInteger, primary_key=True, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

# The sequencer's tracking record and the latest signed checkpoint: one row, id = 1, updated in
# the same transaction as the leaves and tiles, so sequencing is exactly once across crashes.
log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("root", LargeBinary, nullable=False),
    Column("checkpoint", Text, nullable=False),
)

# Per witness of this log (ledger.json "witnesses"), keyed by its vkey: the size the witness
# holds (the next add-checkpoint's old size) and the latest checkpoint it cosigned, with its
# cosignature line. The published checkpoint is the largest cosigned one with every
# cosignature on it (ledger/witness/cosignatures.py).
log_witnesses = Table(
    "log_witnesses",
    metadata,
    Column("witness", Text, primary_key=True),
    Column("known_size", BigInteger, nullable=False),
    Column("cosigned_size", BigInteger, nullable=True),
    Column("checkpoint", Text, nullable=True),
    Column("cosignature", Text, nullable=True),
    Column("updated_at", BigInteger, nullable=False),
)
