"""Inspection reads, for the units a session covers: the key registry, decisions' rule checks
with the reasons the public never sees, and the handling of reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import LedgerDep, ServicesDep, SessionDep
from ledger.domain.keys import record_to_json
from ledger.errors import NotFound
from ledger.personnel.inspection import decision_verdicts, reports_overview, rounds_overview
from ledger.registry import scope_covers
from ledger.rules.dates import local_date

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


@router.get(
    "/decisions/{decision_id:path}",
    summary="A decision's rule checks with their reasons, holds included",
)
def decision_checks(
    decision_id: Annotated[str, Path(max_length=120)],
    session: SessionDep,
    ledger: LedgerDep,
) -> dict[str, Any]:
    """Every rule check the decision went through, as the server saw it, with the reasons of
    holds that the public never sees. A decision outside your scope reads as missing."""
    found = decision_verdicts(ledger.personnel, decision_id)
    if not session.covers(found["unit"]):
        raise NotFound(
            f"no decision {decision_id!r} in your scope {session.unit_scope}",
            "không có quyết định này trong phạm vi của bạn",
        )
    return found


@router.get("/reports", summary="Reports of your units: handling, deadlines, reads, openings")
def list_reports(
    session: SessionDep,
    ledger: LedgerDep,
    unit: Annotated[
        str | None,
        Query(pattern=UNIT_PATTERN, description="only reports of this unit and those below it"),
    ] = None,
    overdue: Annotated[bool, Query(description="only reports past a deadline")] = False,
) -> dict[str, Any]:
    """Reports in scope with status, deadlines (overdue flagged), who read them and every
    opening of a reporter's identity. Never their content."""

    def covers(report_unit: str) -> bool:
        return session.covers(report_unit) and (unit is None or scope_covers(unit, report_unit))

    today = local_date(ledger.app.clock())
    reports = reports_overview(ledger.personnel, covers, today, overdue_only=overdue)
    return {"as_of": today.isoformat(), "reports": reports}


@router.get("/rounds", summary="Cross-inspection rounds of your units, findings and follow-ups")
def list_rounds(
    session: SessionDep,
    ledger: LedgerDep,
    unit: Annotated[
        str | None,
        Query(pattern=UNIT_PATTERN, description="only rounds touching this unit or those below"),
    ] = None,
) -> dict[str, Any]:
    """Rounds inspecting (or done by) units in scope; follow-ups past their deadline flagged."""

    def covers(round_unit: str) -> bool:
        return session.covers(round_unit) and (unit is None or scope_covers(unit, round_unit))

    today = local_date(ledger.app.clock())
    return {"as_of": today.isoformat(), "rounds": rounds_overview(ledger.personnel, covers, today)}
