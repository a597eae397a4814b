"""RFC 8785 (JCS) canonical JSON: the one module that produces bytes that are signed or hashed.

orjson with sorted keys is byte-identical to RFC 8785 on the subset allowed here (checked by a
property test against the reference `rfc8785` package): objects with ASCII keys, strings,
booleans, null and integers within +-(2**53 - 1). Floats are refused because their text form is
where encoders differ; non-ASCII keys are refused because JCS sorts by UTF-16 code units.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 32


class CanonicalJSONError(ValueError):
    """The value cannot be written as canonical JSON within the ledger's subset."""


def _check(value: Any, depth: int, path: str) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalJSONError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise CanonicalJSONError(f"{path}: string holds a lone surrogate") from None
        return
    if value is None or value is True or value is False:
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalJSONError(f"{path}: integer {value} is outside +-(2**53 - 1)")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise CanonicalJSONError(f"{path}: object keys must be ASCII strings, got {key!r}")
            _check(item, depth + 1, f"{path}.{key}")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, depth + 1, f"{path}[{index}]")
        return
    if isinstance(value, float):
        raise CanonicalJSONError(f"{path}: numbers must be integers, got {value!r}")
    raise CanonicalJSONError(f"{path}: {type(value).__name__} is not a JSON value")


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of value; raises CanonicalJSONError outside the subset."""
    _check(value, 0, "$")
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError as exc:  # e.g. a lone surrogate in a string
        raise CanonicalJSONError(f"$: {exc}") from None


def canonical_bytes_of_trusted(value: Any) -> bytes:
    """Canonical bytes of a value the ledger itself produced (no floats, ASCII keys).

    The per-value check is skipped: used on the ingest path for log entries, whose JSON comes
    from the ledger's own event encoding, never from a client.
    """
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def parse_json(data: bytes | str) -> Any:
    """Parse JSON text; raises CanonicalJSONError with the parser's reason if it is malformed."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CanonicalJSONError(f"malformed JSON: {exc}") from None
