"""Communes and wards of a province side by side: counts, rates and timeliness."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from ledger.errors import InvalidPayload
from projections.inspection.posts import posts_and_holders, probations_due
from projections.inspection.registers import consultation_status
from projections.inspection.scope import Scope
from projections.public_read import PUBLIC_STATUSES, within
from projections.schema import (
    inspection_consultations,
    public_decisions,
    public_officials,
    public_units,
)

BANDS = ("excellent", "good", "completed", "not_completed")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compare_communes(
    engine: Engine, scope: Scope, province: str, since: date, until: date, today: date
) -> list[dict[str, Any]]:
    """One row per commune or ward of the province (existing today), by name."""
    narrowed = Scope(scope.unit_scope, province)
    d, o, c = public_decisions.c, public_officials.c, inspection_consultations.c
    with engine.connect() as conn:
        narrowed.check(conn)
        level = conn.execute(
            select(public_units.c.level).where(public_units.c.unit_id == province)
        ).scalar()
        if level != "province":
            raise InvalidPayload(
                f"{province} is not a province", f"{province} không phải là tỉnh", unit=province
            )
        units = conn.execute(
            select(public_units)
            .where(public_units.c.parent == province)
            .order_by(public_units.c.name)
        ).fetchall()
        rows = []
        for unit in units:
            if unit.exists_until is not None and unit.exists_until <= today.isoformat():
                continue
            here = Scope(scope.unit_scope, unit.unit_id)
            officials = conn.execute(
                select(func.count()).where(within(o.unit_path, unit.unit_id))
            ).scalar_one()
            decisions = conn.execute(
                select(d.status, d.flag_rules, d.kind, d.evaluation_band).where(
                    within(d.unit_path, unit.unit_id),
                    d.status.in_(PUBLIC_STATUSES),
                    d.effective_on >= since.isoformat(),
                    d.effective_on <= until.isoformat(),
                )
            ).fetchall()
            asked = conn.execute(
                select(c.deadline, c.answered_on).where(within(c.unit_path, unit.unit_id))
            ).fetchall()
            flagged = sum(1 for x in decisions if x.flag_rules)
            backdated = sum(1 for x in decisions if ",R11," in x.flag_rules)
            bands = {b: 0 for b in BANDS}
            for x in decisions:
                if x.kind == "evaluation" and x.status == "approved" and x.evaluation_band in bands:
                    bands[x.evaluation_band] += 1
            answered = [consultation_status(a.deadline, a.answered_on, today) for a in asked]
            answered_total = sum(1 for s in answered if s in ("answered", "late"))
            rows.append(
                {
                    "unit_id": unit.unit_id,
                    "name": unit.name,
                    "level": unit.level,
                    "officials": officials,
                    "decisions": len(decisions),
                    "flagged": flagged,
                    "flagged_rate": _rate(flagged, len(decisions)),
                    "held": sum(1 for x in decisions if x.status == "held"),
                    "recorded_on_time_rate": _rate(len(decisions) - backdated, len(decisions)),
                    "evaluation_bands": bands,
                    "vacancies": 0,
                    "probations_overdue": 0,
                    "consultations": len(asked),
                    "consultations_on_time_rate": _rate(
                        sum(1 for s in answered if s == "answered"), answered_total
                    ),
                    "_scope": here,
                }
            )
    for row in rows:
        here = row.pop("_scope")
        row["vacancies"] = sum(
            v["vacant"] for v in posts_and_holders(engine, here, today)["vacancies"]
        )
        row["probations_overdue"] = sum(
            1 for p in probations_due(engine, here, today, within_days=0) if p["overdue"]
        )
    return rows
