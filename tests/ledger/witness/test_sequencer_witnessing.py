"""On PostgreSQL the leading `canbo sequencer` sends checkpoints to the witnesses; a standby
does not, so a witness never hears from two submitters of one log."""

from __future__ import annotations

import dataclasses
import signal
from pathlib import Path

import pytest

from api.witness_app import create_witness_app
from ledger.witness.bootstrap import init_witness_dir, open_witness
from ledger.witness.config import OverseenLog, WitnessConfig
from ledger.witness.cosignatures import CosignatureStore
from ledger.witness.log_config import LogWitness
from tests.conftest import LogFixture, enrol, official_key
from tests.ledger.test_sequencer_process import start_sequencer, wait_for
from tests.servers import ServerThread

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_the_leading_sequencer_alone_sends_checkpoints(
    postgres_log: LogFixture, tmp_path: Path
) -> None:
    api = postgres_log.open(sequence_in_process=False)
    directory = tmp_path / "witness"
    init = init_witness_dir(directory, "witness.test/pg", None, unencrypted_keys=True)
    init.config.with_log(OverseenLog(api.origin, api.verifier_key.format())).save()
    server = ServerThread(
        create_witness_app(lambda: open_witness(WitnessConfig.load(directory)))
    ).start()
    witness = LogWitness(server.url, init.verifier_key)
    dataclasses.replace(postgres_log.settings, witnesses=(witness,)).save()
    logs = [tmp_path / "seq-a.log", tmp_path / "seq-b.log"]
    leader = start_sequencer(postgres_log.settings.data_dir, logs[0])
    standby = None
    try:
        wait_for(lambda: b"sending checkpoints to 1 witness" in logs[0].read_bytes())
        standby = start_sequencer(postgres_log.settings.data_dir, logs[1])
        wait_for(lambda: b"another sequencer leads" in logs[1].read_bytes())
        receipt = enrol(api, postgres_log.registrar, official_key("pg-witnessed"))
        store = CosignatureStore(api.log.engine)

        def cosigned_at_tree_size() -> bool:
            published = store.published([witness.key])
            return published is not None and published.checkpoint.size == receipt["tree_size"]

        wait_for(cosigned_at_tree_size)
        assert b"sending checkpoints" not in logs[1].read_bytes()
    finally:
        for process in (leader, standby):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
        server.stop()
        api.close()
    assert leader.returncode == 0
