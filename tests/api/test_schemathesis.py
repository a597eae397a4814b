"""Schemathesis against the app: generated requests to every operation get no 5xx and no answer
that contradicts the OpenAPI document (status, content type, headers, body schema).

Bounded for the suite: a few derandomised examples per operation, valid and invalid.
Requests carry an inspector's session, so the session-only reads are explored too (refusals
without a session are the matrix test's job).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.access import routes_of
from api.app import create_app
from tests.api.sessions import PERSONAS, UNLIMITED, bearer, enrol_personas, login
from tests.conftest import LogFixture

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# FastAPI's own pages, outside the document.
UNDOCUMENTED = {"GET /openapi.json", "GET /docs", "GET /docs/oauth2-redirect", "GET /redoc"}
EXAMPLES = 15  # per operation and mode: bounded, the suite stays fast
INSPECTOR = next(p for p in PERSONAS if p.name == "inspector_province")


@pytest.fixture
def served(sqlite_log: LogFixture) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """The app, started, with personas enrolled, and an inspector's session header."""
    app = create_app(sqlite_log.open, config=UNLIMITED)
    with TestClient(app) as client:
        enrol_personas(client, sqlite_log)
        yield app, bearer(login(client, INSPECTOR.key))


def test_the_api_keeps_to_its_openapi_document(served: tuple[FastAPI, dict[str, str]]) -> None:
    app, session = served
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = {f"{m.upper()} {p}" for p, ops in app.openapi()["paths"].items() for m in ops}
    served_routes = {f"{m} {p.replace(':path', '')}" for m, p, _ in routes_of(app)}
    assert {o.label for o in operations} == documented
    assert documented == served_routes - UNDOCUMENTED
    document = app.openapi()["paths"]
    unconstrained: list[str] = []
    for operation in operations:
        spec = document[operation.path][operation.method.lower()]
        # Invalid input exists only where there is input.
        takes_input = "parameters" in spec or "requestBody" in spec
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if takes_input else [])
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case: schemathesis.Case) -> None:
                case.call_and_validate(headers={**(case.headers or {}), **session}, checks=CHECKS)

            try:
                exercise()
            except Unsatisfiable:
                # Some inputs have no invalid values (an unconstrained string): nothing to send.
                if mode is GenerationMode.POSITIVE:
                    raise
                unconstrained.append(operation.label)
            except Exception as exc:
                exc.add_note(f"operation {operation.label}, {mode.value} data")
                raise
    # Only the tile path (any string: the handler parses it) has no invalid form.
    assert unconstrained == ["GET /log/tile/{path}"]
