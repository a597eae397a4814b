"""A process killed between save and sequencing, or inside a sequencer batch, loses nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.log_schema import log_leaves
from ledger.merkle import leaf_hash, root_from_leaf_hashes
from tests.conftest import LogFixture, enrol, official_key

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = official_key("crash")

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings
    from tests.conftest import notice, official_key

    mode, data_dir = sys.argv[1], Path(sys.argv[2])
    settings = Settings.load(data_dir)
    official = official_key("crash")
    if mode == "after-save":
        ledger = open_ledger(settings, sequence_in_process=False)
        for _ in range(5):
            ledger.app.submit_many([notice(ledger, official) for _ in range(10)])
        print("saved", flush=True)
    else:
        ledger = open_ledger(settings, sequence_in_process=False)
        for _ in range(5):
            ledger.app.submit_many([notice(ledger, official) for _ in range(10)])
        from ledger.bootstrap import make_engines, make_sequencer
        _, writer = make_engines(settings)
        sequencer = make_sequencer(settings, writer, ledger.app.recorder)
        sequencer.batch_size = 7
        batches = []
        def die_in_third(old, new):
            batches.append(new)
            if len(batches) == 3:
                os.kill(os.getpid(), signal.SIGKILL)  # inside the transaction, before commit
        sequencer.on_batch = die_in_third
        print("sequencing", flush=True)
        sequencer.catch_up()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def run_child_until_killed(mode: str, data_dir: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == -9, result.stderr
    return result.stdout


@pytest.mark.parametrize("mode", ["after-save", "inside-batch"])
def test_restart_catches_up_to_the_uncrashed_tree(any_log: LogFixture, mode: str) -> None:
    ledger = any_log.open()
    enrol(ledger, any_log.registrar, OFFICIAL)
    before = ledger.log.require_head()
    ledger.close()
    # Let the child's statements carry the real time: the child has no fixed clock.
    output = run_child_until_killed(mode, any_log.settings.data_dir)
    assert output.strip() in {"saved", "sequencing"}

    reopened = any_log.open(clock=None)  # opening catches up what the crash left behind
    try:
        head = reopened.log.require_head()
        assert head.size == before.size + 50
        entries = reopened.log.entries(0, head.size)
        # The tree without a crash is the tree of every stored event in notification order.
        assert head.root == root_from_leaf_hashes([leaf_hash(e) for e in entries])
        with reopened.log.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(log_leaves)).scalar()
        assert count == head.size
    finally:
        reopened.close()
