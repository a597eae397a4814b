"""Short-lived tokens MACed with a server secret: login challenges and session tokens.

A token is `<base64url claims JSON>.<base64url HMAC-SHA256>`. The MAC covers a context line, the
token's purpose and the claims, so a challenge can never pass as a session or the other way
round; the claims carry the log's origin and an expiry. The secret is 32 random bytes in
DATA_DIR/keys/session.secret, made on first start: servers sharing a data directory share
sessions, and deleting the file ends every session.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

SECRET_FILE = "keys/session.secret"
SECRET_BYTES = 32
_CONTEXT = b"canbo-ledger/token/v1\n"
MAX_TOKEN_CHARS = 2048


class TokenError(Exception):
    """A token that cannot be accepted; `reason` is one of the words below."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # malformed, forged, expired, wrong_origin


def load_or_create_secret(data_dir: Path) -> bytes:
    """The data directory's session secret, created (mode 0600) if absent."""
    path = data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made before, possibly by another server process a moment ago
    else:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(SECRET_BYTES))
            out.flush()
            os.fsync(out.fileno())
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        # A concurrent creator may still be writing: its 32 bytes appear within a moment.
        raise OSError(f"{path} must hold exactly {SECRET_BYTES} bytes; delete it to renew")
    return secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenMinter:
    """Issues and opens tokens for one log (origin) with one secret."""

    def __init__(self, secret: bytes, origin: str) -> None:
        self._secret = secret
        self.origin = origin

    def _mac(self, purpose: str, body: str) -> bytes:
        message = _CONTEXT + purpose.encode("ascii") + b"\n" + body.encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def issue(self, purpose: str, claims: dict[str, Any], expires_at: datetime) -> str:
        """A token for `purpose` carrying claims, good until expires_at."""
        full = {**claims, "origin": self.origin, "exp": int(expires_at.timestamp())}
        body = _b64(orjson.dumps(full, option=orjson.OPT_SORT_KEYS))
        return f"{body}.{_b64(self._mac(purpose, body))}"

    def open(self, purpose: str, token: str, now: datetime) -> dict[str, Any]:
        """The claims of a genuine, unexpired token of `purpose` for this log; TokenError else."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise TokenError("malformed")
        body, mac = token.split(".")
        try:
            given = _unb64(mac)
            claims = orjson.loads(_unb64(body))
        except (binascii.Error, ValueError):
            raise TokenError("malformed") from None
        if not hmac.compare_digest(given, self._mac(purpose, body)):
            raise TokenError("forged")
        if not isinstance(claims, dict) or not isinstance(claims.get("exp"), int):
            raise TokenError("malformed")
        if claims.get("origin") != self.origin:
            raise TokenError("wrong_origin")
        if now >= datetime.fromtimestamp(claims["exp"], UTC):
            raise TokenError("expired")
        return claims
