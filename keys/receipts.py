"""Report receipt codes: 100 random bits, read aloud in groups, stored only as Argon2id hashes.

The code is 20 Crockford base32 characters in five groups (`7KQ2-M9XD-…`); letters that read
alike (O/0, I/L/1) are accepted for one another. Its Argon2id hash, salted with a server secret,
is both what is stored and how the report is found, so a guess costs one Argon2id whatever it
hits.
"""

from __future__ import annotations

import secrets

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
LENGTH = 20  # 100 bits
GROUP = 4
_READ_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_receipt_code() -> str:
    """A fresh receipt code, grouped for reading aloud."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(code: str) -> str:
    """The code's 20 characters, or "" if it cannot be one (still hashed: same timing)."""
    cleaned = "".join(c for c in code.upper() if c not in " -").translate(_READ_ALIKE)
    return cleaned if len(cleaned) == LENGTH and all(c in ALPHABET for c in cleaned) else ""


def receipt_locator(code: str, salt: bytes) -> str:
    """Argon2id (19 MiB, 2 passes: OWASP's minimum) of the normalised code, hex."""
    digest = Argon2id(
        salt=salt[:16], length=32, iterations=2, lanes=1, memory_cost=19 * 1024
    ).derive(normalise(code).encode() or b"\x00invalid")
    return digest.hex()
