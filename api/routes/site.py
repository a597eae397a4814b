"""The transparency site served live: the same pages `canbo publish` writes, under /site/.

Decision search runs here on the server (the published copy searches its data file in the
browser); proofs are pages of their own, computed against the latest checkpoint.
"""

from __future__ import annotations

import base64
import copy
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import LedgerDep
from api.read_models import ReadModelsDep
from api.routes.public import ID, KINDS
from ledger.errors import NotFound
from ledger.rules.dates import local_date
from projections.public_read import PUBLIC_STATUSES, DecisionQuery
from projections.site.publish import head_of
from projections.site.render import Site, unslug

router = APIRouter(prefix="/site", tags=["transparency site"])

_PAGED = re.compile(r"^(officials|decisions)/(?:index|page-(\d{1,6}))\.html$")
_RECORD = re.compile(r"^(units|officials)/([^/]+)\.html$")
_PROOF = re.compile(r"^proof/(\d{1,18})\.html$")
# The site loads nothing from elsewhere and runs no script when served live; its search form
# submits to itself.
SITE_POLICY = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' "
    "data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}


def _site(request: Request, ledger: LedgerDep, models: ReadModelsDep) -> Site:
    cached: Site | None = getattr(request.app.state, "site", None)
    if cached is None:
        cached = Site(models.reader, head_of(ledger, None), live=True)
        request.app.state.site = cached
    site = copy.copy(cached)  # the Jinja environment is shared; the checkpoint is this request's
    site.head = head_of(ledger, str(request.base_url).rstrip("/"))
    return site


def _stats(request: Request, site: Site, ledger: Any, lang: str, today: date) -> str:
    # The statistics page runs queries per commune (hundreds in a province) and is public:
    # built once per log position, language, day and address, not on every request.
    head = ledger.log.head()
    key = (lang, today, head.position if head else 0, str(request.base_url))
    cache: dict[tuple[Any, ...], str] | None = getattr(request.app.state, "stats_pages", None)
    if cache is None:
        cache = request.app.state.stats_pages = {}
    html = cache.get(key)
    if html is None:
        html = site.stats(lang, today)
        if len(cache) >= 8:  # only the newest few matter
            cache.pop(next(iter(cache)))
        cache[key] = html
    return html


_HOME = {
    "response_class": RedirectResponse,
    "responses": {
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        307: {"description": "to /site/index.html"},
    },
    "summary": "The transparency site's home (a redirect to it)",
}


@router.get("", **_HOME)  # type: ignore[arg-type]
@router.get("/", **_HOME)  # type: ignore[arg-type]
def site_root() -> RedirectResponse:
    """The home page."""
    return RedirectResponse("/site/index.html")


@router.get(
    "/{page:path}",
    response_class=HTMLResponse,
    summary="A page of the transparency site",
)
def page(
    request: Request,
    ledger: LedgerDep,
    models: ReadModelsDep,
    page: Annotated[str, Path(max_length=300)],
    q: Annotated[str | None, Query(max_length=200)] = None,
    kind: Annotated[str | None, Query(pattern=f"^({KINDS})?$")] = None,
    status: Annotated[str | None, Query(pattern=f"^({'|'.join(PUBLIC_STATUSES)})?$")] = None,
    unit: Annotated[str | None, Query(pattern=f"({ID})|^$")] = None,
    flag: Annotated[str | None, Query(pattern=r"^(R\d{2})?$")] = None,
) -> HTMLResponse:
    """Pages in Vietnamese, or in English under /site/en/."""
    site = _site(request, ledger, models)
    lang, path = ("en", page[3:]) if page.startswith("en/") else ("vi", page)
    today = local_date(ledger.app.clock())
    html: str | None = None
    if path == "index.html":
        html = site.home(lang)
    elif path == "units/index.html":
        html = site.units(lang)
    elif path == "frameworks.html":
        html = site.frameworks(lang)
    elif path == "stats.html":
        html = _stats(request, site, ledger, lang, today)
    elif match := _PAGED.match(path):
        number = int(match.group(2) or 1)
        if match.group(1) == "officials":
            html = site.officials(lang, number)
        else:
            query = DecisionQuery(
                text=q or None,
                kind=kind or None,
                status=status or None,
                unit=unit or None,
                flag=flag or None,
            )
            searched = any((q, kind, status, unit, flag))
            html = site.decisions(lang, query, 1 if searched else number, searched=searched)
    elif match := _RECORD.match(path):
        record_id = unslug(match.group(2))
        html = (
            site.unit(lang, record_id)
            if match.group(1) == "units"
            else site.official(lang, record_id)
        )
    elif match := _PROOF.match(path):
        html = _proof_page(site, ledger, lang, int(match.group(1)))
    if html is None:
        # The API's one error shape, as every endpoint answers (api/errors.py).
        raise NotFound(f"the site has no page {page!r}", f"trang {page!r} không tồn tại", page=page)
    return HTMLResponse(html, headers=SITE_POLICY)


def _proof_page(site: Site, ledger: LedgerDep, lang: str, index: int) -> str | None:
    head = ledger.log.require_head()
    if index >= head.size:
        return None
    try:
        receipt = ledger.entry_receipt(index, head)
        entry = ledger.log.entries(index, 1)[0]
    except NotFound:
        return None
    proof = {
        "size": head.size,
        "leaf_hash": receipt["leaf_hash"],
        "hashes": receipt["inclusion_proof"],
        "checkpoint": head.checkpoint,
        "entry": base64.b64encode(entry).decode("ascii"),
    }
    return site.proof(lang, index, proof)
