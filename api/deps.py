"""Dependencies shared by the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ledger.bootstrap import Ledger


def get_ledger(request: Request) -> Ledger:
    """The process's open ledger, created in the app's lifespan."""
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
