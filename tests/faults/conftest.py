"""A PostgreSQL log served by real `canbo serve` and `canbo sequencer` child processes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.services import migrate_read_models
from ledger.note import VerifierKey
from ops.procs import Child, start_api, start_sequencer
from tests.conftest import LogFixture, enrol, official_key
from tests.faults.harness import LogReader, Outcomes, check_one_history, check_promises_kept

OFFICIAL = official_key("faults")


@dataclass
class Running:
    """The log's data directory, its key, and its two processes (replaced when restarted)."""

    data_dir: Path
    logs: Path
    database_url: str
    vkey: VerifierKey
    api: Child
    sequencer: Child

    def restart_api(self) -> None:
        """A new API process on the same port, as a supervisor would start it."""
        port = int(self.api.url.rsplit(":", 1)[1])
        self.api = start_api(self.data_dir, self.logs / "api.log", port=port)

    def restart_sequencer(self) -> None:
        """A new sequencer process."""
        self.sequencer = start_sequencer(self.data_dir, self.logs / "sequencer.log")

    def check(self, outcomes: Outcomes) -> tuple[int, int]:
        """Every promise kept, one history: (promises checked, checkpoints checked)."""
        reader = LogReader(self.api.url, self.vkey)
        try:
            return check_promises_kept(reader, outcomes), check_one_history(
                reader, outcomes.checkpoints
            )
        finally:
            reader.close()


@pytest.fixture
def running(postgres_log: LogFixture, tmp_path: Path) -> Iterator[Running]:
    """Enrol the official in-process, then run the log as separate processes."""
    migrate_read_models(postgres_log.settings)  # as `canbo init` does
    ledger = postgres_log.open()
    try:
        enrol(ledger, postgres_log.registrar, OFFICIAL)
        vkey = ledger.verifier_key
    finally:
        ledger.close()
    data_dir = postgres_log.settings.data_dir
    database_url = postgres_log.settings.database_url
    assert database_url is not None
    sequencer = start_sequencer(data_dir, tmp_path / "sequencer.log")
    try:
        api = start_api(data_dir, tmp_path / "api.log")
    except BaseException:
        sequencer.stop()
        raise
    state = Running(data_dir, tmp_path, database_url, vkey, api, sequencer)
    try:
        yield state
    finally:
        state.api.stop()
        state.sequencer.stop()


def wait_until(
    predicate: Callable[[], bool], timeout: float, what: str, seen: object = None
) -> None:
    """Poll predicate every 50 ms; fail the test with `what` (and `seen`) after timeout s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}; seen: {seen}"
        time.sleep(0.05)
