"""Ed25519 keys: with the rest of keys/, the only code that touches cryptography's hazmat."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PUBLIC_KEY_SIZE = 32
SIGNATURE_SIZE = 64


def key_id(public_key: bytes) -> str:
    """An official's key id: SHA-256 of the raw public key, first 16 bytes, as hex (DESIGN.md)."""
    if len(public_key) != PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
    return hashlib.sha256(public_key).digest()[:16].hex()


class Ed25519SigningKey:
    """A private signing key; satisfies ledger.protocols.Signer."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @classmethod
    def generate(cls) -> Ed25519SigningKey:
        """A fresh random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519SigningKey:
        """The key whose 32-byte private seed is given (tests, vectors, deterministic demos)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self._public

    @property
    def key_id(self) -> str:
        """The official-key id of this key (hex)."""
        return key_id(self._public)

    def seed(self) -> bytes:
        """The raw 32-byte private seed; handle with care."""
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of message."""
        return self._key.sign(message)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The cryptography object, for PKCS#8 serialisation inside keys/."""
        return self._key


@lru_cache(maxsize=4096)
def _load_public(public_key: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public_key)


class Ed25519Verifier:
    """Verifies Ed25519 signatures; satisfies ledger.protocols.SignatureVerifier."""

    def verify(self, public_key: bytes, signature: bytes, message: bytes) -> bool:
        """True only for a valid signature; any malformed key or signature is simply False."""
        if len(public_key) != PUBLIC_KEY_SIZE or len(signature) != SIGNATURE_SIZE:
            return False
        try:
            _load_public(bytes(public_key)).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


ED25519 = Ed25519Verifier()
