"""The key registry read model and its tracking position.

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
    """Create key_registry and key_registry_position."""
    op.create_table(
        "key_registry",
        sa.Column("key_id", sa.Text, primary_key=True),
        sa.Column("official_id", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("unit_scope", sa.Text, nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.Text),
        sa.Column("revocation_reason", sa.Text),
        sa.Column("rotated_to", sa.Text),
        sa.Column("notification_id", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_key_registry_unit_scope", "key_registry", ["unit_scope"])
    position = op.create_table(
        "key_registry_position",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(position, [{"id": 1, "position": 0}])


def downgrade() -> None:
    """Drop them (the read model is rebuilt from the log at any time)."""
    op.drop_table("key_registry_position")
    op.drop_index("ix_key_registry_unit_scope", "key_registry")
    op.drop_table("key_registry")
