"""Response bodies shared across routers, for the OpenAPI document and its checkers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error: a stable code, the message in Vietnamese and English, and details."""

    code: str = Field(description="stable machine-readable code, e.g. not_authorised")
    message_vi: str
    message_en: str
    details: dict[str, Any]

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "code": "out_of_scope",
                    "message_vi": "phạm vi VN-HN/ba-dinh của bạn không bao gồm đơn vị VN-HCM",
                    "message_en": "your scope VN-HN/ba-dinh does not cover unit VN-HCM",
                    "details": {"unit": "VN-HCM", "scope": "VN-HN/ba-dinh"},
                }
            ]
        }
    }


class EntryProof(BaseModel):
    """A leaf, its inclusion proof (base64 hashes) and a C2SP tlog-proof, against a checkpoint."""

    leaf_index: int
    leaf_hash: str
    inclusion_proof: list[str]
    tlog_proof: str


class RecordedEntry(EntryProof):
    """One event a statement produced, as a leaf of the log."""

    aggregate_id: str
    aggregate_version: int


class StatementReceipt(BaseModel):
    """What became of one statement: its leaves."""

    type: str
    signer: str
    nonce: str
    leaf_index: int
    entries: list[RecordedEntry]


class Receipt(BaseModel):
    """The receipt of a submission: every statement's leaves against one signed checkpoint."""

    checkpoint: str
    tree_size: int
    statements: list[StatementReceipt]


class PendingReceipts(BaseModel):
    """Saved, not yet sequenced: fetch each receipt from its link shortly."""

    status: str
    notification_ids: list[int]
    receipts: list[str]


class EventReceipt(EntryProof):
    """The receipt of one stored event, against the latest checkpoint."""

    checkpoint: str
    tree_size: int
    notification_id: int
