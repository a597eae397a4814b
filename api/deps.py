"""Dependencies shared by the routers.

They are `async def` although they do not await: FastAPI runs a plain `def` dependency on a
worker thread, and that hop (twice a request, with the GIL handed over each way) cost more than
the whole statement check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Session
from api.services import ApiServices
from ledger.bootstrap import Ledger


async def get_ledger(request: Request) -> Ledger:
    """The process's open ledger, created in the app's lifespan."""
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


async def get_services(request: Request) -> ApiServices:
    """The process's sessions, limits and read models, made in the app's lifespan."""
    services: ApiServices = request.app.state.services
    return services


async def get_session(request: Request) -> Session:
    """The session that api.access.enforce_access checked for this request's route."""
    session: Session | None = getattr(request.state, "session", None)
    if session is None:
        # The route's access rule asks for no session: its table entry is wrong.
        raise RuntimeError(f"{request.url.path} reads a session its access rule does not require")
    return session


ServicesDep = Annotated[ApiServices, Depends(get_services)]
SessionDep = Annotated[Session, Depends(get_session)]
