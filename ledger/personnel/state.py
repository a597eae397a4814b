"""Typed personnel state, as the log's personnel statements describe it.

Plain mutable containers, changed only by `ledger.personnel.fold` in log order. Facts that hang
on decisions taking effect (who holds which post, probations, penalties, evaluations) are not
stored but derived from the approved decisions (`ledger.personnel.derive`), so an annulment by
inspection undoes exactly what the decision did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ledger.reports.state import ReportState
from ledger.rounds.state import InspectionRound
from ledger.rules.model import Framework, Level, Post, TitleGroup


@dataclass
class UnitState:
    """A province, commune or ward."""

    id: str
    name: str
    level: Level
    parent: str | None
    special_areas: frozenset[str]
    exists_from: date
    exists_until: date | None = None
    successors: tuple[str, ...] = ()  # units that took over its posts on a merger or split
    predecessors: tuple[str, ...] = ()


@dataclass
class PostState:
    """A job position; `post` is what the rules see, `unit` may change on reorganisation."""

    post: Post
    created_on: date
    abolished_on: date | None = None
    moves: list[tuple[date, str, str]] = field(default_factory=list)  # (day, from, to)


@dataclass
class FrameworkProposal:
    """One proposed version of a framework, with the approvals it gathered."""

    number: int
    proposer: str
    proposed_at: datetime
    effective_on: date
    competencies: dict[str, int]
    priority_competencies: dict[str, dict[str, int]]
    parameters: dict[str, Any]
    summary: str
    approvals: list[str] = field(default_factory=list)
    status: str = "proposed"  # proposed, published, withdrawn, annulled
    annulled_at: datetime | None = None  # when inspection annulled it
    published_order: int = 0  # 1 for the framework's first publication, 2 for the next, ...
    published_at: datetime | None = None
    version: str | None = None  # set when published


@dataclass
class FrameworkState:
    """The criteria framework (khung năng lực) of one province and title group."""

    id: str
    province: str
    group: TitleGroup
    proposals: dict[int, FrameworkProposal] = field(default_factory=dict)

    def published(self) -> list[FrameworkProposal]:
        """Published versions in force (not annulled), in the order they were published."""
        published = [p for p in self.proposals.values() if p.status == "published"]
        return sorted(published, key=lambda p: p.published_order)

    def versions(self) -> list[Framework]:
        """The published versions as the rules read them."""
        return [
            Framework(
                version=p.version or "",
                effective_on=p.effective_on,
                parameters=dict(p.parameters),
                required={self.group: dict(p.competencies)},
                published_at=p.published_at,
            )
            for p in self.published()
        ]


@dataclass
class Training:
    """A training record on an official's service record."""

    training_id: str
    course: str
    kind: str  # by_title, by_problem, situational
    completed_on: date
    competencies: dict[str, int]


@dataclass
class OfficialState:
    """An official by pseudonymous id; personal data stays in the vault under `private_sha256`."""

    id: str
    unit: str
    title: str
    registered_on: date
    private_sha256: str | None = None
    erased: bool = False
    trainings: list[Training] = field(default_factory=list)
    plans: list[str | None] = field(default_factory=list)  # succession plan: post or general

    @property
    def competencies(self) -> dict[str, int]:
        """The highest level reached in each competency, from training records."""
        levels: dict[str, int] = {}
        for training in self.trainings:
            for name, level in training.competencies.items():
                levels[name] = max(levels.get(name, 0), level)
        return levels


@dataclass
class DecisionState:
    """A personnel decision and its lifecycle."""

    id: str
    kind: str
    subject: str
    unit: str
    payload: dict[str, Any]  # the proposal's fields, as signed
    proposer: str
    proposed_at: datetime
    effective_on: date
    status: str = "draft"  # draft, proposed, held, approved, withdrawn, annulled
    drafted_by: str = ""
    revision: int = 1
    approvals: list[str] = field(default_factory=list)
    approved_at: datetime | None = None
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    held: bool = False
    released: bool = False
    ended_reason: str | None = None  # withdrawal or annulment reason
    ended_by: str | None = None

    @property
    def in_effect(self) -> bool:
        """True once approved and not annulled (effective from its effective date)."""
        return self.status == "approved"


@dataclass
class ReviewState:
    """A disciplinary review of an official."""

    id: str
    official: str
    opened_on: date
    closed_on: date | None = None


@dataclass
class PostponementState:
    """A case postponing discipline; its reason is personal data, kept in the vault."""

    id: str
    official: str
    since: date
    until: date | None
    private_sha256: str


@dataclass
class ProtectionState:
    """Protection of a reporter, known only by a keyed blind index."""

    id: str
    index: str
    since: date
    until: date | None = None
    unit: str = ""  # the unit whose protection officers may end it
    ended: bool = False


@dataclass
class TaskState:
    """A hard task needing a responsible official."""

    id: str
    unit: str
    title: str
    description: str
    deadline: date
    registered_at: datetime
    owner: str | None = None
    assigned_on: date | None = None
    outcome: str | None = None  # done, failed, abandoned
    result: str | None = None
    closed_on: date | None = None


@dataclass
class InitiativeState:
    """An initiative registered before work starts, evaluated after."""

    id: str
    official: str
    unit: str
    aim: str
    scope: str
    risks: str
    expected_result: str
    starts_on: date
    registered_at: datetime
    assessment: str | None = None  # legitimate, sloppy, abuse
    evaluation: str | None = None
    evaluated_on: date | None = None


@dataclass
class ConsultationState:
    """A quick question on a new situation to the level above, and its signed answer."""

    id: str
    unit: str
    to_unit: str
    question: str
    deadline: date
    asked_at: datetime
    asked_by: str
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None


@dataclass
class HistoryItem:
    """One recorded change of a record: the signed statement's gist and where it is in the log."""

    version: int
    type: str
    time: datetime
    signer: str
    payload: dict[str, Any]
    outcome: dict[str, Any]
    notification_id: int | None  # None until the event is saved


@dataclass
class PersonnelState:
    """Everything recorded about personnel, keyed by record id."""

    units: dict[str, UnitState] = field(default_factory=dict)
    posts: dict[str, PostState] = field(default_factory=dict)
    frameworks: dict[str, FrameworkState] = field(default_factory=dict)
    officials: dict[str, OfficialState] = field(default_factory=dict)
    decisions: dict[str, DecisionState] = field(default_factory=dict)
    reviews: dict[str, ReviewState] = field(default_factory=dict)
    postponements: dict[str, PostponementState] = field(default_factory=dict)
    protections: dict[str, ProtectionState] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)
    initiatives: dict[str, InitiativeState] = field(default_factory=dict)
    consultations: dict[str, ConsultationState] = field(default_factory=dict)
    reports: dict[str, ReportState] = field(default_factory=dict)
    rounds: dict[str, InspectionRound] = field(default_factory=dict)
    # Decisions in the order they took effect (approval order): the derivation's input.
    effect_order: list[str] = field(default_factory=list)
    # Where each record's latest change was recorded, and all its changes.
    history: dict[tuple[str, str], list[HistoryItem]] = field(default_factory=dict)

    def province_of(self, unit_id: str) -> str | None:
        """The province a unit belongs to (itself for a province)."""
        seen: set[str] = set()
        current: str | None = unit_id
        while current is not None and current not in seen:
            seen.add(current)
            unit = self.units.get(current)
            if unit is None:
                return None
            if unit.level is Level.PROVINCE:
                return unit.id
            current = unit.parent
        return None
