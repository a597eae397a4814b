"""What the power-control rules see: the personnel state and a decision, as `ledger.rules` values.

Personal data the rules need (declared relatives, why discipline is postponed) is read from the
vault here and nowhere else; reporters are known only by their blind index.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from ledger.errors import InvalidPayload
from ledger.personnel.derive import Derived
from ledger.personnel.state import DecisionState, PersonnelState
from ledger.rules.decision import (
    Collective,
    Decision,
    EvaluationInput,
    Kind,
    Product,
    RotationKind,
)
from ledger.rules.model import (
    Band,
    DisciplinaryReview,
    Framework,
    Official,
    Penalty,
    PlanEntry,
    Postponement,
    PostponementReason,
    Protection,
    Relative,
    ReporterProtection,
    State,
    TitleGroup,
    Unit,
)

PrivateOf = Callable[[str, str], dict[str, Any] | None]  # (subject, commitment) -> data


def rules_state(
    s: PersonnelState,
    derived: Derived,
    private_of: PrivateOf,
    blind_index: Callable[[str], str],
    *,
    unit: str,
    group: TitleGroup | None,
    cache: dict[str, tuple[Any, Official]] | None = None,
) -> State:
    """The state the rules read for a decision of `unit` about a post of title group `group`.

    `cache` keeps each official as the rules see it between checks, keyed by what it is made
    of (personal data commitment, erasure, trainings), so a check does not rebuild them all.
    """
    officials = []
    cache = {} if cache is None else cache
    for o in s.officials.values():
        key = (o.private_sha256, o.erased, len(o.trainings))
        cached = cache.get(o.id)
        if cached is not None and cached[0] == key:
            officials.append(cached[1])
            continue
        data = private_of(o.id, o.private_sha256) if o.private_sha256 and not o.erased else None
        relatives = tuple(
            Relative(r["official"], r["relation"]) for r in (data or {}).get("relatives", [])
        )
        official = Official(o.id, relatives, dict(o.competencies))
        cache[o.id] = (key, official)
        officials.append(official)
    postponements = []
    for p in s.postponements.values():
        data = private_of(p.official, p.private_sha256)
        if data is not None:
            postponements.append(
                Postponement(p.official, PostponementReason(data["reason"]), p.since, p.until)
            )
    return State(
        units=tuple(
            Unit(u.id, u.level, u.parent, u.special_areas, u.exists_from, u.exists_until)
            for u in s.units.values()
        ),
        posts=tuple(p.post for p in s.posts.values() if p.abolished_on is None),
        officials=tuple(officials),
        holdings=derived.holdings,
        records=derived.records,
        reviews=tuple(
            DisciplinaryReview(r.official, r.opened_on, r.closed_on) for r in s.reviews.values()
        ),
        postponements=tuple(postponements),
        probations=derived.probations,
        evaluations=derived.evaluations,
        terms=derived.terms,
        succession=tuple(PlanEntry(o.id, post) for o in s.officials.values() for post in o.plans),
        frameworks=frameworks_for(s, unit, group),
        reporters=ReporterProtection(
            tuple(Protection(p.index, p.since, p.until) for p in s.protections.values()),
            blind_index,
        ),
    )


def frameworks_for(s: PersonnelState, unit: str, group: TitleGroup | None) -> tuple[Framework, ...]:
    """Published versions of the framework of the unit's province for the title group, with the
    priority competencies of the unit's special areas added to what is required."""
    province = s.province_of(unit)
    areas = s.units[unit].special_areas if unit in s.units else frozenset()
    found: list[Framework] = []
    for framework in s.frameworks.values():
        if framework.province != province or framework.group is not group:
            continue
        for proposal in framework.published():
            required = dict(proposal.competencies)
            for area in sorted(areas):
                for name, level in proposal.priority_competencies.get(area, {}).items():
                    required[name] = max(required.get(name, 0), level)
            found.append(
                Framework(
                    version=proposal.version or "",
                    effective_on=proposal.effective_on,
                    parameters=dict(proposal.parameters),
                    required={framework.group: required},
                    published_at=proposal.published_at,
                )
            )
    return tuple(found)


def title_group_of(s: PersonnelState, derived: Derived, d: DecisionState) -> TitleGroup | None:
    """The title group a decision is about: its target post's, else the subject's current post's."""
    post_id = d.payload.get("target_post")
    if post_id is None:
        held = [h.post for h in derived.holdings if h.official == d.subject]
        post_id = held[-1] if held else None
    post = s.posts.get(post_id) if post_id else None
    return post.post.group if post is not None else None


def rules_decision(
    s: PersonnelState, d: DecisionState, approvers: list[str], recorded_at: datetime
) -> Decision:
    """The decision as the rules read it."""
    p = d.payload
    unit = s.units.get(d.unit)
    collective = p.get("collective")
    return Decision(
        id=d.id,
        kind=Kind(d.kind),
        subject=d.subject,
        proposer=d.proposer,
        issuer_unit=d.unit,
        issuer_level=unit.level if unit else _unknown_level(),
        effective_on=d.effective_on,
        recorded_at=recorded_at,
        approvers=tuple(approvers),
        target_post=p.get("target_post"),
        collective=_collective(collective) if collective is not None else None,
        legal_basis=p.get("legal_basis", ""),
        framework_version=p.get("framework_version"),
        justification=p.get("justification", ""),
        creates_new_post=p.get("creates_new_post", False),
        demotion=p.get("demotion", False),
        leaves_posts=tuple(p.get("leaves_posts", ())),
        until=_day(p.get("until")),
        notice_given_on=_day(p.get("notice_given_on")),
        rotation=RotationKind(p["rotation"]) if p.get("rotation") else None,
        penalty=Penalty(p["penalty"]) if p.get("penalty") else None,
        violation_id=p.get("violation_id"),
        violation_on=_day(p.get("violation_on")),
        violation_category=p.get("violation_category"),
        evaluation=evaluation_input(p["evaluation"]) if p.get("evaluation") else None,
    )


def _unknown_level() -> Any:
    # An unknown issuer is the business of rule R16 (it blocks); any level will do meanwhile.
    from ledger.rules.model import Level

    return Level.COMMUNE


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _invalid(what: str) -> InvalidPayload:
    return InvalidPayload(
        f"payload.{what}", f"payload.{what.split(' ')[0]} không hợp lệ", field=what.split(" ")[0]
    )


def _collective(value: dict[str, Any]) -> Collective:
    members, present, votes = value.get("members"), value.get("present"), value.get("votes_for")
    if (
        set(value) != {"members", "present", "votes_for"}
        or not isinstance(members, list)
        or not isinstance(present, list)
        or not all(isinstance(m, str) for m in [*members, *present])
        or not isinstance(votes, int)
        or isinstance(votes, bool)
        or votes < 0
    ):
        raise _invalid(
            "collective must be {members: [official ids], present: [official ids], "
            "votes_for: whole number}"
        )
    return Collective(tuple(members), tuple(present), votes)


def evaluation_input(value: dict[str, Any]) -> EvaluationInput:
    """Evaluation inputs from a payload; the band is the one submitted, checked by rule R21."""
    allowed = {
        "period",
        "general_points",
        "products",
        "band",
        "subordinate_failed",
        "citizen_satisfaction",
        "criteria_scores",
    }
    if set(value) - allowed or not {"period", "products", "band"} <= set(value):
        raise _invalid(
            f"evaluation must have period, products, band and either general_points or "
            f"criteria_scores; allowed fields {sorted(allowed)}"
        )
    period, band = value["period"], value["band"]
    if not isinstance(period, str) or not 1 <= len(period) <= 20:
        raise _invalid("evaluation.period must be a label like 2026 or 2026-Q1")
    if band not in {b.value for b in Band}:
        raise _invalid(f"evaluation.band must be one of {[b.value for b in Band]}")
    products = value["products"]
    if not isinstance(products, list) or not 1 <= len(products) <= 1000:
        raise _invalid("evaluation.products must be a list of 1 to 1000 products")
    parsed = []
    for item in products:
        faults = item.get("major_faults", 0) if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or set(item) - {"completed", "major_faults"}
            or not isinstance(item.get("completed"), bool)
            or not isinstance(faults, int)
            or isinstance(faults, bool)
            or not 0 <= faults <= 100
        ):
            raise _invalid("evaluation.products items are {completed: bool, major_faults: 0..100}")
        parsed.append(Product(item["completed"], faults))
    satisfaction = value.get("citizen_satisfaction")
    if satisfaction is not None and (
        not isinstance(satisfaction, int)
        or isinstance(satisfaction, bool)
        or not 0 <= satisfaction <= 100
    ):
        raise _invalid("evaluation.citizen_satisfaction must be a whole percentage 0..100")
    return EvaluationInput(
        period=period,
        general_points=_general_points(value),
        products=tuple(parsed),
        band=Band(band),
        subordinate_failed=value.get("subordinate_failed", False) is True,
    )


def _general_points(value: dict[str, Any]) -> Fraction:
    """General points: given directly (a whole number or "a/b"), or the sum of criteria scores."""
    scores = value.get("criteria_scores")
    if scores is not None:
        if (
            not isinstance(scores, dict)
            or not scores
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 30
                for v in scores.values()
            )
        ):
            raise _invalid("evaluation.criteria_scores must map criteria to whole points 0..30")
        total = Fraction(sum(scores.values()))
        if "general_points" in value and _fraction(value["general_points"]) != total:
            raise _invalid("evaluation.general_points must equal the sum of criteria_scores")
        return total
    if "general_points" not in value:
        raise _invalid("evaluation needs general_points or criteria_scores")
    return _fraction(value["general_points"])


def _fraction(raw: Any) -> Fraction:
    try:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError
        return Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise _invalid(
            'evaluation.general_points must be a whole number or a fraction "a/b"'
        ) from None
