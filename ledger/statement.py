"""The signed statement envelope: what an official signs, and how a submission is parsed.

A statement is the JSON object {type, payload, signer, time, nonce}; its RFC 8785 canonical bytes
are what Ed25519 signs. On the wire a submission is {"statement": <those bytes as a JSON string>,
"signature": <base64>}: carrying the exact text lets the server refuse non-canonical input
instead of silently re-encoding it.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.canonical import CanonicalJSONError, canonical_bytes, parse_json
from ledger.errors import MalformedStatement, NonCanonicalStatement, StatementTooLarge
from ledger.protocols import Signer

MAX_STATEMENT_BYTES = 64 * 1024
STATEMENT_FIELDS = frozenset({"type", "payload", "signer", "time", "nonce"})
_KEY_ID = re.compile(r"[0-9a-f]{32}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC text of a moment, as statements carry it (microseconds only when non-zero)."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def parse_time(text: str) -> datetime:
    """The moment of an RFC 3339 UTC time as statements carry it; ValueError otherwise."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        raise ValueError(f"time must look like 2026-01-31T08:00:00Z (UTC), got {text!r}")
    return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Statement:
    """What an official asserts: a typed payload, the signing key's id, a time and a nonce."""

    type: str
    payload: dict[str, Any]
    signer: str
    time: datetime
    nonce: str

    def to_json(self) -> dict[str, Any]:
        """The statement as a JSON object."""
        return {
            "type": self.type,
            "payload": self.payload,
            "signer": self.signer,
            "time": format_time(self.time),
            "nonce": self.nonce,
        }

    def signed_bytes(self) -> bytes:
        """The canonical bytes that the signature covers."""
        return canonical_bytes(self.to_json())

    @classmethod
    def from_json(cls, obj: Any) -> Statement:
        """Check the shape of a parsed statement object; MalformedStatement says what is wrong."""
        if not isinstance(obj, dict):
            raise _malformed(
                "the statement must be a JSON object", "statement không phải đối tượng JSON"
            )
        missing = STATEMENT_FIELDS - obj.keys()
        extra = obj.keys() - STATEMENT_FIELDS
        if missing or extra:
            raise _malformed(
                f"statement fields must be exactly {sorted(STATEMENT_FIELDS)}; "
                f"missing {sorted(missing)}, unexpected {sorted(extra)}",
                "statement phải có đúng các trường type, payload, signer, time, nonce",
                missing=sorted(missing),
                unexpected=sorted(extra),
            )
        kind, payload, signer, time, nonce = (
            obj[f] for f in ("type", "payload", "signer", "time", "nonce")
        )
        if not isinstance(kind, str) or not _TYPE.fullmatch(kind):
            raise _malformed(
                f"type must be dotted lower-case words, got {kind!r}",
                "type không hợp lệ",
                field="type",
            )
        if not isinstance(payload, dict):
            raise _malformed(
                "payload must be a JSON object", "payload phải là đối tượng JSON", field="payload"
            )
        if not isinstance(signer, str) or not _KEY_ID.fullmatch(signer):
            raise _malformed(
                "signer must be the key id: 32 lower-case hex characters",
                "signer phải là mã khoá gồm 32 ký tự hex thường",
                field="signer",
            )
        if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
            raise _malformed(
                "nonce must be 16 to 64 characters of base64url (A-Z a-z 0-9 _ -)",
                "nonce phải gồm 16 đến 64 ký tự base64url",
                field="nonce",
            )
        try:
            moment = parse_time(time)
        except ValueError as exc:
            raise _malformed(
                str(exc), "time phải theo dạng 2026-01-31T08:00:00Z (UTC)", field="time"
            ) from None
        return cls(type=kind, payload=payload, signer=signer, time=moment, nonce=nonce)


def well_formed_fields(obj: Any) -> tuple[str, dict[str, Any], str, datetime, str] | None:
    """(type, payload, signer, time, nonce) of a statement object that Statement.from_json
    accepts, with the same values; None when it might refuse it (call it then to learn why).

    A performance helper for bulk readers such as `canbo verify`: the same rules as from_json
    without building a Statement or an error (half the cost), so both must change together.
    """
    if type(obj) is not dict or obj.keys() != STATEMENT_FIELDS:
        return None
    kind, payload, signer, nonce = obj["type"], obj["payload"], obj["signer"], obj["nonce"]
    if not (
        type(kind) is str
        and _TYPE.fullmatch(kind)
        and type(payload) is dict
        and type(signer) is str
        and _KEY_ID.fullmatch(signer)
        and type(nonce) is str
        and _NONCE.fullmatch(nonce)
    ):
        return None
    try:
        moment = parse_time(obj["time"])
    except ValueError:
        return None
    return kind, payload, signer, moment, nonce


@dataclass(frozen=True)
class SignedStatement:
    """A statement with its canonical bytes and Ed25519 signature (not yet checked)."""

    statement: Statement
    raw: bytes
    signature: bytes
    # Personal data sent beside the statement: never signed or logged, only committed to by
    # the payload's private_sha256 (ledger.personnel.private) and sealed in the vault.
    private: dict[str, Any] | None = None

    def envelope(self) -> dict[str, Any]:
        """The submission body for POST /v1/statements."""
        body: dict[str, Any] = {
            "statement": self.raw.decode("utf-8"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        if self.private is not None:
            body["private"] = self.private
        return body


# What Ed25519 signs is the statement's canonical bytes behind this context and the log's
# origin, so a signature is good for one log only: a statement recorded in one commune's log
# cannot be replayed into another log where the same key is enrolled.
STATEMENT_CONTEXT = b"canbo-ledger/statement/v1\n"


def signing_prefix(origin: str) -> bytes:
    """What precedes a statement's bytes in the message signed for the log `origin`."""
    return STATEMENT_CONTEXT + origin.encode("utf-8") + b"\n"


def signing_message(raw: bytes, origin: str) -> bytes:
    """The exact bytes an official signs for a statement addressed to the log `origin`."""
    return signing_prefix(origin) + raw


def sign_statement(statement: Statement, signer: Signer, origin: str) -> SignedStatement:
    """Sign a statement's canonical bytes, for the log `origin`, with the signer's key."""
    raw = statement.signed_bytes()
    if len(raw) > MAX_STATEMENT_BYTES:
        raise _too_large(len(raw))
    signature = signer.sign(signing_message(raw, origin))
    return SignedStatement(statement=statement, raw=raw, signature=signature)


def parse_envelope(envelope: Any) -> SignedStatement:
    """Parse a submission; refuse oversized, malformed and non-canonical input."""
    if not isinstance(envelope, dict) or not (
        {"statement", "signature"} <= set(envelope) <= {"statement", "signature", "private"}
    ):
        raise _malformed(
            'the body must be {"statement": "<canonical JSON text>", "signature": "<base64>"} '
            '(and "private": {...} where the statement commits to personal data)',
            'thân yêu cầu phải là {"statement": "<JSON chuẩn tắc>", "signature": "<base64>"}',
        )
    private = envelope.get("private")
    if "private" in envelope and not isinstance(private, dict):
        raise _malformed(
            "private must be a JSON object of personal data",
            "private phải là đối tượng JSON",
            field="private",
        )
    text, signature_b64 = envelope["statement"], envelope["signature"]
    if not isinstance(text, str) or not isinstance(signature_b64, str):
        raise _malformed(
            "statement and signature must be strings", "statement và signature phải là chuỗi"
        )
    raw = text.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_STATEMENT_BYTES:
        raise _too_large(len(raw))
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed(
            "signature is not valid base64", "signature không phải base64 hợp lệ", field="signature"
        ) from None
    if len(signature) != 64:
        raise _malformed(
            f"an Ed25519 signature is 64 bytes, got {len(signature)}",
            f"chữ ký Ed25519 dài 64 byte, nhận được {len(signature)}",
            field="signature",
        )
    try:
        obj = parse_json(raw)
    except CanonicalJSONError as exc:
        raise _malformed(
            f"statement is not JSON: {exc}", "statement không phải JSON hợp lệ"
        ) from None
    statement = Statement.from_json(obj)
    try:
        canonical = canonical_bytes(obj)
    except CanonicalJSONError as exc:
        raise NonCanonicalStatement(
            f"statement has values outside canonical JSON: {exc}",
            "statement chứa giá trị không biểu diễn được ở dạng JSON chuẩn tắc (ví dụ số thực)",
            reason=str(exc),
        ) from None
    if canonical != raw:
        raise NonCanonicalStatement(
            "statement bytes are not RFC 8785 canonical JSON "
            "(sorted keys, no spaces, minimal escapes)",
            "statement không ở dạng JSON chuẩn tắc RFC 8785 (khoá sắp xếp, không khoảng trắng)",
            first_difference=_first_difference(raw, canonical),
        )
    return SignedStatement(statement=statement, raw=raw, signature=signature, private=private)


def _first_difference(a: bytes, b: bytes) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def _malformed(en: str, vi: str, **details: Any) -> MalformedStatement:
    return MalformedStatement(en, vi, **details)


def _too_large(size: int) -> StatementTooLarge:
    return StatementTooLarge(
        f"statement is {size} bytes; the limit is {MAX_STATEMENT_BYTES}",
        f"statement dài {size} byte; giới hạn là {MAX_STATEMENT_BYTES}",
        size=size,
        limit=MAX_STATEMENT_BYTES,
    )
