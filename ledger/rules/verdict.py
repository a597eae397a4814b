"""A rule's verdict on a decision: ok, flag, hold or block, a bilingual message and its source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledger.rules.model import EMPTY


class Outcome(StrEnum):
    """Result of one rule; a flag is accepted and shown, a hold waits for inspection."""

    OK = "ok"
    FLAG = "flag"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def weight(self) -> int:
        """Order by gravity, OK lightest."""
        return list(Outcome).index(self)


class Severity(StrEnum):
    """What a rule does when it finds something: its gravest outcome."""

    FLAG = "flag"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def outcome(self) -> Outcome:
        """The outcome a finding of this rule has unless it says otherwise."""
        return Outcome(self.value)


HOLD_MESSAGE_VI = "Quyết định được tạm giữ để thanh tra xem xét độc lập."
HOLD_MESSAGE_EN = "The decision is held for independent review by inspection."


@dataclass(frozen=True)
class Finding:
    """What a rule function returns: its message, details, and an outcome below its severity."""

    message_vi: str
    message_en: str
    details: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    outcome: Outcome | None = None  # None: the rule's severity
    inspection_note: Mapping[str, str] | None = None  # {"vi": ..., "en": ...}


@dataclass(frozen=True)
class Verdict:
    """The verdict of one rule on one decision."""

    rule_id: str
    outcome: Outcome
    message_vi: str
    message_en: str
    source: str
    details: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    # Only inspection may read this; a hold's reason lives here and nowhere else.
    inspection_note: Mapping[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """The verdict as shown to the proposer and the public.

        A hold shows neither rule nor source: naming the rule would reveal why it is held.
        """
        if self.outcome is Outcome.HOLD:
            return {
                "rule_id": None,
                "outcome": self.outcome.value,
                "message_vi": HOLD_MESSAGE_VI,
                "message_en": HOLD_MESSAGE_EN,
                "source": None,
                "details": {},
            }
        return {
            "rule_id": self.rule_id,
            "outcome": self.outcome.value,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "source": self.source,
            "details": dict(self.details),
        }

    def to_inspection_json(self) -> dict[str, Any]:
        """The verdict with everything, for inspection only."""
        shown = self.to_json()
        shown.update(
            rule_id=self.rule_id,
            message_vi=self.message_vi,
            message_en=self.message_en,
            source=self.source,
            details=dict(self.details),
            inspection_note=dict(self.inspection_note) if self.inspection_note else None,
        )
        return shown


def overall(verdicts: Iterable[Verdict]) -> Outcome:
    """The gravest outcome among verdicts (OK when there are none)."""
    return max((v.outcome for v in verdicts), key=lambda o: o.weight, default=Outcome.OK)
