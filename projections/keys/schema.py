"""Tables of the key registry read model (beside the event store, in the same database)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, MetaData, Table, Text

metadata = MetaData()

# One row per enrolled key, as its latest event left it. Times are the statements' RFC 3339 text.
key_registry = Table(
    "key_registry",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("official_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("unit_scope", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("valid_from", Text, nullable=False),
    Column("revoked_at", Text),
    Column("revocation_reason", Text),
    Column("rotated_to", Text),
    Column("notification_id", BigInteger, nullable=False),  # the event it was last changed by
)
Index("ix_key_registry_unit_scope", key_registry.c.unit_scope)

# The tracking record: the last notification id this read model has taken into account.
key_registry_position = Table(
    "key_registry_position",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
)
