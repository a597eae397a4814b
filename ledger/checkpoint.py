"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed tree head of the log.

The body is the origin line, the tree size in decimal, the base64 RFC 6962 root hash, then
optional non-empty extension lines; every line ends in a newline. It is signed as a note.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from ledger.note import (
    ALG_ED25519,
    MAX_NOTE_SIZE,
    VerifierKey,
    b64decode_strict,
    open_note,
    sign_note,
)
from ledger.protocols import SignatureVerifier, Signer

HASH_SIZE = 32
MAX_TREE_SIZE = 2**63 - 1  # Go and most tlog code keep sizes in int64
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class CheckpointError(ValueError):
    """A checkpoint body is malformed, or is not the checkpoint that was expected."""


def _check_line(what: str, line: str) -> None:
    if not line:
        raise CheckpointError(f"checkpoint {what} is empty")
    if "\n" in line:
        raise CheckpointError(f"checkpoint {what} contains a newline")
    for c in line:
        if c < " ":
            raise CheckpointError(f"checkpoint {what} contains control character U+{ord(c):04X}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size and root hash, plus opaque extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The origin is only required to be non-empty; clients must not assume a URL form.
        _check_line("origin (line 1)", self.origin)
        if isinstance(self.size, bool) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint size {self.size} is outside 0..2^63-1")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError(f"checkpoint root is {len(self.root)} bytes, expected 32")
        for i, ext in enumerate(self.extensions, start=4):
            _check_line(f"extension (line {i})", ext)

    def body(self) -> str:
        """The note text: origin, size, base64 root and extension lines, each ending in \\n."""
        root = base64.b64encode(self.root).decode("ascii")
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a checkpoint body strictly; the error names the offending line."""
        if len(body) > MAX_NOTE_SIZE:
            raise CheckpointError(f"checkpoint is longer than {MAX_NOTE_SIZE} characters")
        if not body.endswith("\n"):
            raise CheckpointError("checkpoint must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(f"checkpoint has {len(lines)} lines, needs at least 3")
        origin, size_text, root_text, *extensions = lines
        _check_line("origin (line 1)", origin)
        if not _DECIMAL.fullmatch(size_text):
            raise CheckpointError(
                f"checkpoint size (line 2) must be decimal without leading zeros: {size_text!r}"
            )
        if len(size_text) > 19:  # longer cannot fit in int64; spare int() a huge string
            raise CheckpointError(f"checkpoint size (line 2) is too large: {size_text!r}")
        try:
            root = b64decode_strict(root_text)
        except ValueError as exc:
            raise CheckpointError(f"checkpoint root (line 3): {exc}") from None
        if len(root) != HASH_SIZE:
            raise CheckpointError(f"checkpoint root (line 3) is {len(root)} bytes, expected 32")
        return cls(origin, int(size_text), root, tuple(extensions))


def sign_checkpoint(cp: Checkpoint, log_name: str, signer: Signer) -> str:
    """The checkpoint as a signed note by the log key named log_name (by convention the origin)."""
    return sign_note(cp.body(), log_name, signer)


def open_checkpoint(
    note: str | bytes,
    log_key: VerifierKey,
    verifier: SignatureVerifier,
    *,
    origin: str | None = None,
) -> Checkpoint:
    """Verify the log's signature on a checkpoint note and parse it; check origin if given."""
    if log_key.alg != ALG_ED25519:
        raise ValueError(f"log key must have type 0x01, got 0x{log_key.alg:02x}")
    opened = open_note(note, [log_key], verifier)
    cp = Checkpoint.parse(opened.text)
    if origin is not None and cp.origin != origin:
        raise CheckpointError(f"checkpoint origin is {cp.origin!r}, expected {origin!r}")
    return cp
