"""The read models of an API process: opened in the lifespan, followed in-process when embedded.

Embedded (SQLite), the process follows the log itself: a background poll, and a catch-up before
each read so a client reads its own writes. On PostgreSQL `canbo projector` follows it; the API
only reads. If the read models' tables are missing (PostgreSQL before `canbo migrate`), the
public reads answer 503 with what to run, and everything else still serves.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request

from ledger.bootstrap import Ledger
from ledger.errors import LogUnavailable
from ledger.settings import SettingsError
from projections.service import ReadModels, open_read_models

log = logging.getLogger("canbo.api")


class ReadModelsUnavailable(LogUnavailable):
    """The read models cannot be read (their tables are not migrated)."""


def open_for_api(ledger: Ledger) -> tuple[ReadModels | None, str | None]:
    """The process's read models, or None and why."""
    try:
        models = open_read_models(ledger)
    except SettingsError as exc:
        log.error("read models unavailable: %s", exc)
        return None, str(exc)
    if not ledger.settings.is_postgres:
        models.catch_up()
        models.start_polling()
    return models, None


def get_read_models(request: Request) -> ReadModels:
    """The read models, caught up first when this process follows the log itself."""
    models: ReadModels | None = request.app.state.read_models
    if models is None:
        problem = request.app.state.read_models_problem
        raise ReadModelsUnavailable(
            f"the public records are not available: {problem}",
            "hồ sơ công khai tạm thời không đọc được; quản trị viên cần chạy canbo migrate",
        )
    if not models.ledger.settings.is_postgres:
        models.catch_up_if_behind()
    return models


ReadModelsDep = Annotated[ReadModels, Depends(get_read_models)]
