"""The protected reporting channel over HTTP: intake without an account, the reporter's status
and replies by receipt code (never in a URL), handlers' logged reads, and public statistics."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.access import client_address
from api.deps import LedgerDep
from api.routes.statements import MAX_ENVELOPE_BYTES, read_json_body, record
from ledger.errors import InvalidPayload, NotFound
from ledger.reports.desk import MAX_SEALED_BYTES
from ledger.reports.statements import OPENING_TYPES
from ledger.reports.statistics import statistics
from ledger.rules.dates import local_date
from ledger.statement import parse_envelope

router = APIRouter(prefix="/v1/reports", tags=["reports"])

MAX_REPORT_BODY = MAX_SEALED_BYTES + 1024 * 1024
RECEIPT_ANSWER_SECONDS = 0.25  # every receipt try answers after at least this: no timing tell


class ReceiptBody(BaseModel):
    """A receipt code, in the body so that it never appears in a URL or an access log."""

    receipt: str = Field(max_length=64, examples=["7KQ2-M9XD-0PZ4-H3TR-W8BC"])


class ReplyBody(ReceiptBody):
    """The reporter's reply."""

    text: str = Field(min_length=1, max_length=20_000)


@router.get("/keys", summary="The keys a reporter's machine seals a report to")
def report_keys(ledger: LedgerDep) -> dict[str, str]:
    """HPKE public keys (ML-KEM-768+X25519 by default) and the info strings to seal with."""
    return ledger.reports.public_keys()


_NOT_FOUND = {404: {"description": "no report answers to this receipt code (always alike)"}}
_REPORT_EXAMPLE = {
    "category": "abuse_of_power",
    "unit": "VN-HN/ba-dinh",
    "text": "What happened, when, who was there",
    "attachments": [{"name": "minutes.pdf", "data": "<base64, at most 10 MiB>"}],
    "concerns": "CB-0001",
    "identity": {"name": "optional", "contact": "optional", "official_id": "optional"},
}


def _json_body(example: Any) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
        }
    }


@router.post(
    "",
    status_code=201,
    summary="File a report, no account needed",
    openapi_extra=_json_body(_REPORT_EXAMPLE),
)
async def file_report(request: Request, ledger: LedgerDep) -> JSONResponse:
    """Plain fields (sealed here at once) or `sealed_content` sealed by `canbo report`.

    Answers with a receipt code: keep it; it is the only way back to the report.
    """
    request.app.state.services.report_filings.check(client_address(request))
    form = await read_json_body(request, MAX_REPORT_BODY)
    filed = await run_in_threadpool(ledger.reports.file, form)
    return JSONResponse(filed, status_code=201, headers={"Cache-Control": "no-store"})


async def _by_receipt(call: Any, *args: Any) -> JSONResponse:
    started = time.monotonic()
    try:
        answer = await run_in_threadpool(call, *args)
        response = JSONResponse(answer, headers={"Cache-Control": "no-store"})
    except NotFound as exc:
        # The same answer, after the same time, for any code that opens nothing.
        response = JSONResponse(
            {
                "code": exc.code,
                "message_vi": exc.message_vi,
                "message_en": exc.message_en,
                "details": {},
            },
            status_code=404,
            headers={"Cache-Control": "no-store"},
        )
    left = RECEIPT_ANSWER_SECONDS - (time.monotonic() - started)
    if left > 0:
        await asyncio.sleep(left)
    return response


@router.post(
    "/status",
    summary="A report's status and messages, by its receipt code",
    responses=_NOT_FOUND,  # type: ignore[arg-type]
)
async def report_status(
    request: Request, body: Annotated[ReceiptBody, Body()], ledger: LedgerDep
) -> JSONResponse:
    """Status, deadlines and the handlers' messages; a wrong code gets 404, always alike."""
    request.app.state.services.receipt_tries.check(client_address(request))
    return await _by_receipt(ledger.reports.status, body.receipt)


@router.post(
    "/reply",
    summary="Reply to the handlers, still anonymous",
    responses=_NOT_FOUND,  # type: ignore[arg-type]
)
async def report_reply(
    request: Request, body: Annotated[ReplyBody, Body()], ledger: LedgerDep
) -> JSONResponse:
    """The reply is sealed to the committee; only its hash enters the log."""
    request.app.state.services.receipt_tries.check(client_address(request))
    return await _by_receipt(ledger.reports.reply, body.receipt, body.text)


@router.post(
    "/open",
    summary="A handler's signed read of a report, or opening of an identity",
    openapi_extra=_json_body({"statement": "<canonical JSON of report.read>", "signature": "…"}),
)
async def open_report(request: Request, ledger: LedgerDep) -> JSONResponse:
    """Submit a signed `report.read` (or `identity.open`): it is recorded first, then answered
    with what it opens, so no read leaves no trace."""
    statement = parse_envelope(await read_json_body(request, MAX_ENVELOPE_BYTES))
    kind = statement.statement.type
    if kind not in OPENING_TYPES:
        raise InvalidPayload(
            f"this endpoint takes {sorted(OPENING_TYPES)}, not {kind}",
            "loại statement không phù hợp",
            type=kind,
        )
    # Recorded (201's receipt, or 202's pending links) before anything is opened.
    receipt, _status = await record(ledger, [statement])
    report_id = statement.statement.payload["report_id"]
    if kind == "report.read":
        opened: Any = await run_in_threadpool(ledger.reports.content, report_id)
    else:
        opened = {"identity": await run_in_threadpool(ledger.reports.identity, report_id)}
    return JSONResponse(
        {"receipt": receipt, "opened": opened}, headers={"Cache-Control": "no-store"}
    )


@router.get("/statistics", summary="Public statistics; small commune counts suppressed")
def report_statistics(ledger: LedgerDep) -> dict[str, Any]:
    """Counts by category, level, outcome and timeliness; per-commune cells under 5 are null."""
    view = ledger.app.personnel_view
    with view.lock:
        view.catch_up()
        return statistics(view.state, local_date(ledger.app.clock()))
