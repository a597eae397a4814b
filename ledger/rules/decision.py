"""The proposed personnel decision that the rules check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction

from ledger.rules.dates import local_date
from ledger.rules.model import Band, Level, Penalty


class Kind(StrEnum):
    """Kinds of personnel decision."""

    RECRUITMENT = "recruitment"
    APPOINTMENT = "appointment"
    REAPPOINTMENT = "reappointment"
    PROBATION_START = "probation_start"
    PROBATION_CONFIRMATION = "probation_confirmation"
    PROBATION_FAILURE = "probation_failure"
    ROTATION = "rotation"
    TRANSFER = "transfer"
    SECONDMENT = "secondment"
    EVALUATION = "evaluation"
    COMMENDATION = "commendation"
    DISCIPLINE = "discipline"
    RESIGNATION = "resignation"
    DISMISSAL = "dismissal"


# Decisions that put the subject into the target post.
PLACING = frozenset(
    {
        Kind.RECRUITMENT,
        Kind.APPOINTMENT,
        Kind.REAPPOINTMENT,
        Kind.PROBATION_START,
        Kind.ROTATION,
        Kind.TRANSFER,
        Kind.SECONDMENT,
    }
)
# Adverse by kind (Regulation 114-QĐ/TW and the Law on Denunciation protect against these);
# a probation failure removes the subject from the post, so it counts too.
ADVERSE = frozenset(
    {Kind.DISCIPLINE, Kind.DISMISSAL, Kind.TRANSFER, Kind.ROTATION, Kind.PROBATION_FAILURE}
)


class RotationKind(StrEnum):
    """Horizontal rotation, or targeted rotation to a planned post (luân chuyển có địa chỉ)."""

    HORIZONTAL = "horizontal"
    TARGETED = "targeted"


@dataclass(frozen=True)
class Collective:
    """The competent collective: all its members, those present, and the votes in favour."""

    members: tuple[str, ...]
    present: tuple[str, ...]
    votes_for: int


@dataclass(frozen=True)
class Product:
    """One assigned product of an evaluation period: completed or not, and its major faults."""

    completed: bool
    major_faults: int = 0  # major quality errors or delays, each costing 25% of the product


@dataclass(frozen=True)
class EvaluationInput:
    """What an evaluation decision submits: the scores' inputs and the band it claims."""

    period: str
    general_points: Fraction  # 0..30
    products: tuple[Product, ...]
    band: Band
    subordinate_failed: bool = False  # a deputy's unit factor applies


@dataclass(frozen=True)
class Decision:
    """A proposed personnel decision, as the rules see it."""

    id: str
    kind: Kind
    subject: str
    proposer: str
    issuer_unit: str
    issuer_level: Level
    effective_on: date
    recorded_at: datetime
    approvers: tuple[str, ...] = ()
    target_post: str | None = None
    collective: Collective | None = None
    legal_basis: str = ""
    framework_version: str | None = None
    justification: str = ""
    creates_new_post: bool = False
    demotion: bool = False
    leaves_posts: tuple[str, ...] = ()  # posts the subject gives up by this decision
    until: date | None = None  # end of probation, term or secondment
    notice_given_on: date | None = None  # re-appointment: when the term-end notice was given
    rotation: RotationKind | None = None
    penalty: Penalty | None = None
    violation_id: str | None = None
    violation_on: date | None = None
    violation_category: str | None = None
    evaluation: EvaluationInput | None = None

    def __post_init__(self) -> None:
        local_date(self.recorded_at)  # refuses a naive moment early

    @property
    def recorded_on(self) -> date:
        """The date in Vietnam when the decision was recorded: the ledger's own time."""
        return local_date(self.recorded_at)

    @property
    def decided_on(self) -> date:
        """The earlier of recorded and effective date: a bar must cover neither."""
        return min(self.recorded_on, self.effective_on)

    @property
    def adverse(self) -> bool:
        """Adverse by kind or by demotion (a lower evaluation needs the state; see R15)."""
        if self.kind is Kind.EVALUATION:
            return self.evaluation is not None and self.evaluation.band is Band.NOT_COMPLETED
        return self.kind in ADVERSE or self.demotion
