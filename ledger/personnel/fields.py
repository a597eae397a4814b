"""Payload shapes of the personnel statements, checked field by field with a message naming each.

One table (`SHAPES`) says what every statement type carries; handlers rely on it having been
checked, and `GET /v1/statement-types` publishes it, so clients and the server read one source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.errors import InvalidPayload

Check = Callable[[str, Any], None]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,119}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _fail(name: str, must: str, must_vi: str) -> InvalidPayload:
    return InvalidPayload(
        f"payload.{name} must be {must}", f"payload.{name} phải là {must_vi}", field=name
    )


@dataclass(frozen=True)
class Field:
    """One payload field: its check, whether it may be left out, and how to describe it."""

    check: Check
    describe: str
    optional: bool = False


def ident(describe: str = "an id") -> Field:
    """An identifier: letters, digits and . _ : / -, at most 120 characters."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise _fail(name, "an id of letters, digits and ._:/- (at most 120)", "mã hợp lệ")

    return Field(check, describe)


_OFFICIAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,119}")


def official_ident(describe: str = "an official's id") -> Field:
    """An official's id: as ident, but without ':'. An official's personal data is sealed in
    the vault under the bare id, and 'kind:...' subjects are the reports' (report:ID): an
    official named 'report:X' would share a report's vault key, and erasing the official
    would destroy the report."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or not _OFFICIAL_ID.fullmatch(value):
            raise _fail(
                name, "an id of letters, digits and ._/- (at most 120; no ':')", "mã hợp lệ"
            )

    return Field(check, describe)


def text(limit: int, describe: str = "text") -> Field:
    """Non-empty text of at most `limit` characters."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise _fail(
                name,
                f"a non-empty string of at most {limit} characters",
                f"chuỗi khác rỗng, tối đa {limit} ký tự",
            )

    return Field(check, f"{describe} (at most {limit} characters)")


def day(describe: str = "a date") -> Field:
    """An ISO date, YYYY-MM-DD."""

    def check(name: str, value: Any) -> None:
        try:
            ok = isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
        except ValueError:
            ok = False
        if not ok:
            raise _fail(name, "a date like 2026-01-31", "ngày dạng 2026-01-31")

    return Field(check, f"{describe} (YYYY-MM-DD)")


def integer(low: int, high: int, describe: str = "a whole number") -> Field:
    """An integer within [low, high]."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise _fail(name, f"a whole number from {low} to {high}", f"số nguyên {low}..{high}")

    return Field(check, f"{describe} ({low}..{high})")


def flag(describe: str = "true or false") -> Field:
    """A boolean."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, bool):
            raise _fail(name, "true or false", "true hoặc false")

    return Field(check, describe)


def one_of(choices: Mapping[str, Any] | frozenset[str] | list[str], describe: str = "") -> Field:
    """One of a fixed set of strings."""
    allowed = sorted(choices)

    def check(name: str, value: Any) -> None:
        if value not in allowed:
            raise _fail(name, f"one of {allowed}", f"một trong {allowed}")

    return Field(check, describe or f"one of {allowed}")


def list_of(item: Field, most: int, describe: str = "") -> Field:
    """A list of at most `most` items, each passing `item`."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, list) or len(value) > most:
            raise _fail(name, f"a list of at most {most} items", f"danh sách tối đa {most} mục")
        for n, entry in enumerate(value):
            item.check(f"{name}[{n}]", entry)

    return Field(check, describe or f"list of {item.describe}")


def levels(describe: str = "competency levels") -> Field:
    """A map of competency name to required or reached level (1..5)."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, dict) or len(value) > 100:
            raise _fail(name, "an object of competency: level", "đối tượng năng lực: mức")
        for key, level in value.items():
            if not _ID.fullmatch(key):
                raise _fail(f"{name}.{key}", "a competency name (id)", "tên năng lực")
            integer(1, 5).check(f"{name}.{key}", level)

    return Field(check, f"{describe}: {{name: level 1..5}}")


def obj(describe: str) -> Field:
    """A JSON object whose inside a handler checks further."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise _fail(name, "an object", "một đối tượng")

    return Field(check, describe)


def sha256_hex(describe: str = "SHA-256, hex") -> Field:
    """64 lowercase hex digits."""

    def check(name: str, value: Any) -> None:
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            raise _fail(name, "64 lowercase hex digits (SHA-256)", "64 chữ số hex (SHA-256)")

    return Field(check, describe)


def optional(inner: Field) -> Field:
    """The same field, which may be left out (null is not accepted: leave it out)."""
    return Field(inner.check, inner.describe, optional=True)


def check_shape(statement_type: str, payload: dict[str, Any], shape: Mapping[str, Field]) -> None:
    """Refuse unknown, missing and malformed fields, naming the first one found."""
    unknown = sorted(set(payload) - set(shape))
    if unknown:
        raise InvalidPayload(
            f"{statement_type}: unexpected payload fields {unknown}; allowed {sorted(shape)}",
            f"{statement_type}: payload có trường không hợp lệ {unknown}",
            unexpected=unknown,
            allowed=sorted(shape),
        )
    for name, spec in shape.items():
        if name not in payload:
            if spec.optional:
                continue
            raise InvalidPayload(
                f"{statement_type}: payload.{name} is required ({spec.describe})",
                f"{statement_type}: thiếu payload.{name}",
                field=name,
            )
        spec.check(name, payload[name])


def describe_shape(shape: Mapping[str, Field]) -> dict[str, dict[str, Any]]:
    """The shape as published: each field's description and whether it is required."""
    return {name: {"describe": f.describe, "required": not f.optional} for name, f in shape.items()}
