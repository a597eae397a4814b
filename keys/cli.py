"""`canbo keys new` and `canbo keys show`: create and inspect an official's key files."""

from __future__ import annotations

import argparse
import base64
import getpass
import sys
from pathlib import Path

from keys.ed25519 import Ed25519SigningKey, key_id
from keys.keyfile import (
    PASSPHRASE_ENV,
    KeyFileError,
    KeyFileExistsError,
    KeyFileKind,
    PassphraseRequiredError,
    check_label,
    key_file_kind,
    passphrase_from,
    public_key_path,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)

EXIT_OK = 0
EXIT_ERROR = 2


class _UsageError(Exception):
    """A problem with the command line itself, reported like a key file error."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `keys` command with its `new` and `show` subcommands."""
    keys = subparsers.add_parser(
        "keys",
        help="create and inspect Ed25519 key files",
        description="Create and inspect an official's Ed25519 key files.",
    )
    commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)

    new = commands.add_parser(
        "new",
        help="generate a key: PATH (encrypted PKCS#8) and PATH.pub",
        description=(
            "Generate an Ed25519 key and write PATH (private, passphrase-encrypted PKCS#8 PEM, "
            "mode 0600) and PATH.pub (public key line). The passphrase comes from "
            f"--passphrase-file, else ${PASSPHRASE_ENV}, else a prompt on a terminal."
        ),
    )
    new.add_argument("--out", required=True, type=Path, metavar="PATH", help="private key file")
    new.add_argument("--label", default="", help="label written to the public key file")
    new.add_argument("--passphrase-file", type=Path, metavar="F", help="read the passphrase from F")
    new.add_argument(
        "--unencrypted",
        action="store_true",
        help="store the private key WITHOUT encryption (tests and throwaway keys only)",
    )
    new.add_argument("--force", action="store_true", help="overwrite existing key files")
    new.set_defaults(func=keys_new)

    show = commands.add_parser(
        "show",
        help="print a key file's key id, public key and label",
        description=(
            "Print the key id, public key, label and encryption of a private key file (which "
            "needs its passphrase) or a public key file (.pub)."
        ),
    )
    show.add_argument("path", type=Path, metavar="PATH", help="private key file or .pub file")
    show.add_argument(
        "--passphrase-file", type=Path, metavar="F", help="read the passphrase from F"
    )
    show.set_defaults(func=keys_show)


def keys_new(args: argparse.Namespace) -> int:
    """Generate a key and write its private and public key files."""
    try:
        out: Path = args.out
        public_path = public_key_path(out)
        check_label(args.label)
        if not args.force:
            # Checked before asking for a passphrase, so nobody types one for nothing.
            for path in (out, public_path):
                if path.exists():
                    raise KeyFileExistsError(f"{path} already exists; use --force to overwrite it")
        passphrase = _new_passphrase(args)
        key = Ed25519SigningKey.generate()
        write_private_key(
            out, key, passphrase, allow_unencrypted=args.unencrypted, overwrite=args.force
        )
        write_public_key(public_path, key, args.label, overwrite=args.force)
    except (KeyFileError, _UsageError) as exc:
        return _fail(exc)
    state = "UNENCRYPTED" if passphrase is None else "encrypted"
    print(f"wrote {out} ({state}) and {public_path}", file=sys.stderr)
    print(f"key id: {key.key_id}")
    print(f"public key: {_b64(key.public_key)}")
    return EXIT_OK


def keys_show(args: argparse.Namespace) -> int:
    """Print what a private or public key file holds."""
    path: Path = args.path
    try:
        kind = key_file_kind(path)
        if kind is KeyFileKind.PUBLIC:
            public_key, label = read_public_key(path)
            encrypted = "n/a (public key file)"
        else:
            label, expected_id = _sidecar(path)
            passphrase = None
            if kind is KeyFileKind.ENCRYPTED_PRIVATE:
                passphrase = _existing_passphrase(args, path)
            # Showing an unencrypted key is harmless; using one to sign still needs the flag.
            key = read_private_key(
                path,
                passphrase,
                allow_unencrypted=kind is KeyFileKind.UNENCRYPTED_PRIVATE,
                expected_key_id=expected_id,
            )
            public_key = key.public_key
            encrypted = "yes" if kind is KeyFileKind.ENCRYPTED_PRIVATE else "NO"
    except (KeyFileError, _UsageError) as exc:
        return _fail(exc)
    print(f"file: {path} ({kind.value})")
    print(f"key id: {key_id(public_key)}")
    print(f"public key: {_b64(public_key)}")
    print(f"label: {label or '(none)'}")
    print(f"encrypted: {encrypted}")
    return EXIT_OK


def _new_passphrase(args: argparse.Namespace) -> bytes | None:
    if args.unencrypted:
        if args.passphrase_file is not None:
            raise _UsageError("give either --unencrypted or --passphrase-file, not both")
        return None
    passphrase = passphrase_from(PASSPHRASE_ENV, args.passphrase_file)
    if passphrase is not None:
        return passphrase
    if not sys.stdin.isatty():
        raise PassphraseRequiredError(
            f"no passphrase: use --passphrase-file, {PASSPHRASE_ENV}, or --unencrypted"
        )
    first = _prompt("Passphrase for the new key: ")
    second = _prompt("Repeat the passphrase: ")
    if first != second:
        raise _UsageError("the passphrases do not match; nothing was written")
    if not first:
        raise PassphraseRequiredError("the passphrase is empty; nothing was written")
    return first.encode("utf-8")


def _existing_passphrase(args: argparse.Namespace, path: Path) -> bytes:
    passphrase = passphrase_from(PASSPHRASE_ENV, args.passphrase_file)
    if passphrase is not None:
        return passphrase
    if not sys.stdin.isatty():
        raise PassphraseRequiredError(
            f"{path} is encrypted and there is no passphrase: use --passphrase-file "
            f"or {PASSPHRASE_ENV}"
        )
    typed = _prompt(f"Passphrase for {path}: ")
    if not typed:
        raise PassphraseRequiredError(f"{path} is encrypted and the passphrase typed is empty")
    return typed.encode("utf-8")


def _prompt(text: str) -> str:
    try:
        return getpass.getpass(text)
    except EOFError:
        raise _UsageError("no passphrase was typed; nothing was done") from None
    except KeyboardInterrupt:
        # Ctrl-C at a prompt is an answer, not a crash: no traceback.
        raise _UsageError("interrupted; nothing was done") from None


def _sidecar(path: Path) -> tuple[str, str | None]:
    """Label and key id from the public key file beside path, to cross-check the private key."""
    public_path = public_key_path(path)
    if public_path != path and public_path.exists():
        public_key, label = read_public_key(public_path)
        return label, key_id(public_key)
    return "", None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return EXIT_ERROR
