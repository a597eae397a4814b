"""`canbo serve --workers N`: several API processes on one port, for PostgreSQL deployments.

With PostgreSQL the API holds no state of its own: statements are saved in the database, the
separate `canbo sequencer` extends the tree, and each process waits for its receipts on the
sequencer's announcements. One Python process uses one core for its Python code, so on a
machine with several cores several processes serve more. uvicorn starts them from an import
string, so each builds its app here from the data directory named in the environment.

What a process keeps in memory stays per process: rate-limit counts, used login challenges
(a challenge answered at one process may be answered once more at another while it is valid)
and /metrics counts.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from ledger.settings import Settings, SettingsError

DATA_DIR_ENV = "CANBO_SERVE_DATA_DIR"


def app_from_environment() -> FastAPI:
    """The API app of the data directory in CANBO_SERVE_DATA_DIR (uvicorn's factory)."""
    from api.app import create_app
    from api.config import ApiConfig
    from api.jsonlog import configure_logging
    from ledger.bootstrap import open_ledger

    settings = Settings.load(Path(os.environ[DATA_DIR_ENV]))
    configure_logging()
    return create_app(lambda: open_ledger(settings), config=ApiConfig.from_env(), freeze_heap=True)


def serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run `workers` API processes on host:port until stopped."""
    import uvicorn

    if not settings.is_postgres:
        raise SettingsError(
            "--workers above 1 needs PostgreSQL: an embedded (SQLite) log is sequenced inside "
            "its one API process"
        )
    os.environ[DATA_DIR_ENV] = str(settings.data_dir.resolve())
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_keep_alive=5,
    )
