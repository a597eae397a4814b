"""The canbo command: init, migrate and sequencer, with the errors a user would hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main


def test_init_needs_a_passphrase_or_the_explicit_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CANBO_KEY_PASSPHRASE", raising=False)
    assert main(["init", "--data-dir", str(tmp_path / "d")]) == 2
    assert "--unencrypted-keys" in capsys.readouterr().err
    assert not (tmp_path / "d" / "ledger.json").exists()


def test_init_with_a_passphrase_encrypts_the_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CANBO_KEY_PASSPHRASE", "a long passphrase for the test")
    data_dir = tmp_path / "d"
    assert main(["init", "--data-dir", str(data_dir), "--origin", "canbo.test/cli"]) == 0
    out = capsys.readouterr().out
    assert "log verifier key: canbo.test/cli+" in out
    assert b"ENCRYPTED PRIVATE KEY" in (data_dir / "keys" / "log.key").read_bytes()
    # A second init refuses to touch the existing log.
    assert main(["init", "--data-dir", str(data_dir)]) == 2
    assert "already holds a log" in capsys.readouterr().err
    # The sequencer and migrate work on it; a wrong passphrase is a clear error.
    assert main(["migrate", "--data-dir", str(data_dir)]) == 0
    assert main(["sequencer", "--data-dir", str(data_dir), "--once"]) == 0
    monkeypatch.setenv("CANBO_KEY_PASSPHRASE", "wrong")
    assert main(["sequencer", "--data-dir", str(data_dir), "--once"]) == 2
    assert "passphrase" in capsys.readouterr().err


def test_commands_on_a_missing_data_dir_say_how_to_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sequencer", "--data-dir", str(tmp_path / "none"), "--once"]) == 2
    assert "canbo init --data-dir" in capsys.readouterr().err
