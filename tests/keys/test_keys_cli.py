"""`canbo keys new` and `canbo keys show`, run through a parser built the way api/cli.py does."""

from __future__ import annotations

import argparse
import base64
import io
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from keys.cli import register
from keys.ed25519 import Ed25519SigningKey
from keys.keyfile import (
    PASSPHRASE_ENV,
    KeyFileKind,
    key_file_kind,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)

PASSPHRASE = "correct horse battery staple"
KEY = Ed25519SigningKey.from_seed(bytes(range(32)))


def canbo(*argv: str) -> int:
    """Parse argv as `canbo ...` with only the keys commands registered, and run it."""
    parser = argparse.ArgumentParser(prog="canbo")
    subparsers = parser.add_subparsers(dest="command", required=True)
    register(subparsers)
    args = parser.parse_args(list(argv))
    result: int = args.func(args)
    return result


class Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    """Standard input that is not a terminal."""

    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def no_passphrase_around(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no passphrase in the environment and stdin not a terminal."""
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", Pipe())
    yield


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str | BaseException]:
    """Answers typed at getpass prompts, in order (an exception is raised); stdin is a terminal."""
    answers: list[str | BaseException] = []

    def fake_getpass(prompt: str = "Password: ", stream: object = None) -> str:
        # Past the last answer the terminal is closed, as with Ctrl-D.
        answer = answers.pop(0) if answers else EOFError()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    return answers


def lines_of(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines())


def passphrase_file(tmp_path: Path, text: str = PASSPHRASE) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(text + "\n")
    return path


# --- keys new --------------------------------------------------------------------------------


def test_new_with_a_passphrase_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "official.key"

    code = canbo(
        "keys",
        "new",
        "--out",
        str(out),
        "--label",
        "Trần Thị B",
        "--passphrase-file",
        str(passphrase_file(tmp_path)),
    )

    # It succeeds and prints the key id and public key of the key it wrote.
    assert code == 0
    captured = capsys.readouterr()
    printed = lines_of(captured.out)
    key = read_private_key(out, PASSPHRASE.encode())
    assert printed == {
        "key id": key.key_id,
        "public key": base64.b64encode(key.public_key).decode(),
    }
    # The private key is encrypted and owner-only; the public key file carries the label.
    assert key_file_kind(out) is KeyFileKind.ENCRYPTED_PRIVATE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert read_public_key(tmp_path / "official.pub") == (key.public_key, "Trần Thị B")
    assert "encrypted" in captured.err


def test_new_with_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    out = tmp_path / "official.key"

    assert canbo("keys", "new", "--out", str(out)) == 0

    key_id = lines_of(capsys.readouterr().out)["key id"]
    assert read_private_key(out, PASSPHRASE.encode()).key_id == key_id
    assert read_public_key(tmp_path / "official.pub")[1] == ""


def test_new_prompts_twice_on_a_terminal(
    tmp_path: Path, typed: list[str | BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    typed.extend(["mật khẩu", "mật khẩu"])
    out = tmp_path / "official.key"

    assert canbo("keys", "new", "--out", str(out)) == 0

    assert typed == []
    assert (
        read_private_key(out, "mật khẩu".encode()).key_id
        == lines_of(capsys.readouterr().out)["key id"]
    )


def test_new_refuses_passphrases_that_do_not_match(
    tmp_path: Path, typed: list[str | BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    typed.extend(["one", "two"])
    out = tmp_path / "official.key"

    assert canbo("keys", "new", "--out", str(out)) == 2

    assert capsys.readouterr().err == "error: the passphrases do not match; nothing was written\n"
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_empty_typed_passphrase(
    tmp_path: Path, typed: list[str | BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    typed.extend(["", ""])

    assert canbo("keys", "new", "--out", str(tmp_path / "official.key")) == 2

    assert "empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([], "error: no passphrase was typed; nothing was done\n"),
        (["first"], "error: no passphrase was typed; nothing was done\n"),
        ([KeyboardInterrupt()], "error: interrupted; nothing was done\n"),
    ],
)
def test_new_when_the_prompt_is_closed_or_interrupted(
    tmp_path: Path,
    typed: list[str | BaseException],
    answers: list[str | BaseException],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    typed.extend(answers)

    assert canbo("keys", "new", "--out", str(tmp_path / "official.key")) == 2

    assert capsys.readouterr().err == message
    assert list(tmp_path.iterdir()) == []


def test_new_without_any_passphrase_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert canbo("keys", "new", "--out", str(tmp_path / "official.key")) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "error: no passphrase: use --passphrase-file, CANBO_KEY_PASSPHRASE, or --unencrypted\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_new_unencrypted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "throwaway.key"

    assert canbo("keys", "new", "--out", str(out), "--unencrypted") == 0

    assert key_file_kind(out) is KeyFileKind.UNENCRYPTED_PRIVATE
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "UNENCRYPTED" in capsys.readouterr().err


def test_new_unencrypted_ignores_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The explicit flag is what the user asked for on this command line.
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    out = tmp_path / "throwaway.key"

    assert canbo("keys", "new", "--out", str(out), "--unencrypted") == 0

    assert key_file_kind(out) is KeyFileKind.UNENCRYPTED_PRIVATE


def test_new_refuses_unencrypted_with_a_passphrase_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "official.key"
    file = passphrase_file(tmp_path)

    assert (
        canbo("keys", "new", "--out", str(out), "--unencrypted", "--passphrase-file", str(file))
        == 2
    )

    assert "not both" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("existing", ["official.key", "official.pub"])
def test_new_refuses_to_overwrite_either_file(
    tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / existing).write_text("precious")

    assert canbo("keys", "new", "--out", str(tmp_path / "official.key"), "--unencrypted") == 2

    assert "already exists; use --force" in capsys.readouterr().err
    # Nothing was written: the existing file is intact and its sibling was not created.
    assert [p.name for p in tmp_path.iterdir()] == [existing]
    assert (tmp_path / existing).read_text() == "precious"


def test_new_with_force_replaces_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "official.key"
    write_private_key(out, KEY, None, allow_unencrypted=True)
    write_public_key(tmp_path / "official.pub", KEY, "old")

    assert (
        canbo("keys", "new", "--out", str(out), "--unencrypted", "--force", "--label", "new") == 0
    )

    new_id = lines_of(capsys.readouterr().out)["key id"]
    assert new_id != KEY.key_id
    assert read_private_key(out, None, allow_unencrypted=True).key_id == new_id
    assert read_public_key(tmp_path / "official.pub")[1] == "new"


def test_new_refuses_a_bad_label_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "official.key"

    assert canbo("keys", "new", "--out", str(out), "--unencrypted", "--label", "a\nb") == 2

    assert capsys.readouterr().err.startswith("error: a key label must be")
    assert list(tmp_path.iterdir()) == []


def test_new_with_a_missing_passphrase_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.txt"

    assert (
        canbo("keys", "new", "--out", str(tmp_path / "k"), "--passphrase-file", str(missing)) == 2
    )

    assert capsys.readouterr().err == f"error: passphrase file {missing} does not exist\n"


# --- keys show -------------------------------------------------------------------------------


def test_show_an_encrypted_private_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE.encode())
    write_public_key(tmp_path / "official.pub", KEY, "Chủ tịch UBND xã")
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)

    assert canbo("keys", "show", str(path)) == 0

    assert lines_of(capsys.readouterr().out) == {
        "file": f"{path} (encrypted private key)",
        "key id": KEY.key_id,
        "public key": base64.b64encode(KEY.public_key).decode(),
        "label": "Chủ tịch UBND xã",
        "encrypted": "yes",
    }


def test_show_with_a_passphrase_file_and_no_public_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE.encode())

    assert (
        canbo("keys", "show", str(path), "--passphrase-file", str(passphrase_file(tmp_path))) == 0
    )

    printed = lines_of(capsys.readouterr().out)
    assert printed["key id"] == KEY.key_id
    assert printed["label"] == "(none)"


def test_show_prompts_once_on_a_terminal(
    tmp_path: Path, typed: list[str | BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE.encode())
    typed.append(PASSPHRASE)

    assert canbo("keys", "show", str(path)) == 0

    assert lines_of(capsys.readouterr().out)["key id"] == KEY.key_id


def test_show_an_encrypted_key_without_a_passphrase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE.encode())

    assert canbo("keys", "show", str(path)) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {path} is encrypted and there is no passphrase")


def test_show_with_a_wrong_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE.encode())
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")

    assert canbo("keys", "show", str(path)) == 2

    assert capsys.readouterr().err.startswith(f"error: wrong passphrase for {path}")


def test_show_an_unencrypted_key_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "throwaway.key"
    write_private_key(path, KEY, None, allow_unencrypted=True)

    assert canbo("keys", "show", str(path)) == 0

    assert lines_of(capsys.readouterr().out)["encrypted"] == "NO"


def test_show_a_public_key_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "official.pub"
    write_public_key(path, KEY, "Phó chủ tịch")

    assert canbo("keys", "show", str(path)) == 0

    assert lines_of(capsys.readouterr().out) == {
        "file": f"{path} (public key)",
        "key id": KEY.key_id,
        "public key": base64.b64encode(KEY.public_key).decode(),
        "label": "Phó chủ tịch",
        "encrypted": "n/a (public key file)",
    }


def test_show_finds_the_public_key_file_of_a_key_without_the_key_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One convention everywhere: name.key -> name.pub, any other name -> name + ".pub".
    path = tmp_path / "log"
    write_private_key(path, KEY, None, allow_unencrypted=True)
    write_public_key(tmp_path / "log.pub", KEY, "log")

    assert canbo("keys", "show", str(path)) == 0

    assert lines_of(capsys.readouterr().out)["label"] == "log"


def test_show_refuses_a_private_key_that_does_not_match_its_public_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, None, allow_unencrypted=True)
    write_public_key(tmp_path / "official.pub", Ed25519SigningKey.from_seed(bytes(32)), "x")

    assert canbo("keys", "show", str(path)) == 2

    assert f"expected {Ed25519SigningKey.from_seed(bytes(32)).key_id}" in capsys.readouterr().err


def test_show_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.key"

    assert canbo("keys", "show", str(missing)) == 2

    assert capsys.readouterr().err == f"error: key file {missing} does not exist\n"


def test_show_a_key_file_open_to_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, None, allow_unencrypted=True)
    path.chmod(0o644)

    assert canbo("keys", "show", str(path)) == 2

    assert f"chmod 600 {path}" in capsys.readouterr().err


def test_show_a_file_that_is_no_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a key\n")

    assert canbo("keys", "show", str(path)) == 2

    assert capsys.readouterr().err.startswith(f"error: {path} is not a PEM file")


def test_keys_needs_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        canbo("keys")

    assert info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err
