"""Event-store recorders that also record used nonces, in the same transaction as the events.

A replayed statement is refused before saving; the unique (key_id, nonce) row written with the
events makes that hold under races too. These subclass eventsourcing 9.5.6's recorders through
their `_insert_events` hook (a private method: the version is pinned in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

NONCE_TABLE = "statement_nonces"
# One row counting the personnel events recorded: a personnel batch moves it from the count its
# checks saw to that plus its own events, or finds it moved and is checked again.
PERSONNEL_HEAD_TABLE = "personnel_head"
Nonce = tuple[str, str]
PersonnelCount = tuple[int, int] | None  # (count the checks saw, count after this batch)


class StalePersonnelState(Exception):
    """Another personnel statement was recorded after this batch's checks read the state."""


class StaleKeyRecord(Exception):
    """A key record the statements relied on changed before their events were inserted."""

    def __init__(self, aggregate_ids: list[UUID]) -> None:
        super().__init__(f"key records changed meanwhile: {aggregate_ids}")
        self.aggregate_ids = aggregate_ids


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite event store plus the nonce table, and (embedded) the sequencer in the same commit."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        # Set by the embedded ledger: runs inside each insert transaction, after the rows exist;
        # it is handed the rows just inserted, with their notification ids.
        self.sequence_hook: (
            Callable[[SQLiteCursor, Sequence[tuple[int, StoredEvent]]], None] | None
        ) = None

    def construct_create_table_statements(self) -> list[str]:
        """Also create the nonce table."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {NONCE_TABLE} (key_id TEXT NOT NULL, "
            "nonce TEXT NOT NULL, PRIMARY KEY (key_id, nonce)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {PERSONNEL_HEAD_TABLE} (id INTEGER PRIMARY KEY "
            "CHECK (id = 1), count INTEGER NOT NULL)",
            f"INSERT OR IGNORE INTO {PERSONNEL_HEAD_TABLE} (id, count) VALUES (1, 0)",
        ]

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        nonces: Sequence[Nonce] = (),
        key_versions: Sequence[tuple[UUID, int]] = (),
        personnel_count: PersonnelCount = None,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if personnel_count is not None:
            expected, new = personnel_count
            c.execute(
                f"UPDATE {PERSONNEL_HEAD_TABLE} SET count = ? WHERE id = 1 AND count = ?",
                (new, expected),
            )
            if c.sqlite_cursor.rowcount != 1:
                raise StalePersonnelState()
        if nonces:
            c.executemany(f"INSERT INTO {NONCE_TABLE} (key_id, nonce) VALUES (?, ?)", nonces)
        ids = super()._insert_events(c, stored_events, **kwargs)
        # The keys were read from a cache outside this transaction; inside it, now that the
        # inserts hold the write lock (a read first could not upgrade to a write in WAL mode),
        # a cheap look confirms no revocation or rotation landed in between.
        stale = []
        for aggregate_id, version in key_versions:
            c.execute(
                f"SELECT MAX(originator_version) FROM {self.events_table_name} "
                "WHERE originator_id = ?",
                (aggregate_id.hex,),
            )
            if c.fetchone()[0] != version:
                stale.append(aggregate_id)
        if stale:
            raise StaleKeyRecord(stale)
        if self.sequence_hook is not None:
            self.sequence_hook(c, list(zip(ids or (), stored_events, strict=True)))
        return ids

    def nonce_used(self, key_id: str, nonce: str) -> bool:
        """True if the signer already used this nonce in a recorded statement."""
        return bool(self.used_nonces([(key_id, nonce)]))

    def used_nonces(self, pairs: Sequence[Nonce]) -> set[Nonce]:
        """The (key id, nonce) pairs among these already used by recorded statements."""
        if not pairs:
            return set()
        marks = ",".join("?" * len(pairs))
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT key_id, nonce FROM {NONCE_TABLE} WHERE nonce IN ({marks})",
                [nonce for _, nonce in pairs],
            )
            found = {(str(row[0]), str(row[1])) for row in c.fetchall()}
        return found & set(pairs)


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL event store plus the nonce table."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:
            # Its database-function insert path skips _insert_events: no nonce rows, no key
            # checks. Refuse rather than run without them.
            raise ValueError(
                "POSTGRES_ENABLE_DB_FUNCTIONS must be off for canbo-ledger (unset it, and any "
                "LEDGER_POSTGRES_ENABLE_DB_FUNCTIONS, in the environment)"
            )
        self._nonces = Identifier(self.datastore.schema), Identifier(NONCE_TABLE)
        self._max_version = SQL(
            "SELECT max(originator_version) AS v FROM {}.{} WHERE originator_id = %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (key_id text NOT NULL, nonce text NOT NULL, "
                "PRIMARY KEY (key_id, nonce))"
            ).format(*self._nonces)
        )
        self._head = Identifier(self.datastore.schema), Identifier(PERSONNEL_HEAD_TABLE)
        # Composed once: composing SQL on every insert showed in the API's profile.
        self._insert_nonce = SQL("INSERT INTO {}.{} (key_id, nonce) VALUES (%s, %s)").format(
            *self._nonces
        )
        # The events as four parallel arrays, not an array of eventsourcing's composite type:
        # psycopg writes a composite array as escaped text, a quarter of the API's writer
        # thread under load; plain arrays go binary. Same rows, same order of ids.
        self._insert_columns = SQL(
            "INSERT INTO {}.{} AS t (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::{}[], %s::bigint[], %s::text[], %s::bytea[]) "
            "RETURNING notification_id"
        ).format(
            Identifier(self.datastore.schema),
            Identifier(self.events_table_name),
            Identifier(self.datastore.originator_id_type),
        )
        self._move_head = SQL(
            "UPDATE {}.{} SET count = %s WHERE id = 1 AND count = %s RETURNING count"
        ).format(*self._head)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.{} (id integer PRIMARY KEY CHECK (id = 1), "
                "count bigint NOT NULL)"
            ).format(*self._head)
        )
        self.sql_create_statements.append(
            SQL("INSERT INTO {}.{} (id, count) VALUES (1, 0) ON CONFLICT DO NOTHING").format(
                *self._head
            )
        )

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        nonces: Sequence[Nonce] = (),
        key_versions: Sequence[tuple[UUID, int]] = (),
        personnel_count: PersonnelCount = None,
        **kwargs: Any,
    ) -> None:
        # Everything before the events goes in one round trip: a nested pipeline syncs on exit,
        # so a replayed nonce fails there as the unique violation it is (409 replayed_nonce).
        # Left in the outer pipeline, it surfaced later as "pipeline aborted", which
        # eventsourcing retries as an outage. The answers are read once it has synced; raising
        # then, before the library's own error capture, rolls the transaction back.
        conn = curs.connection
        head: Cursor[DictRow] | None = None
        keys: list[tuple[UUID, int, Cursor[DictRow]]] = []
        try:
            with conn.pipeline():
                if personnel_count is not None:
                    # The row lock orders personnel batches; a second one finds the count moved.
                    head = conn.cursor()
                    head.execute(self._move_head, (personnel_count[1], personnel_count[0]))
                if key_versions:
                    # Take the events table's lock now (the insert takes it again, harmlessly),
                    # so no revocation or rotation can commit between this look and the insert.
                    self._lock_table(curs)
                    for aggregate_id, version in key_versions:
                        look = conn.cursor()
                        look.execute(self._max_version, (aggregate_id,))
                        keys.append((aggregate_id, version, look))
                if nonces:
                    curs.executemany(self._insert_nonce, nonces)
            if head is not None and head.fetchone() is None:
                raise StalePersonnelState()
            stale = []
            for aggregate_id, version, look in keys:
                row = look.fetchone()
                if row is None or row["v"] != version:
                    stale.append(aggregate_id)
            if stale:
                raise StaleKeyRecord(stale)
        finally:
            for cursor in [head, *(look for _, _, look in keys)]:
                if cursor is not None:
                    cursor.close()
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # As eventsourcing's own (lock, notify, insert; the ids are fetched by its caller),
        # with the events as parallel arrays (see _insert_columns).
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self._insert_columns,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    def nonce_used(self, key_id: str, nonce: str) -> bool:
        """True if the signer already used this nonce in a recorded statement."""
        return bool(self.used_nonces([(key_id, nonce)]))

    def used_nonces(self, pairs: Sequence[Nonce]) -> set[Nonce]:
        """The (key id, nonce) pairs among these already used by recorded statements."""
        if not pairs:
            return set()
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT key_id, nonce FROM {}.{} WHERE nonce = ANY(%s)").format(*self._nonces),
                ([nonce for _, nonce in pairs],),
            )
            found = {(str(row["key_id"]), str(row["nonce"])) for row in curs.fetchall()}
        return found & set(pairs)
