"""Reading stored events through eventsourcing's recorder, as the sequencer does."""

from __future__ import annotations

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

    def read(self, after: int, limit: int) -> tuple[list[int], list[RawEvent]]:
        """Notification ids and raw events of the next `limit` events after notification `after`."""
        notifications = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        return [n.id for n in notifications], [
            (str(n.originator_id), n.originator_version, n.topic, n.state) for n in notifications
        ]

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
