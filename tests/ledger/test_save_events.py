"""LedgerApplication.save_events records exactly what eventsourcing's Application.save does."""

from __future__ import annotations

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger.application import LedgerApplication


class Tally(Aggregate):
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Counted")
    def count_one(self, by: str) -> None:
        self.count += 1


def _events() -> list[object]:
    first, second = Tally("a"), Tally("b")
    first.count_one(by="x")
    first.count_one(by="y")
    second.count_one(by="z")
    return [*first.collect_events(), *second.collect_events()]


def _stored(app: Application) -> list[tuple[object, ...]]:
    return [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state)
        for n in app.recorder.select_notifications(start=1, limit=100)
    ]


def test_save_events_stores_and_answers_as_application_save() -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    events = _events()
    library, ours = Application(env=env), Application(env=env)
    by_library = library.save(*events)
    by_us = LedgerApplication.save_events(ours, events)  # type: ignore[arg-type]
    assert _stored(ours) == _stored(library) and len(_stored(ours)) == 5
    assert [(r.domain_event, r.notification.id) for r in by_us] == [
        (r.domain_event, r.notification.id) for r in by_library
    ]
    aggregate_id = events[0].originator_id  # type: ignore[attr-defined]
    assert ours.repository.get(aggregate_id).count == 2
