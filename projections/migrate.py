"""Bring the read models' tables to the latest revision: an Alembic tree of their own.

Its version table differs from the log's (`canbo_log_alembic_version`), so the two trees never
clash in one database.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

VERSION_TABLE = "canbo_projections_alembic_version"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "projections:migrations")
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration of the read models' tables."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """True if the database is at the latest revision."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        ).get_current_revision()
    return current == head
