"""Alembic environment of the key registry read model: runs on the connection handed over."""

from __future__ import annotations

from ledger.migrate import run_migrations
from projections.keys.migrate import VERSION_TABLE
from projections.keys.schema import metadata

run_migrations(metadata, VERSION_TABLE)
