"""The log's witnesses: the size each holds and the latest checkpoint each cosigned.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create log_witnesses."""
    op.create_table(
        "log_witnesses",
        sa.Column("witness", sa.Text, primary_key=True),
        sa.Column("known_size", sa.BigInteger, nullable=False),
        sa.Column("cosigned_size", sa.BigInteger, nullable=True),
        sa.Column("checkpoint", sa.Text, nullable=True),
        sa.Column("cosignature", sa.Text, nullable=True),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop log_witnesses."""
    op.drop_table("log_witnesses")
