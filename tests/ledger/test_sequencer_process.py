"""On PostgreSQL the sequencer is its own process: one leader; a standby takes over on kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import LogFixture, enrol, notice, official_key

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = official_key("sequenced")

pytestmark = pytest.mark.postgres


def start_sequencer(data_dir: Path, log_file: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log_file.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.cli",
                "sequencer",
                "--data-dir",
                str(data_dir),
                "--poll-interval",
                "0.05",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_one_leader_and_failover(postgres_log: LogFixture, tmp_path: Path) -> None:
    api = postgres_log.open(sequence_in_process=False)  # stateless, like an API process
    logs = [tmp_path / "seq-a.log", tmp_path / "seq-b.log"]
    first = start_sequencer(postgres_log.settings.data_dir, logs[0])
    wait_for(lambda: b"sequencer leading" in logs[0].read_bytes())
    second = start_sequencer(postgres_log.settings.data_dir, logs[1])
    try:
        wait_for(lambda: b"another sequencer leads" in logs[1].read_bytes())
        enrol(api, postgres_log.registrar, OFFICIAL)  # waits for the sequencer's receipt
        receipt = api.submit([notice(api, OFFICIAL) for _ in range(20)])
        assert receipt["tree_size"] == 22

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        wait_for(lambda: b"sequencer leading" in logs[1].read_bytes())
        receipt = api.submit([notice(api, OFFICIAL) for _ in range(5)], wait=20)
        assert receipt["tree_size"] == 27
        assert [s["leaf_index"] for s in receipt["statements"]] == list(range(22, 27))
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=10)
        api.close()
    assert second.returncode == 0  # SIGTERM is a clean stop
