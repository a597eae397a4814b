"""Following the event store into the key registry read model, and querying it.

The read model tracks the last notification id it has applied (in the same transaction as the
rows), so catching up is exactly once and it can be dropped and rebuilt from the log at any time.
Readers call `catch_up` first: when nothing new was stored that costs two small reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, or_, select, update

from ledger.domain.keys import OfficialKey, record_from_json, record_to_json
from ledger.registry import ALL_UNITS
from projections.keys.schema import key_registry, key_registry_position

# The stored topics of the key aggregate's events (ledger.domain.keys).
TOPICS = tuple(
    f"{OfficialKey.__module__}:{OfficialKey.__qualname__}.{name}"
    for name in ("Enrolled", "Revoked", "Rotated")
)
BATCH = 500


@dataclass(frozen=True)
class Page:
    """One page of key records and the cursor of the next page (None at the end)."""

    keys: list[dict[str, Any]]
    next_after: str | None


class KeyRegistryReadModel:
    """The key registry read model over one database."""

    def __init__(self, reader: Engine, writer: Engine, recorder: Any, mapper: Any) -> None:
        self.reader = reader
        self.writer = writer
        self.recorder = recorder
        self.mapper = mapper

    def position(self) -> int:
        """The last notification id taken into account."""
        with self.reader.connect() as conn:
            value = conn.execute(
                select(key_registry_position.c.position).where(key_registry_position.c.id == 1)
            ).scalar_one()
        return int(value)

    def catch_up(self) -> int:
        """Apply key events stored since the position; the number applied."""
        last = self.recorder.max_notification_id() or 0
        if self.position() >= last:
            return 0
        applied = 0
        with self.writer.begin() as conn:  # SQLite: BEGIN IMMEDIATE; PostgreSQL: row lock
            position = conn.execute(
                select(key_registry_position.c.position)
                .where(key_registry_position.c.id == 1)
                .with_for_update()
            ).scalar_one()
            while position < last:
                notifications = self.recorder.select_notifications(
                    position, BATCH, stop=last, topics=TOPICS, inclusive_of_start=False
                )
                for notification in notifications:
                    self._apply(conn, notification)
                applied += len(notifications)
                if len(notifications) < BATCH:
                    break
                position = notifications[-1].id
            conn.execute(
                update(key_registry_position)
                .where(key_registry_position.c.id == 1)
                .values(position=max(position, last))
            )
        return applied

    def _apply(self, conn: Any, notification: Any) -> None:
        event = self.mapper.to_domain_event(notification)
        # Through KeyRecord and back: the row holds exactly the record's fields, checked.
        row: dict[str, Any] = record_to_json(record_from_json(event.record))
        row["notification_id"] = notification.id
        conn.execute(delete(key_registry).where(key_registry.c.key_id == row["key_id"]))
        conn.execute(insert(key_registry).values(**row))

    def page(
        self, scope: str, *, unit: str | None = None, after: str | None = None, limit: int = 100
    ) -> Page:
        """Keys whose unit lies within `scope` (and within `unit`, if given), by key id."""
        query = select(key_registry).order_by(key_registry.c.key_id).limit(limit + 1)
        for within in (scope, unit):
            if within is not None and within != ALL_UNITS:
                query = query.where(_within(within))
        if after is not None:
            query = query.where(key_registry.c.key_id > after)
        with self.reader.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, rows[-1]["key_id"] if more else None)


def _within(unit: str) -> Any:
    # The unit itself or any unit below it; LIKE's wildcards in unit names are escaped.
    escaped = unit.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    column = key_registry.c.unit_scope
    return or_(column == unit, column.like(escaped + "/%", escape="\\"))
