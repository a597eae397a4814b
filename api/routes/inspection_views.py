"""Inspection views over the read models, for inspectors of a unit and the units below it.

The access table (api/access.py) checks the session's role and that any `unit` (or `province`)
asked about lies within its scope; the views then keep to the session's scope. The logic lives
in projections/inspection/; these handlers only translate the query.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import LedgerDep, SessionDep
from api.read_models import ReadModelsDep
from api.routes.public import ID
from ledger.rules.dates import local_date
from projections.charts import bar_chart
from projections.inspection.communes import compare_communes
from projections.inspection.decisions import decisions_in_period, held_decisions
from projections.inspection.posts import posts_and_holders, probations_due, rotations_overdue
from projections.inspection.registers import consultations, initiatives, tasks_without_owner
from projections.inspection.scope import Scope

router = APIRouter(prefix="/v1/inspection", tags=["inspection"])

Unit = Annotated[str | None, Query(pattern=ID, description="this unit and those below it")]
Day = Annotated[date | None, Query(description="the day to judge deadlines on (default today)")]
MEASURES = "flagged_rate|recorded_on_time_rate|consultations_on_time_rate|officials|vacancies"


def _today(ledger: LedgerDep, day: date | None) -> date:
    return day or local_date(ledger.app.clock())


@router.get("/decisions", summary="Decisions of a period with their rule flags")
def decisions(
    session: SessionDep,
    models: ReadModelsDep,
    since: date,
    until: date,
    unit: Unit = None,
    flagged_only: bool = False,
) -> dict[str, Any]:
    """Decisions effective between two dates in your units, each with the rules' verdicts."""
    found = decisions_in_period(
        models.reader, Scope(session.unit_scope, unit), since, until, flagged_only=flagged_only
    )
    return {"decisions": found}


@router.get("/holds", summary="Held decisions and why")
def holds(
    session: SessionDep, models: ReadModelsDep, unit: Unit = None, still_held: bool = True
) -> dict[str, Any]:
    """Decisions held for independent review, with the rule and reason (inspection only)."""
    return {
        "holds": held_decisions(
            models.reader, Scope(session.unit_scope, unit), still_held=still_held
        )
    }


@router.get("/probations", summary="Probations due or overdue")
def probations(
    session: SessionDep,
    models: ReadModelsDep,
    ledger: LedgerDep,
    unit: Unit = None,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 30,
    on: Day = None,
) -> dict[str, Any]:
    """Open probations whose deadline has passed or falls within `within_days`."""
    scope = Scope(session.unit_scope, unit)
    found = probations_due(models.reader, scope, _today(ledger, on), within_days=within_days)
    return {"probations": found}


@router.get("/rotations", summary="Officials past the rotation period")
def rotations(
    session: SessionDep, models: ReadModelsDep, ledger: LedgerDep, unit: Unit = None, on: Day = None
) -> dict[str, Any]:
    """Holders of sensitive posts past the period the framework in force sets (rule R09)."""
    scope = Scope(session.unit_scope, unit)
    return {"overdue": rotations_overdue(models.reader, scope, _today(ledger, on))}


@router.get("/posts", summary="Vacancies and overlapping posts")
def posts(
    session: SessionDep, models: ReadModelsDep, ledger: LedgerDep, unit: Unit = None, on: Day = None
) -> dict[str, Any]:
    """Vacant posts, posts over their headcount, officials holding several posts."""
    return posts_and_holders(models.reader, Scope(session.unit_scope, unit), _today(ledger, on))


@router.get("/tasks", summary="Hard tasks without an owner")
def tasks(
    session: SessionDep, models: ReadModelsDep, ledger: LedgerDep, unit: Unit = None, on: Day = None
) -> dict[str, Any]:
    """Open hard tasks nobody has taken on."""
    scope = Scope(session.unit_scope, unit)
    return {"tasks": tasks_without_owner(models.reader, scope, _today(ledger, on))}


@router.get("/initiatives", summary="Initiatives and their assessment")
def initiative_list(
    session: SessionDep, models: ReadModelsDep, unit: Unit = None
) -> dict[str, Any]:
    """Registered initiatives: legitimate, sloppy, abuse, or not yet assessed."""
    return {"initiatives": initiatives(models.reader, Scope(session.unit_scope, unit))}


@router.get("/consultations", summary="Consultations and whether answered in time")
def consultation_list(
    session: SessionDep, models: ReadModelsDep, ledger: LedgerDep, unit: Unit = None, on: Day = None
) -> dict[str, Any]:
    """Quick consultations asked by your units: answered, late, overdue or open."""
    scope = Scope(session.unit_scope, unit)
    return {"consultations": consultations(models.reader, scope, _today(ledger, on))}


@router.get("/communes", summary="Communes of a province side by side")
def communes(
    session: SessionDep,
    models: ReadModelsDep,
    ledger: LedgerDep,
    province: Annotated[str, Query(pattern=ID)],
    since: date,
    until: date,
) -> dict[str, Any]:
    """Counts, rates and timeliness of each commune and ward of the province."""
    today = local_date(ledger.app.clock())
    rows = compare_communes(models.reader, Scope(session.unit_scope), province, since, until, today)
    return {"province": province, "communes": rows}


@router.get(
    "/communes/chart.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
    summary="One measure of the communes, as an SVG chart",
)
def communes_chart(
    session: SessionDep,
    models: ReadModelsDep,
    ledger: LedgerDep,
    province: Annotated[str, Query(pattern=ID)],
    since: date,
    until: date,
    measure: Annotated[str, Query(pattern=f"^({MEASURES})$")] = "flagged_rate",
) -> Response:
    """A bar chart of the measure, one bar per commune or ward."""
    today = local_date(ledger.app.clock())
    rows = compare_communes(models.reader, Scope(session.unit_scope), province, since, until, today)
    rate = measure.endswith("_rate")
    svg = bar_chart(
        f"{measure} — {province}",
        [(r["name"], float(r[measure] or 0)) for r in rows],
        unit="%" if rate else "",
        maximum=100 if rate else None,
    )
    return Response(svg, media_type="image/svg+xml")
