"""The report form page (GET /report) and its script: no account, no external resources."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

router = APIRouter(tags=["reports"])
STATIC = Path(__file__).parents[1] / "static"
# The page loads nothing from elsewhere and cannot be framed; the receipt never leaves it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@router.get("/report", response_class=HTMLResponse, summary="The report form")
def report_page() -> HTMLResponse:
    """File a report or check one by receipt code (Vietnamese with English)."""
    return HTMLResponse((STATIC / "report.html").read_text(encoding="utf-8"), headers=PAGE_HEADERS)


@router.get(
    "/report/form.js",
    summary="The report form's script",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {"schema": {"type": "string"}}}}},
)
def report_script() -> Response:
    """Reads the form, posts JSON, shows the receipt."""
    return Response(
        (STATIC / "report.js").read_text(encoding="utf-8"),
        media_type="text/javascript",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )
