"""Telling two checkpoints of one log apart from a fork, as a verifier holding both can.

Two checkpoints signed by the same log key are one history only if the smaller tree is a prefix
of the larger: the same root at the same size, or a consistency proof between them. Anything
else is a split view, and the two signed checkpoints are themselves the proof of it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.merkle import ConsistencyProofError, verify_consistency
from ledger.note import VerifierKey
from ledger.protocols import SignatureVerifier


class ForkDetected(Exception):
    """Two checkpoints signed by the log's key that no single history explains."""


def check_one_history(
    first: str,
    second: str,
    log_key: VerifierKey,
    verifier: SignatureVerifier,
    proof: Sequence[bytes] | None = None,
) -> tuple[Checkpoint, Checkpoint]:
    """Open both checkpoints under log_key; raise ForkDetected unless one extends the other.

    For different sizes, proof is the consistency proof from the smaller to the larger (from the
    log, or from whoever claims they agree); without one nothing can be concluded (ValueError).
    Returns them smaller first.
    """
    a = open_checkpoint(first, log_key, verifier)
    b = open_checkpoint(second, log_key, verifier)
    if a.origin != b.origin:
        raise ValueError(f"the checkpoints are of two logs: {a.origin!r} and {b.origin!r}")
    small, large = (a, b) if a.size <= b.size else (b, a)
    if small.size == large.size:
        if small.root != large.root:
            raise ForkDetected(
                f"{a.origin} signed two roots for size {a.size}: {_b64(a.root)} and {_b64(b.root)}"
            )
        return small, large
    if small.size == 0:
        return small, large
    if proof is None:
        raise ValueError(
            f"sizes {small.size} and {large.size} differ: a consistency proof is needed"
        )
    try:
        verify_consistency(small.size, large.size, proof, small.root, large.root)
    except ConsistencyProofError as exc:
        raise ForkDetected(
            f"{a.origin} at size {large.size} does not extend its checkpoint at size "
            f"{small.size}: {exc}"
        ) from None
    return small, large


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
