"""Personal data beside a statement: checked against the statement's salted commitment.

A statement that carries personal data (an official's birth date, national id, address and
declared relatives; the reason for postponing discipline) signs only `private_sha256`, the
SHA-256 of the canonical JSON of the data with a random salt. The data travels beside the
statement, is sealed in the vault under the subject's key, and never enters the log, so erasing
the key erases the data while every leaf still verifies; the salt keeps the commitment from
being guessed from a birth date or an id number.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from ledger.canonical import canonical_bytes, parse_json
from ledger.errors import InvalidPayload
from ledger.personnel.fields import Field, day, ident, list_of, obj, one_of, optional, text
from ledger.rules.model import PostponementReason

MIN_SALT_BYTES = 16

OFFICIAL_DATA: dict[str, Field] = {
    "salt": text(100, "random salt, base64, at least 16 bytes"),
    "name": text(200, "full name"),
    "birth_date": optional(day("birth date")),
    "national_id": optional(text(20, "national id number")),
    "address": optional(text(500, "address")),
    "relatives": optional(list_of(obj("{official, relation}"), 100)),
}
POSTPONEMENT_DATA: dict[str, Field] = {
    "salt": OFFICIAL_DATA["salt"],
    "reason": one_of([r.value for r in PostponementReason]),
}
REPORT_TEXT: dict[str, Field] = {
    "salt": OFFICIAL_DATA["salt"],
    "text": text(60_000, "text"),
}
PRIVATE_SHAPES = {"postponement": POSTPONEMENT_DATA, "report": REPORT_TEXT}
_RELATIVE: dict[str, Field] = {
    "official": ident("official id of the relative"),
    "relation": text(50, "relation"),
}


def commitment_of(data: dict[str, Any]) -> str:
    """The salted commitment a statement signs: SHA-256 of the data's canonical JSON, hex."""
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


def check_private(
    statement_type: str, payload: dict[str, Any], private: dict[str, Any] | None, *, required: bool
) -> dict[str, Any] | None:
    """The personal data if it matches the payload's commitment; refuse a mismatch or a gap."""
    from ledger.personnel.fields import check_shape

    promised = payload.get("private_sha256")
    if private is None:
        if promised is not None or required:
            raise InvalidPayload(
                f"{statement_type}: the personal data committed to by private_sha256 must be "
                'sent beside the statement, as "private" in the request body',
                f'{statement_type}: thiếu dữ liệu cá nhân gửi kèm (trường "private")',
                field="private",
            )
        return None
    if promised is None:
        raise InvalidPayload(
            f"{statement_type}: personal data was sent but the statement commits to none "
            "(payload.private_sha256)",
            f"{statement_type}: có dữ liệu cá nhân nhưng statement không cam kết private_sha256",
            field="private_sha256",
        )
    shape = PRIVATE_SHAPES.get(statement_type.split(".")[0], OFFICIAL_DATA)
    check_shape(f"{statement_type} personal data", private, shape)
    _check_salt(private["salt"])
    for n, relative in enumerate(private.get("relatives", [])):
        check_shape(f"{statement_type} relatives[{n}]", relative, _RELATIVE)
    found = commitment_of(private)
    if found != promised:
        raise InvalidPayload(
            f"{statement_type}: the personal data's SHA-256 is {found}, the statement commits "
            f"to {promised}",
            f"{statement_type}: dữ liệu cá nhân không khớp private_sha256 đã ký",
            field="private",
            found=found,
        )
    return private


def _check_salt(salt: str) -> None:
    try:
        raw = base64.b64decode(salt, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < MIN_SALT_BYTES:
        raise InvalidPayload(
            f"private.salt must be base64 of at least {MIN_SALT_BYTES} random bytes",
            f"private.salt phải là base64 của ít nhất {MIN_SALT_BYTES} byte ngẫu nhiên",
            field="private.salt",
        )


def sealed_bytes(data: dict[str, Any]) -> bytes:
    """How personal data is stored in the vault: its canonical JSON."""
    return canonical_bytes(data)


def unsealed(raw: bytes | None) -> dict[str, Any] | None:
    """Personal data read back from the vault (None if erased)."""
    if raw is None:
        return None
    data: dict[str, Any] = parse_json(raw)
    return data
