"""Event-store recorders that also record used nonces, in the same transaction as the events.

A replayed statement is refused before saving; the unique (key_id, nonce) row written with the
events makes that hold under races too. These subclass eventsourcing 9.5.6's recorders through
their `_insert_events` hook (a private method: the version is pinned in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

NONCE_TABLE = "statement_nonces"
Nonce = tuple[str, str]


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite event store plus the nonce table."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        """Also create the nonce table."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {NONCE_TABLE} (key_id TEXT NOT NULL, "
            "nonce TEXT NOT NULL, PRIMARY KEY (key_id, nonce)) WITHOUT ROWID",
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        nonces: Sequence[Nonce] = (),
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if nonces:
            c.executemany(f"INSERT INTO {NONCE_TABLE} (key_id, nonce) VALUES (?, ?)", nonces)
        return super()._insert_events(c, stored_events, **kwargs)

    def nonce_used(self, key_id: str, nonce: str) -> bool:
        """True if the signer already used this nonce in a recorded statement."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT 1 FROM {NONCE_TABLE} WHERE key_id=? AND nonce=?", (key_id, nonce))
            return c.fetchone() is not None


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL event store plus the nonce table."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._nonces = Identifier(self.datastore.schema), Identifier(NONCE_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (key_id text NOT NULL, nonce text NOT NULL, "
                "PRIMARY KEY (key_id, nonce))"
            ).format(*self._nonces)
        )

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        nonces: Sequence[Nonce] = (),
        **kwargs: Any,
    ) -> None:
        if nonces:
            curs.executemany(
                SQL("INSERT INTO {}.{} (key_id, nonce) VALUES (%s, %s)").format(*self._nonces),
                nonces,
            )
        super()._insert_events(curs, stored_events, **kwargs)

    def nonce_used(self, key_id: str, nonce: str) -> bool:
        """True if the signer already used this nonce in a recorded statement."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT 1 FROM {}.{} WHERE key_id=%s AND nonce=%s").format(*self._nonces),
                (key_id, nonce),
            )
            return curs.fetchone() is not None
