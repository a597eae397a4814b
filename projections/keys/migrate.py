"""Bring the key registry read model's tables to the latest revision (its own Alembic tree)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

VERSION_TABLE = "canbo_key_registry_alembic_version"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "projections.keys:migrations")
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration of the read model's tables."""
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
