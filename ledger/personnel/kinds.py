"""What a statement type is: the record it changes, its payload shape and who may sign it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.personnel.fields import Field, describe_shape

PRIVATE_FIELD = "private_sha256"


@dataclass(frozen=True)
class StatementKind:
    """What one personnel statement type does and who may sign it."""

    type: str
    record: str  # the kind of record it creates or changes
    creates: bool | None  # True: creates its record; False: changes it; None: either
    shape: dict[str, Field]
    roles: frozenset[str]
    summary: str
    private: bool = False  # personal data travels beside it (ledger.personnel.private)

    def to_json(self) -> dict[str, Any]:
        """As published by GET /v1/statement-types."""
        return {
            "type": self.type,
            "record": self.record,
            "creates": self.creates,
            "roles": sorted(self.roles),
            "summary": self.summary,
            "personal_data": self.private,
            "payload": describe_shape(self.shape),
        }


def kind(
    type: str,
    record: str,
    creates: bool | None,
    roles: set[str],
    summary: str,
    shape: dict[str, Field],
    private: bool = False,
) -> StatementKind:
    return StatementKind(type, record, creates, shape, frozenset(roles), summary, private)
