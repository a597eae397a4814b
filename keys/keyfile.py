"""Key files: private keys as passphrase-encrypted PKCS#8 PEM, public keys as one line of text.

A private key file is written atomically with mode 0600 from the moment it exists, and is stored
unencrypted only when the caller says so explicitly. A public key file is one line,
`ed25519 <base64 raw public key> <key id> <label>`, whose key id is checked on reading.

PKCS#8 encryption has no integrity check: a damaged ciphertext block can decrypt to a different,
valid key. Callers that know which key they expect pass `expected_key_id` to `read_private_key`.
"""

from __future__ import annotations

import base64
import binascii
import enum
import errno
import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.ed25519 import PUBLIC_KEY_SIZE, Ed25519SigningKey, key_id

PASSPHRASE_ENV = "CANBO_KEY_PASSPHRASE"
PUBLIC_KEY_ALGORITHM = "ed25519"
PRIVATE_KEY_MODE = 0o600
PUBLIC_KEY_MODE = 0o644

# A PEM Ed25519 key is under 300 bytes; anything much larger is not a key file.
_MAX_FILE_SIZE = 64 * 1024
_ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY"
_PLAIN_PKCS8 = "PRIVATE KEY"


class KeyFileError(Exception):
    """A key file could not be written or read; the message says what to do."""


class KeyFileNotFoundError(KeyFileError):
    """The key (or passphrase) file does not exist."""


class KeyFileExistsError(KeyFileError):
    """Refused to overwrite an existing file."""


class KeyFilePermissionError(KeyFileError):
    """A private key file is accessible by group or others."""


class PassphraseRequiredError(KeyFileError):
    """A passphrase is needed (to encrypt or decrypt) but none was given."""


class WrongPassphraseError(KeyFileError):
    """The passphrase does not decrypt the key file."""


class UnencryptedKeyError(KeyFileError):
    """The private key is stored unencrypted and the caller did not allow that."""


class NotEd25519KeyError(KeyFileError):
    """The file holds a private key of another algorithm."""


class KeyFileFormatError(KeyFileError):
    """The file is not a PEM PKCS#8 private key (or not a valid public key line), or is damaged."""


class KeyIdMismatchError(KeyFileError):
    """The key id written down does not match the key."""


class KeyFileKind(enum.Enum):
    """What a key file holds, as far as can be told without a passphrase."""

    PUBLIC = "public key"
    ENCRYPTED_PRIVATE = "encrypted private key"
    UNENCRYPTED_PRIVATE = "unencrypted private key"


def write_private_key(
    path: Path,
    key: Ed25519SigningKey,
    passphrase: bytes | None,
    *,
    allow_unencrypted: bool = False,
    overwrite: bool = False,
) -> None:
    """Write key to path as PKCS#8 PEM, encrypted with passphrase, atomically and with mode 0600."""
    encryption: serialization.KeySerializationEncryption
    if passphrase is None:
        if not allow_unencrypted:
            raise PassphraseRequiredError(
                f"refusing to write {path} without a passphrase: give a passphrase, or pass "
                "allow_unencrypted=True (--unencrypted) to store the private key unencrypted"
            )
        encryption = serialization.NoEncryption()
    elif not passphrase:
        raise PassphraseRequiredError(
            f"refusing to encrypt {path} with an empty passphrase: give a non-empty passphrase"
        )
    else:
        encryption = serialization.BestAvailableEncryption(passphrase)
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    _write_atomic(path, pem, PRIVATE_KEY_MODE, overwrite=overwrite, exact_mode=True)


def read_private_key(
    path: Path,
    passphrase: bytes | None,
    *,
    allow_unencrypted: bool = False,
    expected_key_id: str | None = None,
) -> Ed25519SigningKey:
    """Read an Ed25519 private key from a PKCS#8 PEM file, refusing anything unsafe or foreign."""
    data = _read_private_key_file(path)
    label = _pem_label(data, path)
    if label == _ENCRYPTED_PKCS8:
        if passphrase is None:
            raise PassphraseRequiredError(
                f"{path} is encrypted: give its passphrase (--passphrase-file or ${PASSPHRASE_ENV})"
            )
        password: bytes | None = passphrase
    else:
        if not allow_unencrypted:
            raise UnencryptedKeyError(
                f"{path} holds an unencrypted private key; using it requires the explicit "
                "allow_unencrypted flag (--unencrypted), or re-encrypt it with a passphrase"
            )
        # The explicit flag is the consent; a passphrase given anyway has nothing to decrypt.
        password = None
    try:
        loaded = serialization.load_pem_private_key(data, password)
    except ValueError as exc:
        # cryptography reports a failed decryption (bad padding) as "Incorrect password"; without
        # a MAC a damaged last block looks exactly the same, so the message admits both.
        if password is not None and "password" in str(exc).lower():
            raise WrongPassphraseError(
                f"wrong passphrase for {path} (or the file is damaged): check the passphrase"
            ) from None
        raise KeyFileFormatError(
            f"{path} is damaged or not a PKCS#8 private key: cryptography says {exc}"
        ) from None
    except (TypeError, UnsupportedAlgorithm, InternalError) as exc:
        raise KeyFileFormatError(
            f"{path} is damaged or not a supported PKCS#8 private key: {exc}"
        ) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise NotEd25519KeyError(
            f"{path} holds a private key of type {_algorithm_name(loaded)}, not Ed25519; "
            "generate one with `canbo keys new`"
        )
    key = Ed25519SigningKey(loaded)
    if expected_key_id is not None and key.key_id != expected_key_id:
        raise KeyIdMismatchError(
            f"{path} holds key {key.key_id}, expected {expected_key_id}: the file is damaged "
            "or is not the key you meant"
        )
    return key


def key_file_kind(path: Path) -> KeyFileKind:
    """Whether path holds a public, an encrypted private or an unencrypted private key."""
    data = _read_bytes(path)
    if data.startswith(PUBLIC_KEY_ALGORITHM.encode() + b" "):
        return KeyFileKind.PUBLIC
    label = _pem_label(data, path)
    if label == _ENCRYPTED_PKCS8:
        return KeyFileKind.ENCRYPTED_PRIVATE
    return KeyFileKind.UNENCRYPTED_PRIVATE


def public_key_path(private_key_path: Path) -> Path:
    """Where a private key's public key file lives: `name.key` -> `name.pub`, else `name.pub`."""
    if private_key_path.suffix == ".key":
        return private_key_path.with_suffix(".pub")
    return private_key_path.with_name(private_key_path.name + ".pub")


def write_public_key(
    path: Path,
    key_or_public_bytes: Ed25519SigningKey | bytes,
    label: str,
    *,
    overwrite: bool = False,
) -> None:
    """Write the one-line public key file `ed25519 <base64 key> <key id> <label>`."""
    public_key = (
        key_or_public_bytes.public_key
        if isinstance(key_or_public_bytes, Ed25519SigningKey)
        else bytes(key_or_public_bytes)
    )
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise KeyFileError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    check_label(label)
    fields = [PUBLIC_KEY_ALGORITHM, base64.b64encode(public_key).decode(), key_id(public_key)]
    if label:
        fields.append(label)
    line = " ".join(fields) + "\n"
    _write_atomic(path, line.encode(), PUBLIC_KEY_MODE, overwrite=overwrite, exact_mode=False)


def read_public_key(path: Path) -> tuple[bytes, str]:
    """The raw public key and label from a public key file, after checking its key id."""
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileFormatError(f"{path} is not a public key file: it is not UTF-8 text") from None
    line = text.removesuffix("\n")
    if "\n" in line or "\r" in line:
        raise KeyFileFormatError(f"{path} is not a public key file: it must be a single line")
    fields = line.split(" ", 3)
    if len(fields) < 3 or fields[0] != PUBLIC_KEY_ALGORITHM:
        raise KeyFileFormatError(
            f"{path} is not a public key file: expected "
            f"'{PUBLIC_KEY_ALGORITHM} <base64 public key> <key id> [label]'"
        )
    encoded, written_id = fields[1], fields[2]
    try:
        public_key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise KeyFileFormatError(f"{path}: the public key is not valid base64") from None
    # Only the canonical encoding is accepted, so one key has exactly one text form.
    if len(public_key) != PUBLIC_KEY_SIZE or base64.b64encode(public_key).decode() != encoded:
        raise KeyFileFormatError(
            f"{path}: the public key must be 32 bytes in canonical base64, got {encoded!r}"
        )
    computed = key_id(public_key)
    if written_id != computed:
        raise KeyIdMismatchError(
            f"{path}: key id {written_id} does not match the public key (its id is {computed}); "
            "the file is damaged or was edited"
        )
    label = fields[3] if len(fields) == 4 else ""
    try:
        check_label(label)
    except KeyFileError as exc:
        raise KeyFileFormatError(f"{path}: {exc}") from None
    return public_key, label


def check_label(label: str) -> None:
    """Raise KeyFileError unless label fits on a public key line (printable, no outer spaces)."""
    if not label.isprintable() or label != label.strip():
        raise KeyFileError(
            "a key label must be one line of printable text without leading or trailing "
            f"spaces, got {label!r}"
        )


def passphrase_from(env_var: str = PASSPHRASE_ENV, file: Path | None = None) -> bytes | None:
    """The passphrase from file (one trailing newline stripped), else from env_var, else None."""
    if file is not None:
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise KeyFileNotFoundError(f"passphrase file {file} does not exist") from None
        except OSError as exc:
            raise KeyFileError(f"cannot read passphrase file {file}: {exc.strerror}") from None
        # Only the newline an editor or `echo` adds; spaces may be part of the passphrase.
        data = data.removesuffix(b"\n").removesuffix(b"\r")
        if not data:
            raise PassphraseRequiredError(f"passphrase file {file} is empty")
        return data
    value = os.environ.get(env_var)
    # An empty variable counts as unset, as shells make it easy to set one by accident.
    return os.fsencode(value) if value else None


def _algorithm_name(key: object) -> str:
    # cryptography's key classes are named like ECPrivateKey, X25519PrivateKey, RSAPrivateKey.
    return type(key).__name__.removeprefix("_").removesuffix("PrivateKey") or type(key).__name__


def _read_bytes(path: Path) -> bytes:
    return _read_file(path, private=False)


def _read_private_key_file(path: Path) -> bytes:
    return _read_file(path, private=True)


def _read_file(path: Path, *, private: bool) -> bytes:
    try:
        # O_NONBLOCK so that a FIFO given by mistake is refused below instead of hanging here.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise KeyFileNotFoundError(f"key file {path} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
    try:
        # fstat on the open file, so the mode checked is the mode of the bytes read.
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise KeyFileFormatError(f"{path} is not a regular file")
        # POSIX modes mean nothing on Windows, where ACLs decide instead.
        if private and os.name != "nt" and status.st_mode & 0o077:
            raise KeyFilePermissionError(
                f"{path} is accessible by group or others "
                f"(mode {stat.S_IMODE(status.st_mode):04o}): run `chmod 600 {path}`"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= _MAX_FILE_SIZE:
            chunk = os.read(fd, _MAX_FILE_SIZE + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if size > _MAX_FILE_SIZE:
        raise KeyFileFormatError(f"{path} is too large to be a key file")
    return b"".join(chunks)


def _pem_label(data: bytes, path: Path) -> str:
    """The label of the single PKCS#8 PEM block that data must consist of."""
    if data.startswith(PUBLIC_KEY_ALGORITHM.encode() + b" "):
        raise KeyFileFormatError(f"{path} is a public key file; give the private key file instead")
    try:
        lines = data.decode("ascii").strip().splitlines()
    except UnicodeDecodeError:
        lines = []
    begin = lines[0] if lines else ""
    if len(lines) < 3 or not (begin.startswith("-----BEGIN ") and begin.endswith("-----")):
        raise KeyFileFormatError(f"{path} is not a PEM file (expected -----BEGIN PRIVATE KEY-----)")
    label = begin[len("-----BEGIN ") : -len("-----")]
    if lines[-1] != f"-----END {label}-----":
        raise KeyFileFormatError(f"{path} is damaged: its PEM block does not end properly")
    if label not in (_ENCRYPTED_PKCS8, _PLAIN_PKCS8):
        raise KeyFileFormatError(
            f"{path} holds a PEM '{label}' block, not a PKCS#8 private key; convert it with "
            "`openssl pkcs8 -topk8` or generate a new key with `canbo keys new`"
        )
    return label


def _write_atomic(path: Path, data: bytes, mode: int, *, overwrite: bool, exact_mode: bool) -> None:
    """Write data to path via a temporary file in the same directory, fsynced, then renamed."""
    if not overwrite and os.path.lexists(path):
        raise KeyFileExistsError(f"{path} already exists; remove it or ask to overwrite (--force)")
    directory = path.parent
    temporary = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        # The mode is given to open() itself, so the file is never readable by others, not even
        # between creation and a later chmod.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileNotFoundError:
        raise KeyFileError(f"cannot write {path}: directory {directory} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot write {path}: {exc.strerror}") from None
    try:
        try:
            if exact_mode:
                # The umask may have narrowed the mode further (say to 0400); private key files
                # are exactly 0600 so that the owner can replace them.
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(temporary, path, overwrite=overwrite)
    except OSError as exc:
        raise KeyFileError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
    _fsync_directory(directory)


def _publish(temporary: Path, path: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        # link() fails if path exists, so a file created since the check above is never replaced.
        os.link(temporary, path)
    except FileExistsError:
        raise KeyFileExistsError(
            f"{path} already exists; remove it or ask to overwrite (--force)"
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # Filesystems without hard links: a narrow race remains between this check and rename.
        if os.path.lexists(path):
            raise KeyFileExistsError(
                f"{path} already exists; remove it or ask to overwrite (--force)"
            ) from None
        os.replace(temporary, path)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename durable; not possible on every platform, and the file is already safe.
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
