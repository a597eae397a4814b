"""Parsing submissions: every malformed, oversized or non-canonical input has its own error."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from ledger.errors import MalformedStatement, NonCanonicalStatement, StatementTooLarge
from ledger.statement import MAX_STATEMENT_BYTES, Statement, parse_envelope, sign_statement
from tests.conftest import official_key

KEY = official_key("clerk")
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def signed_envelope(payload: dict[str, object] | None = None) -> dict[str, str]:
    statement = Statement(
        type="notice.publish",
        payload=payload if payload is not None else {"title": "Lịch tiếp công dân"},
        signer=KEY.key_id,
        time=NOW,
        nonce="abcdefghijklmnop",
    )
    return sign_statement(statement, KEY, "canbo.test/log").envelope()


def test_a_canonical_envelope_parses_to_the_signed_bytes() -> None:
    envelope = signed_envelope()
    signed = parse_envelope(envelope)
    assert signed.raw == envelope["statement"].encode()
    assert signed.statement.payload == {"title": "Lịch tiếp công dân"}
    assert signed.statement.time == NOW


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"statement": "{}"}, {"statement": 1, "signature": "x"}, {"a": 1, "b": 2}],
)
def test_the_envelope_shape_is_checked(body: object) -> None:
    with pytest.raises(MalformedStatement):
        parse_envelope(body)


def test_statement_text_that_is_not_json_is_malformed() -> None:
    envelope = signed_envelope()
    envelope["statement"] = envelope["statement"][:-1]
    with pytest.raises(MalformedStatement, match="not JSON"):
        parse_envelope(envelope)


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda text: text.replace('{"nonce"', '{ "nonce"'),  # whitespace
        lambda text: json.dumps(json.loads(text), ensure_ascii=True),  # escaped non-ASCII
        lambda text: '{"type":"notice.publish",' + text[1:].replace(',"type":"notice.publish"', ""),
    ],
)
def test_non_canonical_text_is_refused_not_reencoded(rewrite: object) -> None:
    envelope = signed_envelope()
    envelope["statement"] = rewrite(envelope["statement"])  # type: ignore[operator]
    with pytest.raises(NonCanonicalStatement):
        parse_envelope(envelope)


def test_floats_are_refused_as_non_canonical() -> None:
    envelope = signed_envelope({"score": 1})
    envelope["statement"] = envelope["statement"].replace('"score":1', '"score":1.5')
    with pytest.raises(NonCanonicalStatement, match="integers"):
        parse_envelope(envelope)


def test_over_64_kib_is_too_large() -> None:
    envelope = signed_envelope({"body": "x"})
    envelope["statement"] = envelope["statement"].replace(
        '"x"', '"' + "x" * MAX_STATEMENT_BYTES + '"'
    )
    with pytest.raises(StatementTooLarge) as caught:
        parse_envelope(envelope)
    assert caught.value.details["limit"] == 65536


def test_signing_refuses_an_oversized_statement_too() -> None:
    with pytest.raises(StatementTooLarge):
        signed_envelope({"body": "x" * MAX_STATEMENT_BYTES})  # raised while signing


@pytest.mark.parametrize(
    ("signature", "problem"),
    [("%%%", "base64"), (base64.b64encode(bytes(63)).decode(), "64 bytes")],
)
def test_the_signature_must_be_64_bytes_of_base64(signature: str, problem: str) -> None:
    envelope = signed_envelope()
    envelope["signature"] = signature
    with pytest.raises(MalformedStatement, match=problem):
        parse_envelope(envelope)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "Notice"),
        ("signer", "ABC"),
        ("nonce", "short"),
        ("time", "2026-11-26 08:00:00"),
        ("time", "2026-11-26T08:00:00+07:00"),
        ("payload", []),
    ],
)
def test_each_statement_field_is_checked(field: str, value: object) -> None:
    obj = {
        "type": "notice.publish",
        "payload": {},
        "signer": KEY.key_id,
        "time": "2026-11-26T08:00:00Z",
        "nonce": "abcdefghijklmnop",
        field: value,
    }
    with pytest.raises(MalformedStatement) as caught:
        Statement.from_json(obj)
    assert caught.value.details["field"] == field


def test_missing_and_extra_fields_are_named() -> None:
    with pytest.raises(MalformedStatement) as caught:
        Statement.from_json({"type": "a.b", "payload": {}, "extra": 1})
    assert caught.value.details["missing"] == ["nonce", "signer", "time"]
    assert caught.value.details["unexpected"] == ["extra"]
