"""Browser tests drive Debian's Chromium through Playwright; no browser is ever downloaded.

Without /usr/bin/chromium (or CANBO_CHROMIUM) they skip and say how to enable them; with
CANBO_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from ops.procs import free_port
from tests.conftest import make_log
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history

CHROMIUM = os.environ.get("CANBO_CHROMIUM", "/usr/bin/chromium")
BROWSER_REQUIRED = os.environ.get("CANBO_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"  # gitignored


def _problem() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium."""
    problem = _problem()
    if problem:
        message = (
            f"browser tests need Chromium and Playwright ({problem}). To run them: "
            "apt-get install -y chromium (or set CANBO_CHROMIUM to a Chromium binary) and "
            "pip install -c constraints.txt -e '.[dev]'."
        )
        if BROWSER_REQUIRED:
            pytest.fail(message + " CANBO_REQUIRE_BROWSER=1 makes this a failure.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class LiveSite:
    """The API serving a small province with history, on a free local port."""

    base: str
    artifacts: Path


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[LiveSite]:
    """Serve the API (and its site) from a thread; record the province's history first."""
    log = make_log(tmp_path / "data")
    app = create_app(log.open)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        desk = Desk(log, app.state.ledger)
        build_province(desk)
        record_history(desk)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield LiveSite(f"http://127.0.0.1:{port}", ARTIFACTS)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
