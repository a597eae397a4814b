"""The key registry's rules, as pure functions shared by the server and the outside verifier.

Keys are enrolled, rotated and revoked by signed statements in the log itself. A signature counts
only if, at the statement's time, its key was enrolled, already valid and not yet revoked or
rotated away. The server and `canbo verify` both decide this with the functions below, so the log
means the same thing to both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from ledger import payload as payload_fields
from ledger.errors import (
    BadSignature,
    InvalidPayload,
    KeyNotYetValid,
    NotAuthorised,
    RevokedKey,
    UnknownKey,
)
from ledger.protocols import SignatureVerifier
from ledger.statement import SignedStatement, Statement, signing_message

ROLES = frozenset(
    {
        "registrar",
        "official",
        "clerk",
        "inspector",
        "handler",
        "protection_officer",
        "committee",
        "intake",  # the server's custodial key for anonymous reports (ledger.reports.intake)
    }
)
KEY_STATEMENT_TYPES = frozenset({"key.enrol", "key.rotate", "key.revoke"})
ALL_UNITS = "*"


@lru_cache(maxsize=8)
def _log_key_id(public_key: bytes) -> str:
    return key_id_of(public_key)


def key_id_of(public_key: bytes) -> str:
    """An official's key id: SHA-256 of the raw public key, first 16 bytes, hex (DESIGN.md)."""
    return hashlib.sha256(public_key).digest()[:16].hex()


@dataclass(frozen=True)
class KeyRecord:
    """What the log says about one key."""

    key_id: str
    public_key: bytes
    official_id: str
    role: str
    unit_scope: str
    valid_from: datetime
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    rotated_to: str | None = None

    def check_valid_at(self, moment: datetime) -> None:
        """Raise unless the key may sign a statement made at moment."""
        if moment < self.valid_from:
            raise KeyNotYetValid(
                f"key {self.key_id} is valid from {self.valid_from.isoformat()}, "
                f"the statement is dated {moment.isoformat()}",
                f"khoá {self.key_id} chỉ có hiệu lực từ {self.valid_from.isoformat()}",
                key_id=self.key_id,
                valid_from=self.valid_from.isoformat(),
            )
        if self.revoked_at is not None and moment >= self.revoked_at:
            how = f"rotated to {self.rotated_to}" if self.rotated_to else "revoked"
            raise RevokedKey(
                f"key {self.key_id} was {how} at {self.revoked_at.isoformat()} "
                f"({self.revocation_reason}); the statement is dated {moment.isoformat()}",
                f"khoá {self.key_id} đã bị thu hồi lúc {self.revoked_at.isoformat()}",
                key_id=self.key_id,
                revoked_at=self.revoked_at.isoformat(),
                reason=self.revocation_reason,
            )


class KeyLookup(Protocol):
    """Where the registry's current records are found."""

    def key_record(self, key_id: str) -> KeyRecord | None:
        """The record of a key id, or None if never enrolled."""
        ...


def scope_covers(scope: str, unit: str) -> bool:
    """True if a unit scope covers a unit: '*' covers all, 'A' covers 'A' and 'A/...'."""
    return scope == ALL_UNITS or unit == scope or unit.startswith(scope + "/")


def authenticate(
    signed: SignedStatement,
    keys: KeyLookup,
    log_public_key: bytes,
    verifier: SignatureVerifier,
    origin: str,
    received_at: datetime | None = None,
) -> tuple[KeyRecord | None, bytes]:
    """The signer's record (None for the log key) and public key, once the signature holds.

    The key must be valid at the statement's time and, if it was revoked or rotated, not
    revoked by the time the statement is received (when that time is given).
    """
    statement = signed.statement
    record: KeyRecord | None = None
    if statement.signer == _log_key_id(log_public_key):
        public_key = log_public_key
    else:
        record = keys.key_record(statement.signer)
        if record is None:
            raise UnknownKey(
                f"key {statement.signer} is not enrolled in this log",
                f"khoá {statement.signer} chưa được đăng ký trong sổ này",
                key_id=statement.signer,
            )
        public_key = record.public_key
    if not verifier.verify(public_key, signed.signature, signing_message(signed.raw, origin)):
        raise BadSignature(
            f"the signature does not verify under key {statement.signer} for the log {origin}",
            f"chữ ký không hợp lệ với khoá {statement.signer}",
            key_id=statement.signer,
        )
    if record is not None:
        record.check_valid_at(statement.time)
        revoked_at = record.revoked_at
        if received_at is not None and revoked_at is not None and received_at >= revoked_at:
            # A statement dated just before a revocation but arriving after it would let a
            # revoked key go on signing for the whole clock-skew window.
            raise RevokedKey(
                f"key {record.key_id} was revoked at {revoked_at.isoformat()} "
                f"({record.revocation_reason}); this statement arrived at "
                f"{received_at.isoformat()}, after that, though dated "
                f"{statement.time.isoformat()}",
                f"khoá {record.key_id} đã bị thu hồi lúc {revoked_at.isoformat()}, "
                "trước khi statement này được nhận",
                key_id=record.key_id,
                revoked_at=revoked_at.isoformat(),
                reason=record.revocation_reason,
            )
    return record, public_key


def key_changes(
    statement: Statement, signer: KeyRecord | None, keys: KeyLookup, *, log_is_empty: bool
) -> list[KeyRecord]:
    """The key records a key.* statement creates or changes, after checking its authority."""
    payload = statement.payload
    if statement.type == "key.enrol":
        record = _enrolment(payload)
        if signer is None:
            if not log_is_empty:
                raise _not_authorised("the log key signs only the genesis enrolment")
        else:
            _require_registrar(signer, record.unit_scope)
        if keys.key_record(record.key_id) is not None:
            raise InvalidPayload(
                f"key {record.key_id} is already enrolled",
                f"khoá {record.key_id} đã được đăng ký",
                key_id=record.key_id,
            )
        return [record]
    if signer is None:
        raise _not_authorised("the log key signs only the genesis enrolment")
    target = _existing(keys, payload_fields.text(payload, "key_id"))
    at = payload_fields.moment(payload, "at", default=statement.time)
    if at < statement.time:
        raise InvalidPayload(
            "a key cannot be revoked or rotated with a time earlier than the statement",
            "không được thu hồi hoặc thay khoá với thời điểm sớm hơn thời điểm ký",
            field="at",
        )
    if target.revoked_at is not None:
        raise InvalidPayload(
            f"key {target.key_id} is already revoked",
            f"khoá {target.key_id} đã bị thu hồi",
            key_id=target.key_id,
        )
    if signer.key_id != target.key_id:
        _require_registrar(signer, target.unit_scope)
    if statement.type == "key.revoke":
        reason = payload_fields.text(payload, "reason")
        payload_fields.only(payload, {"key_id", "at", "reason"})
        return [replace(target, revoked_at=at, revocation_reason=reason)]
    if statement.type == "key.rotate":
        payload_fields.only(payload, {"key_id", "at", "public_key", "reason"})
        reason = payload_fields.text(payload, "reason") if "reason" in payload else "rotated"
        public_key = payload_fields.public_key(payload)
        successor = KeyRecord(
            key_id=key_id_of(public_key),
            public_key=public_key,
            official_id=target.official_id,
            role=target.role,
            unit_scope=target.unit_scope,
            valid_from=at,
        )
        if keys.key_record(successor.key_id) is not None or successor.key_id == target.key_id:
            raise InvalidPayload(
                f"key {successor.key_id} is already enrolled",
                f"khoá {successor.key_id} đã được đăng ký",
                key_id=successor.key_id,
            )
        rotated = replace(
            target, revoked_at=at, revocation_reason=reason, rotated_to=successor.key_id
        )
        return [rotated, successor]
    raise ValueError(f"not a key statement: {statement.type}")


def _enrolment(payload: dict[str, Any]) -> KeyRecord:
    payload_fields.only(payload, {"public_key", "official_id", "role", "unit_scope", "valid_from"})
    public_key = payload_fields.public_key(payload)
    role = payload_fields.text(payload, "role")
    if role not in ROLES:
        raise InvalidPayload(
            f"role must be one of {sorted(ROLES)}, got {role!r}",
            "vai trò không hợp lệ",
            field="role",
        )
    return KeyRecord(
        key_id=key_id_of(public_key),
        public_key=public_key,
        official_id=payload_fields.text(payload, "official_id"),
        role=role,
        unit_scope=payload_fields.text(payload, "unit_scope"),
        valid_from=payload_fields.moment(payload, "valid_from"),
    )


def _require_registrar(signer: KeyRecord, unit: str) -> None:
    if signer.role != "registrar" or not scope_covers(signer.unit_scope, unit):
        raise _not_authorised(
            f"key {signer.key_id} (role {signer.role}, scope {signer.unit_scope}) "
            f"may not manage keys of unit {unit}"
        )


def _not_authorised(why: str) -> NotAuthorised:
    return NotAuthorised(why, "người ký không có thẩm quyền quản lý khoá này", reason=why)


def _existing(keys: KeyLookup, key_id: str) -> KeyRecord:
    record = keys.key_record(key_id)
    if record is None:
        raise InvalidPayload(
            f"key {key_id} is not enrolled", f"khoá {key_id} chưa được đăng ký", key_id=key_id
        )
    return record
