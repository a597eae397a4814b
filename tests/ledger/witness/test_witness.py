"""The witness's checks in the spec's order, each refusal with its status, and what it stores."""

from __future__ import annotations

import base64
import threading
from pathlib import Path

import pytest

from keys.ed25519 import ED25519
from ledger.checkpoint import Checkpoint
from ledger.note import cosign, verify_cosignature
from ledger.witness.protocol import format_add_checkpoint
from ledger.witness.store import WitnessStore, make_engine
from ledger.witness.witness import (
    INCONSISTENT_PROOF,
    SAME_SIZE_DIFFERENT_ROOT,
    InconsistentCheckpoint,
    MalformedRequest,
    SizeConflict,
    UnknownLog,
    UnverifiedCheckpoint,
    Witness,
)
from tests.ledger.witness.fakes import (
    MemoryLog,
    StepClock,
    fixed_key,
    make_witness,
    witness_vkey,
)

ORIGIN = "canbo.test/commune-a"


@pytest.fixture
def log() -> MemoryLog:
    memory = MemoryLog(ORIGIN, fixed_key("log-a"))
    memory.grow(5)
    return memory


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def witness(tmp_path: Path, log: MemoryLog, clock: StepClock) -> Witness:
    return make_witness(tmp_path / "w", [log], clock=clock)


def body_of(note: str) -> str:
    return note[: note.rfind("\n\n") + 1]


def test_first_checkpoint_with_old_zero_is_cosigned_and_stored(
    witness: Witness, log: MemoryLog, clock: StepClock
) -> None:
    cosigned = witness.add_checkpoint(log.request(0))
    # The answer is a cosignature/v1 line over the checkpoint's body, at the witness's time.
    timestamp = verify_cosignature(
        body_of(log.checkpoint()), cosigned.lines, witness_vkey(fixed_key("witness")), ED25519
    )
    assert timestamp == int(clock.now)
    stored = witness.store.latest(ORIGIN)
    assert stored is not None
    assert (stored.size, stored.root, stored.checkpoint) == (5, log.root(), log.checkpoint())


def test_a_consistent_extension_is_cosigned_and_replaces_the_stored_size(
    witness: Witness, log: MemoryLog, clock: StepClock
) -> None:
    witness.add_checkpoint(log.request(0))
    for grown in (1, 6, 250):  # odd and power-of-two boundaries alike
        old = len(log.leaves)
        log.grow(grown)
        clock.now += 10
        witness.add_checkpoint(log.request(old))
        latest = witness.store.latest(ORIGIN)
        assert latest is not None and latest.size == len(log.leaves)
    # The same checkpoint again (old = its size, no proof) is cosigned again.
    cosigned = witness.add_checkpoint(log.request(len(log.leaves)))
    assert cosigned.size == len(log.leaves)


def test_unknown_origin_is_404(witness: Witness) -> None:
    stranger = MemoryLog("canbo.test/elsewhere", fixed_key("log-a"))
    stranger.grow(2)
    with pytest.raises(UnknownLog, match="does not oversee") as caught:
        witness.add_checkpoint(stranger.request(0))
    assert caught.value.status == 404


def test_a_checkpoint_not_signed_by_the_log_key_is_403(witness: Witness, log: MemoryLog) -> None:
    impostor = MemoryLog(ORIGIN, fixed_key("impostor"), list(log.leaves))
    with pytest.raises(UnverifiedCheckpoint, match="no valid signature") as caught:
        witness.add_checkpoint(impostor.request(0))
    assert caught.value.status == 403
    # A signature line by the log's key name and id that does not verify is 403 too.
    note = log.checkpoint()
    text, _, sig = note.rpartition(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1  # the key ID still matches; the signature no longer does
    forged = f"{text} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(UnverifiedCheckpoint):
        witness.add_checkpoint(format_add_checkpoint(0, [], forged))
    assert witness.store.latest(ORIGIN) is None


def test_old_size_above_the_checkpoint_size_is_400(witness: Witness, log: MemoryLog) -> None:
    body = format_add_checkpoint(6, [], log.checkpoint())
    with pytest.raises(MalformedRequest, match="larger than the checkpoint's size 5") as caught:
        witness.add_checkpoint(body)
    assert caught.value.status == 400


def test_wrong_old_size_is_409_with_the_stored_size(witness: Witness, log: MemoryLog) -> None:
    # Nothing stored yet: the witness's size is 0.
    with pytest.raises(SizeConflict) as caught:
        witness.add_checkpoint(log.request(3))
    assert (caught.value.status, caught.value.size) == (409, 0)
    witness.add_checkpoint(log.request(0))
    log.grow(4)
    for stale in (0, 3):
        with pytest.raises(SizeConflict, match=r"holds for canbo\.test/commune-a: 5") as caught:
            witness.add_checkpoint(log.request(stale))
        assert caught.value.size == 5
    assert witness.store.evidence() == []  # a stale client is no evidence of anything


def test_old_zero_must_come_without_a_proof(witness: Witness, log: MemoryLog) -> None:
    body = format_add_checkpoint(0, [bytes(32)], log.checkpoint())
    with pytest.raises(MalformedRequest, match="must be empty when the old size is 0"):
        witness.add_checkpoint(body)


def test_malformed_requests_are_400(witness: Witness, log: MemoryLog) -> None:
    for body in (
        b"",
        b"old x\n\n" + log.checkpoint().encode(),
        f"old 0\n\n{ORIGIN}\n5\nno signatures\n".encode(),
    ):
        with pytest.raises(MalformedRequest) as caught:
            witness.add_checkpoint(body)
        assert caught.value.status == 400
    # A note signed by the log key whose text is not a checkpoint.
    from ledger.note import sign_note

    note = sign_note(f"{ORIGIN}\nnot a size\n", ORIGIN, log.key)
    with pytest.raises(MalformedRequest, match="does not parse"):
        witness.add_checkpoint(format_add_checkpoint(0, [], note))


def test_a_proof_that_does_not_verify_is_422_and_kept_as_evidence(
    witness: Witness, log: MemoryLog
) -> None:
    witness.add_checkpoint(log.request(0))
    log.grow(3)
    proof = log.proof(5)
    proof[0] = bytes(32)
    body = format_add_checkpoint(5, proof, log.checkpoint())
    with pytest.raises(InconsistentCheckpoint, match="does not verify") as caught:
        witness.add_checkpoint(body)
    assert caught.value.status == 422
    [kept] = witness.store.evidence(ORIGIN)
    assert kept.id == caught.value.evidence_id
    assert kept.kind == INCONSISTENT_PROOF
    assert kept.stored_checkpoint == log.checkpoint(5)
    assert kept.submitted_checkpoint == log.checkpoint()
    assert kept.proof == tuple(proof)
    assert kept.old_size == 5
    latest = witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == 5  # nothing cosigned or stored


def test_a_proof_for_equal_sizes_must_be_empty(witness: Witness, log: MemoryLog) -> None:
    witness.add_checkpoint(log.request(0))
    body = format_add_checkpoint(5, [bytes(32)], log.checkpoint())
    with pytest.raises(InconsistentCheckpoint, match="must be empty") as caught:
        witness.add_checkpoint(body)
    assert caught.value.evidence_id is None  # same root: no second history shown
    assert witness.store.evidence() == []


def test_same_size_another_root_is_409_and_kept_as_evidence(
    witness: Witness, log: MemoryLog
) -> None:
    witness.add_checkpoint(log.request(0))
    fork = MemoryLog(ORIGIN, log.key, list(log.leaves[:4]))
    fork.append(b"another fifth entry")
    with pytest.raises(SizeConflict, match="two histories") as caught:
        witness.add_checkpoint(format_add_checkpoint(5, [], fork.checkpoint()))
    assert caught.value.size == 5
    [kept] = witness.store.evidence()
    assert (kept.id, kept.kind) == (caught.value.evidence_id, SAME_SIZE_DIFFERENT_ROOT)
    assert (kept.stored_checkpoint, kept.submitted_checkpoint) == (
        log.checkpoint(),
        fork.checkpoint(),
    )


def test_concurrent_requests_from_one_state_store_exactly_one(
    tmp_path: Path, log: MemoryLog
) -> None:
    witness = make_witness(tmp_path / "w", [log])
    witness.add_checkpoint(log.request(0))
    # Eight clients each extend size 5 by a different amount, all checked against size 5.
    bodies = []
    for extra in range(1, 9):
        grown = log.fork()
        grown.grow(extra, tag="c")
        bodies.append((len(grown.leaves), grown.request(5)))
    start = threading.Barrier(len(bodies))
    outcomes: dict[int, str] = {}

    def submit(size: int, body: bytes) -> None:
        start.wait()
        try:
            witness.add_checkpoint(body)
            outcomes[size] = "cosigned"
        except SizeConflict as exc:
            outcomes[size] = f"409 {exc.size}"

    threads = [threading.Thread(target=submit, args=pair) for pair in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [size for size, outcome in outcomes.items() if outcome == "cosigned"]
    assert len(winners) == 1, outcomes
    latest = witness.store.latest(ORIGIN)
    assert latest is not None and latest.size == winners[0]
    # Every loser was told the winner's size (checked after the winner stored it).
    assert sorted(o for o in outcomes.values() if o != "cosigned") == [f"409 {winners[0]}"] * 7


def test_the_stored_size_and_evidence_survive_a_restart(tmp_path: Path, log: MemoryLog) -> None:
    first = make_witness(tmp_path / "w", [log])
    first.add_checkpoint(log.request(0))
    fork = MemoryLog(ORIGIN, log.key, [*log.leaves[:4], bytes(32)])
    with pytest.raises(SizeConflict):
        first.add_checkpoint(format_add_checkpoint(5, [], fork.checkpoint()))
    first.store.close()
    # A new process over the same directory holds the same state.
    second = make_witness(tmp_path / "w", [log])
    with pytest.raises(SizeConflict) as caught:
        second.add_checkpoint(log.request(0))
    assert caught.value.size == 5
    assert len(second.store.evidence()) == 1
    log.grow(2)
    assert second.add_checkpoint(log.request(5)).size == 7


def test_one_witness_oversees_several_logs_independently(tmp_path: Path) -> None:
    a = MemoryLog("canbo.test/a", fixed_key("a"))
    b = MemoryLog("canbo.test/b", fixed_key("b"))
    a.grow(3)
    b.grow(9)
    witness = make_witness(tmp_path / "w", [a, b])
    witness.add_checkpoint(a.request(0))
    witness.add_checkpoint(b.request(0))
    a.grow(1)
    witness.add_checkpoint(a.request(3))
    assert [(cp.origin, cp.size) for cp in witness.store.all_latest()] == [
        ("canbo.test/a", 4),
        ("canbo.test/b", 9),
    ]
    # b's key does not sign for a.
    impostor = MemoryLog("canbo.test/a", fixed_key("b"), list(a.leaves))
    with pytest.raises(UnverifiedCheckpoint):
        witness.add_checkpoint(impostor.request(4))


def test_extension_lines_are_cosigned_with_the_checkpoint(witness: Witness, log: MemoryLog) -> None:
    from ledger.checkpoint import sign_checkpoint

    cp = Checkpoint(ORIGIN, 5, log.root(), ("ext line",))
    note = sign_checkpoint(cp, ORIGIN, log.key)
    cosigned = witness.add_checkpoint(format_add_checkpoint(0, [], note))
    assert verify_cosignature(cp.body(), cosigned.lines, witness.verifier_key, ED25519)
    # The same line a witness would make by hand (the signature is deterministic).
    assert cosigned.lines == cosign(cp.body(), witness.name, fixed_key("witness"), 1_767_225_600)


@pytest.mark.postgres
def test_the_store_on_postgresql_moves_only_by_compare_and_set(
    postgres_database_url: str,
) -> None:
    url = postgres_database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    store = WitnessStore(make_engine(url))
    try:
        assert store.advance(ORIGIN, None, 3, b"r" * 32, "cp3", 1)
        assert not store.advance(ORIGIN, None, 4, b"s" * 32, "cp4", 2)  # already there
        latest = store.latest(ORIGIN)
        assert latest is not None
        assert store.advance(ORIGIN, latest, 5, b"t" * 32, "cp5", 3)
        assert not store.advance(ORIGIN, latest, 6, b"u" * 32, "cp6", 4)  # stale expectation
        final = store.latest(ORIGIN)
        assert final is not None and (final.size, final.checkpoint) == (5, "cp5")
        evidence = store.keep_evidence(
            origin=ORIGIN,
            kind=INCONSISTENT_PROOF,
            reason="test",
            old_size=5,
            stored_checkpoint="cp5",
            submitted_checkpoint="cp9",
            proof=[bytes(32)],
            now=5,
        )
        found = store.evidence_by_id(evidence)
        assert found is not None and found.proof == (bytes(32),)
    finally:
        store.close()
