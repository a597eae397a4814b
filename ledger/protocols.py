"""The small doors through which the ledger uses keys without touching cryptography itself."""

from __future__ import annotations

from typing import Protocol


class Signer(Protocol):
    """An Ed25519 private key held by an official, the log or a witness."""

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of message."""
        ...


class SignatureVerifier(Protocol):
    """Checks Ed25519 signatures given raw public keys."""

    def verify(self, public_key: bytes, signature: bytes, message: bytes) -> bool:
        """True if signature is a valid Ed25519 signature of message under public_key."""
        ...
