"""The attestation every event carries: the statement's exact signed text, signature and key."""

from __future__ import annotations

import base64
from typing import Any, TypedDict

from ledger.canonical import parse_json


class Signed(TypedDict):
    """Stored inside each event; kept as text so the log holds the exact bytes that were signed."""

    statement: str
    signature: str
    public_key: str


def make_signed(raw: bytes, signature: bytes, public_key: bytes) -> Signed:
    """The attestation for a verified statement."""
    return {
        "statement": raw.decode("utf-8"),
        "signature": base64.b64encode(signature).decode("ascii"),
        "public_key": base64.b64encode(public_key).decode("ascii"),
    }


def payload_of(signed: Signed) -> dict[str, Any]:
    """The statement payload inside an attestation."""
    statement = parse_json(signed["statement"])
    payload: dict[str, Any] = statement["payload"]
    return payload
