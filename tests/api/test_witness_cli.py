"""`canbo witness`: init, add-log, status and evidence, with the errors a user would hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from keys.keyfile import read_private_key
from ledger.witness.bootstrap import open_witness
from ledger.witness.config import WitnessConfig
from ledger.witness.protocol import format_add_checkpoint
from ledger.witness.witness import SizeConflict
from tests.ledger.witness.fakes import MemoryLog, fixed_key


def test_init_add_log_status_and_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CANBO_KEY_PASSPHRASE", "a witness passphrase for the test")
    directory = tmp_path / "w"
    assert main(["witness", "init", "--data-dir", str(directory), "--name", "w.test/p"]) == 0
    out = capsys.readouterr().out
    vkey = out.split("witness verifier key: ")[1].split()[0]
    assert vkey.startswith("w.test/p+")
    assert b"ENCRYPTED PRIVATE KEY" in (directory / "keys" / "witness.key").read_bytes()
    assert (directory / "keys" / "witness.pub").exists()
    # A second init refuses; a bad log key is refused with its reason.
    assert main(["witness", "init", "--data-dir", str(directory), "--name", "w.test/p"]) == 2
    assert "already holds a witness" in capsys.readouterr().err
    log = MemoryLog("canbo.test/a", fixed_key("a"))
    add = ["witness", "add-log", "--data-dir", str(directory), "--origin", "canbo.test/a"]
    assert main([*add, "--vkey", "nonsense"]) == 2
    assert "log verifier key" in capsys.readouterr().err
    assert main([*add, "--vkey", log.vkey.format()]) == 0
    assert main([*add, "--vkey", log.vkey.format()]) == 2
    assert "listed twice" in capsys.readouterr().err
    # The configured witness cosigns; status and evidence show what it holds.
    log.grow(4)
    witness = open_witness(
        WitnessConfig.load(directory), passphrase=b"a witness passphrase for the test"
    )
    witness.add_checkpoint(log.request(0))
    fork = MemoryLog(log.origin, log.key, [*log.leaves[:3], bytes(32)])
    with pytest.raises(SizeConflict, match="two histories"):
        witness.add_checkpoint(format_add_checkpoint(4, [], fork.checkpoint()))
    witness.store.close()
    capsys.readouterr()
    assert main(["witness", "status", "--data-dir", str(directory)]) == 0
    out = capsys.readouterr().out
    assert f"witness verifier key: {vkey}" in out
    assert "log canbo.test/a: cosigned size 4" in out
    assert "evidence kept: 1" in out
    assert main(["witness", "evidence", "--data-dir", str(directory)]) == 0
    assert '"kind": "same_size_different_root"' in capsys.readouterr().out


def test_init_needs_a_passphrase_and_serve_needs_the_right_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CANBO_KEY_PASSPHRASE", raising=False)
    directory = tmp_path / "w"
    assert main(["witness", "init", "--data-dir", str(directory), "--name", "w.test/p"]) == 2
    assert "--unencrypted-keys" in capsys.readouterr().err
    monkeypatch.setenv("CANBO_KEY_PASSPHRASE", "right")
    assert main(["witness", "init", "--data-dir", str(directory), "--name", "w.test/p"]) == 0
    monkeypatch.setenv("CANBO_KEY_PASSPHRASE", "wrong")
    assert main(["witness", "serve", "--data-dir", str(directory)]) == 2
    assert "wrong passphrase" in capsys.readouterr().err
    assert main(["witness", "serve", "--data-dir", str(tmp_path / "none")]) == 2
    assert "canbo witness init" in capsys.readouterr().err


def test_an_unencrypted_witness_key_needs_the_flag_in_its_configuration(tmp_path: Path) -> None:
    directory = tmp_path / "w"
    assert (
        main(
            [
                "witness",
                "init",
                "--data-dir",
                str(directory),
                "--name",
                "w.test/p",
                "--unencrypted-keys",
            ]
        )
        == 0
    )
    assert read_private_key(directory / "keys" / "witness.key", None, allow_unencrypted=True)
    assert WitnessConfig.load(directory).unencrypted_keys
