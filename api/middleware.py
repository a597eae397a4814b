"""The HTTP envelope of every request: request id, access log, metrics, body limit, timeout,
security headers. One pure ASGI middleware, so each request pays for one layer, not five.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import fast_submit
from api.config import ApiConfig
from api.errors import error_body
from api.fast_submit import is_fast, serve_submission
from api.jsonlog import request_id
from api.metrics import HttpMetrics
from api.routes.reports import MAX_REPORT_BODY
from api.routes.statements import MAX_BATCH, MAX_ENVELOPE_BYTES, content_length

log = logging.getLogger("canbo.api.access")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"strict-transport-security", b"max-age=31536000"),
]
# The documentation pages load Swagger UI / ReDoc from their CDN and run one inline script.
HTML_POLICY = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    b"font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    b"https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'none'"
)


class RequestEnvelope:
    """Wraps the app: each request gets an id, limits, headers, a log line and metrics."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        config: ApiConfig,
        metrics: HttpMetrics,
        body_limit: Callable[[str, int], int],
    ) -> None:
        self.app = app
        self.config = config
        self.metrics = metrics
        self.body_limit = body_limit  # (path, default) -> bytes allowed for that path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request inside the envelope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        token = request_id.set(rid)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "sent": False}
        limit = self.body_limit(scope["path"], self.config.max_body_bytes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode("ascii")))
                headers.extend(SECURITY_HEADERS)
                html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                # A page that states its own, stricter policy (the transparency site) keeps it.
                if html and not any(k == b"content-security-policy" for k, _ in headers):
                    headers.append((b"content-security-policy", HTML_POLICY))
                message = {**message, "headers": headers}
            await send(message)

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the app's body read, so the error handlers answer 413.
                    raise HTTPException(413, f"the request body is over {limit} bytes")
            return message

        try:
            declared = content_length(scope)
            if declared is not None and declared > limit:
                await _error(
                    send_with_headers,
                    413,
                    "body_too_large",
                    f"the request body of {declared} bytes is over the limit of {limit}",
                    f"nội dung yêu cầu {declared} byte vượt giới hạn {limit} byte",
                    limit=limit,
                )
                return
            served: Awaitable[None]
            # With CORS configured, the CORS layer sits inside the envelope: go through it.
            if is_fast(scope) and not self.config.cors_origins:
                state["route"] = fast_submit.ROUTE
                served = serve_submission(scope["app"], scope, limited_receive, send_with_headers)
            else:
                served = self.app(scope, limited_receive, send_with_headers)
            await asyncio.wait_for(served, self.config.request_timeout_seconds)
        except TimeoutError:
            if not state["sent"]:
                await _error(
                    send_with_headers,
                    504,
                    "timeout",
                    f"the request took over {self.config.request_timeout_seconds:g} s and was "
                    "abandoned; a submitted statement may still have been recorded: send the "
                    "same one again, and a replayed_nonce answer confirms it was",
                    "yêu cầu quá thời gian và bị dừng; statement có thể vẫn đã được ghi: hãy gửi "
                    "lại đúng statement đó, nếu nhận lỗi replayed_nonce thì nó đã được ghi",
                )
        finally:
            seconds = time.perf_counter() - started
            template = state.get("route") or _route_template(scope)
            self.metrics.observe(scope["method"], template, state["status"], seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": state["status"],
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            request_id.reset(token)


def _route_template(scope: Scope) -> str:
    # Logged and used as a metric label instead of the path: a path can hold a receipt code.
    route = scope.get("route")  # set by FastAPI's routes
    if route is not None:
        return str(route.path)
    if "endpoint" in scope:
        return str(scope["path"])  # Starlette's own routes here: the fixed documentation pages
    return "(unmatched)"


def _request_id(scope: Scope) -> str:
    # A caller's own id is kept (to follow a request across services) only if it is plain.
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            text = str(value.decode("latin-1"))
            if _REQUEST_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


async def _error(send: Send, status: int, code: str, en: str, vi: str, **details: Any) -> None:
    body = orjson.dumps(error_body(code, en, vi, **details))
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_envelope(app: FastAPI, config: ApiConfig, metrics: HttpMetrics) -> None:
    """Wrap the app in the envelope; CORS only for origins the configuration names."""
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(config.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestEnvelope, config=config, metrics=metrics, body_limit=body_limit)


def body_limit(path: str, default: int) -> int:
    """Bytes a request body may have on `path`.

    Statement submission bounds its own bodies and answers statement_too_large, a code clients
    rely on; for those paths this is only a backstop at twice their limit.
    """
    if path == "/v1/statements":
        return 2 * MAX_ENVELOPE_BYTES
    if path == "/v1/statements/batch":
        return 2 * MAX_BATCH * MAX_ENVELOPE_BYTES
    if path == "/v1/reports":  # a report may carry five 10 MiB attachments
        return MAX_REPORT_BODY
    if path == "/v1/reports/open":
        return 2 * MAX_ENVELOPE_BYTES
    return default
