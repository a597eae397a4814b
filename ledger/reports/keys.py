"""The report keys: the handling committee's and the identity-protection HPKE keys.

Both are derived from secrets held in the vault (custodial: the server opens content for a
handler's logged read, and an identity only after two protection officers approved); the
vault subjects of a report are destroyed at the end of its retention.
"""

from __future__ import annotations

import json
from typing import Any

from ledger.protocols import PersonalDataVault, SealingKeys

COMMITTEE_INFO = b"canbo-ledger/report/content/v1"
IDENTITY_INFO = b"canbo-ledger/report/identity/v1"


def content_subject(report_id: str) -> str:
    """Vault subject holding a report's sealed content, notes, messages and replies."""
    return f"report:{report_id}"


def identity_subject(report_id: str) -> str:
    """Vault subject holding a report's sealed identity (a separate key)."""
    return f"report-identity:{report_id}"


def open_content(
    vault: PersonalDataVault, keys: SealingKeys, report_id: str, commitment: str
) -> dict[str, Any] | None:
    """A report's content, opened with the committee key (None once expired)."""
    sealed = vault.open(content_subject(report_id), commitment)
    if sealed is None:
        return None
    content: dict[str, Any] = json.loads(keys.open_committee(sealed, COMMITTEE_INFO))
    return content
