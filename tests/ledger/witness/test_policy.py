"""A verifier's k-of-n witness policy: what counts, what does not, and what the error says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from keys.ed25519 import ED25519
from ledger.note import add_signature, cosign
from ledger.verify import SourceError, verify_log
from ledger.witness.cosignatures import checkpoint_text
from ledger.witness.policy import NotEnoughCosignatures, PolicyError, WitnessPolicy
from tests.conftest import LogFixture, enrol, official_key
from tests.ledger.witness.fakes import MemoryLog, WitnessNetwork, fixed_key, witness_vkey
from tests.ledger.witness.test_submitter import submitter_for, witnessed_log

A, B, C = (fixed_key(n) for n in "abc")
KEYS = [witness_vkey(k, f"w.test/{n}") for k, n in zip((A, B, C), "abc", strict=True)]


def cosigned(note: str, *signers: tuple[str, object], timestamp: int = 1_700_000_000) -> str:
    text = checkpoint_text(note)
    for name, key in signers:
        note += cosign(text, name, key, timestamp)  # type: ignore[arg-type]
    return note


@pytest.fixture
def note() -> str:
    log = MemoryLog("canbo.test/p", fixed_key("log"))
    log.grow(3)
    return log.checkpoint()


def test_k_of_n_valid_cosignatures_are_enough(note: str) -> None:
    two = cosigned(note, ("w.test/a", A), ("w.test/c", C))
    assert WitnessPolicy(tuple(KEYS), 2).check(two, ED25519) == ("w.test/a", "w.test/c")
    with pytest.raises(
        NotEnoughCosignatures, match=r"2 valid .* 3 required \(of 3\); missing: w\.test/b"
    ):
        WitnessPolicy(tuple(KEYS), 3).check(two, ED25519)


def test_unknown_repeated_and_forged_lines_do_not_count(note: str) -> None:
    stranger = cosigned(note, ("w.test/x", fixed_key("x")))
    with pytest.raises(NotEnoughCosignatures, match="0 valid"):
        WitnessPolicy(tuple(KEYS), 1).check(stranger, ED25519)
    # B's name with A's key: not B's cosignature.
    impostor = cosigned(note, ("w.test/b", A))
    with pytest.raises(NotEnoughCosignatures, match=r"missing: w\.test/a, w\.test/b, w\.test/c"):
        WitnessPolicy(tuple(KEYS), 1).check(impostor, ED25519)
    # A's line twice is one cosignature.
    twice = cosigned(note, ("w.test/a", A), ("w.test/a", A))
    with pytest.raises(NotEnoughCosignatures, match="1 valid"):
        WitnessPolicy(tuple(KEYS), 2).check(twice, ED25519)
    # A cosignature over another checkpoint does not move to this one.
    other = MemoryLog("canbo.test/p", fixed_key("log"))
    other.grow(4)
    line = cosigned(other.checkpoint(), ("w.test/a", A))[len(other.checkpoint()) :]
    with pytest.raises(NotEnoughCosignatures, match="does not verify"):
        WitnessPolicy(tuple(KEYS), 1).check(note + line, ED25519)


def test_the_log_signature_is_not_a_cosignature(note: str) -> None:
    # A witness key's Ed25519 note signature (type 0x01) is not a cosignature/v1 (type 0x04).
    signed = add_signature(note, "w.test/a", A)
    with pytest.raises(NotEnoughCosignatures):
        WitnessPolicy(tuple(KEYS), 1).check(signed, ED25519)


def test_impossible_policies_are_refused() -> None:
    with pytest.raises(PolicyError, match="at least one witness"):
        WitnessPolicy((), 1)
    with pytest.raises(PolicyError, match="between 1 and the 3"):
        WitnessPolicy(tuple(KEYS), 0)
    with pytest.raises(PolicyError, match="between 1 and the 3"):
        WitnessPolicy(tuple(KEYS), 4)
    log_key = MemoryLog("canbo.test/p", fixed_key("log")).vkey
    with pytest.raises(PolicyError, match="type 0x01"):
        WitnessPolicy((log_key,), 1)
    with pytest.raises(PolicyError, match="given twice"):
        WitnessPolicy((KEYS[0], KEYS[0]), 1)
    assert WitnessPolicy.parse([k.format() for k in KEYS]).threshold == 3


@pytest.fixture
def network() -> Iterator[WitnessNetwork]:
    net = WitnessNetwork()
    yield net
    net.close()


def test_verify_from_a_data_directory_checks_the_published_checkpoint(
    sqlite_log: LogFixture, tmp_path: Path, network: WitnessNetwork
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["a", "b"])
    policy = WitnessPolicy(tuple(w.key for w in witnesses), 2)
    data_dir = sqlite_log.settings.data_dir
    with pytest.raises(SourceError, match="no checkpoint of the log is cosigned"):
        verify_log(data_dir=data_dir, witness_policy=policy, workers=0)
    assert submitter_for(ledger, network).run_round() == 2
    cosigned_size = ledger.log.require_head().size
    enrol(ledger, sqlite_log.registrar, official_key("later"))  # not yet cosigned
    result = verify_log(data_dir=data_dir, witness_policy=policy, workers=0)
    assert result.ok, result.failure
    assert result.size == cosigned_size  # the published checkpoint, not the newest
    assert any("cosigned by 2 of 2" in n for n in result.notes)
    ledger.close()
