"""Reading statement payload fields: each refusal names the field and says what it must be."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.errors import InvalidPayload
from ledger.statement import parse_time


def only(payload: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields other than `allowed`."""
    extra = set(payload) - allowed
    if extra:
        raise InvalidPayload(
            f"unexpected payload fields {sorted(extra)}; allowed {sorted(allowed)}",
            "payload có trường không hợp lệ",
            unexpected=sorted(extra),
        )


def text(payload: dict[str, Any], name: str, limit: int = 200) -> str:
    """A required non-empty string of at most `limit` characters."""
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidPayload(
            f"payload.{name} must be a non-empty string of at most {limit} characters",
            f"payload.{name} phải là chuỗi khác rỗng, tối đa {limit} ký tự",
            field=name,
        )
    return value


def moment(payload: dict[str, Any], name: str, default: datetime | None = None) -> datetime:
    """A UTC time like 2026-01-31T08:00:00Z, or `default` when absent and one is given."""
    if name not in payload and default is not None:
        return default
    value = payload.get(name)
    try:
        return parse_time(value if isinstance(value, str) else "")
    except ValueError:
        raise InvalidPayload(
            f"payload.{name} must be a UTC time like 2026-01-31T08:00:00Z, got {value!r}",
            f"payload.{name} không đúng dạng thời gian UTC",
            field=name,
        ) from None


def uuid(payload: dict[str, Any], name: str) -> UUID:
    """A UUID string."""
    value = payload.get(name)
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    raise InvalidPayload(
        f"payload.{name} must be a UUID string", f"payload.{name} phải là UUID", field=name
    )


def public_key(payload: dict[str, Any], name: str = "public_key") -> bytes:
    """A raw 32-byte Ed25519 public key in base64."""
    try:
        raw = base64.b64decode(text(payload, name), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidPayload(
            f"payload.{name} must be a base64 raw 32-byte Ed25519 public key",
            f"payload.{name} phải là khoá công khai Ed25519 32 byte dạng base64",
            field=name,
        )
    return raw
