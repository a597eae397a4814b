"""tlog-proof@v1 receipts: exact format, strict parsing, and offline verification."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import pytest

from keys.ed25519 import ED25519, Ed25519SigningKey
from ledger import merkle
from ledger.checkpoint import Checkpoint, CheckpointError, sign_checkpoint
from ledger.note import (
    InvalidSignatureError,
    UnverifiedNoteError,
    VerifierKey,
    append_signature_line,
    cosign,
)
from ledger.tlog_proof import (
    HEADER,
    MAX_PROOF_HASHES,
    TlogProof,
    TlogProofError,
    format_tlog_proof,
    parse_tlog_proof,
    verify_tlog_proof,
)

ORIGIN = "xa.example.vn/log"
LOG = Ed25519SigningKey.from_seed(hashlib.sha256(b"tlog-proof log").digest())
LOG_KEY = VerifierKey.from_public_key(ORIGIN, LOG.public_key)
H1 = hashlib.sha256(b"hash1").digest()
H2 = hashlib.sha256(b"hash2").digest()
B1 = base64.b64encode(H1).decode()
B2 = base64.b64encode(H2).decode()
NOTE = "checkpoint\n"  # formatting and parsing keep the note verbatim, unverified


# --- a tiny RFC 6962 tree, so these tests do not depend on ledger.merkle ---------------------


def _leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return _node(_root(leaves[:k]), _root(leaves[k:]))


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*_path(m, leaves[:k]), _root(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _root(leaves[:k])]


def _verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


ENTRIES = [f"event {i}".encode() for i in range(7)]
LEAVES = [_leaf(e) for e in ENTRIES]
CP = Checkpoint(ORIGIN, len(ENTRIES), _root(LEAVES))
SIGNED = sign_checkpoint(CP, ORIGIN, LOG)


def _receipt(index: int, note: str = SIGNED, extra: bytes | None = None) -> str:
    return format_tlog_proof(index, _path(index, LEAVES), note, extra)


def _verify(text: str, entry: bytes, **kwargs: object) -> tuple[TlogProof, Checkpoint]:
    return verify_tlog_proof(
        text,
        entry,
        LOG_KEY,
        ED25519,
        leaf_hash=_leaf,
        verify_inclusion=_verify_inclusion,
        **kwargs,  # type: ignore[arg-type]
    )


# --- format and parse ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proof", "want"),
    [
        (TlogProof(5, (H1, H2), NOTE), f"{HEADER}\nindex 5\n{B1}\n{B2}\n\ncheckpoint\n"),
        (
            TlogProof(10, (H1,), NOTE, b"extra information"),
            f"{HEADER}\nextra {base64.b64encode(b'extra information').decode()}\n"
            f"index 10\n{B1}\n\ncheckpoint\n",
        ),
        (TlogProof(0, (), NOTE), f"{HEADER}\nindex 0\n\ncheckpoint\n"),
    ],
    ids=["no-extra", "extra", "no-hashes"],
)
def test_format_is_exact_and_parses_back(proof: TlogProof, want: str) -> None:
    text = format_tlog_proof(proof.index, proof.hashes, proof.checkpoint, proof.extra)
    assert text == want
    assert proof.format() == want
    assert parse_tlog_proof(text) == proof


def test_signed_checkpoint_with_cosignatures_is_kept_verbatim() -> None:
    witness = Ed25519SigningKey.from_seed(hashlib.sha256(b"w").digest())
    note = append_signature_line(SIGNED, cosign(CP.body(), "tinh.example.vn/w", witness, 9))
    parsed = parse_tlog_proof(_receipt(3, note))
    assert parsed.checkpoint == note
    assert parsed.index == 3
    assert list(parsed.hashes) == _path(3, LEAVES)


def test_parse_the_spec_example_head() -> None:
    text = (
        "c2sp.org/tlog-proof@v1\n"
        "index 73894\n"
        "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\n"
        "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n"
        "\n"
        "example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
        "\n"
        "\u2014 example.com/fancylog hI2DJw==\n"
    )
    proof = parse_tlog_proof(text)
    assert proof.index == 73894
    assert len(proof.hashes) == 2
    assert proof.checkpoint.startswith("example.com/fancylog\n109482\n")
    assert proof.extra is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no empty line"),
        (f"{HEADER}\nindex 0\ncheckpoint\n", "no empty line"),
        (f"{HEADER}\nindex 0\n\n", "checkpoint note"),
        (f"{HEADER}\nindex 0\n\ncheckpoint", "checkpoint note"),
        (f"c2sp.org/tlog-proof@v2\nindex 0\n\n{NOTE}", "first line"),
        (f"{HEADER} \nindex 0\n\n{NOTE}", "first line"),
        (f"\n{HEADER}\nindex 0\n\n{NOTE}", "first line"),
        (f"{HEADER}\n\n{NOTE}", "missing 'index"),
        (f"{HEADER}\n{B1}\n\n{NOTE}", "missing 'index"),
        (f"{HEADER}\nindex\n\n{NOTE}", "missing 'index"),
        (f"{HEADER}\nIndex 0\n\n{NOTE}", "missing 'index"),
        (f"{HEADER}\nindex  1\n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex 01\n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex -1\n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex 1 \n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex \n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex {2**63}\n\n{NOTE}", "exceeds"),
        (f"{HEADER}\nindex {'9' * 5000}\n\n{NOTE}", "leading zeros"),
        (f"{HEADER}\nindex 0\nextra AQ==\n\n{NOTE}", "proof hash 0"),  # extra after index
        (f"{HEADER}\nextra AQ==\nextra AQ==\nindex 0\n\n{NOTE}", "missing 'index"),
        (f"{HEADER}\nextra \nindex 0\n\n{NOTE}", "no data"),
        (f"{HEADER}\nextra !!\nindex 0\n\n{NOTE}", "extra line"),
        (f"{HEADER}\nextra AQ\nindex 0\n\n{NOTE}", "extra line"),
        (f"{HEADER}\nextra AR==\nindex 0\n\n{NOTE}", "extra line: non-canonical"),
        (f"{HEADER}\nindex 0\n{B1[:-1]}\n\n{NOTE}", "proof hash 0 .line 3."),
        (f"{HEADER}\nindex 0\n{B1}\n{B2} \n\n{NOTE}", "proof hash 1 .line 4."),
        (f"{HEADER}\nindex 0\n{base64.b64encode(H1[:31]).decode()}\n\n{NOTE}", "31 bytes"),
        (f"{HEADER}\nindex 0\n{B1}\n{base64.b64encode(H1 + H2).decode()}\n\n{NOTE}", "64 bytes"),
        (f"{HEADER}\nindex 0\n" + f"{B1}\n" * (MAX_PROOF_HASHES + 1) + f"\n{NOTE}", "more than"),
    ],
)
def test_malformed_proof_is_refused(text: str, message: str) -> None:
    with pytest.raises(TlogProofError, match=message):
        parse_tlog_proof(text)


def test_max_hashes_is_accepted() -> None:
    hashes = (H1,) * MAX_PROOF_HASHES
    assert parse_tlog_proof(format_tlog_proof(0, hashes, NOTE)).hashes == hashes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, [], NOTE), "outside"),
        ((2**63, [], NOTE), "outside"),
        ((True, [], NOTE), "outside"),
        ((0, [H1[:31]], NOTE), "31 bytes"),
        ((0, [H1] * (MAX_PROOF_HASHES + 1), NOTE), "more than"),
        ((0, [], ""), "checkpoint note"),
        ((0, [], "checkpoint"), "checkpoint note"),
        ((0, [], NOTE, b""), "must not be empty"),
    ],
)
def test_format_refuses_what_it_could_not_parse_back(
    args: tuple[object, ...], message: str
) -> None:
    with pytest.raises(TlogProofError, match=message):
        format_tlog_proof(*args)  # type: ignore[arg-type]


# --- verification ----------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ENTRIES)))
def test_every_entry_verifies_against_the_signed_checkpoint(index: int) -> None:
    proof, cp = _verify(_receipt(index, extra=b"ctx"), ENTRIES[index], origin=ORIGIN)
    assert cp == CP
    assert proof.index == index
    assert proof.extra == b"ctx"


def test_other_entry_does_not_verify() -> None:
    with pytest.raises(TlogProofError, match="does not verify"):
        _verify(_receipt(2), ENTRIES[3])


def test_wrong_index_does_not_verify() -> None:
    text = _receipt(2).replace("index 2\n", "index 3\n")
    with pytest.raises(TlogProofError, match="does not verify"):
        _verify(text, ENTRIES[2])


def test_flipped_proof_hash_does_not_verify() -> None:
    proof = parse_tlog_proof(_receipt(4))
    bad = (bytes([proof.hashes[0][0] ^ 1]) + proof.hashes[0][1:], *proof.hashes[1:])
    with pytest.raises(TlogProofError, match="does not verify"):
        _verify(format_tlog_proof(4, bad, SIGNED), ENTRIES[4])


def test_index_beyond_the_tree_is_refused() -> None:
    with pytest.raises(TlogProofError, match="not below the tree size"):
        _verify(format_tlog_proof(len(ENTRIES), [], SIGNED), b"x")


def test_checkpoint_from_another_log_is_unverified() -> None:
    other = Ed25519SigningKey.from_seed(hashlib.sha256(b"other").digest())
    with pytest.raises(UnverifiedNoteError):
        _verify(_receipt(1, sign_checkpoint(CP, ORIGIN, other)), ENTRIES[1])


def test_tampered_checkpoint_is_invalid() -> None:
    forged = Checkpoint(ORIGIN, CP.size, _root([*LEAVES[:-1], _leaf(b"forged")]))
    note = SIGNED.replace(CP.body(), forged.body())
    with pytest.raises(InvalidSignatureError):
        _verify(_receipt(1, note), ENTRIES[1])


def test_unexpected_origin_is_refused() -> None:
    with pytest.raises(CheckpointError, match="origin"):
        _verify(_receipt(1), ENTRIES[1], origin="other.example/log")


def test_raising_inclusion_verifier_is_reported_as_a_proof_error() -> None:
    def raising(*_: object) -> None:
        raise ValueError("wrong proof size")

    with pytest.raises(TlogProofError, match="wrong proof size"):
        verify_tlog_proof(
            _receipt(1), ENTRIES[1], LOG_KEY, ED25519, leaf_hash=_leaf, verify_inclusion=raising
        )


@pytest.mark.parametrize("index", range(len(ENTRIES)))
def test_default_verifier_is_ledger_merkle(index: int) -> None:
    # The local tree above and ledger.merkle agree, so each checks the other.
    assert merkle.leaf_hash(ENTRIES[index]) == LEAVES[index]
    proof, cp = verify_tlog_proof(_receipt(index), ENTRIES[index], LOG_KEY, ED25519)
    assert (proof.index, cp) == (index, CP)
    with pytest.raises(TlogProofError, match="root mismatch"):
        verify_tlog_proof(_receipt(index), b"not logged", LOG_KEY, ED25519)


def test_proof_of_wrong_length_is_refused_by_ledger_merkle() -> None:
    text = format_tlog_proof(2, _path(2, LEAVES)[:-1], SIGNED)
    with pytest.raises(TlogProofError, match="proof has 2 hashes"):
        verify_tlog_proof(text, ENTRIES[2], LOG_KEY, ED25519)
