"""Alembic environment: runs on the connection handed over by ledger.migrate."""

from __future__ import annotations

from alembic import context

from ledger.log_schema import metadata
from ledger.migrate import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
