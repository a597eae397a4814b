"""The key registry read model's migration tree (an Alembic tree of its own)."""

from __future__ import annotations

from ledger.migrate import MigrationTree

VERSION_TABLE = "canbo_key_registry_alembic_version"
TREE = MigrationTree("projections.keys:migrations", VERSION_TABLE)
upgrade = TREE.upgrade
is_current = TREE.is_current
