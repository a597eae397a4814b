"""C2SP tlog-proof (c2sp.org/tlog-proof@v1): an offline receipt that an entry is in the log.

c2sp.org/tlog-proof@v1
extra <base64>            (optional, unauthenticated)
index <decimal>
<base64 hash>             (zero or more: the RFC 6962 inclusion proof, leaf side first)
<empty line>
<the signed checkpoint note, verbatim, with any cosignatures>
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ledger import merkle
from ledger.checkpoint import HASH_SIZE, Checkpoint, open_checkpoint
from ledger.note import MAX_NOTE_SIZE, VerifierKey, b64decode_strict
from ledger.protocols import SignatureVerifier

HEADER = "c2sp.org/tlog-proof@v1"
# An index below 2^63 needs at most 63 proof hashes.
MAX_PROOF_HASHES = 63
MAX_INDEX = 2**63 - 1
MAX_TLOG_PROOF_SIZE = 2 * MAX_NOTE_SIZE
_DECIMAL = re.compile(r"0|[1-9][0-9]*")

LeafHasher = Callable[[bytes], bytes]
# verify_inclusion(leaf_hash, index, size, proof, root), as ledger.merkle's: it raises a
# ValueError (or returns False) when the proof fails.
InclusionVerifier = Callable[[bytes, int, int, Sequence[bytes], bytes], object]


class TlogProofError(ValueError):
    """A tlog-proof is malformed or does not prove the entry."""


@dataclass(frozen=True)
class TlogProof:
    """A parsed tlog-proof: entry index, inclusion proof, checkpoint note and extra data."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def format(self) -> str:
        """This proof in the tlog-proof@v1 text format."""
        return format_tlog_proof(self.index, self.hashes, self.checkpoint, self.extra)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def format_tlog_proof(
    index: int, proof: Sequence[bytes], checkpoint_note: str, extra: bytes | None = None
) -> str:
    """Write a tlog-proof@v1 for the entry at index, its inclusion proof and signed checkpoint."""
    if isinstance(index, bool) or not 0 <= index <= MAX_INDEX:
        raise TlogProofError(f"index {index} is outside 0..2^63-1")
    if len(proof) > MAX_PROOF_HASHES:
        raise TlogProofError(f"{len(proof)} proof hashes, more than {MAX_PROOF_HASHES}")
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise TlogProofError(f"proof hash {i} is {len(h)} bytes, expected 32")
    if not checkpoint_note or not checkpoint_note.endswith("\n"):
        raise TlogProofError("checkpoint note must be non-empty and end with a newline")
    lines = [HEADER]
    if extra is not None:
        # "extra " followed by nothing would be ambiguous with a missing line.
        if not extra:
            raise TlogProofError("extra data, when given, must not be empty")
        lines.append(f"extra {_b64(extra)}")
    lines.append(f"index {index}")
    lines.extend(_b64(h) for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint_note


def parse_tlog_proof(text: str) -> TlogProof:
    """Parse a tlog-proof@v1 strictly; the checkpoint note is kept verbatim, not yet verified."""
    if len(text) > MAX_TLOG_PROOF_SIZE:
        raise TlogProofError(f"tlog-proof is longer than {MAX_TLOG_PROOF_SIZE} characters")
    # The head has no empty line, so the first blank line ends it; the note follows verbatim.
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise TlogProofError("no empty line between the proof and the checkpoint")
    if not checkpoint or not checkpoint.endswith("\n"):
        raise TlogProofError("checkpoint note must be non-empty and end with a newline")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise TlogProofError(f"first line must be {HEADER!r}, got {lines[0]!r}")
    pos = 1
    extra: bytes | None = None
    if pos < len(lines) and lines[pos].startswith("extra "):
        try:
            extra = b64decode_strict(lines[pos][len("extra ") :])
        except ValueError as exc:
            raise TlogProofError(f"extra line: {exc}") from None
        if not extra:
            raise TlogProofError("extra line carries no data")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        raise TlogProofError("missing 'index <n>' line")
    index_text = lines[pos][len("index ") :]
    if not _DECIMAL.fullmatch(index_text) or len(index_text) > 19:
        raise TlogProofError(f"index must be decimal without leading zeros: {index_text!r}")
    index = int(index_text)
    if index > MAX_INDEX:
        raise TlogProofError(f"index {index} exceeds 2^63-1")
    hash_lines = lines[pos + 1 :]
    if len(hash_lines) > MAX_PROOF_HASHES:
        raise TlogProofError(f"{len(hash_lines)} proof hashes, more than {MAX_PROOF_HASHES}")
    hashes = []
    for i, line in enumerate(hash_lines):
        try:
            h = b64decode_strict(line)
        except ValueError as exc:
            raise TlogProofError(f"proof hash {i} (line {pos + 2 + i}): {exc}") from None
        if len(h) != HASH_SIZE:
            raise TlogProofError(
                f"proof hash {i} (line {pos + 2 + i}) is {len(h)} bytes, expected 32"
            )
        hashes.append(h)
    return TlogProof(index, tuple(hashes), checkpoint, extra)


def verify_tlog_proof(
    text: str,
    entry: bytes,
    log_key: VerifierKey,
    verifier: SignatureVerifier,
    *,
    origin: str | None = None,
    leaf_hash: LeafHasher | None = None,
    verify_inclusion: InclusionVerifier | None = None,
) -> tuple[TlogProof, Checkpoint]:
    """Verify that entry is in the log: checkpoint signed by log_key, then the inclusion proof."""
    leaf_hash = leaf_hash or merkle.leaf_hash
    verify_inclusion = verify_inclusion or merkle.verify_inclusion
    proof = parse_tlog_proof(text)
    cp = open_checkpoint(proof.checkpoint, log_key, verifier, origin=origin)
    if proof.index >= cp.size:
        raise TlogProofError(f"index {proof.index} is not below the tree size {cp.size}")
    try:
        ok = verify_inclusion(leaf_hash(entry), proof.index, cp.size, proof.hashes, cp.root)
    except ValueError as exc:
        raise TlogProofError(f"inclusion proof does not verify: {exc}") from exc
    if ok is False:
        raise TlogProofError("inclusion proof does not verify against the checkpoint root")
    return proof, cp
