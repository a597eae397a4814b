"""Typed errors of the ledger: each has a stable code, a message in Vietnamese and English, details.

The HTTP status of each code is decided in one place, api/errors.py.
"""

from __future__ import annotations

from typing import Any, ClassVar


class LedgerError(Exception):
    """Base of every refusal the ledger explains to a user."""

    code: ClassVar[str] = "ledger_error"

    def __init__(self, message_en: str, message_vi: str, **details: Any) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The error as the API's JSON error shape."""
        return {
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "details": self.details,
        }


class StatementError(LedgerError):
    """A submitted statement was refused."""


class MalformedStatement(StatementError):
    """Not JSON, or not the envelope/statement shape."""

    code = "malformed_statement"


class NonCanonicalStatement(StatementError):
    """Valid JSON whose bytes are not its RFC 8785 canonical form."""

    code = "non_canonical_statement"


class StatementTooLarge(StatementError):
    """Over the size limit of a statement or of a log entry."""

    code = "statement_too_large"


class UnknownStatementType(StatementError):
    """The type names no statement the ledger knows."""

    code = "unknown_statement_type"


class InvalidPayload(StatementError):
    """The payload does not fit its statement type's schema."""

    code = "invalid_payload"


class BadSignature(StatementError):
    """The signature does not verify under the signer's key."""

    code = "bad_signature"


class UnknownKey(StatementError):
    """The signer key id was never enrolled."""

    code = "unknown_key"


class RevokedKey(StatementError):
    """The signer key was revoked or rotated away before the statement's time."""

    code = "revoked_key"


class KeyNotYetValid(StatementError):
    """The statement's time is before the signer key's valid-from time."""

    code = "key_not_yet_valid"


class ClockSkew(StatementError):
    """The statement's time is too far from the server clock."""

    code = "clock_skew"


class ReplayedNonce(StatementError):
    """The signer already used this nonce."""

    code = "replayed_nonce"


class NotAuthorised(StatementError):
    """The signer's role or unit scope does not allow this act."""

    code = "not_authorised"


class VersionConflict(LedgerError):
    """The aggregate changed since the version the statement expected."""

    code = "version_conflict"


class NotFound(LedgerError):
    """No such aggregate, entry or key."""

    code = "not_found"


class LogUnavailable(LedgerError):
    """The log cannot answer yet (e.g. nothing sequenced, or a size beyond the tree)."""

    code = "log_unavailable"
