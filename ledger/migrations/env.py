"""Alembic environment: runs on the connection handed over by ledger.migrate."""

from __future__ import annotations

from ledger.log_schema import metadata
from ledger.migrate import VERSION_TABLE, run_migrations

run_migrations(metadata, VERSION_TABLE)
