"""The read models' migration tree: an Alembic tree of their own.

Its version table differs from the log's (`canbo_log_alembic_version`), so the two trees never
clash in one database.
"""

from __future__ import annotations

from ledger.migrate import MigrationTree

VERSION_TABLE = "canbo_projections_alembic_version"
TREE = MigrationTree("projections:migrations", VERSION_TABLE)
upgrade = TREE.upgrade
is_current = TREE.is_current
