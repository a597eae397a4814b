"""An inspector's scope: their unit and every unit below it, optionally narrowed to one unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, select, true

from ledger.errors import NotAuthorised, NotFound
from ledger.registry import ALL_UNITS
from projections.public_read import within
from projections.schema import public_units


@dataclass(frozen=True)
class Scope:
    """The units an inspector may read: `unit_scope` ('*' for all) and, if given, `unit`."""

    unit_scope: str
    unit: str | None = None

    def check(self, conn: Connection) -> None:
        """Refuse a narrowing unit that is unknown or outside the inspector's scope."""
        if self.unit is None:
            return
        path = conn.execute(
            select(public_units.c.unit_path).where(public_units.c.unit_id == self.unit)
        ).scalar()
        if path is None:
            raise NotFound(
                f"no unit {self.unit!r} is recorded",
                f"không có đơn vị {self.unit!r} trong sổ",
                unit=self.unit,
            )
        if self.unit_scope != ALL_UNITS and f"|{self.unit_scope}|" not in path:
            raise NotAuthorised(
                f"unit {self.unit} is outside your scope {self.unit_scope}",
                f"đơn vị {self.unit} nằm ngoài phạm vi {self.unit_scope} của bạn",
                unit=self.unit,
                unit_scope=self.unit_scope,
            )

    def covers(self, column: Any) -> Any:
        """The SQL condition: a row's unit path lies within the scope (and the unit)."""
        conditions = [
            within(column, u) for u in (self.unit_scope, self.unit) if u and u != ALL_UNITS
        ]
        return and_(true(), *conditions)
