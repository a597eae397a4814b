"""HPKE sealing (RFC 9180) of reports: to the handling committee's or the protection key.

Default suite: ML-KEM-768+X25519 (hybrid post-quantum: a report must stay secret for decades),
HKDF-SHA256, ChaCha20-Poly1305; X25519 alone is the configurable fallback. A public key travels
as text, `mlkem768x25519:<base64>` or `x25519:<base64>`, so a reporter's machine can seal to it.
Private keys are derived from a 32-byte secret held in the vault, so nothing new is stored.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.ed25519 import Ed25519SigningKey
from keys.receipts import new_receipt_code, receipt_locator

HYBRID = "mlkem768x25519"
CLASSIC = "x25519"
_SUITES = {
    HYBRID: hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305),
    CLASSIC: hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305),
}
_MLKEM_PUBLIC = 1184


class SealingError(Exception):
    """A public key or sealed text that is not what it should be."""


@dataclass(frozen=True)
class SealingKey:
    """An HPKE key pair of one of the two suites."""

    kem: str
    private: Any
    public: Any
    public_raw: bytes

    def public_text(self) -> str:
        """The public key as text: `<kem>:<base64>`."""
        return f"{self.kem}:{base64.b64encode(self.public_raw).decode()}"

    def open(self, sealed: bytes, info: bytes) -> bytes:
        """The plaintext of a text sealed to this key; SealingError if it does not open."""
        try:
            return _SUITES[self.kem].decrypt(sealed, self.private, info=info)
        except (InvalidTag, ValueError) as exc:
            raise SealingError(f"the sealed text does not open with this key: {exc}") from None


def key_from_secret(secret: bytes, kem: str = HYBRID) -> SealingKey:
    """The key pair derived from a 32-byte secret (the same secret gives the same pair)."""
    if kem not in _SUITES:
        raise SealingError(f"unknown KEM {kem!r}; use {HYBRID} or {CLASSIC}")
    material = HKDF(hashes.SHA256(), 96, salt=None, info=b"canbo-ledger/hpke/" + kem.encode())
    seed = material.derive(secret)
    classic = x25519.X25519PrivateKey.from_private_bytes(seed[64:])
    classic_public = classic.public_key().public_bytes_raw()
    if kem == CLASSIC:
        return SealingKey(kem, classic, classic.public_key(), classic_public)
    quantum = mlkem.MLKEM768PrivateKey.from_seed_bytes(seed[:64])
    quantum_public = quantum.public_key()
    public = hpke.MLKEM768X25519PublicKey(quantum_public, classic.public_key())
    private = hpke.MLKEM768X25519PrivateKey(quantum, classic)
    return SealingKey(kem, private, public, quantum_public.public_bytes_raw() + classic_public)


def seal(public_text: str, plaintext: bytes, info: bytes) -> bytes:
    """Seal plaintext to a public key given as text."""
    kem, _, encoded = public_text.partition(":")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SealingError("the public key is not base64") from None
    if kem == CLASSIC and len(raw) == 32:
        public: Any = x25519.X25519PublicKey.from_public_bytes(raw)
    elif kem == HYBRID and len(raw) == _MLKEM_PUBLIC + 32:
        public = hpke.MLKEM768X25519PublicKey(
            mlkem.MLKEM768PublicKey.from_public_bytes(raw[:_MLKEM_PUBLIC]),
            x25519.X25519PublicKey.from_public_bytes(raw[_MLKEM_PUBLIC:]),
        )
    else:
        raise SealingError(f"not a sealing public key: {public_text[:40]}…")
    return _SUITES[kem].encrypt(plaintext, public, info=info)


class ReportKeys:
    """The committee and protection keys, derived from vault secrets (see ledger.reports.keys)."""

    def __init__(self, secret: Any, kem: str = HYBRID) -> None:
        self.committee = key_from_secret(secret("report-committee"), kem)
        self.protection = key_from_secret(secret("report-protection"), kem)
        self._receipt_salt: bytes = secret("receipt-salt")
        self._intake = Ed25519SigningKey.from_seed(secret("intake-signing"))

    @property
    def intake_signer(self) -> Ed25519SigningKey:
        """The custodial Ed25519 key that signs anonymous intake statements."""
        return self._intake

    def seal_to(self, public_text: str, plaintext: bytes, info: bytes) -> bytes:
        """Seal plaintext to a public key given as text."""
        return seal(public_text, plaintext, info)

    def new_receipt(self) -> str:
        """A fresh receipt code."""
        return new_receipt_code()

    def receipt_locator(self, code: str) -> str:
        """The stored hash of a receipt code."""
        return receipt_locator(code, self._receipt_salt)

    def committee_public(self) -> str:
        """The handling committee's public key as text."""
        return self.committee.public_text()

    def protection_public(self) -> str:
        """The identity-protection public key as text."""
        return self.protection.public_text()

    def open_committee(self, sealed: bytes, info: bytes) -> bytes:
        """Open a text sealed to the committee key."""
        return self.committee.open(sealed, info)

    def open_protection(self, sealed: bytes, info: bytes) -> bytes:
        """Open a text sealed to the protection key."""
        return self.protection.open(sealed, info)
