"""Inspection reads: the key registry of the units a session covers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import LedgerDep, ServicesDep, SessionDep
from ledger.domain.keys import record_to_json
from ledger.errors import NotFound

router = APIRouter(prefix="/v1/inspection", tags=["inspection"])

UNIT_PATTERN = r"^(\*|[A-Za-z0-9][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9][A-Za-z0-9._-]{0,63}){0,7})$"


class KeyRecordPublic(BaseModel):
    """One key as the registry holds it: owner, role, unit scope, validity, revocation."""

    key_id: str
    official_id: str
    role: str
    unit_scope: str
    public_key: str
    valid_from: str
    revoked_at: str | None
    revocation_reason: str | None
    rotated_to: str | None


class KeyPage(BaseModel):
    """Keys in key-id order; pass `next_after` as `after` for the next page (null: the end)."""

    keys: list[KeyRecordPublic]
    next_after: str | None
    position: int


@router.get("/keys", response_model=KeyPage, summary="Keys of the units in your scope")
async def list_keys(
    session: SessionDep,
    services: ServicesDep,
    unit: Annotated[
        str | None,
        Query(
            pattern=UNIT_PATTERN,
            description="only keys of this unit and the units below it (must be in your scope)",
        ),
    ] = None,
    after: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> KeyPage:
    """Every key whose unit scope lies within your session's scope (and `unit`, if given)."""
    registry = services.key_registry
    await run_in_threadpool(registry.catch_up)
    page = await run_in_threadpool(
        registry.page, session.unit_scope, unit=unit, after=after, limit=limit
    )
    keys = [
        KeyRecordPublic(**{k: v for k, v in row.items() if k != "notification_id"})
        for row in page.keys
    ]
    return KeyPage(keys=keys, next_after=page.next_after, position=registry.position())


@router.get("/keys/{key_id}", response_model=KeyRecordPublic, summary="One key in your scope")
def get_key(
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    session: SessionDep,
    ledger: LedgerDep,
) -> KeyRecordPublic:
    """A key's current record, if its unit scope lies within your session's scope."""
    record = ledger.app.key_record(key_id)
    # A key outside the scope answers like a missing one: no one learns what lies outside.
    if record is None or not session.covers(record.unit_scope):
        raise NotFound(
            f"no key {key_id} in your scope {session.unit_scope}",
            f"không có khoá {key_id} trong phạm vi {session.unit_scope} của bạn",
            key_id=key_id,
        )
    return KeyRecordPublic(**record_to_json(record))
