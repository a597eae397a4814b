"""Known-answer tests: every vector of tests/vectors/signed-note.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keys.ed25519 import ED25519, Ed25519SigningKey
from ledger.note import (
    ALG_ED25519,
    VerifierKey,
    VerifierKeyError,
    note_key_id,
    open_note,
    parse_private_key,
    sign_note,
)

VECTORS_FILE = Path(__file__).resolve().parents[1] / "vectors" / "signed-note.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
VALID = [v for v in VECTORS if v["valid"]]
INVALID = [v for v in VECTORS if not v["valid"]]
SIGNING = [v for v in VECTORS if "skey" in v]


def test_the_file_holds_what_the_readme_promises() -> None:
    assert len(VALID) == 2
    assert len(INVALID) == 2
    assert len(SIGNING) == 1


@pytest.mark.parametrize("vector", VALID, ids=lambda v: v["vkey"].split("+")[0])
def test_valid_note_opens_with_its_vkey(vector: dict[str, Any]) -> None:
    key = VerifierKey.parse(vector["vkey"])
    assert key.format() == vector["vkey"]
    assert key.key_id == note_key_id(key.name, ALG_ED25519, key.public_key)

    opened = open_note(vector["note"], [key], ED25519)

    assert opened.names == (key.name,)
    assert opened.unverified == ()
    assert vector["note"].startswith(opened.text)
    if "text" in vector:
        assert opened.text == vector["text"]


@pytest.mark.parametrize("vector", SIGNING, ids=lambda v: v["vkey"].split("+")[0])
def test_go_signing_vector_is_reproduced_byte_for_byte(vector: dict[str, Any]) -> None:
    name, seed = parse_private_key(vector["skey"])
    signer = Ed25519SigningKey.from_seed(seed)
    # The signer key's id covers the public key: it must be the published verifier key.
    expected = VerifierKey.parse(vector["vkey"])
    assert VerifierKey.from_public_key(name, signer.public_key) == expected
    assert vector["skey"].split("+")[3] == expected.key_id.hex()

    note = sign_note(vector["text"], name, signer)

    assert note.encode("utf-8") == vector["note"].encode("utf-8")


@pytest.mark.parametrize("vector", INVALID, ids=lambda v: v["comment"])
def test_invalid_vkey_is_refused(vector: dict[str, Any]) -> None:
    with pytest.raises(VerifierKeyError) as info:
        VerifierKey.parse(vector["vkey"])
    # The message says what is wrong, as the vector's comment does.
    if "length" in vector["comment"]:
        assert "wrong key length" in str(info.value)
    else:
        assert "unknown signature type 0x65" in str(info.value)
