"""The C2SP tlog-witness wire format of `add-checkpoint` (c2sp.org/tlog-witness).

Request body: ``old <size>\\n``, zero to 63 base64 consistency-proof lines, an empty line, then
the signed checkpoint note. A 409 answer carries the witness's size as ``<size>\\n`` with the
content type ``text/x.tlog.size``; a 200 answer is one or more note signature lines.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.merkle import HASH_SIZE
from ledger.note import MAX_NOTE_SIZE, b64decode_strict

ADD_CHECKPOINT_PATH = "add-checkpoint"
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63  # the spec's bound: a proof between sizes below 2^63 is never longer
MAX_SIZE = 2**63 - 1
# A checkpoint note with up to 100 signatures is a few KiB; the note module's bound plus the
# proof is the most a request can legitimately need.
MAX_REQUEST_BYTES = MAX_NOTE_SIZE + 16 + MAX_PROOF_LINES * 46
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


class RequestFormatError(ValueError):
    """An add-checkpoint body that does not follow the format."""


@dataclass(frozen=True)
class AddCheckpoint:
    """One add-checkpoint request: the client's idea of the witness's size, proof and note."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim

    def body(self) -> bytes:
        """The request body as sent on the wire."""
        return format_add_checkpoint(self.old_size, self.proof, self.checkpoint)


def parse_size(text: str, what: str) -> int:
    """A tree size written in decimal without leading zeros, at most 2^63 - 1."""
    if not _DECIMAL.fullmatch(text) or int(text) > MAX_SIZE:
        raise RequestFormatError(
            f"{what} must be a decimal size without leading zeros below 2^63, got {text[:40]!r}"
        )
    return int(text)


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], checkpoint: str) -> bytes:
    """The add-checkpoint body for a checkpoint note, old size and consistency proof."""
    if not 0 <= old_size <= MAX_SIZE:
        raise ValueError(f"old size {old_size} is outside 0..2^63-1")
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"{len(proof)} proof hashes, more than {MAX_PROOF_LINES}")
    lines = [f"old {old_size}"] + [base64.b64encode(h).decode("ascii") for h in proof]
    return ("\n".join(lines) + "\n\n" + checkpoint).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse an add-checkpoint body strictly; the note itself is checked by the witness."""
    if len(body) > MAX_REQUEST_BYTES:
        raise RequestFormatError(f"the request is {len(body)} bytes, more than {MAX_REQUEST_BYTES}")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestFormatError("the request body is not UTF-8") from None
    head, sep, checkpoint = text.partition("\n\n")
    if not sep:
        raise RequestFormatError("no empty line between the old size and proof and the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise RequestFormatError(f"the first line must be 'old <size>', got {lines[0][:40]!r}")
    old_size = parse_size(lines[0][len("old ") :], "the old size")
    proof_lines = lines[1:]
    if len(proof_lines) > MAX_PROOF_LINES:
        raise RequestFormatError(
            f"{len(proof_lines)} consistency proof lines, more than {MAX_PROOF_LINES}"
        )
    proof = []
    for i, line in enumerate(proof_lines, start=1):
        try:
            value = b64decode_strict(line)
        except ValueError as exc:
            raise RequestFormatError(f"proof line {i}: {exc}") from None
        if len(value) != HASH_SIZE:
            raise RequestFormatError(f"proof line {i} is {len(value)} bytes, expected {HASH_SIZE}")
        proof.append(value)
    if not checkpoint:
        raise RequestFormatError("the checkpoint after the empty line is missing")
    return AddCheckpoint(old_size, tuple(proof), checkpoint)


def parse_size_response(body: bytes) -> int:
    """The witness's size from a 409 body (``<size>\\n``)."""
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise RequestFormatError("the 409 body is not ASCII") from None
    if not text.endswith("\n"):
        raise RequestFormatError(f"the 409 body must be a size and a newline, got {text[:40]!r}")
    return parse_size(text[:-1], "the witness's size in the 409 body")
