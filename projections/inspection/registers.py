"""Registers for inspection: hard tasks without an owner, initiatives and consultations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from projections.inspection.scope import Scope
from projections.schema import inspection_consultations, inspection_initiatives, inspection_tasks


def tasks_without_owner(engine: Engine, scope: Scope, today: date) -> list[dict[str, Any]]:
    """Open hard tasks nobody has taken on, earliest deadline first."""
    t = inspection_tasks.c
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(
            select(inspection_tasks)
            .where(scope.covers(t.unit_path), t.owner.is_(None), t.outcome.is_(None))
            .order_by(t.deadline, t.task_id)
        ).fetchall()
    return [
        {
            "task_id": r.task_id,
            "unit": r.unit,
            "title": r.title,
            "deadline": r.deadline,
            "overdue": r.deadline < today.isoformat(),
            "log_indexes": r.log_indexes,
        }
        for r in rows
    ]


def initiatives(engine: Engine, scope: Scope) -> list[dict[str, Any]]:
    """Registered initiatives and how they were assessed (legitimate, sloppy, abuse, or not yet)."""
    i = inspection_initiatives.c
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(
            select(inspection_initiatives)
            .where(scope.covers(i.unit_path))
            .order_by(i.starts_on, i.initiative_id)
        ).fetchall()
    return [
        {
            "initiative_id": r.initiative_id,
            "official_id": r.official_id,
            "unit": r.unit,
            "aim": r.aim,
            "starts_on": r.starts_on,
            "assessment": r.assessment,
            "evaluated_on": r.evaluated_on,
            "log_indexes": r.log_indexes,
        }
        for r in rows
    ]


def consultation_status(deadline: str, answered_on: str | None, today: date) -> str:
    """answered, late (answered after the deadline), overdue (unanswered past it), or open."""
    if answered_on is not None:
        return "answered" if answered_on <= deadline else "late"
    return "overdue" if deadline < today.isoformat() else "open"


def consultations(engine: Engine, scope: Scope, today: date) -> list[dict[str, Any]]:
    """Quick consultations asked by units in scope, with whether the answer came in time."""
    c = inspection_consultations.c
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(
            select(inspection_consultations)
            .where(scope.covers(c.unit_path))
            .order_by(c.asked_on, c.consultation_id)
        ).fetchall()
    return [
        {
            "consultation_id": r.consultation_id,
            "unit": r.unit,
            "to_unit": r.to_unit,
            "question": r.question,
            "asked_on": r.asked_on,
            "deadline": r.deadline,
            "answered_on": r.answered_on,
            "status": consultation_status(r.deadline, r.answered_on, today),
            "log_indexes": r.log_indexes,
        }
        for r in rows
    ]
