"""What each statement type does: checks its payload and authority, returns changed aggregates.

Handlers are pure over what the context gives them (lookups of keys and aggregates, including
changes pending earlier in the same batch); the application saves what they return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger import payload as payload_fields
from ledger.domain.keys import OfficialKey, key_aggregate_id, record_to_json
from ledger.domain.notices import Notice, notice_aggregate_id
from ledger.domain.signed import Signed
from ledger.errors import InvalidPayload, NotAuthorised, VersionConflict
from ledger.personnel.catalogue import CATALOGUE
from ledger.personnel.handlers import handle_personnel
from ledger.registry import KeyLookup, KeyRecord, key_changes, scope_covers
from ledger.statement import Statement


class HandlerContext(KeyLookup, Protocol):
    """What a handler may look at."""

    @property
    def log_is_empty(self) -> bool:
        """True before the first statement is recorded (genesis)."""
        ...

    def load(self, aggregate_id: UUID) -> Aggregate | None:
        """The latest state of an aggregate (pending changes of this batch included)."""
        ...


@dataclass(frozen=True)
class Verified:
    """A statement whose signature and signer key were checked."""

    statement: Statement
    signer: KeyRecord | None  # None: the log key (genesis only)
    signed: Signed
    private: dict[str, Any] | None = None  # personal data beside the statement


Handler = Callable[[HandlerContext, Verified], list[Aggregate]]


def handle_key_statement(ctx: HandlerContext, item: Verified) -> list[Aggregate]:
    """key.enrol, key.rotate, key.revoke."""
    changed: list[Aggregate] = []
    records = key_changes(item.statement, item.signer, ctx, log_is_empty=ctx.log_is_empty)
    for record in records:
        existing = ctx.load(key_aggregate_id(record.key_id))
        data = record_to_json(record)
        if existing is None:
            changed.append(OfficialKey(record=data, signed=item.signed))
            continue
        if not isinstance(existing, OfficialKey):
            raise InvalidPayload(
                f"record {existing.id} is not a key", f"bản ghi {existing.id} không phải khoá"
            )
        if record.rotated_to:
            existing.rotate(record=data, signed=item.signed)
        else:
            existing.revoke(record=data, signed=item.signed)
        changed.append(existing)
    return changed


NOTICE_ROLES = frozenset({"official", "clerk", "registrar"})


def handle_notice_publish(ctx: HandlerContext, item: Verified) -> list[Aggregate]:
    """notice.publish: {notice_id, unit, title, body}."""
    payload = item.statement.payload
    payload_fields.only(payload, {"notice_id", "unit", "title", "body"})
    notice_id = payload_fields.uuid(payload, "notice_id")
    unit = payload_fields.text(payload, "unit", 200)
    payload_fields.text(payload, "title", 500)
    payload_fields.text(payload, "body", 60_000)
    _require_scope(item, unit)
    # An existing id is refused by the event store's unique key when saving (a conflict).
    return [Notice(notice_id=notice_id, signed=item.signed)]


def handle_notice_amend(ctx: HandlerContext, item: Verified) -> list[Aggregate]:
    """notice.amend: {notice_id, expected_version, title?, body?}."""
    payload = item.statement.payload
    payload_fields.only(payload, {"notice_id", "expected_version", "title", "body"})
    notice_id = payload_fields.uuid(payload, "notice_id")
    expected = payload.get("expected_version")
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 1:
        raise InvalidPayload(
            "payload.expected_version must be a positive integer",
            "payload.expected_version phải là số nguyên dương",
            field="expected_version",
        )
    if "title" not in payload and "body" not in payload:
        raise InvalidPayload(
            "an amendment changes title or body", "sửa đổi phải thay title hoặc body"
        )
    if "title" in payload:
        payload_fields.text(payload, "title", 500)
    if "body" in payload:
        payload_fields.text(payload, "body", 60_000)
    notice = ctx.load(notice_aggregate_id(notice_id))
    if not isinstance(notice, Notice):
        raise InvalidPayload(
            f"notice {notice_id} does not exist", f"thông báo {notice_id} không tồn tại"
        )
    _require_scope(item, notice.unit)
    if notice.version != expected:
        raise VersionConflict(
            f"notice {notice_id} is at version {notice.version}, the statement expected {expected}",
            f"thông báo {notice_id} đang ở phiên bản {notice.version}, khác {expected}",
            aggregate_id=str(notice_id),
            current_version=notice.version,
            expected_version=expected,
        )
    notice.amend(signed=item.signed)
    return [notice]


def handle_personnel_statement(ctx: HandlerContext, item: Verified) -> list[Aggregate]:
    """Every personnel statement type (ledger.personnel.catalogue)."""
    return handle_personnel(
        ctx,  # type: ignore[arg-type]  # the batch is a PersonnelContext too
        item.statement,
        item.signer,
        item.signed,
        item.private,
    )


HANDLERS: dict[str, Handler] = {
    "key.enrol": handle_key_statement,
    "key.rotate": handle_key_statement,
    "key.revoke": handle_key_statement,
    "notice.publish": handle_notice_publish,
    "notice.amend": handle_notice_amend,
    **{statement_type: handle_personnel_statement for statement_type in CATALOGUE},
}


def _require_scope(item: Verified, unit: str) -> None:
    signer = item.signer
    if (
        signer is None
        or signer.role not in NOTICE_ROLES
        or not scope_covers(signer.unit_scope, unit)
    ):
        who = "the log key" if signer is None else f"role {signer.role}, scope {signer.unit_scope}"
        raise NotAuthorised(
            f"the signer ({who}) may not publish notices for unit {unit}",
            f"người ký không có thẩm quyền đăng thông báo cho đơn vị {unit}",
            unit=unit,
        )
