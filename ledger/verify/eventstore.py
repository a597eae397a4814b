"""Reading stored events through eventsourcing's recorder, as the sequencer does."""

from __future__ import annotations

import re
from typing import Any

from ledger.settings import Settings

# A stored event: (aggregate id, version, topic, state), what entry_bytes takes.
RawEvent = tuple[str, int, str, bytes]

# LedgerApplication.name (a test keeps them equal): eventsourcing names the PostgreSQL events
# table after it ("ledger_events"). Not imported, so that workers start without the domain.
APPLICATION_NAME = "Ledger"


class EventStoreError(Exception):
    """The event store cannot be opened."""


def open_recorder(settings: Settings) -> Any:
    """The log's application recorder, without creating tables."""
    from eventsourcing.persistence import InfrastructureFactory
    from eventsourcing.utils import Environment

    env = settings.eventsourcing_env(create_table=False)
    # The library's own recorder reads notifications; the ledger's subclass adds only writes.
    env.pop("APPLICATION_RECORDER_TOPIC", None)
    try:
        factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
        return factory.application_recorder()
    except Exception as exc:  # any driver error means the store cannot be opened
        raise EventStoreError(f"cannot open the event store: {exc}") from None


class EventReader:
    """Reads stored events in notification order, a run at a time."""

    def __init__(self, settings: Settings) -> None:
        """Open the event store of settings."""
        self.recorder = open_recorder(settings)
        self._sqlite_select = _sqlite_select(self.recorder)
        datastore = getattr(self.recorder, "datastore", None)
        self._uuid_ids = getattr(datastore, "originator_id_type", None) == "uuid"

    def read(self, after: int, limit: int) -> tuple[list[int], list[RawEvent]]:
        """Notification ids and raw events of the next `limit` events after notification `after`."""
        if self._sqlite_select is not None:
            return self._read_sqlite(self._sqlite_select, after, limit)
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        return [n.id for n in notifications], [
            (str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications
        ]

    def _read_sqlite(self, select: str, after: int, limit: int) -> tuple[list[int], list[RawEvent]]:
        # select_notifications' own query in the recorder's own transaction, read as plain
        # tuples: a third of the time, without a Notification and a UUID object per event.
        with self.recorder.datastore.transaction(commit=False) as cursor:
            cursor.row_factory = None
            cursor.execute(select, (after, limit))
            rows = cursor.fetchall()
        convert, uuid_ids = self.recorder.convert_originator_id, self._uuid_ids
        events: list[RawEvent] = []
        for _, stored, version, topic, state in rows:
            originator = _uuid_text(stored) if uuid_ids else None
            events.append((originator or str(convert(stored)), version, topic, state))
        return [row[0] for row in rows], events

    def count_after(self, after: int, batch: int = 1000) -> int:
        """How many events are stored after notification `after` (read in batches)."""
        count = 0
        while notifications := self.recorder.select_notifications(
            start=after, limit=batch, inclusive_of_start=False
        ):
            count += len(notifications)
            after = notifications[-1].id
        return count

    def close(self) -> None:
        """Release the store's connections."""
        datastore = getattr(self.recorder, "datastore", None)
        if datastore is not None:
            datastore.close()


def _sqlite_select(recorder: Any) -> str | None:
    """The query of recorder.select_notifications(start, limit, inclusive_of_start=False), if
    recorder is eventsourcing's SQLite recorder (other stores are read through the recorder)."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if type(recorder) is not SQLiteApplicationRecorder:
        return None
    return (
        "SELECT rowid, originator_id, originator_version, topic, state "
        f"FROM {recorder.events_table_name} WHERE rowid>? ORDER BY rowid LIMIT ?"
    )


_UUID_HEX = re.compile("[0-9a-f]{32}")


def _uuid_text(stored: Any) -> str | None:
    """str(UUID(stored)) for the usual stored form (32 lower-case hex digits), else None."""
    if type(stored) is not str or not _UUID_HEX.fullmatch(stored):
        return None
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"
