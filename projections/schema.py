"""Tables of the read models, beside the event store in the same database.

Each projection owns some of these tables and one row of `projection_positions` (its tracking
record: the last notification id it has taken into account, written in the same transaction as
its rows), so it can be dropped and rebuilt from the log at any time. Dates are ISO text: they
sort and compare the same on SQLite and PostgreSQL, and read back exactly as written.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, MetaData, Table, Text

metadata = MetaData()

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# --- public_records: the public service records (hồ sơ công vụ) ----------------------------------

# `unit_path` is "|<root>|...|<unit>|": the unit and every unit above it, so "within scope S" is
# one LIKE '%|S|%' whatever the ids look like.
public_units = Table(
    "public_units",
    metadata,
    Column("unit_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("parent", Text),
    Column("province", Text),
    Column("unit_path", Text, nullable=False),
    Column("special_areas", JSON, nullable=False),
    Column("exists_from", Text, nullable=False),
    Column("exists_until", Text),
    Column("successors", JSON, nullable=False),
    Column("predecessors", JSON, nullable=False),
    Column("log_indexes", JSON, nullable=False),
)

public_posts = Table(
    "public_posts",
    metadata,
    Column("post_id", Text, primary_key=True),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("province", Text),
    Column("title", Text, nullable=False),
    Column("title_group", Text, nullable=False),
    Column("rank", Text, nullable=False),
    Column("grade", Integer, nullable=False),
    Column("headcount", Integer, nullable=False),
    Column("sensitive_area", Text),
    Column("key_position", Boolean, nullable=False),
    Column("created_on", Text, nullable=False),
    Column("abolished_on", Text),
    Column("log_indexes", JSON, nullable=False),
)
Index("ix_public_posts_unit", public_posts.c.unit)

# The public profile only: the name while not erased, the title and unit. Nothing else from the
# vault, ever.
public_officials = Table(
    "public_officials",
    metadata,
    Column("official_id", Text, primary_key=True),
    Column("name", Text),
    Column("erased", Boolean, nullable=False),
    Column("title", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("registered_on", Text, nullable=False),
    Column("last_log_index", BigInteger, nullable=False),
    Column("log_indexes", JSON, nullable=False),
)
Index("ix_public_officials_unit", public_officials.c.unit)

# Popolo Membership: an official holding a post, from the decision that placed them.
public_memberships = Table(
    "public_memberships",
    metadata,
    Column("membership_id", Text, primary_key=True),
    Column("official_id", Text, nullable=False),
    Column("post_id", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("start_date", Text, nullable=False),
    Column("end_date", Text),
    Column("decision_id", Text),
    Column("log_index", BigInteger),
)
Index("ix_public_memberships_official", public_memberships.c.official_id)
Index("ix_public_memberships_post", public_memberships.c.post_id)

public_probations = Table(
    "public_probations",
    metadata,
    Column("probation_id", Text, primary_key=True),
    Column("official_id", Text, nullable=False),
    Column("post_id", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("started", Text, nullable=False),
    Column("deadline", Text, nullable=False),
    Column("ended_on", Text),
    Column("confirmed", Boolean),
    Column("decision_id", Text),
    Column("log_index", BigInteger),
)
Index("ix_public_probations_official", public_probations.c.official_id)

public_trainings = Table(
    "public_trainings",
    metadata,
    Column("official_id", Text, primary_key=True),
    Column("training_id", Text, primary_key=True),
    Column("course", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("completed_on", Text, nullable=False),
    Column("competencies", JSON, nullable=False),
    Column("log_index", BigInteger),
)

# A decision with its public summary and the rules' public verdicts. `flag_rules` is
# ",R09,R11," so a filter by rule is one LIKE.
public_decisions = Table(
    "public_decisions",
    metadata,
    Column("decision_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("effective_on", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("framework_version", Text),
    Column("target_post", Text),
    Column("until", Text),
    Column("rotation", Text),
    Column("penalty", Text),
    Column("evaluation_period", Text),
    Column("evaluation_band", Text),
    Column("proposed_at", Text, nullable=False),
    Column("approved_at", Text),
    Column("verdicts", JSON, nullable=False),
    Column("flag_rules", Text, nullable=False),
    Column("was_held", Boolean, nullable=False),
    Column("ended_reason", Text),
    Column("first_log_index", BigInteger, nullable=False),
    Column("last_log_index", BigInteger, nullable=False),
    Column("effect_log_index", BigInteger),
    Column("log_indexes", JSON, nullable=False),
)
Index("ix_public_decisions_subject", public_decisions.c.subject)
Index("ix_public_decisions_unit", public_decisions.c.unit)
Index("ix_public_decisions_effective", public_decisions.c.effective_on)

public_framework_versions = Table(
    "public_framework_versions",
    metadata,
    Column("framework_id", Text, primary_key=True),
    Column("proposal", Integer, primary_key=True),
    Column("province", Text, nullable=False),
    Column("title_group", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Text),
    Column("effective_on", Text, nullable=False),
    Column("competencies", JSON, nullable=False),
    Column("priority_competencies", JSON, nullable=False),
    Column("parameters", JSON, nullable=False),
    Column("summary", Text, nullable=False),
    Column("approvals", Integer, nullable=False),
    Column("published_at", Text),
    Column("log_indexes", JSON, nullable=False),
)

# The change feed: one row per public personnel statement, in log order.
public_changes = Table(
    "public_changes",
    metadata,
    Column("log_index", BigInteger, primary_key=True, autoincrement=False),
    Column("type", Text, nullable=False),
    Column("record_kind", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("official_id", Text),
    Column("time", Text, nullable=False),
    Column("signer", Text, nullable=False),
    Column("status", Text),
)

# --- inspection: what only inspection reads -------------------------------------------------------

# A held decision and why (re-derived by running the rules on the state the server checked it
# against); the public sees only that it is held.
inspection_holds = Table(
    "inspection_holds",
    metadata,
    Column("decision_id", Text, primary_key=True),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("held_at_log_index", BigInteger, nullable=False),
    Column("verdicts", JSON, nullable=False),
)

inspection_tasks = Table(
    "inspection_tasks",
    metadata,
    Column("task_id", Text, primary_key=True),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("deadline", Text, nullable=False),
    Column("owner", Text),
    Column("assigned_on", Text),
    Column("outcome", Text),
    Column("closed_on", Text),
    Column("log_indexes", JSON, nullable=False),
)

inspection_initiatives = Table(
    "inspection_initiatives",
    metadata,
    Column("initiative_id", Text, primary_key=True),
    Column("official_id", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("aim", Text, nullable=False),
    Column("starts_on", Text, nullable=False),
    Column("assessment", Text),
    Column("evaluated_on", Text),
    Column("log_indexes", JSON, nullable=False),
)

inspection_consultations = Table(
    "inspection_consultations",
    metadata,
    Column("consultation_id", Text, primary_key=True),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("to_unit", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("deadline", Text, nullable=False),
    Column("asked_on", Text, nullable=False),
    Column("answered_on", Text),
    Column("log_indexes", JSON, nullable=False),
)

# Internal reports by status and deadline: never their content, the reporter or the handler's
# notes. Deadlines use the report parameters in force on the day the report was received.
inspection_reports = Table(
    "inspection_reports",
    metadata,
    Column("report_id", Text, primary_key=True),
    Column("category", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("unit_path", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("complexity", Text, nullable=False),
    Column("received_on", Text, nullable=False),
    Column("accepted_on", Text),
    Column("acknowledged_on", Text),
    Column("concluded_on", Text),
    Column("outcome", Text),
    Column("classify_by", Text, nullable=False),
    Column("notice_by", Text),
    Column("resolve_by", Text),
    Column("log_indexes", JSON, nullable=False),
)
