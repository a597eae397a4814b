"""A split view: someone with a log's key shows two histories of the same origin. A witness that
sees both refuses (409 or 422) and keeps the evidence; a verifier holding cosigned checkpoints of
both histories detects the fork."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from keys.ed25519 import ED25519
from ledger.bootstrap import Ledger
from ledger.settings import Settings
from ledger.verify import verify_log
from ledger.witness.cosignatures import CosignatureStore, Published
from ledger.witness.fork import ForkDetected, check_one_history
from ledger.witness.policy import NotEnoughCosignatures, WitnessPolicy
from ledger.witness.protocol import format_add_checkpoint
from ledger.witness.witness import SAME_SIZE_DIFFERENT_ROOT, Witness
from tests.conftest import LogFixture, enrol, make_log, notice, official_key
from tests.ledger.witness.fakes import WitnessNetwork, fixed_key, make_witness
from tests.ledger.witness.test_submitter import submitter_for

OFFICIAL = official_key("split")


@pytest.fixture
def network() -> Iterator[WitnessNetwork]:
    net = WitnessNetwork()
    yield net
    net.close()


def witness(tmp_path: Path, name: str, ledger: Ledger) -> Witness:
    made = make_witness(tmp_path / name, [], key=fixed_key(name), name=f"witness.test/{name}")
    made.logs = {ledger.origin: (ledger.verifier_key,)}
    return made


def fork_of(log: LogFixture, directory: Path) -> LogFixture:
    """A copy of the log's data directory: same origin and key, free to take another history."""
    shutil.copytree(log.settings.data_dir, directory)
    return dataclasses.replace(log, settings=Settings.load(directory))


def published(ledger: Ledger) -> Published:
    found = CosignatureStore(ledger.log.engine).published(
        [w.key for w in ledger.settings.witnesses]
    )
    assert found is not None
    return found


def test_a_witness_shown_two_histories_refuses_and_keeps_the_evidence(
    tmp_path: Path, network: WitnessNetwork
) -> None:
    honest = make_log(tmp_path / "a")
    ledger_a = honest.open()
    enrol(ledger_a, honest.registrar, OFFICIAL)
    ledger_a.close()
    split = fork_of(honest, tmp_path / "b")
    ledger_a, ledger_b = honest.open(), split.open()
    # From here on the two copies record different notices: two histories of one log.
    ledger_a.submit([notice(ledger_a, OFFICIAL)])
    ledger_b.submit([notice(ledger_b, OFFICIAL)])
    size = ledger_a.log.require_head().size
    assert ledger_b.log.require_head().size == size
    assert ledger_a.log.require_head().root != ledger_b.log.require_head().root

    # The province witness oversees the log; both copies send it their checkpoints.
    province = network.add("province", witness(tmp_path, "province", ledger_a))
    for fixture, ledger in ((honest, ledger_a), (split, ledger_b)):
        ledger.settings = fixture.settings = dataclasses.replace(
            fixture.settings, witnesses=(province,)
        )
    assert submitter_for(ledger_a, network).run_round() == 1
    # The other history at the same size: 409 (after learning the witness's size), evidence.
    assert submitter_for(ledger_b, network).run_round() == 0
    [same_size] = network.clients["province"].app.state.witness.store.evidence()
    assert same_size.kind == SAME_SIZE_DIFFERENT_ROOT
    assert same_size.stored_checkpoint == ledger_a.log.require_head().checkpoint
    assert same_size.submitted_checkpoint == ledger_b.log.require_head().checkpoint

    # The other history grows; its proof from its own size-`size` tree fails against A's: 422.
    ledger_b.submit([notice(ledger_b, OFFICIAL)])
    head_b = ledger_b.log.require_head()
    proof = ledger_b.log.consistency_proof(size, head_b.size)
    answer = network.clients["province"].post(
        "/add-checkpoint", content=format_add_checkpoint(size, proof, head_b.checkpoint)
    )
    assert answer.status_code == 422
    # Anyone can fetch the evidence: both signed checkpoints and the proof, over HTTP.
    kept = network.clients["province"].get("/evidence").json()["evidence"]
    assert [e["kind"] for e in kept] == ["same_size_different_root", "inconsistent_proof"]
    assert kept[1]["stored_checkpoint"] == ledger_a.log.require_head().checkpoint
    assert kept[1]["submitted_checkpoint"] == head_b.checkpoint
    assert len(kept[1]["proof"]) == len(proof)
    # The evidence is itself proof: both notes verify under the log key and do not agree.
    with pytest.raises(ForkDetected):
        check_one_history(
            kept[1]["stored_checkpoint"],
            kept[1]["submitted_checkpoint"],
            ledger_a.verifier_key,
            ED25519,
            proof,
        )
    ledger_a.close()
    ledger_b.close()


def test_a_verifier_holding_cosigned_checkpoints_of_both_histories_detects_the_fork(
    tmp_path: Path, network: WitnessNetwork
) -> None:
    honest = make_log(tmp_path / "a")
    split = fork_of(honest, tmp_path / "b")
    ledger_a, ledger_b = honest.open(), split.open()
    enrol(ledger_a, honest.registrar, OFFICIAL)
    enrol(ledger_b, split.registrar, official_key("someone else"))
    # Each history is shown to a different witness only: each alone sees nothing wrong.
    north = network.add("north", witness(tmp_path, "north", ledger_a))
    south = network.add("south", witness(tmp_path, "south", ledger_b))
    ledger_a.settings = honest.settings = dataclasses.replace(honest.settings, witnesses=(north,))
    ledger_b.settings = split.settings = dataclasses.replace(split.settings, witnesses=(south,))
    assert submitter_for(ledger_a, network).run_round() == 1
    assert submitter_for(ledger_b, network).run_round() == 1
    seen_a, seen_b = published(ledger_a).note, published(ledger_b).note
    # Each checkpoint meets a 1-of-2 policy over both witnesses; neither meets 2 of 2.
    either = WitnessPolicy((north.key, south.key), 1)
    assert either.check(seen_a, ED25519) == ("witness.test/north",)
    assert either.check(seen_b, ED25519) == ("witness.test/south",)
    with pytest.raises(NotEnoughCosignatures):
        WitnessPolicy((north.key, south.key), 2).check(seen_a, ED25519)
    # Same size, two roots, both signed by the log key: a fork, proven by the two notes.
    with pytest.raises(ForkDetected, match="two roots for size 2"):
        check_one_history(seen_a, seen_b, ledger_a.verifier_key, ED25519)

    # B's history grows: its server's consistency proof does not link A's checkpoint to it.
    ledger_b.submit([notice(ledger_b, official_key("someone else"), unit="VN-HN/ba-dinh")])
    assert submitter_for(ledger_b, network).run_round() == 1
    later_b = published(ledger_b)
    proof = ledger_b.log.consistency_proof(2, later_b.checkpoint.size)
    with pytest.raises(ForkDetected, match="does not extend its checkpoint at size 2"):
        check_one_history(seen_a, later_b.note, ledger_a.verifier_key, ED25519, proof)
    # canbo verify against B's server, holding A's cosigned checkpoint, fails too.
    with TestClient(create_app(lambda: split.open(sequence_in_process=False))) as client:
        result = verify_log(
            url="http://testserver",
            http_client=client,
            vkey=ledger_a.verifier_key,
            earlier_checkpoint=seen_a,
            witness_policy=either,
            workers=0,
        )
    assert not result.ok
    assert result.failure is not None
    assert result.failure.where == "earlier checkpoint", result.failure.line()
    assert "root" in result.failure.message
    ledger_a.close()
    ledger_b.close()


def test_one_history_passes(tmp_path: Path) -> None:
    honest = make_log(tmp_path / "a")
    ledger = honest.open()
    first = ledger.log.require_head()
    enrol(ledger, honest.registrar, OFFICIAL)
    second = ledger.log.require_head()
    proof = ledger.log.consistency_proof(first.size, second.size)
    small, large = check_one_history(
        second.checkpoint, first.checkpoint, ledger.verifier_key, ED25519, proof
    )
    assert (small.size, large.size) == (first.size, second.size)
    with pytest.raises(ValueError, match="a consistency proof is needed"):
        check_one_history(first.checkpoint, second.checkpoint, ledger.verifier_key, ED25519)
    ledger.close()
