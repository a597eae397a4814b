"""Alembic environment of the read models: runs on the connection handed over by migrate."""

from __future__ import annotations

from ledger.migrate import run_migrations
from projections.migrate import VERSION_TABLE
from projections.schema import metadata

run_migrations(metadata, VERSION_TABLE)
