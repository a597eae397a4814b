"""Bring the log's tables to the latest Alembic revision (`canbo init`, `canbo migrate`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

# The log's own version table, so read models can keep migration trees of their own.
VERSION_TABLE = "canbo_log_alembic_version"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "ledger:migrations")
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration of the log's tables."""
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
