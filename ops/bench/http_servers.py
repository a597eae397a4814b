"""The two servers the HTTP benchmark loads, each run as its own process:

`ledger`: the real API (uvicorn, one worker, production logging to stderr) over a SQLite log;
`baseline`: a minimal FastAPI endpoint that signs the request body with Ed25519 and inserts it
into SQLite (WAL, synchronous=FULL as eventsourcing leaves it): the floor any signed-ingest
service on this stack pays.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from keys.ed25519 import Ed25519SigningKey


def baseline_app(db_path: Path) -> FastAPI:
    """POST /ingest: sign the body, insert it with its signature, commit, answer 201."""
    connection = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE IF NOT EXISTS ingested (id INTEGER PRIMARY KEY, body BLOB, signature BLOB)"
    )
    lock = threading.Lock()
    key = Ed25519SigningKey.generate()
    app = FastAPI()

    def insert(body: bytes) -> int:
        signature = key.sign(body)
        with lock:
            cursor = connection.execute(
                "INSERT INTO ingested (body, signature) VALUES (?, ?)", (body, signature)
            )
            return int(cursor.lastrowid or 0)

    @app.post("/ingest")
    async def ingest(request: Request) -> JSONResponse:
        row = await run_in_threadpool(insert, await request.body())
        return JSONResponse({"id": row}, status_code=201)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_ledger(data_dir: Path, port: int) -> None:
    """The real API over the log in data_dir, as `canbo serve` runs it."""
    from api.app import create_app
    from api.config import ApiConfig
    from api.jsonlog import configure_logging
    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings

    settings = Settings.load(data_dir)
    app = create_app(lambda: open_ledger(settings), config=ApiConfig.from_env())
    configure_logging()
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


def main(argv: list[str]) -> int:
    """`python -m ops.bench.http_servers ledger DATA_DIR PORT | baseline DB_FILE PORT`."""
    kind, path, port = argv[0], Path(argv[1]), int(argv[2])
    if kind == "ledger":
        serve_ledger(path, port)
    else:
        uvicorn.run(baseline_app(path), host="127.0.0.1", port=port, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
