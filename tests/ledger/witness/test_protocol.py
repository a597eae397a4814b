"""The add-checkpoint wire format: round trip, and every malformed body refused with a reason."""

from __future__ import annotations

import base64

import pytest

from ledger.witness.protocol import (
    MAX_REQUEST_BYTES,
    RequestFormatError,
    format_add_checkpoint,
    parse_add_checkpoint,
    parse_size_response,
)

NOTE = (
    "example.org/log\n3\n" + base64.b64encode(bytes(32)).decode() + "\n\n— example.org/log AAAA\n"
)
HASH = bytes(range(32))
HASH_B64 = base64.b64encode(HASH).decode()


def test_a_request_round_trips() -> None:
    body = format_add_checkpoint(2, [HASH, HASH], NOTE)
    assert body.decode().startswith(f"old 2\n{HASH_B64}\n{HASH_B64}\n\nexample.org/log\n")
    parsed = parse_add_checkpoint(body)
    assert (parsed.old_size, parsed.proof, parsed.checkpoint) == (2, (HASH, HASH), NOTE)
    assert parsed.body() == body


def test_old_zero_has_no_proof_lines() -> None:
    body = format_add_checkpoint(0, [], NOTE)
    assert body.decode().startswith("old 0\n\nexample.org/log\n")
    assert parse_add_checkpoint(body).proof == ()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"old 1\n" + NOTE.encode(), "proof line 1"),  # the note's own blank line ends the head
        (b"old 1\n" + NOTE.split("\n\n")[0].encode(), "no empty line"),
        (b"new 1\n\n" + NOTE.encode(), "first line must be 'old <size>'"),
        (b"old 01\n\n" + NOTE.encode(), "without leading zeros"),
        (b"old -1\n\n" + NOTE.encode(), "without leading zeros"),
        (b"old 1 \n\n" + NOTE.encode(), "without leading zeros"),
        (b"old 9223372036854775808\n\n" + NOTE.encode(), r"below 2\^63"),
        (b"old 1\nnot base64!\n\n" + NOTE.encode(), "proof line 1"),
        (b"old 1\nAAAA\n\n" + NOTE.encode(), "proof line 1 is 3 bytes"),
        (b"old 1\n\n", "checkpoint after the empty line is missing"),
        (b"old 1\n\n\xff\xfe", "not UTF-8"),
        (("old 1\n" + (HASH_B64 + "\n") * 64 + "\n" + NOTE).encode(), "more than 63"),
        (b"old 1\n\n" + b"x" * MAX_REQUEST_BYTES, "bytes, more than"),
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(body: bytes, problem: str) -> None:
    with pytest.raises(RequestFormatError, match=problem):
        parse_add_checkpoint(body)


def test_the_409_body_is_a_size_and_a_newline() -> None:
    assert parse_size_response(b"42\n") == 42
    assert parse_size_response(b"0\n") == 0
    for bad in (b"42", b"042\n", b"x\n", b"\xff\n", b"4 2\n"):
        with pytest.raises(RequestFormatError):
            parse_size_response(bad)


def test_format_refuses_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="outside"):
        format_add_checkpoint(-1, [], NOTE)
    with pytest.raises(ValueError, match="more than 63"):
        format_add_checkpoint(1, [HASH] * 64, NOTE)
