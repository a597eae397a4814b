"""Alembic environment of the key registry read model: runs on the connection handed over."""

from __future__ import annotations

from alembic import context

from projections.keys.migrate import VERSION_TABLE
from projections.keys.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
