"""What a personnel handler works with: the caught-up view, the vault and the signer's authority.

One `PersonnelWork` serves one batch of statements. It holds the view's lock from the first
personnel statement until the batch is saved or refused, seals personal data only once the batch
is saved, and says how many personnel events the batch adds (for the recorder's counter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.errors import InvalidPayload, NotAuthorised, VersionConflict
from ledger.personnel.derive import Derived
from ledger.personnel.private import sealed_bytes, unsealed
from ledger.personnel.rulestate import rules_state
from ledger.personnel.state import PersonnelState
from ledger.personnel.view import PersonnelView
from ledger.protocols import PersonalDataVault, SealingKeys
from ledger.registry import KeyRecord, scope_covers
from ledger.rules.dates import local_date
from ledger.rules.model import State, TitleGroup


@dataclass
class PersonnelWork:
    """One batch's personnel work."""

    view: PersonnelView
    vault: PersonalDataVault
    sealing: SealingKeys
    expected_count: int
    events: int = 0
    seals: list[tuple[str, str, bytes]] = field(default_factory=list)
    erasures: list[str] = field(default_factory=list)
    # Rows this attempt added to the vault, dropped again if its events are not saved; rows
    # that were there before (a replayed statement's) belong to a recorded statement.
    sealed_now: list[tuple[str, str]] = field(default_factory=list)
    committed: bool = False
    _sealing: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    @property
    def state(self) -> PersonnelState:
        """The personnel state, with this batch's earlier statements applied."""
        return self.view.state

    def derived(self) -> Derived:
        """Facts that follow from decisions in effect."""
        return self.view.derived()

    def seal_later(self, subject: str, commitment: str, data: dict[str, Any]) -> None:
        """Seal personal data once the batch is saved."""
        self.seals.append((subject, commitment, sealed_bytes(data)))
        self._sealing[(subject, commitment)] = data

    def private_of(self, subject: str, commitment: str) -> dict[str, Any] | None:
        """Personal data from the vault (or sealed by this batch), None if erased."""
        key = (subject, commitment)
        if key in self._sealing:
            return self._sealing[key]
        cache = self.view.private_cache  # kept across batches: sealed data never changes
        if key not in cache:
            cache[key] = unsealed(self.vault.open(subject, commitment))
        return cache[key]

    def rules_state(self, unit: str, group: TitleGroup | None) -> State:
        """What the rules read for a decision of this unit and title group."""
        return rules_state(
            self.state,
            self.derived(),
            self.private_of,
            self.vault.blind_index,
            unit=unit,
            group=group,
            cache=self.view.rules_officials,
        )

    # --- checks shared by the handlers -------------------------------------------------------

    def covers(self, scope: str, unit: str) -> bool:
        """True if a unit scope covers a unit: itself, or any unit above it (unit ids carry
        their province's id as prefix, as unit.establish requires)."""
        return scope_covers(scope, unit)

    def require_scope(self, signer: KeyRecord, unit: str, act: str) -> None:
        """403 unless the signer's scope covers the unit."""
        if not self.covers(signer.unit_scope, unit):
            raise NotAuthorised(
                f"the signer (role {signer.role}, scope {signer.unit_scope}) may not {act} "
                f"for unit {unit}",
                f"người ký (vai trò {signer.role}, phạm vi {signer.unit_scope}) không có thẩm "
                f"quyền với đơn vị {unit}",
                unit=unit,
                role=signer.role,
                unit_scope=signer.unit_scope,
            )

    def unit(self, unit_id: str, field_name: str = "unit") -> None:
        """422 unless the unit is known."""
        if unit_id not in self.state.units:
            raise unknown(field_name, "unit", unit_id)

    def official(self, official_id: str, field_name: str = "official") -> None:
        """422 unless the official is known."""
        if official_id not in self.state.officials:
            raise unknown(field_name, "official", official_id)


def unknown(field_name: str, what: str, value: str) -> InvalidPayload:
    """A reference to a record the ledger does not know."""
    return InvalidPayload(
        f"payload.{field_name}: no {what} {value!r} is recorded",
        f"payload.{field_name}: không có {what} {value!r} trong sổ",
        field=field_name,
        value=value,
    )


def exists(what: str, value: str) -> VersionConflict:
    """A record created twice."""
    return VersionConflict(
        f"{what} {value!r} already exists", f"{what} {value!r} đã tồn tại", record=value
    )


def wrong_status(what: str, value: str, status: str, wanted: str) -> VersionConflict:
    """A change that does not fit the record's current status (someone acted first)."""
    return VersionConflict(
        f"{what} {value!r} is {status}; this statement needs it {wanted}",
        f"{what} {value!r} đang ở trạng thái {status}, không phù hợp",
        record=value,
        status=status,
    )


def day_of(payload: dict[str, Any], name: str) -> date:
    """A date field already checked by the payload shape."""
    return date.fromisoformat(payload[name])


Today = Callable[[], date]


def local_today(moment: Any) -> date:
    """The date in Vietnam of a statement's time."""
    return local_date(moment)
