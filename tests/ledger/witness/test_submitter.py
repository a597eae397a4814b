"""The log sends each new checkpoint to its witnesses: in the background, through outages and
409s, and publishes the checkpoint with every cosignature it gathered."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from keys.ed25519 import ED25519
from ledger.bootstrap import Ledger, load_log_signer
from ledger.checkpoint import Checkpoint, sign_checkpoint
from ledger.note import open_note
from ledger.witness.cosignatures import CosignatureStore, checkpoint_text
from ledger.witness.log_config import LogWitness
from ledger.witness.protocol import format_add_checkpoint
from ledger.witness.submitter import WitnessSubmitter
from tests.conftest import LogFixture, enrol, notice, official_key
from tests.ledger.witness.fakes import WitnessNetwork, fixed_key, make_witness

OFFICIAL = official_key("witnessed")


@pytest.fixture
def network() -> Iterator[WitnessNetwork]:
    net = WitnessNetwork()
    yield net
    net.close()


def witnessed_log(
    log: LogFixture, tmp_path: Path, network: WitnessNetwork, names: list[str]
) -> tuple[Ledger, list[LogWitness]]:
    """The log with a witness per name, each overseeing it, configured in its ledger.json."""
    ledger = log.open()
    configured = []
    for name in names:
        witness = make_witness(
            tmp_path / name, [], key=fixed_key(name), name=f"witness.test/{name}"
        )
        witness.logs = {ledger.origin: (ledger.verifier_key,)}
        configured.append(network.add(name, witness))
    settings = dataclasses.replace(log.settings, witnesses=tuple(configured))
    settings.save()
    ledger.settings = log.settings = settings
    return ledger, configured


def submitter_for(ledger: Ledger, network: WitnessNetwork, **options: float) -> WitnessSubmitter:
    return WitnessSubmitter(
        ledger.settings.witnesses,
        ledger.log,
        CosignatureStore(ledger.log.engine),
        ED25519,
        http=network.http(),
        **options,
    )


def test_every_witness_cosigns_and_the_published_checkpoint_carries_all_lines(
    sqlite_log: LogFixture, tmp_path: Path, network: WitnessNetwork
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["a", "b"])
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    submitter = submitter_for(ledger, network)
    assert submitter.run_round() == 2
    head = ledger.log.require_head()
    published = CosignatureStore(ledger.log.engine).published([w.key for w in witnesses])
    assert published is not None
    assert published.checkpoint.size == head.size
    assert published.cosigners == tuple(w.vkey for w in witnesses)
    # The note opens under the log key and under each witness key.
    keys = [ledger.verifier_key, *(w.key for w in witnesses)]
    assert open_note(published.note, keys, ED25519).names == (
        ledger.origin,
        "witness.test/a",
        "witness.test/b",
    )
    # Nothing new: no request is sent. A new checkpoint: sent with old = the cosigned size.
    sent = len(network.requests)
    assert submitter.run_round() == 0 and len(network.requests) == sent
    ledger.submit([notice(ledger, OFFICIAL)])
    assert submitter.run_round() == 2
    assert network.requests[-1][1].startswith(f"old {head.size}\n".encode())
    ledger.close()


def test_a_down_witness_is_retried_with_backoff_and_ingestion_goes_on(
    sqlite_log: LogFixture,
    tmp_path: Path,
    network: WitnessNetwork,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["up", "down"])
    network.down.add("down")
    now = [100.0]
    submitter = submitter_for(ledger, network, monotonic=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="canbo.witnessing"):
        assert submitter.run_round() == 1
        assert "cannot reach http://down/add-checkpoint" in caplog.text
        assert "retrying in 1 s (attempt 1)" in caplog.text
        # Ingestion does not wait for witnesses.
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        assert submitter.run_round() == 1  # "up" cosigns; "down" waits out its back-off
        assert [host for host, _ in network.requests].count("down") == 1
        now[0] += 1
        submitter.run_round()
        assert "retrying in 2 s (attempt 2)" in caplog.text
        # It comes back: cosigned at once, and the log says so.
        network.down.clear()
        now[0] += 2
        assert submitter.run_round() == 1
        assert "witness witness.test/down (http://down) is back after 2 failed" in caplog.text
    published = CosignatureStore(ledger.log.engine).published([w.key for w in witnesses])
    assert published is not None and len(published.cosigners) == 2
    ledger.close()


def test_a_409_is_answered_by_resending_from_the_witnesss_size(
    sqlite_log: LogFixture, tmp_path: Path, network: WitnessNetwork
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["a"])
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    assert submitter_for(ledger, network).run_round() == 1
    cosigned_size = ledger.log.require_head().size
    # The log forgets what it knew of the witness (a restored database, say).
    with ledger.log.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM log_witnesses")
    ledger.submit([notice(ledger, OFFICIAL)])
    network.requests.clear()
    assert submitter_for(ledger, network).run_round() == 1
    # old 0, a 409 naming the witness's size, then the request from that size with a proof.
    first, second = (body for _, body in network.requests)
    assert first.startswith(b"old 0\n\n")
    assert second.startswith(f"old {cosigned_size}\n".encode())
    assert CosignatureStore(ledger.log.engine).load()[witnesses[0].vkey].known_size == (
        ledger.log.require_head().size
    )
    ledger.close()


def test_the_bookkeeping_survives_a_restart(
    sqlite_log: LogFixture, tmp_path: Path, network: WitnessNetwork
) -> None:
    ledger, _ = witnessed_log(sqlite_log, tmp_path, network, ["a"])
    assert submitter_for(ledger, network).run_round() == 1
    size = ledger.log.require_head().size
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    network.requests.clear()
    assert submitter_for(ledger, network).run_round() == 1  # a new submitter, as after a restart
    assert [body.split(b"\n", 1)[0] for _, body in network.requests] == [f"old {size}".encode()]
    ledger.close()


def test_a_witness_that_holds_another_history_is_reported_as_a_fork(
    sqlite_log: LogFixture,
    tmp_path: Path,
    network: WitnessNetwork,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["a"])
    enrol(ledger, sqlite_log.registrar, OFFICIAL)
    head = ledger.log.require_head()
    # Someone with the log key showed the witness another tree of the same size first.
    other = sign_checkpoint(
        Checkpoint(ledger.origin, head.size, bytes(32)),
        ledger.origin,
        load_log_signer(ledger.settings),
    )
    assert (
        network.clients["a"]
        .post("/add-checkpoint", content=format_add_checkpoint(0, [], other))
        .status_code
        == 200
    )
    with caplog.at_level(logging.WARNING, logger="canbo.witnessing"):
        submitter = submitter_for(ledger, network)
        assert submitter.run_round() == 0
    assert "the log has shown two histories" in caplog.text
    record = CosignatureStore(ledger.log.engine).load()[witnesses[0].vkey]
    assert (record.known_size, record.cosigned_size) == (head.size, None)
    ledger.close()


def test_checkpoint_text_is_what_a_cosignature_covers() -> None:
    assert checkpoint_text("o\n1\nr\n\n\u2014 k sig\n") == "o\n1\nr\n"


def test_the_cosigned_checkpoint_never_moves_backwards(sqlite_log: LogFixture) -> None:
    """A sequencer that lost the lead may still send checkpoints for a while: what it saves
    must not replace the newer cosigned checkpoint the leader saved."""
    from ledger.witness.cosignatures import WitnessRecord

    ledger = sqlite_log.open()
    try:
        store = CosignatureStore(ledger.log.engine)
        newer = WitnessRecord("w+1+key", 10, 10, "checkpoint 10", "— w sig10")
        older = WitnessRecord("w+1+key", 5, 5, "checkpoint 5", "— w sig5")
        store.save([newer], now=2)
        store.save([older], now=3)
        assert store.load()["w+1+key"] == newer
        first = WitnessRecord("w+2+key", 0)  # a witness new to the log is added
        store.save([first], now=4)
        assert store.load()["w+2+key"] == first
    finally:
        ledger.close()
