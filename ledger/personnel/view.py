"""The personnel state kept up to date by following the event store's notification log.

The server checks each personnel statement against this view, caught up to the latest recorded
event; a counter written in the same transaction as the events (see ledger.recorders) refuses the
save if another process recorded a personnel event meanwhile, so no decision is ever checked
against a stale state. The same fold, stopped at a log index, gives the recorded view as of that
index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from eventsourcing.persistence import Notification

from ledger.canonical import parse_json
from ledger.personnel.derive import Derived, Deriver, derive
from ledger.personnel.fold import Entry, apply
from ledger.personnel.record import PERSONNEL_TOPICS
from ledger.personnel.state import HistoryItem, PersonnelState
from ledger.statement import parse_time

PAGE = 1000
_TOPICS = sorted(PERSONNEL_TOPICS)
OfficialOf = Callable[[str], str]  # key id -> official id


def entry_of(notification: Notification, official_of: OfficialOf) -> Entry:
    """The personnel entry a stored event records."""
    state: dict[str, Any] = parse_json(notification.state)
    statement = parse_json(state["signed"]["statement"])
    return Entry(
        type=statement["type"],
        payload=statement["payload"],
        signer=official_of(statement["signer"]),
        time=parse_time(statement["time"]),
        aggregate_id=str(notification.originator_id),
        version=notification.originator_version,
        outcome=state.get("outcome") or {},
        notification_id=notification.id,
    )


class PersonnelView:
    """The live personnel state: folded from the log, extended by the statements being recorded."""

    def __init__(self, recorder: Any, official_of: OfficialOf) -> None:
        self.recorder = recorder
        self.official_of = official_of
        self.lock = threading.RLock()  # held from catch-up to save by each personnel batch
        self.state = PersonnelState()
        self.position = 0  # last notification id folded
        self.count = 0  # personnel events folded: the recorder's counter must equal it
        self._derived: Derived | None = None
        self._deriver = Deriver()
        self._pending: list[tuple[str, HistoryItem]] = []  # changes not yet saved
        # Personal data opened from the vault, by (subject, commitment); dropped on erasure.
        self.private_cache: dict[tuple[str, str], dict[str, Any] | None] = {}
        # Officials as the rules see them, by id, with what they were built from.
        self.rules_officials: dict[str, tuple[Any, Any]] = {}

    def invalidate(self) -> None:
        """Forget everything: the next catch-up folds the whole log again (after a failed save)."""
        with self.lock:
            self.state = PersonnelState()
            self.position = 0
            self.count = 0
            self._derived = None
            self._pending = []
            self.rules_officials = {}

    def catch_up(self) -> None:
        """Fold every personnel event recorded since the last look."""
        with self.lock:
            while True:
                page = self.recorder.select_notifications(
                    start=self.position or None,
                    limit=PAGE,
                    topics=_TOPICS,
                    inclusive_of_start=self.position == 0,
                )
                for notification in page:
                    entry = entry_of(notification, self.official_of)
                    apply(self.state, entry)
                    if entry.type == "official.erase":  # erased by another process
                        self.forget_private(entry.record_id)
                    self.count += 1
                    self._derived = None
                    self.position = notification.id
                if len(page) < PAGE:
                    return

    def apply_pending(self, entry: Entry) -> None:
        """Apply a statement being recorded now (the batch's later statements must see it)."""
        apply(self.state, entry)
        self._derived = None
        item = self.state.history[(entry.record_kind, entry.record_id)][-1]
        self._pending.append((entry.aggregate_id, item))

    def forget_private(self, subject: str) -> None:
        """Drop cached personal data of an erased subject."""
        for key in [k for k in self.private_cache if k[0] == subject]:
            del self.private_cache[key]
        self.rules_officials.pop(subject, None)

    def recorded(self, saved: dict[tuple[str, int], int], personnel_events: int) -> None:
        """The batch was saved: note where its events are, and move past them.

        `saved` maps (aggregate id, version) of each saved event to its notification id.
        """
        self.position = max([self.position, *saved.values()])
        self.count += personnel_events
        for aggregate_id, item in self._pending:
            item.notification_id = saved.get((aggregate_id, item.version))
        self._pending = []

    def derived(self) -> Derived:
        """Holdings, probations, penalties, evaluations and terms, from the decisions in effect."""
        if self._derived is None:
            self._derived = self._deriver.derived(self.state)
        return self._derived


def fold_until(
    recorder: Any, official_of: OfficialOf, last_notification_id: int
) -> tuple[PersonnelState, Derived]:
    """The recorded view: the state as the log stood after the given notification."""
    return next(fold_stages(recorder, official_of, [last_notification_id]))


def fold_stages(
    recorder: Any, official_of: OfficialOf, stops: Sequence[int]
) -> Iterator[tuple[PersonnelState, Derived]]:
    """The recorded view after each of the given notifications (ascending), in one pass.

    Each yielded state is the same object, folded further for the next stop: use it before
    asking for the next.
    """
    state = PersonnelState()
    position: int | None = None
    for stop in stops:
        if position is not None and stop < position:
            raise ValueError(f"stops must ascend: {stop} comes after {position}")
        while True:
            page = recorder.select_notifications(
                start=position,
                limit=PAGE,
                stop=stop,
                topics=_TOPICS,
                inclusive_of_start=position is None,
            )
            for notification in page:
                apply(state, entry_of(notification, official_of))
                position = notification.id
            if len(page) < PAGE:
                break
        yield state, derive(state.decisions[d] for d in state.effect_order)
