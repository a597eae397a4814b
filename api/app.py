"""The FastAPI application: one Ledger per process, opened in the lifespan, closed on shutdown."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from api.access import enforce_access
from api.config import ApiConfig
from api.errors import install_error_handlers
from api.metrics import HttpMetrics
from api.middleware import install_envelope
from api.openapi import install_openapi
from api.read_models import open_for_api
from api.routes import (
    auth,
    inspection,
    inspection_views,
    ops,
    personnel,
    proofs,
    public,
    report_pages,
    reports,
    rules,
    site,
    statements,
    tiles,
    witnesses,
)
from api.services import ApiServices
from keys.ed25519 import ED25519
from ledger.bootstrap import Ledger
from ledger.witness.submitter import start_witnessing


def create_app(
    open_ledger: Callable[[], Ledger],
    *,
    close_on_shutdown: bool = True,
    config: ApiConfig | None = None,
    freeze_heap: bool = False,
) -> FastAPI:
    """The API over the ledger that `open_ledger` opens at start-up.

    freeze_heap (a server process, not a test that builds many apps): once started, move
    everything allocated so far out of the garbage collector's reach (gc.freeze). Modules and
    the opened log are hundreds of thousands of long-lived objects; without it every full
    collection walks them all, a pause of about 100 ms under load that set the API's p99.
    """
    config = config or ApiConfig.from_env()
    metrics = HttpMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ledger = ledger = open_ledger()
        app.state.services = services = ApiServices.open(ledger, config)
        watched = metrics.watch(ledger, {"key_registry": services.key_registry.position})
        # The process that signs checkpoints sends them to the witnesses.
        submitter = None
        if ledger.sequencer is not None:
            submitter = start_witnessing(ledger.settings.witnesses, ledger.log, ED25519)
        app.state.witnessing = submitter
        app.state.read_models, app.state.read_models_problem = open_for_api(ledger)
        if freeze_heap:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if submitter is not None:
                submitter.stop()
            if app.state.read_models is not None:
                app.state.read_models.close()
            metrics.unwatch(watched)
            services.close()
            if close_on_shutdown:
                ledger.close()

    app = FastAPI(
        title="canbo-ledger",
        version="0.1.0",
        summary="Signed, append-only, verifiable ledger of grassroots personnel work",
        lifespan=lifespan,
        # Every route passes the authorisation table (api/access.py) before anything else.
        dependencies=[Depends(enforce_access)],
    )
    app.state.metrics = metrics
    install_error_handlers(app)
    app.include_router(statements.router)
    app.include_router(statements.receipts_router)
    app.include_router(proofs.router)
    app.include_router(tiles.router)
    app.include_router(rules.router)
    app.include_router(personnel.router)
    app.include_router(witnesses.router)
    app.include_router(reports.router)
    app.include_router(report_pages.router)
    app.include_router(auth.router)
    app.include_router(inspection.router)
    app.include_router(inspection_views.router)
    app.include_router(ops.router)
    app.include_router(public.router)
    app.include_router(site.router)
    install_envelope(app, config, metrics)
    install_openapi(app)
    return app
