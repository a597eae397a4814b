"""The authorisation table: every endpoint of the API and who may call it.

This table is the single source of truth. `enforce_access` (a dependency of every route) looks
the matched route up here and applies its rule; a route missing from the table is refused, never
served open. The matrix test calls every route as every role against this table, and
docs/authorisation.md is generated from it (`python -m api.access > docs/authorisation.md`).
"""

from __future__ import annotations

import sys
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.types import Scope

from api.auth import (
    ANY_ROLE,
    AccessRule,
    Public,
    RoleRule,
    SignedWrite,
    Unauthenticated,
    check_rule,
    require_role,
)
from ledger.errors import LedgerError
from ledger.registry import ROLES

INSPECTION_ROLES = frozenset({"inspector", "committee", "registrar"})

OPEN = Public()
# Health probes, metrics and the tlog-tiles API are fetched by machines in bulk (a verifier
# downloads every tile): they are cheap, cacheable reads, so no per-client limit.
OPEN_UNLIMITED = Public(rate_limited=False)
SIGNED = SignedWrite()

ACCESS: dict[tuple[str, str], AccessRule] = {
    # Writes: only signed statements.
    ("POST", "/v1/statements"): SIGNED,
    ("POST", "/v1/statements/batch"): SIGNED,
    ("GET", "/v1/receipts/{notification_id}"): OPEN,
    # The public log.
    ("GET", "/log/checkpoint"): OPEN_UNLIMITED,
    ("GET", "/log/tile/{path:path}"): OPEN_UNLIMITED,
    ("GET", "/v1/log/proof/inclusion"): OPEN,
    ("GET", "/v1/log/proof/consistency"): OPEN,
    ("GET", "/v1/log/entries/{index}"): OPEN,
    ("GET", "/v1/log/vkey"): OPEN,
    ("GET", "/v1/log/checkpoint"): OPEN,
    ("GET", "/v1/rules"): OPEN,
    # Sessions.
    ("POST", "/v1/auth/challenge"): OPEN,
    ("POST", "/v1/auth/login"): OPEN,
    ("GET", "/v1/auth/session"): require_role(ANY_ROLE, scoped=False),
    # Inspection reads: scoped to the units the session covers.
    ("GET", "/v1/inspection/keys"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/keys/{key_id}"): require_role(INSPECTION_ROLES),
    ("GET", "/v1/inspection/decisions/{decision_id:path}"): require_role(INSPECTION_ROLES),
    ("GET", "/v1/inspection/reports"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/rounds"): require_role(INSPECTION_ROLES, unit="unit"),
    # Inspection views over the read models (projections/inspection/).
    ("GET", "/v1/inspection/decisions"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/holds"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/probations"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/rotations"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/posts"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/tasks"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/initiatives"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/consultations"): require_role(INSPECTION_ROLES, unit="unit"),
    ("GET", "/v1/inspection/communes"): require_role(INSPECTION_ROLES, unit="province"),
    ("GET", "/v1/inspection/communes/chart.svg"): require_role(INSPECTION_ROLES, unit="province"),
    # Public service records and the transparency site (read models; public profiles only).
    ("GET", "/v1/public/officials"): OPEN,
    ("GET", "/v1/public/officials/{official_id:path}"): OPEN,
    ("GET", "/v1/public/decisions"): OPEN,
    ("GET", "/v1/public/decisions/{decision_id:path}"): OPEN,
    ("GET", "/v1/public/changes"): OPEN,
    ("GET", "/v1/public/popolo.json"): OPEN,
    ("GET", "/v1/public/export/officials.ndjson"): OPEN,
    ("GET", "/v1/public/export/decisions.ndjson"): OPEN,
    ("GET", "/v1/public/export/officials.csv"): OPEN,
    ("GET", "/v1/public/export/decisions.csv"): OPEN,
    ("GET", "/site"): OPEN,
    ("GET", "/site/"): OPEN,
    ("GET", "/site/{page:path}"): OPEN,
    # Personnel records: public reads (only public profiles; personal data stays in the vault).
    ("GET", "/v1/statement-types"): OPEN,
    ("GET", "/v1/records/{kind}/{record_id:path}"): OPEN,
    ("GET", "/v1/records/{kind}/{record_id:path}/history"): OPEN,
    ("GET", "/v1/log/witnesses"): OPEN,
    # Reporting without an account; the receipt code is the reporter's only credential, and
    # its tries have a limit of their own (api/routes/reports.py).
    ("GET", "/report"): OPEN,
    ("GET", "/report/form.js"): OPEN,
    ("GET", "/v1/reports/keys"): OPEN,
    ("POST", "/v1/reports"): OPEN,
    ("POST", "/v1/reports/status"): OPEN,
    ("POST", "/v1/reports/reply"): OPEN,
    ("GET", "/v1/reports/statistics"): OPEN,
    # A handler's read of a report: a signed statement recorded before it is answered.
    ("POST", "/v1/reports/open"): SIGNED,
    # Operations and documentation.
    ("GET", "/healthz"): OPEN_UNLIMITED,
    ("GET", "/readyz"): OPEN_UNLIMITED,
    ("GET", "/metrics"): OPEN_UNLIMITED,
    # FastAPI serves these itself, outside the routes' dependencies: they cannot be limited.
    ("GET", "/openapi.json"): OPEN_UNLIMITED,
    ("GET", "/docs"): OPEN_UNLIMITED,
    ("GET", "/docs/oauth2-redirect"): OPEN_UNLIMITED,
    ("GET", "/redoc"): OPEN_UNLIMITED,
}


class AccessRuleMissing(LedgerError):
    """A route that the authorisation table does not list: refused until it is listed."""

    code = "access_rule_missing"


def rule_for(method: str, path: str) -> AccessRule:
    """The rule of a route (HEAD is GET's); AccessRuleMissing if the table lacks it."""
    method = "GET" if method == "HEAD" else method
    rule = ACCESS.get((method, path))
    if rule is None:
        raise AccessRuleMissing(
            f"{method} {path} has no access rule; refused",
            "đường dẫn này chưa được khai báo quyền truy cập; yêu cầu bị từ chối",
        )
    return rule


def client_address(request: Request) -> str:
    """The address limits are counted by (uvicorn resolves trusted proxies' forwarding)."""
    return scope_client_address(request.scope)


def scope_client_address(scope: Scope) -> str:
    """client_address, from the ASGI scope (for paths served without a Request)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def enforce_access(request: Request) -> None:
    """Apply the table's rule to this request; the session, if any, goes to request.state."""
    route = request.scope.get("route")
    rule = rule_for(request.method, route.path if route is not None else request.url.path)
    services = request.app.state.services
    if isinstance(rule, SignedWrite):
        services.signed_limits.take(client_address(request))
        return
    token = _bearer(request)
    if isinstance(rule, Public):
        if rule.rate_limited and not (token and await _valid_session(services, token)):
            services.anonymous_limits.take(client_address(request))
        return
    if token is None:
        raise Unauthenticated(
            "this endpoint needs a session: log in with your enrolled key "
            "(POST /v1/auth/challenge, then /v1/auth/login) and send "
            "Authorization: Bearer <token>",
            "cần đăng nhập bằng khoá đã đăng ký và gửi Authorization: Bearer <token>",
        )
    session = await run_in_threadpool(services.sessions.session, token)
    params: dict[str, list[str]] = {k: [v] for k, v in request.path_params.items()}
    for key in request.query_params:
        params.setdefault(key, []).extend(request.query_params.getlist(key))
    for values in _each_combination(params, rule):
        check_rule(rule, session, values)
    request.state.session = session


def _each_combination(params: dict[str, list[str]], rule: RoleRule) -> list[dict[str, str]]:
    # A unit given twice (?unit=A&unit=B) must be covered both times, whichever one is used.
    if rule.unit is None or rule.unit not in params:
        return [{}]
    return [{rule.unit: value} for value in params[rule.unit]]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "the Authorization header must be 'Bearer <session token>'",
            "tiêu đề Authorization phải có dạng 'Bearer <token>'",
        )
    return token.strip()


async def _valid_session(services: Any, token: str) -> bool:
    try:
        await run_in_threadpool(services.sessions.session, token)
    except LedgerError:
        return False
    return True


# --- The table as documentation ---------------------------------------------------------------

ROLE_COLUMNS = (
    "registrar",
    "official",
    "clerk",
    "inspector",
    "handler",
    "protection_officer",
    "committee",
    "intake",
)
assert set(ROLE_COLUMNS) == ROLES, "every role has a column"


def cell(rule: AccessRule, role: str | None) -> str:
    """What the table says about one role (None: anonymous) on one rule."""
    if isinstance(rule, Public):
        return "yes" if rule.rate_limited is False or role else "yes (rate-limited)"
    if isinstance(rule, SignedWrite):
        return "signed statement"
    if role is None or role not in rule.roles:
        return "no"
    return "own units" if rule.scoped else "yes"


def routes_of(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every route the app serves."""
    found = []
    # FastAPI keeps included routers as such: iter_route_contexts flattens them.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        summary = ""
        if isinstance(route, APIRoute):
            summary = route.summary or (route.description or "").split("\n")[0]
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                found.append((method, str(context.path), summary))
    return sorted(found, key=lambda r: (r[1], r[0]))


def render_markdown(app: FastAPI) -> str:
    """docs/authorisation.md: every route by every role."""
    lines = [
        "# Authorisation matrix",
        "",
        "Generated from `api/access.py` by `python -m api.access > docs/authorisation.md`;",
        "a test fails when this file and the table differ. Do not edit by hand.",
        "",
        "Writes are signed statements only: anyone may submit one, and the statement's own",
        "signature decides (the key registry's role and unit scope; README, 'Writing').",
        "Reads other than the public ones need a session from a challenge-response login with",
        "an enrolled key. *own units* means: only units the session's unit scope covers",
        "(a province scope `VN-HN` covers its communes `VN-HN/...`; a commune scope only",
        "itself; `*` covers all). Anyone else gets 401 without a session and 403 with one.",
        "",
        "| method | path | what | anonymous | " + " | ".join(ROLE_COLUMNS) + " |",
        "| --- | --- | --- | --- | " + " | ".join("---" for _ in ROLE_COLUMNS) + " |",
    ]
    for method, path, summary in routes_of(app):
        rule = rule_for(method, path)
        cells = [cell(rule, None), *(cell(rule, role) for role in ROLE_COLUMNS)]
        lines.append(f"| {method} | `{path}` | {summary} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """Print docs/authorisation.md."""
    from api.app import create_app

    app = create_app(lambda: None)  # type: ignore[arg-type, return-value]
    sys.stdout.write(render_markdown(app))
    return 0


if __name__ == "__main__":
    sys.exit(main())
