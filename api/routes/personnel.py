"""Reading personnel records: state as of a date or a log index, history, statement types.

Writes go through POST /v1/statements like everything else; these are the public reads.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from api.deps import LedgerDep
from ledger.personnel.catalogue import statement_types_table
from ledger.personnel.queries import PUBLIC_KINDS

router = APIRouter(prefix="/v1", tags=["personnel"])

KindPath = Annotated[
    str, Path(description=f"kind of record: {', '.join(PUBLIC_KINDS)}", examples=["official"])
]
IdPath = Annotated[
    str, Path(description="record id (may contain '/')", examples=["QN/an-binh"], max_length=120)
]
AsOf = Annotated[
    date | None,
    Query(
        alias="as_of",
        description="effective view: what held on this date (YYYY-MM-DD); default today",
    ),
]
AtIndex = Annotated[
    int | None,
    Query(
        alias="at_index",
        ge=0,
        le=2**62,
        description="recorded view: the log as it stood at this leaf index",
    ),
]


@router.get("/statement-types", summary="Personnel statement types, payloads and signers")
def statement_types() -> list[dict[str, Any]]:
    """Every personnel statement type: the record it changes, its payload and who may sign."""
    return statement_types_table()


@router.get("/records/{kind}/{record_id:path}/history", summary="Every change of a record")
async def record_history(
    kind: KindPath, record_id: IdPath, ledger: LedgerDep, at_index: AtIndex = None
) -> dict[str, Any]:
    """The record's signed changes in order, each with its log index and the server's outcome."""
    items = await run_in_threadpool(ledger.personnel.history, kind, record_id, at_index=at_index)
    return {"kind": kind, "id": record_id, "history": items}


@router.get("/records/{kind}/{record_id:path}", summary="A record as of a date or log index")
async def record(
    kind: KindPath,
    record_id: IdPath,
    ledger: LedgerDep,
    as_of: AsOf = None,
    at_index: AtIndex = None,
) -> dict[str, Any]:
    """A unit, post, framework, official, decision or register entry: its public state."""
    found: dict[str, Any] = await run_in_threadpool(
        ledger.personnel.record, kind, record_id, on=as_of, at_index=at_index
    )
    return found
