"""`canbo serve --workers N`: several API processes on one port over one PostgreSQL log."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from api.services import migrate_read_models
from ledger.verify import verify_log
from ops.procs import free_port, start_api, start_sequencer
from tests.conftest import LogFixture, enrol, notice, official_key

OFFICIAL = official_key("workers")
ROOT = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-m", "api.cli", "serve"]


def test_several_workers_need_postgresql(sqlite_log: LogFixture) -> None:
    data_dir = sqlite_log.settings.data_dir
    port = str(free_port())
    done = subprocess.run(
        [*SERVE, "--data-dir", str(data_dir), "--port", port, "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert "--workers above 1 needs PostgreSQL" in done.stderr


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.postgres
def test_two_api_processes_serve_one_log(postgres_log: LogFixture, tmp_path: Path) -> None:
    migrate_read_models(postgres_log.settings)  # as `canbo init` does
    ledger = postgres_log.open()
    try:
        enrol(ledger, postgres_log.registrar, OFFICIAL)
        bodies = [notice(ledger, OFFICIAL, time=datetime.now(UTC)).envelope() for _ in range(40)]
    finally:
        ledger.close()
    data_dir = postgres_log.settings.data_dir
    sequencer = start_sequencer(data_dir, tmp_path / "sequencer.log")
    try:
        api = start_api(data_dir, tmp_path / "api.log", workers=2)
        try:
            if Path("/proc").is_dir():  # uvicorn's supervisor and its two worker processes
                assert len(_children(api.process.pid)) >= 2, api.log_tail()
            client = httpx.Client(base_url=api.url, timeout=30)
            with client, ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda b: client.post("/v1/statements", json=b), bodies))
        finally:
            api.stop()
    finally:
        sequencer.stop()
    assert [a.status_code for a in answers] == [201] * 40, answers[0].text
    leaves = sorted(a.json()["statements"][0]["leaf_index"] for a in answers)
    assert leaves == list(range(2, 42))  # after the genesis and the enrolment
    result = verify_log(data_dir=data_dir)
    assert result.ok, result
