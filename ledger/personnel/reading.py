"""Serving personnel reads from an open ledger: current state, recorded view and history."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from typing import Any, Protocol

from sqlalchemy import Engine, select

from ledger.errors import LogUnavailable, NotFound
from ledger.log_schema import log_leaves
from ledger.personnel import queries
from ledger.personnel.private import unsealed
from ledger.personnel.view import PersonnelView, fold_until
from ledger.protocols import PersonalDataVault


class LeafLookup(Protocol):
    """Where events sit in the log."""

    engine: Engine

    def leaf_index(self, notification_id: int) -> int | None:
        """The leaf index of a stored event, if sequenced."""
        ...

    def head(self) -> Any:
        """The latest checkpoint's head, if any."""
        ...


class PersonnelReader:
    """Public personnel reads, from the live view or from the log as of a leaf index."""

    def __init__(
        self,
        view: PersonnelView,
        vault: PersonalDataVault | None,
        log: LeafLookup,
        recorder: Any,
        today: Callable[[], date],
    ) -> None:
        self.view = view
        self.vault = vault
        self.log = log
        self.recorder = recorder
        self.today = today

    def record(
        self, kind: str, record_id: str, *, on: date | None = None, at_index: int | None = None
    ) -> dict[str, Any]:
        """A record's public state on a date (default today), as the log stood at an index."""
        with self.snapshot(at_index) as snap:
            found = queries.read(snap, kind, record_id, on or self.today())
        if at_index is not None:
            found["at_log_index"] = at_index
        return found

    def history(self, kind: str, record_id: str, *, at_index: int | None = None) -> list[Any]:
        """Every change of a record, each with its log index."""
        with self.snapshot(at_index) as snap:
            return queries.history(snap, kind, record_id)

    @contextmanager
    def snapshot(self, at_index: int | None) -> Any:
        """The state to read: the live view (locked while read), or a fold up to a leaf."""
        if at_index is None:
            with self.view.lock:
                self.view.catch_up()
                yield queries.Snapshot(
                    self.view.state, self.view.derived(), self._leaf_index, self._name
                )
            return
        state, derived = fold_until(
            self.recorder, self.view.official_of, self._notification_of_leaf(at_index)
        )
        yield queries.Snapshot(state, derived, self._leaf_index, self._name)

    def _notification_of_leaf(self, index: int) -> int:
        head = self.log.head()
        size = head.size if head is not None else 0
        if not 0 <= index < size:
            raise NotFound(
                f"log index {index} is not in the log (its size is {size})",
                f"chỉ số {index} không có trong nhật ký (kích thước {size})",
                index=index,
                size=size,
            )
        with self.log.engine.connect() as conn:
            found = conn.execute(
                select(log_leaves.c.notification_id).where(log_leaves.c.leaf_index == index)
            ).scalar()
        if found is None:
            raise LogUnavailable(
                f"leaf {index} has no stored event", f"lá {index} không có sự kiện"
            )
        return int(found)

    def _leaf_index(self, notification_id: int) -> int | None:
        return self.log.leaf_index(notification_id)

    def _name(self, official: str, commitment: str) -> str | None:
        if self.vault is None:
            return None
        data = unsealed(self.vault.open(official, commitment))
        return data.get("name") if data else None
