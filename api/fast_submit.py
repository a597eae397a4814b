"""POST /v1/statements served without the router: the API's hottest path, the same answers.

Officials' tools submit statements one by one and in volume; routing, dependency resolution and
request objects cost more per request than checking and saving the statement itself on a small
machine. The envelope (api/middleware.py) hands this one route here; it does what the route
and its access rule do (a signed write: the per-client limit for signed submissions), shares
the route's code for the body and the submission, and turns errors into answers with the app's
own exception handlers, so both paths answer alike (the API tests and Schemathesis hold them).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from api.access import scope_client_address
from api.routes.statements import (
    MAX_ENVELOPE_BYTES,
    content_length,
    read_json,
    submit_response,
)
from ledger.statement import parse_envelope

PATH = "/v1/statements"
ROUTE = "/v1/statements"  # the route template logged and counted


def is_fast(scope: Scope) -> bool:
    """True for a submission of one statement."""
    return bool(scope["method"] == "POST" and scope["path"] == PATH)


async def serve_submission(app: FastAPI, scope: Scope, receive: Receive, send: Send) -> None:
    """Check, save and answer one submitted statement."""
    try:
        app.state.services.signed_limits.take(scope_client_address(scope))
        envelope = await read_json(_chunks(receive), content_length(scope), MAX_ENVELOPE_BYTES)
        response = await submit_response(app.state.ledger, [parse_envelope(envelope)])
    except Exception as exc:
        response = await _handled(app, exc)
    await response(scope, receive, send)


async def _chunks(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def _handled(app: FastAPI, exc: Exception) -> Any:
    # The app's own handler for the nearest class of the error, as Starlette would pick it.
    for kind in type(exc).__mro__:
        handler = app.exception_handlers.get(kind)
        if handler is not None:
            answer = handler(None, exc)  # type: ignore[arg-type]  # the handlers ignore it
            return await answer if inspect.isawaitable(answer) else answer
    raise exc
