"""Posts and people for inspection: probations due, rotations overdue, vacancies, overlaps."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, or_, select

from ledger.rules import get_rule
from ledger.rules.dates import add_years
from projections.inspection.scope import Scope
from projections.schema import (
    public_framework_versions,
    public_memberships,
    public_posts,
    public_probations,
)


def probations_due(
    engine: Engine, scope: Scope, today: date, *, within_days: int = 30
) -> list[dict[str, Any]]:
    """Open probations whose deadline has passed or comes within `within_days`."""
    p = public_probations.c
    horizon = (today + timedelta(days=within_days)).isoformat()
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(
            select(public_probations)
            .where(scope.covers(p.unit_path), p.ended_on.is_(None), p.deadline <= horizon)
            .order_by(p.deadline, p.official_id)
        ).fetchall()
    return [
        {
            "official_id": r.official_id,
            "post_id": r.post_id,
            "started": r.started,
            "deadline": r.deadline,
            "overdue": r.deadline < today.isoformat(),
            "days_left": (date.fromisoformat(r.deadline) - today).days,
            "decision_id": r.decision_id,
            "log_index": r.log_index,
        }
        for r in rows
    ]


def _active(column_end: Any, today: date) -> Any:
    return or_(column_end.is_(None), column_end > today.isoformat())


def rotation_parameters(conn: Connection, province: str | None, group: str, today: date) -> Any:
    """R09's parameters in force today for a province and title group (defaults otherwise)."""
    defaults = dict(get_rule("R09").parameters)
    f = public_framework_versions.c
    row = conn.execute(
        select(f.parameters)
        .where(
            f.province == province,
            f.title_group == group,
            f.status == "published",
            f.effective_on <= today.isoformat(),
        )
        .order_by(f.effective_on.desc(), f.proposal.desc())
        .limit(1)
    ).scalar()
    given = row or {}
    return {name: given.get(name, value) for name, value in defaults.items()}


def rotations_overdue(engine: Engine, scope: Scope, today: date) -> list[dict[str, Any]]:
    """Holders of sensitive posts past the rotation period (R09), longest overdue first."""
    m, p = public_memberships.c, public_posts.c
    found = []
    with engine.connect() as conn:
        scope.check(conn)
        rows = conn.execute(
            select(public_memberships, p.sensitive_area, p.province, p.title_group, p.title)
            .join(public_posts, p.post_id == m.post_id)
            .where(
                scope.covers(m.unit_path),
                p.sensitive_area.is_not(None),
                m.start_date <= today.isoformat(),
                _active(m.end_date, today),
            )
        ).fetchall()
        parameters: dict[tuple[Any, str], Any] = {}
        for r in rows:
            key = (r.province, r.title_group)
            if key not in parameters:
                parameters[key] = rotation_parameters(conn, r.province, r.title_group, today)
            params = parameters[key]
            years = int(
                params["rotation_years_by_area"].get(r.sensitive_area, params["rotation_years"])
            )
            due = add_years(date.fromisoformat(r.start_date), years)
            if due <= today:
                found.append(
                    {
                        "official_id": r.official_id,
                        "post_id": r.post_id,
                        "title": r.title,
                        "sensitive_area": r.sensitive_area,
                        "since": r.start_date,
                        "rotation_years": years,
                        "due": due.isoformat(),
                        "days_overdue": (today - due).days,
                        "decision_id": r.decision_id,
                        "log_index": r.log_index,
                    }
                )
    return sorted(found, key=lambda x: (-x["days_overdue"], x["official_id"]))


def posts_and_holders(engine: Engine, scope: Scope, today: date) -> dict[str, Any]:
    """Vacant posts, posts held beyond their headcount, and officials holding several posts."""
    p, m = public_posts.c, public_memberships.c
    with engine.connect() as conn:
        scope.check(conn)
        posts = conn.execute(
            select(public_posts)
            .where(
                scope.covers(p.unit_path),
                p.created_on <= today.isoformat(),
                _active(p.abolished_on, today),
            )
            .order_by(p.post_id)
        ).fetchall()
        holdings = conn.execute(
            select(m.official_id, m.post_id).where(
                scope.covers(m.unit_path),
                m.start_date <= today.isoformat(),
                _active(m.end_date, today),
            )
        ).fetchall()
    holders: dict[str, list[str]] = defaultdict(list)
    posts_of: dict[str, list[str]] = defaultdict(list)
    for h in holdings:
        holders[h.post_id].append(h.official_id)
        posts_of[h.official_id].append(h.post_id)
    vacancies, overfilled = [], []
    for post in posts:
        held = sorted(holders.get(post.post_id, []))
        row = {
            "post_id": post.post_id,
            "unit": post.unit,
            "title": post.title,
            "headcount": post.headcount,
            "holders": held,
        }
        if len(held) < post.headcount:
            vacancies.append({**row, "vacant": post.headcount - len(held)})
        elif len(held) > post.headcount:
            overfilled.append({**row, "excess": len(held) - post.headcount})
    several = [
        {"official_id": official, "posts": sorted(held)}
        for official, held in sorted(posts_of.items())
        if len(held) > 1
    ]
    return {
        "vacancies": vacancies,
        "overfilled_posts": overfilled,
        "officials_in_several_posts": several,
    }
