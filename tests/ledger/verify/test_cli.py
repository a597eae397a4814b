"""`canbo verify`: exit 0 when everything holds, 1 with a FAIL line, 2 when it cannot read."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ledger.verify.cli import register
from tests.ledger.verify.conftest import VerifyLog


def canbo(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="canbo")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


def test_a_clean_log_exits_0_with_a_summary(
    small_log: VerifyLog, capsys: pytest.CaptureFixture[str]
) -> None:
    assert canbo("verify", "--data-dir", str(small_log.data_dir), "--workers", "0") == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 12 leaves verified, tree size 12")


def test_quiet_prints_nothing_on_success(
    small_log: VerifyLog, capsys: pytest.CaptureFixture[str]
) -> None:
    code = canbo("verify", "--data-dir", str(small_log.data_dir), "--workers", "0", "--quiet")
    assert code == 0
    assert capsys.readouterr() == ("", "")


def test_progress_goes_to_stderr(small_log: VerifyLog, capsys: pytest.CaptureFixture[str]) -> None:
    code = canbo("verify", "--data-dir", str(small_log.data_dir), "--workers", "0", "--progress")
    assert code == 0
    assert "verify: 12/12 leaves (100%)" in capsys.readouterr().err


def test_a_tampered_log_exits_1_with_the_leaf(
    small_log: VerifyLog, capsys: pytest.CaptureFixture[str]
) -> None:
    small_log.sql("DELETE FROM log_leaves WHERE leaf_index = 5")
    assert canbo("verify", "--data-dir", str(small_log.data_dir), "--workers", "0") == 1
    assert capsys.readouterr().out.startswith("FAIL at leaf 5: log_leaves has no row for leaf 5")


def test_an_earlier_checkpoint_and_a_vkey_file_are_read(
    small_log: VerifyLog, tmp_path: Path
) -> None:
    (row,) = small_log.sql("SELECT checkpoint FROM log_state")
    checkpoint = tmp_path / "checkpoint.txt"
    checkpoint.write_text(str(row[0]))
    vkey = tmp_path / "log.vkey"
    from ledger.note import VerifierKey

    vkey.write_text(
        VerifierKey.from_public_key(
            small_log.settings.origin, small_log.log_signer.public_key
        ).format()
        + "\n"
    )
    argv = ["verify", "--data-dir", str(small_log.data_dir), "--workers", "0", "--quiet"]
    assert canbo(*argv, "--checkpoint", str(checkpoint), "--vkey-file", str(vkey)) == 0


def test_an_unreadable_source_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert canbo("verify", "--data-dir", str(tmp_path / "nowhere")) == 2
    assert "is not a canbo-ledger data directory" in capsys.readouterr().err
    assert canbo("verify", "--url", "http://127.0.0.1:9", "--workers", "0") == 2
    assert "cannot reach" in capsys.readouterr().err


def test_bad_usage_exits_2() -> None:
    with pytest.raises(SystemExit) as exit_:
        canbo("verify", "--data-dir", "a", "--url", "b")
    assert exit_.value.code == 2
