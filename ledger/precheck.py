"""Checking a batch's signatures on two threads before the statements are applied in order.

Ed25519 verification releases the GIL (cryptography 50), so a second thread doubles the rate
of the step that dominates a bulk submission. Statements are still applied one by one, in
order, against the registry as it stands at each; a precomputed answer is used only for the
same key, signature and bytes, and anything not precomputed (say, a key enrolled earlier in
the same batch) is verified then, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from ledger.protocols import SignatureVerifier
from ledger.statement import SignedStatement, signing_message

# Below this, a thread hand-off costs more than it saves.
MIN_BATCH = 8

Check = tuple[bytes, bytes, bytes]  # public key, signature, message


class PrecheckedVerifier:
    """A SignatureVerifier that answers from a batch's precomputed results when it can."""

    def __init__(
        self, inner: SignatureVerifier, known: dict[tuple[bytes, bytes], tuple[bytes, bool]]
    ):
        self.inner = inner
        self.known = known

    def verify(self, public_key: bytes, signature: bytes, message: bytes) -> bool:
        """The precomputed answer for exactly these inputs, else a fresh verification."""
        found = self.known.get((public_key, signature))
        if found is not None and found[0] == message:
            return found[1]
        return self.inner.verify(public_key, signature, message)


class BatchPrechecker:
    """Verifies the signatures of a batch on the caller's thread and one more."""

    def __init__(self, verifier: SignatureVerifier) -> None:
        self.verifier = verifier
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canbo-verify")

    def prepare(
        self,
        statements: Sequence[SignedStatement],
        public_key_of: Callable[[str], bytes | None],
        origin: str,
    ) -> SignatureVerifier:
        """A verifier primed with the answers for every statement whose key is known now."""
        if len(statements) < MIN_BATCH:
            return self.verifier
        checks: list[Check] = []
        for signed in statements:
            public_key = public_key_of(signed.statement.signer)
            if public_key is not None:
                message = signing_message(signed.raw, origin)
                checks.append((public_key, signed.signature, message))
        half = len(checks) // 2
        other = self._pool.submit(self._run, checks[half:])
        results = self._run(checks[:half]) + other.result()
        known = {(p, s): (m, ok) for (p, s, m), ok in zip(checks, results, strict=True)}
        return PrecheckedVerifier(self.verifier, known)

    def _run(self, checks: Sequence[Check]) -> list[bool]:
        return [self.verifier.verify(p, s, m) for p, s, m in checks]

    def close(self) -> None:
        """Stop the helper thread."""
        self._pool.shutdown(wait=False)
