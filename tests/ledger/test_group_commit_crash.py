"""A process killed inside a group's transaction loses no acknowledged statement."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ledger.merkle import leaf_hash, root_from_leaf_hashes
from tests.conftest import LogFixture, enrol, official_key

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = official_key("crash-group")
ROUND = 8

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings
    from tests.conftest import notice, official_key

    ledger = open_ledger(Settings.load(Path(sys.argv[1])))
    official = official_key("crash-group")

    def submit_round(size):
        statements = [notice(ledger, official) for _ in range(size)]
        # Holding the lock every save takes, so the writer can form at most one group before
        # all are queued: the round is saved in at most two groups, one of them of 4 or more.
        with ledger.sequencer.lock:
            futures = [ledger.committer.submit([s]) for s in statements]
        for statement, future in zip(statements, futures):
            future.result()
            print("acknowledged", statement.statement.nonce, flush=True)

    for _ in range(3):
        submit_round(int(sys.argv[2]))

    def die(old, new):  # inside a group's insert transaction, before its commit
        if new - old > 1:
            os.kill(os.getpid(), signal.SIGKILL)

    ledger.sequencer.on_batch = die
    submit_round(int(sys.argv[2]))
    """
)


def test_killed_mid_group_keeps_every_acknowledged_statement(sqlite_log: LogFixture) -> None:
    ledger = sqlite_log.open()
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    before = ledger.log.require_head().size
    ledger.close()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(sqlite_log.settings.data_dir), str(ROUND)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == -9, result.stderr
    acknowledged = [line.split()[1] for line in result.stdout.splitlines()]
    # The fourth round's group was killed; a submission saved alone before it may have been
    # answered.
    assert 3 * ROUND <= len(acknowledged) < 4 * ROUND

    reopened = sqlite_log.open(clock=None)
    try:
        recorder: object = reopened.app.recorder
        signer = OFFICIAL.key_id
        assert all(recorder.nonce_used(signer, n) for n in acknowledged)  # type: ignore[attr-defined]
        head = reopened.log.require_head()
        assert head.size == before + len(acknowledged)  # the killed group left nothing
        entries = reopened.log.entries(0, head.size)
        assert head.root == root_from_leaf_hashes([leaf_hash(e) for e in entries])
    finally:
        reopened.close()
