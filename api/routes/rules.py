"""The public table of power-control rules (GET /v1/rules)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ledger.rules import rules_table

router = APIRouter(prefix="/v1/rules", tags=["rules"])


class RulePublic(BaseModel):
    """One rule: severity, bilingual title and message, legal source, default parameters."""

    id: str
    severity: str
    title_vi: str
    title_en: str
    message_vi: str
    message_en: str
    source: str
    parameters: dict[str, Any]
    confirmed: bool
    applies_to: list[str] | None


@router.get("", response_model=list[RulePublic])
def list_rules() -> list[dict[str, Any]]:
    """Every rule and its default parameters; `confirmed` false marks unconfirmed figures."""
    return rules_table()
