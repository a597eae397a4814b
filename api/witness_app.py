"""The witness's HTTP service: C2SP tlog-witness `add-checkpoint`, plus read-only endpoints.

    POST /add-checkpoint      the spec's call (submission prefix = this server's root)
    GET  /vkey                the witness's cosignature verifier key (type 0x04)
    GET  /logs                the logs it oversees and the size it last cosigned for each
    GET  /evidence            every kept piece of evidence of an inconsistent log (JSON)
    GET  /evidence/{id}       one of them
    GET  /healthz             liveness

Refusals answer with the spec's status and a plain-text reason; a 409 carries the witness's
size as `text/x.tlog.size`, which a log's client needs to resend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from ledger.witness.protocol import MAX_REQUEST_BYTES, SIZE_CONTENT_TYPE
from ledger.witness.witness import SizeConflict, Witness, WitnessRefusal


def create_witness_app(
    open_witness: Callable[[], Witness], *, close_on_shutdown: bool = True
) -> FastAPI:
    """The witness API over the witness that `open_witness` opens at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.witness = open_witness()
        try:
            yield
        finally:
            if close_on_shutdown:
                app.state.witness.store.close()

    app = FastAPI(
        title="canbo-ledger witness",
        version="0.1.0",
        summary="C2SP tlog-witness: cosigns consistent checkpoints, keeps evidence of forks",
        lifespan=lifespan,
    )

    def witness_of(request: Request) -> Witness:
        witness: Witness = request.app.state.witness
        return witness

    @app.post("/add-checkpoint", tags=["tlog-witness"], response_class=PlainTextResponse)
    async def add_checkpoint(request: Request) -> Response:
        """Verify a checkpoint against the stored one and cosign it (C2SP tlog-witness)."""
        body = await _read_limited(request)
        if body is None:
            return PlainTextResponse(
                f"the request is larger than {MAX_REQUEST_BYTES} bytes\n", status_code=413
            )
        witness = witness_of(request)
        try:
            cosigned = await run_in_threadpool(witness.add_checkpoint, body)
        except SizeConflict as exc:
            # The body is the stored size alone: what the spec requires and clients parse.
            # The exact media type, without the charset Starlette adds to text/* types.
            return Response(
                f"{exc.size}\n".encode("ascii"),
                status_code=409,
                headers={
                    "Content-Type": SIZE_CONTENT_TYPE,
                    "X-Witness-Reason": _header_safe(str(exc)),
                },
            )
        except WitnessRefusal as exc:
            return PlainTextResponse(f"{exc}\n", status_code=exc.status)
        return PlainTextResponse(cosigned.lines)

    @app.get("/vkey", tags=["witness"], response_class=PlainTextResponse)
    def vkey(request: Request) -> PlainTextResponse:
        """The witness's cosignature verifier key."""
        return PlainTextResponse(witness_of(request).verifier_key.format() + "\n")

    @app.get("/logs", tags=["witness"])
    def logs(request: Request) -> dict[str, Any]:
        """The logs this witness oversees, with the size and checkpoint it last cosigned."""
        witness = witness_of(request)
        latest = {cp.origin: cp for cp in witness.store.all_latest()}
        return {
            "logs": [
                {
                    "origin": origin,
                    "vkeys": [k.format() for k in keys],
                    "size": latest[origin].size if origin in latest else 0,
                    "checkpoint": latest[origin].checkpoint if origin in latest else None,
                }
                for origin, keys in sorted(witness.logs.items())
            ]
        }

    @app.get("/evidence", tags=["witness"])
    def evidence(request: Request, origin: str | None = None) -> dict[str, Any]:
        """Every piece of evidence of a log that showed this witness two histories."""
        kept = witness_of(request).store.evidence(origin)
        return {"evidence": [e.to_dict() for e in kept]}

    @app.get("/evidence/{evidence_id}", tags=["witness"])
    def one_evidence(request: Request, evidence_id: int) -> Response:
        """One piece of evidence: both signed checkpoints and the proof the log sent."""
        found = witness_of(request).store.evidence_by_id(evidence_id)
        if found is None:
            return PlainTextResponse(f"no evidence {evidence_id}\n", status_code=404)
        return JSONResponse(found.to_dict())

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app


async def _read_limited(request: Request) -> bytes | None:
    """The request body, or None once it exceeds the largest legitimate request."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            return None
    return bytes(body)


def _header_safe(text: str) -> str:
    return "".join(c if " " <= c <= "~" else "?" for c in text)[:300]
