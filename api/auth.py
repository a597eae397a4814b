"""Sessions of officials: challenge-response login with an enrolled key, and role/unit checks.

Reads beyond the public ones need a session. An official asks for a challenge, signs
`canbo-ledger/login/v1\\n<origin>\\n<challenge>` with their enrolled key (so a login signature can
never pass as a statement signature, nor serve another log), and gets a short-lived session token.
Every request with a token checks again that the key is not revoked: revoking a key ends its
sessions at once, not when the token expires.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from api.tokens import TokenError, TokenMinter
from ledger.errors import BadSignature, LedgerError, UnknownKey
from ledger.protocols import SignatureVerifier
from ledger.registry import ROLES, KeyLookup, KeyRecord, scope_covers

LOGIN_CONTEXT = b"canbo-ledger/login/v1\n"
CHALLENGE = "challenge"
SESSION = "session"
_KEY_ID = re.compile(r"[0-9a-f]{32}")


class AuthError(LedgerError):
    """A request that lacks the session its endpoint needs, or whose session may not do it."""


class Unauthenticated(AuthError):
    """No session token where one is needed."""

    code = "unauthenticated"


class InvalidSession(AuthError):
    """A session token that is malformed, forged, expired, for another log, or of a revoked key."""

    code = "invalid_session"


class InvalidChallenge(AuthError):
    """A login with a challenge this server did not issue, for another key, expired or used."""

    code = "invalid_challenge"


class ForbiddenRole(AuthError):
    """The session's role may not use this endpoint."""

    code = "forbidden_role"


class OutOfScope(AuthError):
    """The session's unit scope does not cover the unit asked about."""

    code = "out_of_scope"


def login_message(origin: str, challenge: str) -> bytes:
    """The bytes an official signs to log in to the log `origin` with `challenge`."""
    return LOGIN_CONTEXT + origin.encode("utf-8") + b"\n" + challenge.encode("ascii")


@dataclass(frozen=True)
class Session:
    """Who is calling: an enrolled key's official, role and unit scope, until `expires_at`."""

    key_id: str
    official_id: str
    role: str
    unit_scope: str
    expires_at: datetime

    def covers(self, unit: str) -> bool:
        """True if the session's unit scope includes unit (a province covers its communes)."""
        return scope_covers(self.unit_scope, unit)

    def require_unit(self, unit: str) -> None:
        """Raise OutOfScope unless the session covers unit."""
        if not self.covers(unit):
            raise OutOfScope(
                f"your scope {self.unit_scope} does not cover unit {unit}",
                f"phạm vi {self.unit_scope} của bạn không bao gồm đơn vị {unit}",
                unit=unit,
                scope=self.unit_scope,
            )


# --- Access rules: what the table in api/access.py says about each endpoint ---------------


@dataclass(frozen=True)
class Public:
    """Anyone may call it; anonymous callers are rate-limited per client address."""

    kind: ClassVar[str] = "public"
    rate_limited: bool = True


@dataclass(frozen=True)
class SignedWrite:
    """Anyone may call it; what it records must carry a valid signature by an enrolled key."""

    kind: ClassVar[str] = "signed"


@dataclass(frozen=True)
class RoleRule:
    """A session of one of `roles`. With `unit`, the request parameter of that name (path or
    query) must name a unit the session's scope covers. `scoped`: the handler answers only
    about units the session covers (what lies outside reads as not found)."""

    roles: frozenset[str]
    unit: str | None = None
    scoped: bool = True
    kind: ClassVar[str] = "session"

    def __post_init__(self) -> None:
        unknown = self.roles - ROLES
        if unknown or not self.roles:
            raise ValueError(f"unknown roles {sorted(unknown)}; known {sorted(ROLES)}")


AccessRule = Public | SignedWrite | RoleRule
ANY_ROLE = ROLES


def require_role(
    roles: frozenset[str] | set[str], *, unit: str | None = None, scoped: bool = True
) -> RoleRule:
    """The rule: a session of one of `roles`, scoped to the unit named by parameter `unit`."""
    return RoleRule(frozenset(roles), unit, scoped)


def check_rule(rule: RoleRule, session: Session, params: dict[str, str]) -> None:
    """Raise ForbiddenRole or OutOfScope unless the session passes the rule for these params."""
    if session.role not in rule.roles:
        allowed = sorted(rule.roles)
        raise ForbiddenRole(
            f"role {session.role} may not do this; allowed: {allowed}",
            f"vai trò {session.role} không được phép; chỉ dành cho: {', '.join(allowed)}",
            role=session.role,
            allowed=allowed,
        )
    if rule.unit is not None and rule.unit in params:
        session.require_unit(params[rule.unit])


# --- Issuing and checking sessions ----------------------------------------------------------


class SessionService:
    """Challenges, logins and session tokens of one log."""

    def __init__(
        self,
        minter: TokenMinter,
        keys: KeyLookup,
        verifier: SignatureVerifier,
        clock: Callable[[], datetime],
        *,
        session_ttl: timedelta,
        challenge_ttl: timedelta,
    ) -> None:
        self.minter = minter
        self.keys = keys
        self.verifier = verifier
        self.clock = clock
        self.session_ttl = session_ttl
        self.challenge_ttl = challenge_ttl
        # Challenges used for a login, until they expire: a captured login cannot be replayed
        # to this process. (Another server process would accept it once within the challenge's
        # minute; the session it gets is the one the captured answer already carried.)
        self._used: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def challenge(self, key_id: str) -> tuple[str, datetime]:
        """A fresh challenge for key_id and when it expires."""
        _check_key_id(key_id)
        expires = self.clock() + self.challenge_ttl
        nonce = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
        token = self.minter.issue(CHALLENGE, {"kid": key_id, "n": nonce}, expires)
        return token, expires

    def login(self, key_id: str, challenge: str, signature_b64: str) -> tuple[str, Session]:
        """A session token for a key that signed a challenge it was given; raises otherwise."""
        _check_key_id(key_id)
        now = self.clock()
        try:
            claims = self.minter.open(CHALLENGE, challenge, now)
        except TokenError as exc:
            raise _bad_challenge(exc.reason) from None
        if claims.get("kid") != key_id:
            raise _bad_challenge("other_key")
        record = self._record(key_id)
        signature = _signature(signature_b64)
        if not self.verifier.verify(
            record.public_key, signature, login_message(self.minter.origin, challenge)
        ):
            raise BadSignature(
                f"the login signature does not verify under key {key_id}",
                f"chữ ký đăng nhập không hợp lệ với khoá {key_id}",
                key_id=key_id,
            )
        record.check_valid_at(now)
        with self._lock:
            self._forget_expired(now)
            if challenge in self._used:
                raise _bad_challenge("used")
            self._used[challenge] = now + self.challenge_ttl
        expires = now + self.session_ttl
        session = Session(key_id, record.official_id, record.role, record.unit_scope, expires)
        token = self.minter.issue(SESSION, {"kid": key_id}, expires)
        return token, session

    def session(self, token: str) -> Session:
        """The session a token stands for, as the key registry says now."""
        now = self.clock()
        try:
            claims = self.minter.open(SESSION, token, now)
        except TokenError as exc:
            raise InvalidSession(
                f"the session token is not valid ({exc.reason}); log in again",
                "phiên đăng nhập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại",
                reason=exc.reason,
            ) from None
        key_id = claims.get("kid")
        record = self.keys.key_record(key_id) if isinstance(key_id, str) else None
        if record is None:
            raise InvalidSession(
                "the session's key is not enrolled in this log",
                "khoá của phiên không có trong sổ này",
                reason="unknown_key",
            )
        try:
            record.check_valid_at(now)
        except LedgerError:
            raise InvalidSession(
                f"key {record.key_id} was revoked; its sessions ended with it",
                f"khoá {record.key_id} đã bị thu hồi; các phiên của khoá cũng chấm dứt",
                reason="revoked_key",
            ) from None
        expires = datetime.fromtimestamp(claims["exp"], now.tzinfo)
        return Session(record.key_id, record.official_id, record.role, record.unit_scope, expires)

    def _record(self, key_id: str) -> KeyRecord:
        record = self.keys.key_record(key_id)
        if record is None:
            raise UnknownKey(
                f"key {key_id} is not enrolled in this log",
                f"khoá {key_id} chưa được đăng ký trong sổ này",
                key_id=key_id,
            )
        return record

    def _forget_expired(self, now: datetime) -> None:
        for used, until in list(self._used.items()):
            if until <= now:
                del self._used[used]


def _check_key_id(key_id: Any) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise UnknownKey(
            "key_id must be 32 lower-case hex characters",
            "key_id phải gồm 32 ký tự hex thường",
            field="key_id",
        )


def _signature(text: str) -> bytes:
    try:
        signature = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        raise BadSignature(
            "signature must be a base64 Ed25519 signature (64 bytes)",
            "chữ ký phải là chữ ký Ed25519 (64 byte) dạng base64",
            field="signature",
        )
    return signature


def _bad_challenge(reason: str) -> InvalidChallenge:
    return InvalidChallenge(
        f"the challenge is not valid for this login ({reason}); ask for a new one",
        "mã thử thách không hợp lệ cho lần đăng nhập này; hãy xin mã mới",
        reason=reason,
    )
