"""The read models' tables and the projections' tracking positions.

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
    """Create the public records, inspection tables and projection_positions."""
    op.create_table(
        "inspection_consultations",
        sa.Column("consultation_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("to_unit", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Text(), nullable=False),
        sa.Column("asked_on", sa.Text(), nullable=False),
        sa.Column("answered_on", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("consultation_id"),
    )
    op.create_table(
        "inspection_holds",
        sa.Column("decision_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("held_at_log_index", sa.BigInteger(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    op.create_table(
        "inspection_initiatives",
        sa.Column("initiative_id", sa.Text(), nullable=False),
        sa.Column("official_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("aim", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("evaluated_on", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("initiative_id"),
    )
    op.create_table(
        "inspection_reports",
        sa.Column("report_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("complexity", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Text(), nullable=False),
        sa.Column("accepted_on", sa.Text(), nullable=True),
        sa.Column("acknowledged_on", sa.Text(), nullable=True),
        sa.Column("concluded_on", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("classify_by", sa.Text(), nullable=False),
        sa.Column("notice_by", sa.Text(), nullable=True),
        sa.Column("resolve_by", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("report_id"),
    )
    op.create_table(
        "inspection_tasks",
        sa.Column("task_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("assigned_on", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "public_changes",
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("record_kind", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("official_id", sa.Text(), nullable=True),
        sa.Column("time", sa.Text(), nullable=False),
        sa.Column("signer", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("log_index"),
    )
    op.create_table(
        "public_decisions",
        sa.Column("decision_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("framework_version", sa.Text(), nullable=True),
        sa.Column("target_post", sa.Text(), nullable=True),
        sa.Column("until", sa.Text(), nullable=True),
        sa.Column("rotation", sa.Text(), nullable=True),
        sa.Column("penalty", sa.Text(), nullable=True),
        sa.Column("evaluation_period", sa.Text(), nullable=True),
        sa.Column("evaluation_band", sa.Text(), nullable=True),
        sa.Column("proposed_at", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.Text(), nullable=True),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("flag_rules", sa.Text(), nullable=False),
        sa.Column("was_held", sa.Boolean(), nullable=False),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.Column("first_log_index", sa.BigInteger(), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        sa.Column("effect_log_index", sa.BigInteger(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id"),
    )
    op.create_index(
        "ix_public_decisions_effective", "public_decisions", ["effective_on"], unique=False
    )
    op.create_index("ix_public_decisions_subject", "public_decisions", ["subject"], unique=False)
    op.create_index("ix_public_decisions_unit", "public_decisions", ["unit"], unique=False)
    op.create_table(
        "public_framework_versions",
        sa.Column("framework_id", sa.Text(), nullable=False),
        sa.Column("proposal", sa.Integer(), nullable=False),
        sa.Column("province", sa.Text(), nullable=False),
        sa.Column("title_group", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("effective_on", sa.Text(), nullable=False),
        sa.Column("competencies", sa.JSON(), nullable=False),
        sa.Column("priority_competencies", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("approvals", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("framework_id", "proposal"),
    )
    op.create_table(
        "public_memberships",
        sa.Column("membership_id", sa.Text(), nullable=False),
        sa.Column("official_id", sa.Text(), nullable=False),
        sa.Column("post_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Text(), nullable=False),
        sa.Column("end_date", sa.Text(), nullable=True),
        sa.Column("decision_id", sa.Text(), nullable=True),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("membership_id"),
    )
    op.create_index(
        "ix_public_memberships_official", "public_memberships", ["official_id"], unique=False
    )
    op.create_index("ix_public_memberships_post", "public_memberships", ["post_id"], unique=False)
    op.create_table(
        "public_officials",
        sa.Column("official_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("erased", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("registered_on", sa.Text(), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("official_id"),
    )
    op.create_index("ix_public_officials_unit", "public_officials", ["unit"], unique=False)
    op.create_table(
        "public_posts",
        sa.Column("post_id", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_group", sa.Text(), nullable=False),
        sa.Column("rank", sa.Text(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("sensitive_area", sa.Text(), nullable=True),
        sa.Column("key_position", sa.Boolean(), nullable=False),
        sa.Column("created_on", sa.Text(), nullable=False),
        sa.Column("abolished_on", sa.Text(), nullable=True),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )
    op.create_index("ix_public_posts_unit", "public_posts", ["unit"], unique=False)
    op.create_table(
        "public_probations",
        sa.Column("probation_id", sa.Text(), nullable=False),
        sa.Column("official_id", sa.Text(), nullable=False),
        sa.Column("post_id", sa.Text(), nullable=False),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("started", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Text(), nullable=False),
        sa.Column("ended_on", sa.Text(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=True),
        sa.Column("decision_id", sa.Text(), nullable=True),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("probation_id"),
    )
    op.create_index(
        "ix_public_probations_official", "public_probations", ["official_id"], unique=False
    )
    op.create_table(
        "public_trainings",
        sa.Column("official_id", sa.Text(), nullable=False),
        sa.Column("training_id", sa.Text(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("completed_on", sa.Text(), nullable=False),
        sa.Column("competencies", sa.JSON(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("official_id", "training_id"),
    )
    op.create_table(
        "public_units",
        sa.Column("unit_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("unit_path", sa.Text(), nullable=False),
        sa.Column("special_areas", sa.JSON(), nullable=False),
        sa.Column("exists_from", sa.Text(), nullable=False),
        sa.Column("exists_until", sa.Text(), nullable=True),
        sa.Column("successors", sa.JSON(), nullable=False),
        sa.Column("predecessors", sa.JSON(), nullable=False),
        sa.Column("log_indexes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id"),
    )


def downgrade() -> None:
    """Drop them (read models are rebuilt from the log at any time)."""
    op.drop_table("public_units")
    op.drop_table("public_trainings")
    op.drop_index("ix_public_probations_official", table_name="public_probations")
    op.drop_table("public_probations")
    op.drop_index("ix_public_posts_unit", table_name="public_posts")
    op.drop_table("public_posts")
    op.drop_index("ix_public_officials_unit", table_name="public_officials")
    op.drop_table("public_officials")
    op.drop_index("ix_public_memberships_post", table_name="public_memberships")
    op.drop_index("ix_public_memberships_official", table_name="public_memberships")
    op.drop_table("public_memberships")
    op.drop_table("public_framework_versions")
    op.drop_index("ix_public_decisions_unit", table_name="public_decisions")
    op.drop_index("ix_public_decisions_subject", table_name="public_decisions")
    op.drop_index("ix_public_decisions_effective", table_name="public_decisions")
    op.drop_table("public_decisions")
    op.drop_table("public_changes")
    op.drop_table("projection_positions")
    op.drop_table("inspection_tasks")
    op.drop_table("inspection_reports")
    op.drop_table("inspection_initiatives")
    op.drop_table("inspection_holds")
    op.drop_table("inspection_consultations")
