"""Alembic migration trees: the log's own (`canbo init`, `canbo migrate`), and the read models'.

Each tree has its own version table, so the log and every read model migrate independently in
one database.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

# The log's own version table, so read models can keep migration trees of their own.
VERSION_TABLE = "canbo_log_alembic_version"


@dataclass(frozen=True)
class MigrationTree:
    """One Alembic tree: where its scripts are and which version table records its revision."""

    script_location: str
    version_table: str

    def _config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", self.script_location)
        return config

    def upgrade(self, engine: Engine) -> None:
        """Apply every pending migration of this tree."""
        config = self._config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def is_current(self, engine: Engine) -> bool:
        """True if the database is at this tree's latest revision."""
        head = ScriptDirectory.from_config(self._config()).get_current_head()
        with engine.connect() as connection:
            current = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            ).get_current_revision()
        return current == head


def run_migrations(metadata: MetaData, version_table: str) -> None:
    """The body of a tree's env.py: migrate on the connection handed over by `upgrade`."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


LOG = MigrationTree("ledger:migrations", VERSION_TABLE)
upgrade = LOG.upgrade
is_current = LOG.is_current
