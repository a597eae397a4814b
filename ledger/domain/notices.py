"""Public notices: an official publishes criteria, procedures or announcements for a unit.

The simplest personnel-neutral record, used to exercise the log end to end; amendments name the
version they amend, so a stale amendment is a conflict rather than an overwrite.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.signed import Signed, payload_of

NOTICE_NAMESPACE = uuid5(NAMESPACE_URL, "https://canbo-ledger/notices")


def notice_aggregate_id(notice_id: UUID) -> UUID:
    """The aggregate id of a client-chosen notice id.

    Derived in a namespace of its own, so a client cannot choose an id that another kind of
    aggregate (a key's, say) will need.
    """
    return uuid5(NOTICE_NAMESPACE, str(notice_id))


class Notice(Aggregate):
    """A public notice of a unit."""

    @staticmethod
    def create_id(notice_id: UUID) -> UUID:
        """The client chooses the notice id, so it can refer to it before the receipt."""
        return notice_aggregate_id(notice_id)

    @event("Published")
    def __init__(self, notice_id: UUID, signed: Signed) -> None:
        payload = payload_of(signed)
        self.notice_id = notice_id
        self.unit: str = payload["unit"]
        self.title: str = payload["title"]
        self.body: str = payload["body"]

    @event("Amended")
    def amend(self, signed: Signed) -> None:
        """Replace title and/or body."""
        payload = payload_of(signed)
        self.title = payload.get("title", self.title)
        self.body = payload.get("body", self.body)
