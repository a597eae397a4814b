"""Probes and metrics for the people and machines that run the service."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from api.deps import LedgerDep
from api.errors import error_body, error_response
from api.metrics import CONTENT_TYPE, HttpMetrics

router = APIRouter(tags=["ops"])


class Status(BaseModel):
    """A probe's answer."""

    status: str


class Ready(Status):
    """Ready: the database answers and the log has a checkpoint."""

    tree_size: int


@router.get("/healthz", response_model=Status, summary="Liveness")
def healthz() -> Status:
    """The process answers (it says nothing about the database)."""
    return Status(status="ok")


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness",
    responses={503: {"description": "not ready: database or log unavailable"}},
)
def readyz(ledger: LedgerDep) -> Ready | JSONResponse:
    """Ready to serve: the event store answers and the log has a signed checkpoint."""
    try:
        ledger.app.recorder.max_notification_id()
        head = ledger.log.head()
    except Exception as exc:  # any failure to reach the database means not ready
        return _not_ready(f"the database does not answer ({type(exc).__name__})")
    if head is None:
        return _not_ready("the log has no signed checkpoint yet")
    return Ready(status="ready", tree_size=head.size)


def _not_ready(why: str) -> JSONResponse:
    return error_response(
        503, error_body("not_ready", why, "dịch vụ chưa sẵn sàng; hãy thử lại sau", reason=why)
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Requests, latencies, events stored, sequencer and read-model lag, checkpoint age."""
    registry: HttpMetrics = request.app.state.metrics
    body = await run_in_threadpool(registry.render)
    return Response(body, media_type=CONTENT_TYPE)
