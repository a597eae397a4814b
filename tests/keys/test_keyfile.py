"""Key files: round trips, and every way a key file can be refused, each with its exact error."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa, x25519

from keys.ed25519 import Ed25519SigningKey, key_id
from keys.keyfile import (
    PASSPHRASE_ENV,
    KeyFileError,
    KeyFileExistsError,
    KeyFileFormatError,
    KeyFileKind,
    KeyFileNotFoundError,
    KeyFilePermissionError,
    KeyIdMismatchError,
    NotEd25519KeyError,
    PassphraseRequiredError,
    UnencryptedKeyError,
    WrongPassphraseError,
    check_label,
    key_file_kind,
    passphrase_from,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)

KEY = Ed25519SigningKey.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519SigningKey.from_seed(bytes(range(1, 33)))
PASSPHRASE = b"correct horse battery staple"


@contextmanager
def raises_exactly(kind: type[KeyFileError], match: str | None = None) -> Iterator[Any]:
    """Like pytest.raises, but a subclass or a parent class of kind does not count."""
    with pytest.raises(KeyFileError, match=match) as info:
        yield info
    assert info.type is kind, f"expected {kind.__name__}, got {info.type.__name__}: {info.value}"


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Set the process umask for one test, restoring it afterwards."""
    original = os.umask(0o022)
    os.umask(original)
    yield os.umask
    os.umask(original)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def put_private(path: Path, data: bytes) -> Path:
    """A file with owner-only mode, so that only its content is under test."""
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def der_of(pem: bytes) -> bytes:
    return base64.b64decode(b"".join(pem.strip().splitlines()[1:-1]))


def pem_of(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der)
    return f"-----BEGIN {label}-----\n".encode() + body + f"-----END {label}-----\n".encode()


def flip(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


# --- private keys: round trips ---------------------------------------------------------------


def test_an_encrypted_key_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "official.key"

    write_private_key(path, KEY, PASSPHRASE)

    # The file is encrypted PKCS#8 PEM, and nothing of the seed shows in the clear.
    text = path.read_bytes()
    assert text.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    assert KEY.seed() not in der_of(text)
    assert key_file_kind(path) is KeyFileKind.ENCRYPTED_PRIVATE
    # Reading it back gives the same key, checked against the key id the caller expects.
    loaded = read_private_key(path, PASSPHRASE, expected_key_id=KEY.key_id)
    assert loaded.seed() == KEY.seed()
    assert loaded.sign(b"statement") == KEY.sign(b"statement")


def test_an_unencrypted_key_round_trips_only_with_the_explicit_flag(tmp_path: Path) -> None:
    path = tmp_path / "throwaway.key"

    write_private_key(path, KEY, None, allow_unencrypted=True)

    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert key_file_kind(path) is KeyFileKind.UNENCRYPTED_PRIVATE
    assert read_private_key(path, None, allow_unencrypted=True).seed() == KEY.seed()
    # The flag is the consent; a passphrase given as well has nothing to decrypt and is ignored.
    assert read_private_key(path, PASSPHRASE, allow_unencrypted=True).seed() == KEY.seed()


def test_a_passphrase_wins_over_allow_unencrypted_when_writing(tmp_path: Path) -> None:
    path = tmp_path / "official.key"

    write_private_key(path, KEY, PASSPHRASE, allow_unencrypted=True)

    assert key_file_kind(path) is KeyFileKind.ENCRYPTED_PRIVATE


def test_a_non_ascii_passphrase_works(tmp_path: Path) -> None:
    path = tmp_path / "official.key"
    passphrase = "mật khẩu của tôi".encode()

    write_private_key(path, KEY, passphrase)

    assert read_private_key(path, passphrase).seed() == KEY.seed()


# --- private keys: writing safely ------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077, 0o277])
def test_the_private_key_file_is_exactly_0600_whatever_the_umask(
    tmp_path: Path, umask: Callable[[int], int], mask: int
) -> None:
    path = tmp_path / "official.key"
    umask(mask)

    write_private_key(path, KEY, PASSPHRASE)

    assert mode_of(path) == 0o600


def test_the_private_key_is_0600_from_the_moment_the_file_is_created(
    tmp_path: Path, umask: Callable[[int], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A spy on os.open records the mode of every file created, right after creation: a write
    # that created the file readable and narrowed it later would show up here.
    umask(0)
    real_open = os.open
    created: list[int] = []

    def spying_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        fd = real_open(path, flags, mode, **kwargs)
        if flags & os.O_CREAT:
            created.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    monkeypatch.setattr(os, "open", spying_open)

    write_private_key(tmp_path / "official.key", KEY, PASSPHRASE)

    assert created == [0o600]


def test_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_private_key(tmp_path / "official.key", KEY, PASSPHRASE)

    assert [p.name for p in tmp_path.iterdir()] == ["official.key"]


def test_an_existing_file_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "official.key"
    path.write_bytes(b"someone else's key")

    with raises_exactly(KeyFileExistsError, match="already exists"):
        write_private_key(path, KEY, PASSPHRASE)

    # The old file is untouched and no temporary file is left behind.
    assert path.read_bytes() == b"someone else's key"
    assert [p.name for p in tmp_path.iterdir()] == ["official.key"]


def test_overwrite_replaces_the_file_and_tightens_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "official.key"
    path.write_bytes(b"old")
    path.chmod(0o644)

    write_private_key(path, KEY, PASSPHRASE, overwrite=True)

    assert mode_of(path) == 0o600
    assert read_private_key(path, PASSPHRASE).seed() == KEY.seed()


def test_a_file_created_after_the_check_is_still_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process creates the file between the existence check and the rename; pretending
    # the check saw nothing puts us exactly in that window.
    path = tmp_path / "official.key"
    path.write_bytes(b"written meanwhile")
    monkeypatch.setattr(os.path, "lexists", lambda _path: False)

    with raises_exactly(KeyFileExistsError):
        write_private_key(path, KEY, PASSPHRASE)

    assert path.read_bytes() == b"written meanwhile"
    assert [p.name for p in tmp_path.iterdir()] == ["official.key"]


def test_writing_into_a_missing_directory_says_so(tmp_path: Path) -> None:
    with raises_exactly(KeyFileError, match="does not exist"):
        write_private_key(tmp_path / "nowhere" / "official.key", KEY, PASSPHRASE)


def test_writing_without_a_passphrase_is_refused_without_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "official.key"

    with raises_exactly(PassphraseRequiredError, match="give a passphrase.*allow_unencrypted"):
        write_private_key(path, KEY, None)

    assert not path.exists()


def test_an_empty_passphrase_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "official.key"

    with raises_exactly(PassphraseRequiredError, match="empty passphrase"):
        write_private_key(path, KEY, b"")

    assert not path.exists()


# --- private keys: refusing to read ----------------------------------------------------------


def test_a_missing_key_file(tmp_path: Path) -> None:
    with raises_exactly(KeyFileNotFoundError, match="does not exist"):
        read_private_key(tmp_path / "absent.key", PASSPHRASE)


def test_a_wrong_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE)

    with raises_exactly(WrongPassphraseError, match="wrong passphrase"):
        read_private_key(path, b"incorrect horse")


def test_an_encrypted_key_without_a_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE)

    with raises_exactly(PassphraseRequiredError, match="is encrypted"):
        read_private_key(path, None)
    # The flag for unencrypted keys does not stand in for a passphrase.
    with raises_exactly(PassphraseRequiredError):
        read_private_key(path, None, allow_unencrypted=True)


@pytest.mark.parametrize("passphrase", [None, PASSPHRASE])
def test_an_unencrypted_key_is_refused_without_the_flag(
    tmp_path: Path, passphrase: bytes | None
) -> None:
    path = tmp_path / "throwaway.key"
    write_private_key(path, KEY, None, allow_unencrypted=True)

    with raises_exactly(UnencryptedKeyError) as info:
        read_private_key(path, passphrase)

    assert "unencrypted" in str(info.value)
    assert "allow_unencrypted" in str(info.value)


def _foreign_keys() -> list[tuple[str, Any]]:
    return [
        ("EC", ec.generate_private_key(ec.SECP256R1())),
        ("X25519", x25519.X25519PrivateKey.generate()),
        ("Ed448", ed448.Ed448PrivateKey.generate()),
        ("RSA", rsa.generate_private_key(public_exponent=65537, key_size=1024)),
    ]


@pytest.mark.parametrize(("name", "foreign"), _foreign_keys(), ids=lambda v: str(v)[:8])
@pytest.mark.parametrize("encrypted", [True, False])
def test_a_key_of_another_algorithm(
    tmp_path: Path, name: str, foreign: Any, encrypted: bool
) -> None:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(PASSPHRASE)
        if encrypted
        else serialization.NoEncryption()
    )
    pem = foreign.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    path = put_private(tmp_path / "foreign.key", pem)

    with raises_exactly(NotEd25519KeyError, match=f"type {name}, not Ed25519"):
        read_private_key(path, PASSPHRASE, allow_unencrypted=True)


def _not_pkcs8_pem() -> dict[str, bytes]:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    plain = KEY.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {
        "empty": b"",
        "text": b"hello\n",
        "binary": bytes(range(256)),
        "der": der_of(plain),
        "public key line": f"ed25519 {base64.b64encode(KEY.public_key).decode()} x\n".encode(),
        "PEM public key": KEY.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        "traditional EC": ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ),
        "OpenSSH": KEY.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        ),
        "END label differs": plain.replace(b"END PRIVATE KEY", b"END EC PRIVATE KEY"),
        "no END line": plain.replace(b"-----END PRIVATE KEY-----\n", b""),
        "bad base64": plain.replace(plain.splitlines()[1], b"!!!!" + plain.splitlines()[1][4:]),
        "truncated body": pem_of("PRIVATE KEY", der_of(plain)[:-5]),
        "trailing data in DER": pem_of("PRIVATE KEY", der_of(plain) + b"\x00"),
    }


@pytest.mark.parametrize(("content"), _not_pkcs8_pem().values(), ids=_not_pkcs8_pem().keys())
def test_a_file_that_is_not_a_pem_pkcs8_private_key(tmp_path: Path, content: bytes) -> None:
    path = put_private(tmp_path / "odd.key", content)

    with raises_exactly(KeyFileFormatError):
        read_private_key(path, PASSPHRASE, allow_unencrypted=True)


def test_a_directory_is_not_a_key_file(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)

    with raises_exactly(KeyFileFormatError, match="not a regular file"):
        read_private_key(directory, PASSPHRASE)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.key"
    os.mkfifo(fifo, 0o600)

    with raises_exactly(KeyFileFormatError, match="not a regular file"):
        read_private_key(fifo, PASSPHRASE)


def test_a_huge_file_is_not_a_key_file(tmp_path: Path) -> None:
    path = put_private(tmp_path / "huge.key", b"-----BEGIN PRIVATE KEY-----\n" + b"A" * 70_000)

    with raises_exactly(KeyFileFormatError, match="too large"):
        read_private_key(path, PASSPHRASE, allow_unencrypted=True)


@pytest.fixture
def encrypted_der(tmp_path: Path) -> bytes:
    """DER of KEY encrypted under PASSPHRASE: PBES2 parameters, then 64 bytes of AES-CBC."""
    path = tmp_path / "original.key"
    write_private_key(path, KEY, PASSPHRASE)
    return der_of(path.read_bytes())


def test_a_tampered_structure_is_a_format_error(tmp_path: Path, encrypted_der: bytes) -> None:
    path = put_private(
        tmp_path / "tampered.key", pem_of("ENCRYPTED PRIVATE KEY", flip(encrypted_der, 0))
    )

    with raises_exactly(KeyFileFormatError):
        read_private_key(path, PASSPHRASE)


def test_a_tampered_encryption_algorithm_is_a_format_error(
    tmp_path: Path, encrypted_der: bytes
) -> None:
    # Byte 7 lies inside the PBES2 object identifier.
    path = put_private(
        tmp_path / "tampered.key", pem_of("ENCRYPTED PRIVATE KEY", flip(encrypted_der, 7))
    )

    with raises_exactly(KeyFileFormatError):
        read_private_key(path, PASSPHRASE)


def test_a_tampered_last_block_looks_like_a_wrong_passphrase(
    tmp_path: Path, encrypted_der: bytes
) -> None:
    # CBC padding is the only check PKCS#8 encryption has; breaking it is indistinguishable
    # from a wrong passphrase, which is why the message mentions damage too.
    path = put_private(
        tmp_path / "tampered.key", pem_of("ENCRYPTED PRIVATE KEY", flip(encrypted_der, -1))
    )

    with raises_exactly(WrongPassphraseError, match="or the file is damaged"):
        read_private_key(path, PASSPHRASE)


def test_a_tampered_seed_block_is_caught_only_by_the_expected_key_id(
    tmp_path: Path, encrypted_der: bytes
) -> None:
    # Flipping a bit in the second ciphertext block garbles seed bytes only: the file still
    # decrypts, to a different valid key. Nothing in PKCS#8 notices; the key id does.
    path = put_private(
        tmp_path / "tampered.key", pem_of("ENCRYPTED PRIVATE KEY", flip(encrypted_der, -40))
    )

    assert read_private_key(path, PASSPHRASE).key_id != KEY.key_id
    with raises_exactly(KeyIdMismatchError, match=f"expected {KEY.key_id}"):
        read_private_key(path, PASSPHRASE, expected_key_id=KEY.key_id)


def test_an_encrypted_body_relabelled_as_unencrypted(tmp_path: Path, encrypted_der: bytes) -> None:
    path = put_private(tmp_path / "relabelled.key", pem_of("PRIVATE KEY", encrypted_der))

    with raises_exactly(UnencryptedKeyError):
        read_private_key(path, PASSPHRASE)
    with raises_exactly(KeyFileFormatError):
        read_private_key(path, PASSPHRASE, allow_unencrypted=True)


def test_the_wrong_key_is_caught_by_the_expected_key_id(tmp_path: Path) -> None:
    path = tmp_path / "other.key"
    write_private_key(path, OTHER_KEY, PASSPHRASE)

    with raises_exactly(KeyIdMismatchError):
        read_private_key(path, PASSPHRASE, expected_key_id=KEY.key_id)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660, 0o666, 0o601])
def test_a_key_file_open_to_group_or_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE)
    path.chmod(mode)

    with raises_exactly(KeyFilePermissionError) as info:
        read_private_key(path, PASSPHRASE)

    assert f"chmod 600 {path}" in str(info.value)
    assert f"{mode:04o}" in str(info.value)


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_owner_only_modes_are_accepted(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE)
    path.chmod(mode)

    assert read_private_key(path, PASSPHRASE).key_id == KEY.key_id


def test_the_permission_check_comes_before_the_passphrase(tmp_path: Path) -> None:
    # An exposed file is reported as such even if the caller has no passphrase at hand.
    path = tmp_path / "official.key"
    write_private_key(path, KEY, PASSPHRASE)
    path.chmod(0o644)

    with raises_exactly(KeyFilePermissionError):
        read_private_key(path, None)


def test_key_file_kind_of_each_kind(tmp_path: Path) -> None:
    write_private_key(tmp_path / "a.key", KEY, PASSPHRASE)
    write_private_key(tmp_path / "b.key", KEY, None, allow_unencrypted=True)
    write_public_key(tmp_path / "a.key.pub", KEY, "")

    assert key_file_kind(tmp_path / "a.key") is KeyFileKind.ENCRYPTED_PRIVATE
    assert key_file_kind(tmp_path / "b.key") is KeyFileKind.UNENCRYPTED_PRIVATE
    assert key_file_kind(tmp_path / "a.key.pub") is KeyFileKind.PUBLIC
    with raises_exactly(KeyFileNotFoundError):
        key_file_kind(tmp_path / "absent")
    with raises_exactly(KeyFileFormatError):
        key_file_kind(put_private(tmp_path / "junk", b"junk"))


# --- public keys -----------------------------------------------------------------------------


def test_a_public_key_file_is_one_documented_line(tmp_path: Path) -> None:
    path = tmp_path / "official.key.pub"

    write_public_key(path, KEY, "Nguyễn Văn A, UBND xã Tân Phú")

    b64 = base64.b64encode(KEY.public_key).decode()
    expected = f"ed25519 {b64} {KEY.key_id} Nguyễn Văn A, UBND xã Tân Phú\n"
    assert path.read_text(encoding="utf-8") == expected
    assert read_public_key(path) == (KEY.public_key, "Nguyễn Văn A, UBND xã Tân Phú")


def test_a_public_key_from_raw_bytes_without_a_label(tmp_path: Path) -> None:
    path = tmp_path / "raw.pub"

    write_public_key(path, KEY.public_key, "")

    assert path.read_text().count(" ") == 2
    assert read_public_key(path) == (KEY.public_key, "")


def test_a_public_key_file_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "official.key.pub"
    write_public_key(path, KEY, "first")

    with raises_exactly(KeyFileExistsError):
        write_public_key(path, OTHER_KEY, "second")
    write_public_key(path, OTHER_KEY, "second", overwrite=True)

    assert read_public_key(path) == (OTHER_KEY.public_key, "second")


@pytest.mark.parametrize("label", ["two\nlines", "tab\there", " leading", "trailing ", "\u2028"])
def test_a_label_that_would_break_the_line_is_refused(tmp_path: Path, label: str) -> None:
    path = tmp_path / "official.key.pub"

    with raises_exactly(KeyFileError, match="key label"):
        write_public_key(path, KEY, label)
    with raises_exactly(KeyFileError):
        check_label(label)

    assert not path.exists()


def test_a_public_key_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    with raises_exactly(KeyFileError, match="32 bytes"):
        write_public_key(tmp_path / "short.pub", KEY.public_key[:31], "")


def test_a_public_key_file_whose_key_id_does_not_match(tmp_path: Path) -> None:
    path = tmp_path / "edited.pub"
    b64 = base64.b64encode(KEY.public_key).decode()
    path.write_text(f"ed25519 {b64} {OTHER_KEY.key_id} edited\n")

    with raises_exactly(KeyIdMismatchError, match=f"its id is {KEY.key_id}"):
        read_public_key(path)


def _bad_public_lines() -> dict[str, bytes]:
    b64 = base64.b64encode(KEY.public_key).decode()
    kid = KEY.key_id
    # The last base64 character of 32 bytes carries 2 unused bits; setting one is non-canonical.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    loose = b64[:-2] + alphabet[alphabet.index(b64[-2]) ^ 1] + "="
    short = base64.b64encode(KEY.public_key[:31]).decode()
    return {
        "empty": b"",
        "other algorithm": f"ssh-ed25519 {b64} {kid} x\n".encode(),
        "no key id": f"ed25519 {b64}\n".encode(),
        "bad base64": f"ed25519 {b64[:-2]}!= {kid}\n".encode(),
        "non-canonical base64": f"ed25519 {loose} {kid}\n".encode(),
        "31 bytes": f"ed25519 {short} {kid}\n".encode(),
        "two lines": f"ed25519 {b64} {kid} a\ned25519 {b64} {kid} b\n".encode(),
        "CRLF": f"ed25519 {b64} {kid} a\r\n".encode(),
        "not UTF-8": f"ed25519 {b64} {kid} ".encode() + b"\xff\n",
        "control character in label": f"ed25519 {b64} {kid} a\x07b\n".encode(),
        "private key": KEY.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    }


@pytest.mark.parametrize("content", _bad_public_lines().values(), ids=_bad_public_lines().keys())
def test_a_malformed_public_key_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pub"
    path.write_bytes(content)

    with raises_exactly(KeyFileFormatError):
        read_public_key(path)


def test_a_public_key_line_without_a_final_newline_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "official.key.pub"
    b64 = base64.b64encode(KEY.public_key).decode()
    path.write_text(f"ed25519 {b64} {key_id(KEY.public_key)} label")

    assert read_public_key(path) == (KEY.public_key, "label")


def test_a_missing_public_key_file(tmp_path: Path) -> None:
    with raises_exactly(KeyFileNotFoundError):
        read_public_key(tmp_path / "absent.pub")


# --- passphrases -----------------------------------------------------------------------------


def test_the_passphrase_file_wins_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "from the environment")
    file = tmp_path / "passphrase"
    file.write_bytes(b"from the file\n")

    assert passphrase_from(file=file) == b"from the file"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"secret", b"secret"),
        (b"secret\n", b"secret"),
        (b"secret\r\n", b"secret"),
        (b"secret\n\n", b"secret\n"),
        (b" spaced secret \n", b" spaced secret "),
        ("mật khẩu\n".encode(), "mật khẩu".encode()),
    ],
)
def test_only_one_trailing_newline_is_stripped(
    tmp_path: Path, content: bytes, expected: bytes
) -> None:
    file = tmp_path / "passphrase"
    file.write_bytes(content)

    assert passphrase_from(file=file) == expected


def test_the_environment_is_used_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, "mật khẩu")
    monkeypatch.setenv("OTHER_PASSPHRASE", "other")

    assert passphrase_from() == "mật khẩu".encode()
    assert passphrase_from("OTHER_PASSPHRASE") == b"other"


def test_no_passphrase_anywhere_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    assert passphrase_from() is None
    # An empty variable is as good as unset.
    monkeypatch.setenv(PASSPHRASE_ENV, "")
    assert passphrase_from() is None


@pytest.mark.parametrize("content", [b"", b"\n", b"\r\n"])
def test_an_empty_passphrase_file_is_refused(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "passphrase"
    file.write_bytes(content)

    with raises_exactly(PassphraseRequiredError, match="is empty"):
        passphrase_from(file=file)


def test_a_missing_passphrase_file_is_refused(tmp_path: Path) -> None:
    with raises_exactly(KeyFileNotFoundError, match="passphrase file"):
        passphrase_from(file=tmp_path / "absent")
