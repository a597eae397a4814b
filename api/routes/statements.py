"""Submitting signed statements: the only way anything is written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.types import Scope

from api.deps import LedgerDep
from api.schemas import EventReceipt, PendingReceipts, Receipt
from api.sequenced import watch_of
from ledger.bootstrap import Ledger, ReceiptPending
from ledger.errors import MalformedStatement, StatementTooLarge
from ledger.statement import MAX_STATEMENT_BYTES, SignedStatement, parse_envelope

router = APIRouter(prefix="/v1/statements", tags=["statements"])

MAX_BATCH = 100
RECEIPT_WAIT_SECONDS = 5.0
# A statement's text is escaped once more inside the envelope, hence the headroom.
MAX_ENVELOPE_BYTES = 2 * MAX_STATEMENT_BYTES + 1024

_ENVELOPE_EXAMPLE = {
    "statement": '{"nonce":"q1w2e3r4t5y6u7i8o9p0","payload":{...},"signer":"<key id>",'
    '"time":"2026-11-26T08:00:00Z","type":"notice.publish"}',
    # ledger.statement.signing_message: the signature is good for this log only.
    "signature": "<base64 Ed25519 signature of 'canbo-ledger/statement/v1\\n' + origin + "
    "'\\n' + the statement text>",
}
# The envelope's schema (parse_envelope checks it and more: canonical form, sizes, signature).
_ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["statement", "signature"],
    "additionalProperties": False,
    "properties": {
        "statement": {"type": "string", "description": "the statement's RFC 8785 JSON text"},
        "signature": {"type": "string", "description": "base64 Ed25519 signature (64 bytes)"},
    },
}
_BATCH_SCHEMA = {
    "type": "object",
    "required": ["statements"],
    "properties": {
        "statements": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_BATCH,
            "items": _ENVELOPE_SCHEMA,
        }
    },
}
# The answers of a submission: the receipt, or links to it when the sequencer is behind.
_SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": Receipt, "description": "recorded: the receipt"},
    202: {"model": PendingReceipts, "description": "recorded, not yet sequenced"},
}


async def read_json_body(request: Request, limit: int) -> Any:
    """The request body as JSON, refused (413) past `limit` bytes, 400 if not JSON."""
    return await read_json(request.stream(), content_length(request.scope), limit)


def content_length(scope: Scope) -> int | None:
    """The declared Content-Length of a request, if it is a number."""
    for key, value in scope["headers"]:
        if key == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def read_json(chunks: AsyncIterator[bytes], declared: int | None, limit: int) -> Any:
    """JSON from body chunks, refused (413) past `limit` bytes, 400 if not JSON."""
    if declared is not None and declared > limit:
        raise _too_large(declared, limit)
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise _too_large(len(body), limit)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedStatement(
            f"the request body is not JSON: {exc}", "nội dung yêu cầu không phải JSON"
        ) from None


def _too_large(size: int, limit: int) -> StatementTooLarge:
    return StatementTooLarge(
        f"request body of {size} bytes is over the limit of {limit}",
        f"nội dung yêu cầu {size} byte vượt giới hạn {limit}",
        size=size,
        limit=limit,
    )


async def record(ledger: Ledger, statements: list[SignedStatement]) -> tuple[dict[str, Any], int]:
    """Save statements through the group committer: (their receipts, 201), or (links to the
    receipts, 202) while a separate sequencer has not put them in the tree yet."""
    try:
        # Saved by the ledger's writer thread, together with whatever else is queued.
        return await asyncio.wrap_future(ledger.committer.submit(statements)), 201
    except ReceiptPending as pending:
        # A separate sequencer has not caught up yet: wait here without holding a worker
        # thread, so a stalled sequencer cannot starve the other endpoints.
        answered = await watch_of(ledger).receipts(pending.accepted, RECEIPT_WAIT_SECONDS)
        if answered is not None:
            return answered, 201
        ids = [e.notification_id for a in pending.accepted for e in a.events]
        # The events are saved; each receipt can be fetched once the sequencer has run.
        return {
            "status": "pending",
            "notification_ids": ids,
            "receipts": [f"/v1/receipts/{i}" for i in ids],
        }, 202


async def submit_response(ledger: Ledger, statements: list[SignedStatement]) -> Response:
    """The 201 receipt, or 202 while pending, of statements saved by record()."""
    body, status = await record(ledger, statements)
    # orjson: a receipt holds a few kilobytes of proofs, which the stdlib encoder is slow at.
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@router.post(
    "",
    status_code=201,
    summary="Submit one signed statement",
    responses=_SUBMIT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ENVELOPE_SCHEMA, "example": _ENVELOPE_EXAMPLE}
            },
        }
    },
)
async def submit_statement(request: Request, ledger: LedgerDep) -> Response:
    """Check, save and sequence one statement; the receipt has its leaf index and proofs."""
    envelope = await read_json_body(request, MAX_ENVELOPE_BYTES)
    return await submit_response(ledger, [parse_envelope(envelope)])


@router.post(
    "/batch",
    status_code=201,
    summary="Submit up to 100 statements, all or nothing",
    responses=_SUBMIT_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _BATCH_SCHEMA,
                    "example": {"statements": [_ENVELOPE_EXAMPLE]},
                }
            },
        }
    },
)
async def submit_batch(request: Request, ledger: LedgerDep) -> Response:
    """Check every statement, then save all in one transaction (or none) and sequence them."""
    body = await read_json_body(request, MAX_BATCH * MAX_ENVELOPE_BYTES)
    items = body.get("statements") if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise MalformedStatement(
            f'the body must be {{"statements": [envelope, ...]}} with 1 to {MAX_BATCH} items',
            f'nội dung phải là {{"statements": [...]}} gồm 1 đến {MAX_BATCH} statement',
        )
    statements = []
    for position, item in enumerate(items):
        try:
            statements.append(parse_envelope(item))
        except MalformedStatement as exc:
            exc.details["position"] = position
            raise
    return await submit_response(ledger, statements)


receipts_router = APIRouter(prefix="/v1/receipts", tags=["statements"])


@receipts_router.get(
    "/{notification_id}", summary="Receipt of a stored event", response_model=EventReceipt
)
def receipt(
    notification_id: Annotated[int, Path(ge=1, le=2**63 - 1)], ledger: LedgerDep
) -> dict[str, Any]:
    """Leaf index, inclusion proof, checkpoint and tlog-proof of a saved event (after a 202)."""
    return ledger.receipt_of_event(notification_id)
