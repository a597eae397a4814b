"""One add-checkpoint exchange with a witness, from the log's side, over HTTP.

A 409 names the size the witness holds: the request is sent again once from that size (the
spec's way to learn it). A 409 at the very size sent means the witness cosigned another
checkpoint of that size: the log, or someone with its key, showed it a second history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from ledger.note import NoteError, verify_cosignature
from ledger.protocols import SignatureVerifier
from ledger.witness.cosignatures import checkpoint_text
from ledger.witness.log_config import LogWitness
from ledger.witness.protocol import RequestFormatError, format_add_checkpoint, parse_size_response

# proof(old, new): the log's consistency proof between two of its sizes.
ProofSource = Callable[[int, int], Sequence[bytes]]
MAX_RESENDS = 2  # after a 409: enough to learn the witness's size and send from it


@dataclass(frozen=True)
class CosignedBy:
    """The witness cosigned the checkpoint."""

    line: str
    timestamp: int


@dataclass(frozen=True)
class Refused:
    """The witness could not be reached or refused; `known_size` is what it holds, if learnt."""

    message: str
    known_size: int | None = None


def add_checkpoint(
    http: httpx.Client,
    witness: LogWitness,
    *,
    old_size: int,
    size: int,
    note: str,
    proof: ProofSource,
    verifier: SignatureVerifier,
    timeout: float,
) -> tuple[CosignedBy | Refused, int]:
    """Submit the log's checkpoint of `size` to a witness; the outcome and the old size used."""
    text = checkpoint_text(note)
    old = old_size
    for _ in range(MAX_RESENDS + 1):
        if old > size:
            return Refused(
                f"the witness holds size {old}, more than this log's latest {size}: the log lost "
                "leaves, or another log signs with this origin",
                old,
            ), old
        body = format_add_checkpoint(old, proof(old, size) if 0 < old < size else [], note)
        try:
            response = http.post(witness.add_checkpoint_url, content=body, timeout=timeout)
        except httpx.HTTPError as exc:
            return Refused(f"cannot reach {witness.add_checkpoint_url}: {exc!r}"), old
        if response.status_code == 200:
            return _cosignature(response.text, text, witness, verifier), old
        if response.status_code != 409:
            reason = response.text.strip().replace("\n", " ")[:300]
            return Refused(f"HTTP {response.status_code} from the witness: {reason}"), old
        try:
            held = parse_size_response(response.content)
        except RequestFormatError as exc:
            return Refused(f"HTTP 409 from the witness with a malformed size: {exc}"), old
        if held == old:
            return Refused(
                f"HTTP 409 at the size it holds ({held}): the witness cosigned another checkpoint "
                "of that size; the log has shown two histories (see the witness's evidence)",
                held,
            ), old
        old = held
    return Refused(f"the witness's size kept changing (last {old})", old), old


def _cosignature(
    body: str, text: str, witness: LogWitness, verifier: SignatureVerifier
) -> CosignedBy | Refused:
    """The witness's own valid line among the answer's (others are ignored, as the spec says)."""
    key = witness.key
    problems = []
    for line in body.splitlines(keepends=True):
        try:
            timestamp = verify_cosignature(text, line, key, verifier)
        except (NoteError, ValueError) as exc:
            problems.append(str(exc))
            continue
        return CosignedBy(line, timestamp)
    detail = "; ".join(problems[:3]) or "the answer is empty"
    return Refused(f"HTTP 200 but no valid cosignature by {key.format()}: {detail}")
