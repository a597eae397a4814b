"""The log's tables: leaves with their hashes, tiles, and the tracking state.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create log_leaves, log_tiles and log_state."""
    leaf_index = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "log_leaves",
        sa.Column("leaf_index", leaf_index, primary_key=True, autoincrement=False),
        sa.Column("notification_id", sa.BigInteger, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_log_leaves_notification_id", "log_leaves", ["notification_id"], unique=True
        )
    op.create_table(
        "log_tiles",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("tile_index", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hashes", sa.LargeBinary, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "log_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary, nullable=False),
        sa.Column("checkpoint", sa.Text, nullable=False),
    )


def downgrade() -> None:
    """Drop the log's tables."""
    op.drop_table("log_state")
    op.drop_table("log_tiles")
    op.drop_table("log_leaves")
