"""Building and signing statements on the official's side (keys never leave their machine)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ledger.protocols import Signer
from ledger.registry import key_id_of
from ledger.statement import SignedStatement, Statement, sign_statement


def new_nonce() -> str:
    """A fresh 128-bit nonce in base64url."""
    return secrets.token_urlsafe(16)


def make_statement(
    type: str,
    payload: dict[str, Any],
    signer: Signer,
    *,
    origin: str,
    time: datetime | None = None,
    nonce: str | None = None,
    private: dict[str, Any] | None = None,
) -> SignedStatement:
    """Build a statement of type with payload, dated now (or `time`), signed for log `origin`.

    `private` is personal data sent beside the statement; its payload must commit to it (see
    `ledger.personnel.private.commitment_of`).
    """
    statement = Statement(
        type=type,
        payload=payload,
        signer=key_id_of(signer.public_key),
        time=time or datetime.now(UTC),
        nonce=nonce or new_nonce(),
    )
    signed = sign_statement(statement, signer, origin)
    return replace(signed, private=private) if private is not None else signed
