"""Applying one recorded personnel statement to the state: the only code that changes it.

The server runs the same function on a statement it has just accepted as a replay runs on the
log, so the state a decision was checked against is the state anyone can rebuild. Payloads were
checked before recording; the outcome the server decided (a status, a version) is in the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ledger.personnel.catalogue import CATALOGUE
from ledger.personnel.record import KINDS
from ledger.personnel.state import (
    ConsultationState,
    DecisionState,
    FrameworkProposal,
    FrameworkState,
    HistoryItem,
    InitiativeState,
    OfficialState,
    PersonnelState,
    PostponementState,
    PostState,
    ProtectionState,
    ReviewState,
    TaskState,
    Training,
    UnitState,
)
from ledger.reports.fold import REPORT_FOLDS
from ledger.rounds.fold import ROUND_FOLDS
from ledger.rules.model import Level, Post, Rank, TitleGroup


@dataclass(frozen=True)
class Entry:
    """A personnel statement as recorded: what was signed, by whom, and what the server decided."""

    type: str
    payload: dict[str, Any]
    signer: str  # the signer's official id
    time: datetime  # the statement's time, checked against the server clock when recorded
    aggregate_id: str
    version: int
    outcome: dict[str, Any] = field(default_factory=dict)
    notification_id: int | None = None  # None for a statement being recorded now

    @property
    def record_kind(self) -> str:
        """The kind of record this statement is about."""
        return CATALOGUE[self.type].record

    @property
    def record_id(self) -> str:
        """The id of the record this statement is about."""
        value: str = self.payload[KINDS[self.record_kind]]
        return value


def apply(state: PersonnelState, entry: Entry) -> None:
    """Change the state as the recorded statement says."""
    FOLDS[entry.type](state, entry)
    key = (entry.record_kind, entry.record_id)
    state.history.setdefault(key, []).append(
        HistoryItem(
            entry.version,
            entry.type,
            entry.time,
            entry.signer,
            entry.payload,
            entry.outcome,
            entry.notification_id,
        )
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _d(value: str) -> date:
    return date.fromisoformat(value)


def _unit_establish(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.units[p["unit_id"]] = UnitState(
        id=p["unit_id"],
        name=p["name"],
        level=Level(p["level"]),
        parent=p.get("parent"),
        special_areas=frozenset(p.get("special_areas", ())),
        exists_from=_d(p["established_on"]),
    )


def _unit_reorganise(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    day = _d(p["effective_on"])
    moves: dict[str, str] = e.outcome.get("post_moves", {})
    for unit_id in p["from"]:
        unit = s.units[unit_id]
        if unit_id not in p["into"]:
            unit.exists_until = day
        unit.successors = tuple(u for u in p["into"] if u != unit_id)
    for unit_id in p["into"]:
        unit = s.units[unit_id]
        unit.predecessors = tuple(u for u in p["from"] if u != unit_id)
    for post_id, new_unit in moves.items():
        held = s.posts[post_id]
        held.moves.append((day, held.post.unit, new_unit))
        held.post = replace(held.post, unit=new_unit)


def _post_create(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.posts[p["post_id"]] = PostState(
        post=Post(
            id=p["post_id"],
            unit=p["unit"],
            group=TitleGroup(p["title_group"]),
            title=p["title"],
            rank=Rank(p.get("rank", "staff")),
            grade=p.get("grade", 0),
            single_holder=p.get("headcount", 1) == 1,
            headcount=p.get("headcount", 1),
            area=p.get("sensitive_area"),
            sector=p.get("sector"),
            top=p.get("top", False),
            collective=p.get("collective"),
            key_position=p.get("key_position", False),
            reports_to=p.get("reports_to"),
            incompatible_with=frozenset(p.get("incompatible_with", ())),
        ),
        created_on=_d(p["created_on"]),
    )


def _post_abolish(s: PersonnelState, e: Entry) -> None:
    s.posts[e.payload["post_id"]].abolished_on = _d(e.payload["abolished_on"])


def _framework_propose(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    framework = s.frameworks.get(p["framework_id"])
    if framework is None:
        framework = FrameworkState(p["framework_id"], p["province"], TitleGroup(p["title_group"]))
        s.frameworks[framework.id] = framework
    number = e.outcome["proposal"]
    framework.proposals[number] = FrameworkProposal(
        number=number,
        proposer=e.signer,
        proposed_at=e.time,
        effective_on=_d(p["effective_on"]),
        competencies=dict(p["competencies"]),
        priority_competencies={k: dict(v) for k, v in p.get("priority_competencies", {}).items()},
        parameters=dict(p.get("parameters", {})),
        summary=p["summary"],
    )


def _framework_approve(s: PersonnelState, e: Entry) -> None:
    proposal = s.frameworks[e.payload["framework_id"]].proposals[e.payload["proposal"]]
    proposal.approvals.append(e.signer)


def _framework_publish(s: PersonnelState, e: Entry) -> None:
    proposal = s.frameworks[e.payload["framework_id"]].proposals[e.payload["proposal"]]
    framework = s.frameworks[e.payload["framework_id"]]
    proposal.status = "published"
    proposal.published_at = e.time
    proposal.published_order = 1 + max(p.published_order for p in framework.proposals.values())
    proposal.version = e.outcome["version"]


def _framework_withdraw(s: PersonnelState, e: Entry) -> None:
    proposal = s.frameworks[e.payload["framework_id"]].proposals[e.payload["proposal"]]
    proposal.status = "withdrawn"


def _framework_annul(s: PersonnelState, e: Entry) -> None:
    proposal = s.frameworks[e.payload["framework_id"]].proposals[e.payload["proposal"]]
    proposal.status = "annulled"
    proposal.annulled_at = e.time


def _official_register(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.officials[p["official_id"]] = OfficialState(
        id=p["official_id"],
        unit=p["unit"],
        title=p["title"],
        registered_on=_d(p["registered_on"]),
        private_sha256=p["private_sha256"],
    )


def _official_update(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    official = s.officials[p["official_id"]]
    official.unit = p.get("unit", official.unit)
    official.title = p.get("title", official.title)
    if "private_sha256" in p:
        official.private_sha256 = p["private_sha256"]
        official.erased = False


def _official_training(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.officials[p["official_id"]].trainings.append(
        Training(
            training_id=p["training_id"],
            course=p["course"],
            kind=p["kind"],
            completed_on=_d(p["completed_on"]),
            competencies=dict(p.get("competencies", {})),
        )
    )


def _official_plan(s: PersonnelState, e: Entry) -> None:
    s.officials[e.payload["official_id"]].plans.append(e.payload.get("post_id"))


def _official_erase(s: PersonnelState, e: Entry) -> None:
    s.officials[e.payload["official_id"]].erased = True


def _decision_new(s: PersonnelState, e: Entry, status: str) -> DecisionState:
    p = e.payload
    decision = DecisionState(
        id=p["decision_id"],
        kind=p["kind"],
        subject=p["subject"],
        unit=p["unit"],
        payload={k: v for k, v in p.items() if k != "decision_id"},
        proposer=e.signer if status != "draft" else "",
        proposed_at=e.time,
        effective_on=_d(p["effective_on"]),
        status=status,
        drafted_by=e.signer,
    )
    s.decisions[decision.id] = decision
    return decision


def _decision_draft(s: PersonnelState, e: Entry) -> None:
    _decision_new(s, e, "draft")


def _decision_propose(s: PersonnelState, e: Entry) -> None:
    existing = s.decisions.get(e.payload["decision_id"])
    if existing is None:
        decision = _decision_new(s, e, e.outcome["status"])
    else:
        decision = existing
        decision.proposer = e.signer
        decision.proposed_at = e.time
        decision.status = e.outcome["status"]
    decision.verdicts = list(e.outcome.get("verdicts", []))
    decision.held = decision.status == "held"
    _took_effect(s, decision, e)


def _decision_approve(s: PersonnelState, e: Entry) -> None:
    decision = s.decisions[e.payload["decision_id"]]
    decision.approvals.append(e.signer)
    decision.verdicts = list(e.outcome.get("verdicts", []))
    decision.status = e.outcome["status"]
    _took_effect(s, decision, e)


def _took_effect(s: PersonnelState, decision: DecisionState, e: Entry) -> None:
    if decision.status == "approved" and decision.id not in s.effect_order:
        decision.approved_at = e.time
        s.effect_order.append(decision.id)


def _decision_release(s: PersonnelState, e: Entry) -> None:
    decision = s.decisions[e.payload["decision_id"]]
    decision.released = True
    decision.status = e.outcome["status"]
    _took_effect(s, decision, e)


def _decision_end(status: str) -> Callable[[PersonnelState, Entry], None]:
    def end(s: PersonnelState, e: Entry) -> None:
        decision = s.decisions[e.payload["decision_id"]]
        decision.status = status
        decision.ended_reason = e.payload["reason"]
        decision.ended_by = e.signer
        if decision.id in s.effect_order:
            s.effect_order.remove(decision.id)

    return end


def _review_open(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.reviews[p["review_id"]] = ReviewState(p["review_id"], p["official"], _d(p["opened_on"]))


def _review_close(s: PersonnelState, e: Entry) -> None:
    s.reviews[e.payload["review_id"]].closed_on = _d(e.payload["closed_on"])


def _postponement_record(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.postponements[p["postponement_id"]] = PostponementState(
        p["postponement_id"],
        p["official"],
        _d(p["since"]),
        _day(p.get("until")),
        p["private_sha256"],
    )


def _postponement_end(s: PersonnelState, e: Entry) -> None:
    s.postponements[e.payload["postponement_id"]].until = _d(e.payload["until"])


def _protection_grant(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.protections[p["protection_id"]] = ProtectionState(
        p["protection_id"], p["index"], _d(p["since"]), _day(p.get("until")), p["unit"]
    )


def _protection_end(s: PersonnelState, e: Entry) -> None:
    protection = s.protections[e.payload["protection_id"]]
    protection.until = _d(e.payload["until"])
    protection.ended = True


def _task_register(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.tasks[p["task_id"]] = TaskState(
        p["task_id"], p["unit"], p["title"], p["description"], _d(p["deadline"]), e.time
    )


def _task_assign(s: PersonnelState, e: Entry) -> None:
    task = s.tasks[e.payload["task_id"]]
    task.owner = e.payload["official"]
    task.assigned_on = _d(e.payload["assigned_on"])


def _task_close(s: PersonnelState, e: Entry) -> None:
    task = s.tasks[e.payload["task_id"]]
    task.outcome = e.payload["outcome"]
    task.result = e.payload["result"]
    task.closed_on = _d(e.payload["closed_on"])


def _initiative_register(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.initiatives[p["initiative_id"]] = InitiativeState(
        p["initiative_id"],
        p["official"],
        p["unit"],
        p["aim"],
        p["scope"],
        p["risks"],
        p["expected_result"],
        _d(p["starts_on"]),
        e.time,
    )


def _initiative_evaluate(s: PersonnelState, e: Entry) -> None:
    initiative = s.initiatives[e.payload["initiative_id"]]
    initiative.assessment = e.payload["assessment"]
    initiative.evaluation = e.payload["evaluation"]
    initiative.evaluated_on = _d(e.payload["evaluated_on"])


def _consultation_ask(s: PersonnelState, e: Entry) -> None:
    p = e.payload
    s.consultations[p["consultation_id"]] = ConsultationState(
        p["consultation_id"],
        p["unit"],
        p["to_unit"],
        p["question"],
        _d(p["deadline"]),
        e.time,
        e.signer,
    )


def _consultation_answer(s: PersonnelState, e: Entry) -> None:
    consultation = s.consultations[e.payload["consultation_id"]]
    consultation.answer = e.payload["answer"]
    consultation.answered_at = e.time
    consultation.answered_by = e.signer


FOLDS: dict[str, Callable[[PersonnelState, Entry], None]] = {
    "unit.establish": _unit_establish,
    "unit.reorganise": _unit_reorganise,
    "post.create": _post_create,
    "post.abolish": _post_abolish,
    "framework.propose": _framework_propose,
    "framework.approve": _framework_approve,
    "framework.publish": _framework_publish,
    "framework.withdraw": _framework_withdraw,
    "framework.annul": _framework_annul,
    "official.register": _official_register,
    "official.update": _official_update,
    "official.training": _official_training,
    "official.plan": _official_plan,
    "official.erase": _official_erase,
    "decision.draft": _decision_draft,
    "decision.propose": _decision_propose,
    "decision.approve": _decision_approve,
    "decision.release": _decision_release,
    "decision.withdraw": _decision_end("withdrawn"),
    "decision.annul": _decision_end("annulled"),
    "review.open": _review_open,
    "review.close": _review_close,
    "postponement.record": _postponement_record,
    "postponement.end": _postponement_end,
    "protection.grant": _protection_grant,
    "protection.end": _protection_end,
    "task.register": _task_register,
    "task.assign": _task_assign,
    "task.close": _task_close,
    "initiative.register": _initiative_register,
    "initiative.evaluate": _initiative_evaluate,
    "consultation.ask": _consultation_ask,
    "consultation.answer": _consultation_answer,
    **REPORT_FOLDS,
    **ROUND_FOLDS,
}
