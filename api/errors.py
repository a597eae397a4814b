"""The one place that maps ledger errors to HTTP, and the one JSON error shape.

Every error body is {"code", "message_vi", "message_en", "details"}; no stack trace reaches a
client.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
import sqlalchemy.exc
from eventsourcing.persistence import OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ledger.errors import LedgerError

log = logging.getLogger("canbo.api")

STATUS_BY_CODE: dict[str, int] = {
    "malformed_statement": 400,
    "non_canonical_statement": 400,
    "statement_too_large": 413,
    "unknown_statement_type": 422,
    "invalid_payload": 422,
    "invalid_rule_parameter": 422,
    "rule_blocked": 422,
    "quorum_not_reached": 422,
    "clock_skew": 422,
    "bad_signature": 401,
    "unknown_key": 401,
    "revoked_key": 403,
    "key_not_yet_valid": 403,
    "not_authorised": 403,
    "replayed_nonce": 409,
    "version_conflict": 409,
    "not_found": 404,
    "log_unavailable": 503,
    # Sessions and limits (api/auth.py, api/access.py, api/ratelimit.py).
    "unauthenticated": 401,
    "invalid_session": 401,
    "invalid_challenge": 401,
    "forbidden_role": 403,
    "out_of_scope": 403,
    "rate_limited": 429,
    "access_rule_missing": 500,
}


def error_body(code: str, en: str, vi: str, **details: Any) -> dict[str, Any]:
    """The JSON error shape."""
    return {"code": code, "message_vi": vi, "message_en": en, "details": details}


DATABASE_UNAVAILABLE_BODY = error_body(
    "database_unavailable",
    "the database is unavailable; retry shortly with the same signed statement (not a newly "
    "signed one): a replayed_nonce answer then means it was recorded after all",
    "cơ sở dữ liệu tạm thời không truy cập được; hãy gửi lại đúng statement đã ký sau ít phút "
    "(không ký lại): nếu nhận lỗi replayed_nonce thì nó đã được ghi",
)
DISK_FULL_BODY = error_body(
    "disk_full",
    "the database's disk is full; nothing was recorded. The operator must free space; "
    "the log itself is intact",
    "ổ đĩa của cơ sở dữ liệu đã đầy; chưa ghi gì. Người vận hành cần giải phóng dung lượng; "
    "bản thân nhật ký vẫn nguyên vẹn",
)


def is_disk_full(exc: BaseException) -> bool:
    """True if a database error was caused by a full disk (SQLite's SQLITE_FULL, which a
    PRAGMA max_page_count limit also gives, or PostgreSQL's disk_full, SQLSTATE 53100)."""
    seen: BaseException | None = exc
    for _ in range(10):  # the cause chain is short: wrapper, driver error
        if seen is None:
            return False
        if isinstance(seen, sqlalchemy.exc.DBAPIError) and seen.orig is not None:
            seen = seen.orig
        if getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if isinstance(seen, psycopg.errors.DiskFull):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# A 401 names the scheme that would have worked: a session token, or a statement signature.
_SESSION_CODES = frozenset({"unauthenticated", "invalid_session"})


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error response; 401s name the scheme the API expects."""
    if status == 401:
        scheme = "Bearer" if body.get("code") in _SESSION_CODES else "Signature"
        headers = {**(headers or {}), "WWW-Authenticate": f'{scheme} realm="canbo-ledger"'}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the error shape."""

    @app.exception_handler(LedgerError)
    async def ledger_error(_request: Request, exc: LedgerError) -> JSONResponse:
        status = STATUS_BY_CODE.get(exc.code, 400)
        if status >= 500:
            log.error("refused by a server-side fault", extra={"code": exc.code})
        retry = exc.details.get("retry_after_seconds")
        headers = {"Retry-After": str(retry)} if isinstance(retry, int) else None
        return error_response(status, exc.to_dict(), headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        return error_response(
            422,
            error_body(
                "invalid_request",
                "the request parameters are invalid",
                "tham số yêu cầu không hợp lệ",
                problems=problems,
            ),
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        return error_response(
            exc.status_code,
            error_body(code, str(exc.detail), _VI.get(exc.status_code, "yêu cầu không hợp lệ")),
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(sqlalchemy.exc.OperationalError)
    @app.exception_handler(sqlalchemy.exc.InterfaceError)
    async def database_down(_request: Request, exc: Exception) -> JSONResponse:
        # The event store (eventsourcing) and the log tables (SQLAlchemy) wrap the driver's
        # error differently; either way the database did not do what was asked.
        if is_disk_full(exc):
            log.error("database full: %s", type(exc).__name__)
            return error_response(507, DISK_FULL_BODY)
        log.error("database unavailable: %s", type(exc).__name__)
        return error_response(503, DATABASE_UNAVAILABLE_BODY, {"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return error_response(
            500,
            error_body(
                "internal_error",
                "an unexpected error occurred; it has been logged",
                "đã xảy ra lỗi không mong muốn; lỗi đã được ghi lại",
            ),
        )


_VI = {
    404: "không tìm thấy",
    405: "phương thức không được hỗ trợ",
    413: "nội dung yêu cầu quá lớn",
}
