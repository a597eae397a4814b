"""Checkpoints: body format, strict parsing, and the log signature and origin checks."""

from __future__ import annotations

import base64
import hashlib

import pytest

from keys.ed25519 import ED25519, Ed25519SigningKey
from ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint, sign_checkpoint
from ledger.note import (
    ALG_COSIGNATURE_V1,
    InvalidSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
    VerifierKey,
    append_signature_line,
    cosign,
    open_note,
    sign_note,
)

ORIGIN = "xa-phu-my.example.vn/log"
LOG = Ed25519SigningKey.from_seed(hashlib.sha256(b"log").digest())
LOG_KEY = VerifierKey.from_public_key(ORIGIN, LOG.public_key)
WITNESS = Ed25519SigningKey.from_seed(hashlib.sha256(b"witness").digest())
WITNESS_KEY = VerifierKey.from_public_key("tinh.example.vn/w", WITNESS.public_key, 0x04)
ROOT = hashlib.sha256(b"root").digest()
ROOT_B64 = base64.b64encode(ROOT).decode()
CP = Checkpoint(ORIGIN, 1234, ROOT)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# 32 bytes end in a group "XYZ=" whose last character has 2 unused bits; set the lowest.
NONCANONICAL_ROOT = ROOT_B64[:-2] + _ALPHABET[_ALPHABET.index(ROOT_B64[-2]) ^ 1] + "="
URLSAFE_ROOT = base64.urlsafe_b64encode(bytes([0xFF]) * 32).decode()  # '_' and '-', not '/' '+'


def test_body_is_origin_size_root_lines() -> None:
    assert CP.body() == f"{ORIGIN}\n1234\n{ROOT_B64}\n"
    with_ext = Checkpoint(ORIGIN, 0, ROOT, ("ext one", "ext two"))
    assert with_ext.body() == f"{ORIGIN}\n0\n{ROOT_B64}\next one\next two\n"


@pytest.mark.parametrize(
    "cp",
    [
        CP,
        Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest()),
        Checkpoint(ORIGIN, 2**63 - 1, ROOT),
        Checkpoint("origin with spaces+plus is allowed", 7, ROOT, ("x",)),
        Checkpoint("xã.việt.vn/log", 1, ROOT, ("a b c", "— dash")),
    ],
)
def test_parse_round_trip(cp: Checkpoint) -> None:
    assert Checkpoint.parse(cp.body()) == cp


def test_parse_the_spec_example() -> None:
    cp = Checkpoint.parse(
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (f"{ORIGIN}\n1\n{ROOT_B64}", "end with a newline"),
        ("", "end with a newline"),
        (f"{ORIGIN}\n1\n", "needs at least 3"),
        (f"\n1\n{ROOT_B64}\n", "origin .line 1. is empty"),
        (f"{ORIGIN}\x00\n1\n{ROOT_B64}\n", "origin .line 1. contains control"),
        (f"{ORIGIN}\n01\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n00\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n+1\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n 1\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n1 \n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n1_000\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n\u0661\n{ROOT_B64}\n", "size .line 2."),  # Arabic-Indic digit one
        (f"{ORIGIN}\n0x10\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n\n{ROOT_B64}\n", "size .line 2."),
        (f"{ORIGIN}\n{2**63}\n{ROOT_B64}\n", "outside 0..2\\^63-1"),
        (f"{ORIGIN}\n{'9' * 5000}\n{ROOT_B64}\n", "too large"),
        (f"{ORIGIN}\n1\n{ROOT_B64[:-1]}\n", "root .line 3."),
        (f"{ORIGIN}\n1\n{NONCANONICAL_ROOT}\n", "root .line 3.: non-canonical"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT + b'x').decode()}\n", "33 bytes"),
        (f"{ORIGIN}\n1\n{URLSAFE_ROOT}\n", "root .line 3."),
        (f"{ORIGIN}\n1\n\n", "root .line 3."),
        (f"{ORIGIN}\n1\n{ROOT_B64}\n\n", "extension .line 4. is empty"),
        (f"{ORIGIN}\n1\n{ROOT_B64}\nok\n\n", "extension .line 5. is empty"),
    ],
)
def test_strict_parse_names_the_bad_line(body: str, message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1, ROOT), "origin"),
        (("a\nb", 1, ROOT), "newline"),
        ((ORIGIN, -1, ROOT), "outside"),
        ((ORIGIN, 2**63, ROOT), "outside"),
        ((ORIGIN, True, ROOT), "outside"),
        ((ORIGIN, 1, ROOT[:31]), "31 bytes"),
        ((ORIGIN, 1, ROOT, ("",)), "extension"),
        ((ORIGIN, 1, ROOT, ("a\nb",)), "extension"),
    ],
)
def test_constructor_refuses_what_could_not_be_parsed_back(
    args: tuple[object, ...], message: str
) -> None:
    with pytest.raises(CheckpointError, match=message):
        Checkpoint(*args)  # type: ignore[arg-type]


def test_sign_and_open() -> None:
    note = sign_checkpoint(CP, ORIGIN, LOG)

    assert note.startswith(CP.body() + "\n\u2014 " + ORIGIN + " ")
    assert open_checkpoint(note, LOG_KEY, ED25519) == CP
    assert open_checkpoint(note, LOG_KEY, ED25519, origin=ORIGIN) == CP
    assert open_checkpoint(note.encode(), LOG_KEY, ED25519) == CP


def test_open_with_witness_cosignature_needs_only_the_log_key() -> None:
    note = sign_checkpoint(CP, ORIGIN, LOG)
    cosigned = append_signature_line(note, cosign(CP.body(), WITNESS_KEY.name, WITNESS, 1))

    assert open_checkpoint(cosigned, LOG_KEY, ED25519) == CP
    opened = open_note(cosigned, [LOG_KEY, WITNESS_KEY], ED25519)
    assert opened.names == (ORIGIN, WITNESS_KEY.name)


def test_origin_mismatch_is_refused() -> None:
    note = sign_checkpoint(CP, ORIGIN, LOG)
    with pytest.raises(CheckpointError, match=r"expected 'other\.example/log'"):
        open_checkpoint(note, LOG_KEY, ED25519, origin="other.example/log")


def test_checkpoint_signed_by_another_key_is_unverified() -> None:
    other = Ed25519SigningKey.from_seed(hashlib.sha256(b"other").digest())
    with pytest.raises(UnverifiedNoteError):
        open_checkpoint(sign_checkpoint(CP, ORIGIN, other), LOG_KEY, ED25519)


def test_tampered_checkpoint_is_an_invalid_signature() -> None:
    note = sign_checkpoint(CP, ORIGIN, LOG).replace("\n1234\n", "\n1235\n")
    with pytest.raises(InvalidSignatureError):
        open_checkpoint(note, LOG_KEY, ED25519)


def test_signed_but_malformed_body_is_refused() -> None:
    note = sign_note(f"{ORIGIN}\n012\n{ROOT_B64}\n", ORIGIN, LOG)
    with pytest.raises(CheckpointError, match="size"):
        open_checkpoint(note, LOG_KEY, ED25519)


def test_malformed_note_is_refused() -> None:
    with pytest.raises(MalformedNoteError):
        open_checkpoint(CP.body(), LOG_KEY, ED25519)


def test_witness_key_cannot_stand_for_the_log() -> None:
    as_witness = VerifierKey.from_public_key(ORIGIN, LOG.public_key, ALG_COSIGNATURE_V1)
    with pytest.raises(ValueError, match="type 0x01"):
        open_checkpoint(sign_checkpoint(CP, ORIGIN, LOG), as_witness, ED25519)
