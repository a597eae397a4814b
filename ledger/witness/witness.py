"""The witness: C2SP tlog-witness `add-checkpoint`, answered with a cosignature/v1.

The checks run in the order the spec gives them, each refusal with its HTTP status: a body that
does not parse (400), an origin the witness does not oversee (404), no valid signature by the
log's key (403), an old size above the checkpoint's (400), an old size other than the stored
one (409, with the stored size), a consistency proof that does not verify (422), and the same
size with another root (409). Only then is the checkpoint stored (compare-and-set, so that of
two requests checked against one state only one wins) and cosigned. A signed checkpoint that
does not extend the stored one is evidence that the log shows different histories: it is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from ledger.checkpoint import Checkpoint, CheckpointError
from ledger.merkle import ConsistencyProofError, verify_consistency
from ledger.note import (
    ALG_COSIGNATURE_V1,
    MalformedNoteError,
    NoteError,
    VerifierKey,
    cosign,
    open_note,
)
from ledger.protocols import SignatureVerifier, Signer
from ledger.witness.protocol import AddCheckpoint, RequestFormatError, parse_add_checkpoint
from ledger.witness.store import LatestCheckpoint, WitnessStore

log = logging.getLogger("canbo.witness")

# Evidence kinds.
INCONSISTENT_PROOF = "inconsistent_proof"
SAME_SIZE_DIFFERENT_ROOT = "same_size_different_root"
# Compare-and-set retries: a lost race re-reads the stored state, which then answers 409.
_MAX_ATTEMPTS = 5


class WitnessRefusal(Exception):
    """A refused add-checkpoint request; `status` is the HTTP status the spec gives."""

    status: ClassVar[int] = 400


class MalformedRequest(WitnessRefusal):
    """The body or the checkpoint does not follow its format."""


class UnknownLog(WitnessRefusal):
    """The checkpoint's origin is not a log this witness oversees."""

    status = 404


class UnverifiedCheckpoint(WitnessRefusal):
    """No signature on the checkpoint verifies under the log's key."""

    status = 403


class SizeConflict(WitnessRefusal):
    """The old size is not the size the witness holds (or the same size has another root)."""

    status = 409

    def __init__(self, message: str, size: int, evidence_id: int | None = None) -> None:
        super().__init__(message)
        self.size = size  # the stored size, which the 409 body carries
        self.evidence_id = evidence_id


class InconsistentCheckpoint(WitnessRefusal):
    """The consistency proof from the stored checkpoint does not verify."""

    status = 422

    def __init__(self, message: str, evidence_id: int | None = None) -> None:
        super().__init__(message)
        self.evidence_id = evidence_id


@dataclass(frozen=True)
class Cosigned:
    """A stored and cosigned checkpoint."""

    origin: str
    size: int
    lines: str  # the response body: the cosignature line(s)


class Witness:
    """Verifies checkpoints of the logs it oversees and cosigns the consistent ones."""

    def __init__(
        self,
        name: str,
        signer: Signer,
        logs: dict[str, Sequence[VerifierKey]],
        store: WitnessStore,
        verifier: SignatureVerifier,
        clock: Callable[[], float],
    ) -> None:
        """name and signer: the cosigner; logs: origin -> trusted log keys; clock: POSIX time."""
        self.name = name
        self.signer = signer
        self.logs = {origin: tuple(keys) for origin, keys in logs.items()}
        self.store = store
        self.verifier = verifier
        self.clock = clock
        self.verifier_key = VerifierKey.from_public_key(name, signer.public_key, ALG_COSIGNATURE_V1)

    def add_checkpoint(self, body: bytes) -> Cosigned:
        """Handle one add-checkpoint request body; raise a WitnessRefusal or return the lines."""
        try:
            request = parse_add_checkpoint(body)
        except RequestFormatError as exc:
            raise MalformedRequest(f"malformed add-checkpoint request: {exc}") from None
        text, cp = self._open(request.checkpoint)
        if request.old_size > cp.size:
            raise MalformedRequest(
                f"old size {request.old_size} is larger than the checkpoint's size {cp.size}"
            )
        for _ in range(_MAX_ATTEMPTS):
            latest = self.store.latest(cp.origin)
            self._check(request, cp, latest)
            now = int(self.clock())
            if self.store.advance(cp.origin, latest, cp.size, cp.root, request.checkpoint, now):
                line = cosign(text, self.name, self.signer, now)
                log.info("cosigned %s at size %d", cp.origin, cp.size)
                return Cosigned(cp.origin, cp.size, line)
        raise SizeConflict(  # pragma: no cover - only under a storm of concurrent updates
            f"the stored checkpoint of {cp.origin} kept changing; retry",
            self._stored_size(cp.origin),
        )

    def _stored_size(self, origin: str) -> int:
        latest = self.store.latest(origin)
        return latest.size if latest is not None else 0

    def _open(self, note: str) -> tuple[str, Checkpoint]:
        """The checkpoint's text and parsed form, once the log's signature verifies."""
        origin = note.split("\n", 1)[0]
        keys = self.logs.get(origin)
        if keys is None:
            raise UnknownLog(f"this witness does not oversee a log with origin {origin[:200]!r}")
        try:
            opened = open_note(note, keys, self.verifier)
        except MalformedNoteError as exc:
            raise MalformedRequest(f"the checkpoint is not a signed note: {exc}") from None
        except NoteError as exc:
            raise UnverifiedCheckpoint(
                f"no valid signature by the log key of {origin}: {exc}"
            ) from None
        try:
            cp = Checkpoint.parse(opened.text)
        except CheckpointError as exc:
            raise MalformedRequest(f"the checkpoint does not parse: {exc}") from None
        return opened.text, cp

    def _check(
        self, request: AddCheckpoint, cp: Checkpoint, latest: LatestCheckpoint | None
    ) -> None:
        """The checks against the stored state, in the spec's order."""
        stored = latest.size if latest is not None else 0
        if request.old_size != stored:
            raise SizeConflict(
                f"old size {request.old_size} is not the size this witness holds for "
                f"{cp.origin}: {stored}",
                stored,
            )
        if latest is None:
            if request.proof:
                raise MalformedRequest("the consistency proof must be empty when the old size is 0")
            return
        if cp.size == latest.size:
            if cp.root != latest.root:
                evidence = self._keep(
                    request, cp, latest, SAME_SIZE_DIFFERENT_ROOT, "same size, different root"
                )
                raise SizeConflict(
                    f"{cp.origin} at size {cp.size} has another root than the checkpoint this "
                    f"witness cosigned at that size: the log shows two histories "
                    f"(evidence {evidence})",
                    stored,
                    evidence,
                )
            if request.proof:
                # The same root again: a wrong proof, but no sign of a second history.
                raise InconsistentCheckpoint(
                    f"the consistency proof between equal sizes ({cp.size}) must be empty, "
                    f"got {len(request.proof)} hashes"
                )
            return
        try:
            verify_consistency(latest.size, cp.size, request.proof, latest.root, cp.root)
        except ConsistencyProofError as exc:
            evidence = self._keep(request, cp, latest, INCONSISTENT_PROOF, str(exc))
            raise InconsistentCheckpoint(
                f"the consistency proof from size {latest.size} to {cp.size} of {cp.origin} "
                f"does not verify: {exc} (evidence {evidence})",
                evidence,
            ) from None

    def _keep(
        self,
        request: AddCheckpoint,
        cp: Checkpoint,
        latest: LatestCheckpoint,
        kind: str,
        reason: str,
    ) -> int:
        evidence = self.store.keep_evidence(
            origin=cp.origin,
            kind=kind,
            reason=reason,
            old_size=request.old_size,
            stored_checkpoint=latest.checkpoint,
            submitted_checkpoint=request.checkpoint,
            proof=request.proof,
            now=int(self.clock()),
        )
        log.error(
            "EVIDENCE %d: %s sent a checkpoint of size %d that does not extend the cosigned "
            "size %d (%s)",
            evidence,
            cp.origin,
            cp.size,
            latest.size,
            reason,
        )
        return evidence
