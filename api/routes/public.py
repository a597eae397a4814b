"""Public records from the read models: service records, decisions, change feed, exports.

Everything here is public and read from the read-model tables; nothing replays the event store.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response, StreamingResponse

from api.read_models import ReadModelsDep
from ledger.rules.decision import Kind
from projections.exports import decisions_csv, ndjson, officials_csv
from projections.public_read import PUBLIC_STATUSES, DecisionQuery, PublicReader

router = APIRouter(prefix="/v1/public", tags=["public records"])

ID = r"^[A-Za-z0-9][A-Za-z0-9._/@:-]{0,119}$"
IdPath = Annotated[str, Path(pattern=ID, description="record id (may contain '/')")]
Unit = Annotated[str | None, Query(pattern=ID, description="this unit and the units below it")]
Limit = Annotated[int, Query(ge=1, le=1000)]
KINDS = "|".join(k.value for k in Kind)  # the rules' kinds of decision, in their order


def reader(models: Any) -> PublicReader:
    """A reader of the public tables."""
    return PublicReader(models.reader)


@router.get("/officials", summary="Officials as Popolo Persons, paged by id")
def officials(
    models: ReadModelsDep,
    unit: Unit = None,
    after: Annotated[str | None, Query(pattern=ID)] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    """The public profile of each official; pass `next_after` as `after` for the next page."""
    return reader(models).officials(unit=unit, after=after, limit=limit)


@router.get("/officials/{official_id:path}", summary="An official's public service record")
def service_record(official_id: IdPath, models: ReadModelsDep) -> dict[str, Any]:
    """Posts held, decisions, probations, rotations, evaluations, training, commendations and
    discipline, each with the leaf indexes that prove it."""
    return reader(models).service_record(official_id)


@router.get("/decisions", summary="Search decisions")
def decisions(
    models: ReadModelsDep,
    q: Annotated[
        str | None, Query(max_length=200, description="text in summary, id, basis")
    ] = None,
    kind: Annotated[str | None, Query(pattern=f"^({KINDS})$")] = None,
    status: Annotated[str | None, Query(pattern=f"^({'|'.join(PUBLIC_STATUSES)})$")] = None,
    unit: Unit = None,
    flag: Annotated[str | None, Query(pattern=r"^R\d{2}$", description="rule id, e.g. R11")] = None,
    since: date | None = None,
    until: date | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """Public decisions matching every filter given, newest effective date first."""
    query = DecisionQuery(
        text=q,
        kind=kind,
        status=status,
        unit=unit,
        flag=flag,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
    )
    found = reader(models).decisions(query, page=page, per_page=per_page)
    return {
        "decisions": found.decisions,
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
    }


@router.get("/decisions/{decision_id:path}", summary="One public decision")
def decision(decision_id: IdPath, models: ReadModelsDep) -> dict[str, Any]:
    """A decision with its public summary, status, verdicts and leaf indexes."""
    return reader(models).decision(decision_id)


@router.get("/changes", summary="Change feed by log index")
def changes(
    models: ReadModelsDep,
    after: Annotated[int, Query(ge=-1, le=2**62, description="last log index seen")] = -1,
    limit: Limit = 100,
) -> dict[str, Any]:
    """Public personnel statements after a log index, in log order; page with `next_after`."""
    return reader(models).changes(after=after, limit=limit)


@router.get("/popolo.json", summary="The whole public record as one Popolo document")
def popolo(models: ReadModelsDep) -> dict[str, Any]:
    """Persons, organizations, posts, memberships and events."""
    return reader(models).popolo()


def _stream(chunks: Iterator[bytes] | Iterator[str], media_type: str) -> StreamingResponse:
    return StreamingResponse(chunks, media_type=media_type)


@router.get(
    "/export/officials.ndjson",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
    summary="Every service record, one JSON a line",
)
def officials_ndjson(models: ReadModelsDep) -> StreamingResponse:
    """Bulk export of the service records."""
    return _stream(ndjson(reader(models).each_service_record()), "application/x-ndjson")


@router.get(
    "/export/decisions.ndjson",
    response_class=Response,
    responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
    summary="Every public decision, one JSON a line",
)
def decisions_ndjson(models: ReadModelsDep) -> StreamingResponse:
    """Bulk export of the decisions, in log order."""
    return _stream(ndjson(reader(models).each_decision()), "application/x-ndjson")


@router.get(
    "/export/officials.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="Officials as CSV",
)
def officials_as_csv(models: ReadModelsDep) -> StreamingResponse:
    """One row per official: public profile and current posts."""
    return _stream(officials_csv(reader(models).each_service_record()), "text/csv; charset=utf-8")


@router.get(
    "/export/decisions.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="Decisions as CSV",
)
def decisions_as_csv(models: ReadModelsDep) -> StreamingResponse:
    """One row per public decision."""
    return _stream(decisions_csv(reader(models).each_decision()), "text/csv; charset=utf-8")
