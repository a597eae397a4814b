"""Following the notification log into a read model, exactly once, and rebuilding it.

A follower folds each personnel event with `ledger.personnel.fold.apply`, the code the server
checked statements against, so a read model means what the server decided. It only goes as far
as the log has sequenced (`log_state.position`), so every row can carry its leaf index. Each page
of events is written in one transaction together with the projection's tracking position, after
locking the tracking row and checking it has not moved since the page was read, so two processes
never write the same page twice. The folded state
stays in memory between pages and is rebuilt from the log when it does not match the stored
position (a restart, another process ahead, a rebuild elsewhere).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger.log_schema import log_leaves, log_state
from ledger.personnel.derive import Derived, Deriver
from ledger.personnel.fold import Entry, apply
from ledger.personnel.record import PERSONNEL_TOPICS
from ledger.personnel.state import PersonnelState
from ledger.personnel.view import entry_of
from projections.schema import projection_positions

PAGE = 500
_TOPICS = sorted(PERSONNEL_TOPICS)
OfficialOf = Callable[[str], str]


@dataclass(frozen=True)
class Located:
    """A personnel statement as recorded, with its leaf index in the log."""

    entry: Entry
    log_index: int


@dataclass
class Folded:
    """The state folded so far and where each record and effect sits in the log."""

    state: PersonnelState = field(default_factory=PersonnelState)
    # Leaf indexes of every statement about each record, oldest first.
    indexes: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    # The leaf index of the statement by which each decision in effect took effect.
    effect_index: dict[str, int] = field(default_factory=dict)
    _derived: Derived | None = None
    _deriver: Deriver = field(default_factory=Deriver)

    def apply(self, located: Located) -> None:
        """Fold one statement and note where it is."""
        entry = located.entry
        decision_id = entry.payload.get("decision_id") if entry.record_kind == "decision" else None
        before = self.state.decisions.get(decision_id) if decision_id else None
        was_in_effect = before is not None and before.in_effect
        apply(self.state, entry)
        self._derived = None
        key = (entry.record_kind, entry.record_id)
        self.indexes.setdefault(key, []).append(located.log_index)
        if decision_id is not None:
            now_in_effect = self.state.decisions[decision_id].in_effect
            if now_in_effect and not was_in_effect:
                self.effect_index[decision_id] = located.log_index
            elif was_in_effect and not now_in_effect:
                self.effect_index.pop(decision_id, None)

    def derived(self) -> Derived:
        """Holdings, probations, penalties and evaluations from the decisions in effect."""
        if self._derived is None:
            self._derived = self._deriver.derived(self.state)
        return self._derived


class Projection(ABC):
    """A read model: its name, its tables, and how a page of statements changes its rows."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]

    def before(self, folded: Folded, located: Located) -> None:  # noqa: B027 (optional hook)
        """Look at the state just before a statement is folded (the state it was checked on)."""

    def reset(self) -> None:  # noqa: B027 (optional hook)
        """Forget whatever was kept beside the fold: folding starts again from the log's start."""

    @abstractmethod
    def write(self, conn: Connection, folded: Folded, page: Sequence[Located]) -> None:
        """Bring the rows the page's statements touched up to date with the folded state."""


class Follower:
    """Keeps one projection's tables caught up with the log."""

    def __init__(
        self,
        projection: Projection,
        writer: Engine,
        reader: Engine,
        recorder: Any,
        official_of: OfficialOf,
    ) -> None:
        self.projection = projection
        self.writer = writer
        self.reader = reader
        self.recorder = recorder
        self.official_of = official_of
        self.folded = Folded()
        self.position = 0  # the notification id the in-memory fold stands at
        self.lock = threading.Lock()
        self._ensure_tracking_row()

    @property
    def name(self) -> str:
        """The projection's name (`canbo projections rebuild NAME`)."""
        return self.projection.name

    def stored_position(self) -> int:
        """The last notification id the projection's tables take into account."""
        with self.reader.connect() as conn:
            return int(self._position_of(conn))

    def behind(self, head: int | None = None) -> bool:
        """True if the log has sequenced events this projection has not taken into account.

        `head`: the log's tracking position, if the caller read it already. At or below what
        this process last wrote, the answer needs no read: stored positions only grow (a
        rebuild elsewhere runs up to the head itself).
        """
        if head is not None and head <= self.position:
            return False
        with self.reader.connect() as conn:
            if head is None:
                found = conn.execute(
                    select(log_state.c.position).where(log_state.c.id == 1)
                ).scalar()
                if found is None:
                    return False
                head = int(found)
            return head > int(self._position_of(conn))

    def catch_up(self) -> int:
        """Apply every sequenced statement past the tracking position; the number applied."""
        applied = 0
        with self.lock:
            while True:
                done, count = self._one_page()
                applied += count
                if done:
                    return applied

    def rebuild(self) -> int:
        """Drop the projection's rows and fold the whole log again; the number applied."""
        with self.lock:
            with self.writer.begin() as conn:
                self._lock_tracking_row(conn)
                for table in self.projection.tables:
                    conn.execute(delete(table))
                conn.execute(
                    update(projection_positions)
                    .where(projection_positions.c.name == self.name)
                    .values(position=0)
                )
            self._reset()
        return self.catch_up()

    def _one_page(self) -> tuple[bool, int]:
        # Read and fold without the write lock (on SQLite it would stall the event store's
        # inserts); take it only to write, after checking nobody moved the position meanwhile.
        try:
            with self.reader.connect() as conn:
                stored = self._position_of(conn)
                head = conn.execute(
                    select(log_state.c.position).where(log_state.c.id == 1)
                ).scalar()
                head = int(head or 0)
                if stored >= head:
                    return True, 0
                if stored != self.position:
                    self._refold(conn, stored)
                notifications = self.recorder.select_notifications(
                    start=stored,
                    limit=PAGE,
                    stop=head,
                    topics=_TOPICS,
                    inclusive_of_start=False,
                )
                page = self._locate(conn, notifications)
            for located in page:
                self.projection.before(self.folded, located)
                self.folded.apply(located)
            full = len(notifications) == PAGE
            new_position = notifications[-1].id if full else head
            with self.writer.begin() as conn:
                if self._lock_tracking_row(conn) != stored:
                    # Another process (or a rebuild) wrote meanwhile: fold again from its position.
                    self._reset()
                    return False, 0
                if page:
                    self.projection.write(conn, self.folded, page)
                conn.execute(
                    update(projection_positions)
                    .where(projection_positions.c.name == self.name)
                    .values(position=new_position)
                )
        except BaseException:
            # The fold may be ahead of what was committed: start again from the stored position.
            self._reset()
            raise
        self.position = new_position
        return not full, len(page)

    def _refold(self, conn: Connection, until: int) -> None:
        """Fold the log up to a notification id without writing (the tables already hold it)."""
        self._reset()
        position = 0
        while position < until:
            notifications = self.recorder.select_notifications(
                start=position, limit=PAGE, stop=until, topics=_TOPICS, inclusive_of_start=False
            )
            for located in self._locate(conn, notifications):
                self.projection.before(self.folded, located)
                self.folded.apply(located)
            if len(notifications) < PAGE:
                break
            position = notifications[-1].id
        self.position = until

    def _reset(self) -> None:
        self.folded = Folded()
        self.position = 0
        self.projection.reset()

    def _locate(self, conn: Connection, notifications: Sequence[Any]) -> list[Located]:
        if not notifications:
            return []
        leaves = leaf_indexes(conn, [n.id for n in notifications])
        return [Located(entry_of(n, self.official_of), leaves[n.id]) for n in notifications]

    def _ensure_tracking_row(self) -> None:
        with self.writer.begin() as conn:
            found = conn.execute(
                select(projection_positions.c.position).where(
                    projection_positions.c.name == self.name
                )
            ).first()
            if found is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(projection_positions).values(name=self.name, position=0)
                        )
                except IntegrityError:
                    pass  # another process made it first

    def _lock_tracking_row(self, conn: Connection) -> int:
        # SQLite: the writer engine already holds the write lock (BEGIN IMMEDIATE).
        return int(
            conn.execute(
                select(projection_positions.c.position)
                .where(projection_positions.c.name == self.name)
                .with_for_update()
            ).scalar_one()
        )

    def _position_of(self, conn: Connection) -> int:
        value = conn.execute(
            select(projection_positions.c.position).where(projection_positions.c.name == self.name)
        ).scalar()
        return int(value or 0)


def leaf_indexes(conn: Connection, notification_ids: Sequence[int]) -> dict[int, int]:
    """Leaf index of each sequenced notification id."""
    # On SQLite leaf i is notification i + 1 (ids never skip there): probe by primary key and
    # confirm; anything else (PostgreSQL skips ids after rollbacks) is looked up by its id.
    found: dict[int, int] = {}
    guesses = [n - 1 for n in notification_ids]
    for row in conn.execute(
        select(log_leaves.c.leaf_index, log_leaves.c.notification_id).where(
            log_leaves.c.leaf_index.in_(guesses)
        )
    ):
        if row.leaf_index == row.notification_id - 1:
            found[int(row.notification_id)] = int(row.leaf_index)
    missing = [n for n in notification_ids if n not in found]
    if missing:
        for row in conn.execute(
            select(log_leaves.c.leaf_index, log_leaves.c.notification_id).where(
                log_leaves.c.notification_id.in_(missing)
            )
        ):
            found[int(row.notification_id)] = int(row.leaf_index)
    unsequenced = [n for n in notification_ids if n not in found]
    if unsequenced:
        raise RuntimeError(
            f"notification {unsequenced[0]} is below the log's position but has no leaf"
        )
    return found
