"""The personnel statement handler: shape, role, the type's own checks, then one event.

Every personnel type goes through `handle_personnel`: the payload is checked against the
catalogue, the signer's role against the authority matrix, then the type's check (scope,
lifecycle, rules) decides the outcome, and the statement is applied to the live view at once so
that later statements of the same batch see it.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.errors import NotAuthorised, VersionConflict
from ledger.personnel import decisions, organisation, registers
from ledger.personnel.catalogue import CATALOGUE
from ledger.personnel.fields import check_shape
from ledger.personnel.fold import Entry
from ledger.personnel.record import KINDS, PersonnelRecord, record_aggregate_id
from ledger.personnel.work import PersonnelWork
from ledger.reports import checks as report_checks
from ledger.rounds import checks as round_checks
from ledger.statement import Statement

CHECKS = {
    **organisation.CHECKS,
    **decisions.CHECKS,
    **registers.CHECKS,
    **report_checks.CHECKS,
    **round_checks.CHECKS,
}
assert set(CHECKS) == set(CATALOGUE), "every catalogued type has its check"


class PersonnelContext(Protocol):
    """What the personnel handler needs from the batch being recorded."""

    def personnel(self) -> PersonnelWork:
        """The batch's personnel work (locks and catches up the view on first use)."""
        ...

    def load(self, aggregate_id: UUID) -> Aggregate | None:
        """The latest state of an aggregate (pending changes of this batch included)."""
        ...


def handle_personnel(
    ctx: PersonnelContext,
    statement: Statement,
    signer: Any,
    signed: Any,
    private: dict[str, Any] | None,
) -> list[Aggregate]:
    """Check one personnel statement and stage its event."""
    kind = CATALOGUE[statement.type]
    check_shape(statement.type, statement.payload, kind.shape)
    if private is not None and not kind.private:
        from ledger.errors import InvalidPayload

        raise InvalidPayload(
            f'{statement.type} carries no personal data; leave out "private"',
            f"{statement.type} không kèm dữ liệu cá nhân",
            field="private",
        )
    if signer is None or signer.role not in kind.roles:
        who = "the log key" if signer is None else f"role {signer.role}"
        raise NotAuthorised(
            f"{statement.type} is signed by {sorted(kind.roles)}; the signer has {who}",
            f"{statement.type} phải do {sorted(kind.roles)} ký",
            type=statement.type,
            roles=sorted(kind.roles),
        )
    work = ctx.personnel()
    outcome = CHECKS[statement.type](work, signer, statement, private)
    record_kind = kind.record
    record_id: str = statement.payload[KINDS[record_kind]]
    aggregate_id = record_aggregate_id(record_kind, record_id)
    record = ctx.load(aggregate_id)
    if record is None:
        if kind.creates is False:  # the type's check found the record, the store does not
            raise VersionConflict(
                f"{record_kind} {record_id!r} is not in the event store yet; try again",
                f"{record_kind} {record_id!r} chưa có trong kho sự kiện; hãy thử lại",
                record=record_id,
            )
        record = PersonnelRecord(record_kind, record_id, signed, outcome)
    elif kind.creates:
        raise VersionConflict(
            f"{record_kind} {record_id!r} already exists",
            f"{record_kind} {record_id!r} đã tồn tại",
            record=record_id,
        )
    else:
        assert isinstance(record, PersonnelRecord)
        record.change(signed, outcome)
    work.view.apply_pending(
        Entry(
            type=statement.type,
            payload=statement.payload,
            signer=signer.official_id,
            time=statement.time,
            aggregate_id=str(aggregate_id),
            version=record.version,
            outcome=outcome,
        )
    )
    work.events += 1
    return [record]
