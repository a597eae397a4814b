"""The OpenAPI document, completed from the authorisation table: every operation lists the
error answers it can give (in the one error shape) and the session it needs.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts

from api.access import rule_for
from api.auth import Public, RoleRule, SignedWrite
from api.schemas import ErrorBody

ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}
_DESCRIPTIONS = {
    400: "malformed request",
    401: "no valid session (or, for statements, a signature that does not verify)",
    403: "the role or unit scope does not allow it",
    404: "not found (or not in your scope)",
    409: "conflict: a replayed nonce or a stale version",
    413: "request body too large",
    422: "invalid parameters or payload",
    429: "too many requests from this client; see Retry-After",
    500: "unexpected error (logged; no details are given)",
    503: "database or log unavailable; nothing was recorded",
    504: "the request took too long",
}


def _error(status: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def _statuses(rule: Any, operation: dict[str, Any], path: str) -> set[int]:
    statuses = {500, 503, 504}
    if "parameters" in operation:
        statuses |= {404, 422}  # parameters can name what does not exist
    if "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413}
    if "{" in path:
        statuses.add(404)
    if isinstance(rule, RoleRule):
        statuses |= {401, 403}
        if rule.unit is not None:
            statuses.add(404)
    if isinstance(rule, Public) and rule.rate_limited:
        statuses.add(429)
    if isinstance(rule, SignedWrite):
        statuses |= {400, 401, 403, 404, 409, 413, 422, 429}
    return statuses


def _template(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def install_openapi(app: FastAPI) -> None:
    """Make app.openapi() return the completed document."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=(
                "Writes are signed statements (POST /v1/statements). Reads beyond the public "
                "ones need a session: POST /v1/auth/challenge, sign it with your enrolled key, "
                "POST /v1/auth/login, then send `Authorization: Bearer <token>`. Every error has "
                "the ErrorBody shape. Who may call what: docs/authorisation.md."
            ),
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["ErrorBody"] = ErrorBody.model_json_schema()
        components["securitySchemes"] = {
            "session": {
                "type": "http",
                "scheme": "bearer",
                "description": "a session token from POST /v1/auth/login",
            }
        }
        # FastAPI's own validation error schemas describe a shape this API never sends.
        for name in ("HTTPValidationError", "ValidationError"):
            components["schemas"].pop(name, None)
        paths = {_template(str(c.path)): str(c.path) for c in iter_route_contexts(app.routes)}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                rule = rule_for(method.upper(), paths.get(path, path))
                responses = operation.setdefault("responses", {})
                for status in sorted(_statuses(rule, operation, path)):
                    answer = responses.setdefault(str(status), _error(status))
                    answer["content"] = {"application/json": {"schema": ERROR_REF}}
                if isinstance(rule, RoleRule):
                    operation["security"] = [{"session": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
