"""The Alembic migrations build exactly the tables the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from ledger import migrate
from ledger.log_schema import metadata
from tests.conftest import LogFixture

# Created on PostgreSQL only (ddl_if), which the comparison does not know about.
POSTGRES_ONLY = {"ix_log_leaves_notification_id"}


def _table_of(difference: Any) -> str | None:
    subject = difference[1]
    table = getattr(subject, "table", subject)
    return getattr(table, "name", None)


def test_migrated_schema_matches_the_declared_tables(any_log: LogFixture) -> None:
    engine = create_engine(any_log.settings.sqlalchemy_url())
    try:
        assert migrate.is_current(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"version_table": migrate.VERSION_TABLE}
            )
            ours = set(metadata.tables)  # the event store's tables are eventsourcing's
            diff = [
                d
                for d in compare_metadata(context, metadata)
                if _table_of(d) in ours
                and not (engine.dialect.name == "sqlite" and d[1].name in POSTGRES_ONLY)
            ]
        assert diff == []
        migrate.upgrade(engine)  # running it again changes nothing
        assert migrate.is_current(engine)
    finally:
        engine.dispose()
