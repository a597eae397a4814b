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


class PersonalDataVault(Protocol):
    """Seals personal data outside the log under per-subject keys (see keys/vault.py)."""

    def seal(self, subject: str, commitment: str, plaintext: bytes) -> bool:
        """Store plaintext for subject, sealed under the subject's key; False if it was
        already stored under that commitment."""
        ...

    def open(self, subject: str, commitment: str) -> bytes | None:
        """The plaintext, or None if it was never sealed or has been erased."""
        ...

    def discard(self, subject: str, commitment: str) -> None:
        """Drop one sealed item whose statement was not recorded."""
        ...

    def erase(self, subject: str) -> None:
        """Destroy the subject's key and sealed data."""
        ...

    def blind_index(self, value: str) -> str:
        """A keyed index of value, matched without revealing it."""
        ...


class SealingKeys(Protocol):
    """The report keys (keys/sealing.py): public texts to seal to, and opening."""

    def committee_public(self) -> str:
        """The handling committee's HPKE public key as text."""
        ...

    def protection_public(self) -> str:
        """The identity-protection HPKE public key as text."""
        ...

    def open_committee(self, sealed: bytes, info: bytes) -> bytes:
        """Open a text sealed to the committee key."""
        ...

    def open_protection(self, sealed: bytes, info: bytes) -> bytes:
        """Open a text sealed to the protection key."""
        ...

    def seal_to(self, public_text: str, plaintext: bytes, info: bytes) -> bytes:
        """Seal plaintext to a public key given as text."""
        ...

    def new_receipt(self) -> str:
        """A fresh receipt code for a reporter."""
        ...

    def receipt_locator(self, code: str) -> str:
        """The stored (Argon2id) hash of a receipt code."""
        ...

    @property
    def intake_signer(self) -> Signer:
        """The server's custodial key that signs anonymous intake."""
        ...
