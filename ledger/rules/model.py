"""The read-only view of personnel state that the power-control rules look at.

Plain frozen value objects, independent of how the ledger stores its aggregates: the domain
builds a `State` (as of the decision) and a `Decision`, and the rules only read them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class Level(StrEnum):
    """Administrative level of a unit; district was abolished on 1 July 2025."""

    PROVINCE = "province"
    COMMUNE = "commune"
    WARD = "ward"
    DISTRICT = "district"


class TitleGroup(StrEnum):
    """Title group of a job position (nhóm chức danh)."""

    LEADERSHIP = "leadership"
    PROFESSIONAL = "professional"
    SUPPORT = "support"


class Rank(StrEnum):
    """Place of a post in its unit's line of command."""

    HEAD = "head"
    DEPUTY = "deputy"
    STAFF = "staff"


class Penalty(StrEnum):
    """Disciplinary penalties, lightest first (Decree 172/2025)."""

    REPRIMAND = "reprimand"
    WARNING = "warning"
    REMOVAL = "removal"
    DISMISSAL = "dismissal"

    @property
    def weight(self) -> int:
        """Position in the scale, 0 for the lightest."""
        return list(Penalty).index(self)


class Band(StrEnum):
    """Evaluation bands, best first (Decree 335/2025)."""

    EXCELLENT = "excellent"
    GOOD = "good"
    COMPLETED = "completed"
    NOT_COMPLETED = "not_completed"

    @property
    def weight(self) -> int:
        """Position in the scale, 0 for the best."""
        return list(Band).index(self)


class PostponementReason(StrEnum):
    """Cases in which discipline is postponed (Decree 172/2025)."""

    PREGNANCY = "pregnancy"
    CHILD_UNDER_12_MONTHS = "child_under_12_months"
    SERIOUS_ILLNESS = "serious_illness"
    PROSECUTION = "prosecution"


def _active(since: date, until: date | None, day: date) -> bool:
    """Half-open [since, until): an end date is the first day no longer covered."""
    return since <= day and (until is None or day < until)


@dataclass(frozen=True)
class Unit:
    """A province, commune or ward (or a former district), with its period of existence."""

    id: str
    level: Level
    parent: str | None = None
    special_areas: frozenset[str] = frozenset()  # border, mountainous, island, ethnic_minority
    exists_from: date = date.min
    exists_until: date | None = None

    def exists_on(self, day: date) -> bool:
        """True if the unit exists on that day."""
        return _active(self.exists_from, self.exists_until, day)


@dataclass(frozen=True)
class Post:
    """A job position (vị trí việc làm) of a unit."""

    id: str
    unit: str
    group: TitleGroup
    title: str = ""
    rank: Rank = Rank.STAFF
    grade: int = 0  # higher is more senior; "appointment to a higher post" compares grades
    single_holder: bool = True
    headcount: int = 1
    area: str | None = None  # sensitive area: personnel, finance, inspection, land, ...
    sector: str | None = None  # one of the 13 sectors of Regulation 114 when it heads one
    top: bool = False  # the unit's top post (secretary or chair)
    collective: str | None = None  # leadership collective the holder sits in
    key_position: bool = False  # requires probation
    reports_to: str | None = None  # supervising post, for a deputy's subordinates
    incompatible_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Relative:
    """A declared family relation to another official."""

    official: str
    relation: str


@dataclass(frozen=True)
class Official:
    """An official by pseudonymous id, with declared relatives and competency levels."""

    id: str
    relatives: tuple[Relative, ...] = ()
    competencies: Mapping[str, int] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True)
class Holding:
    """An official holds a post from `since` until (exclusive) `until`."""

    official: str
    post: str
    since: date
    until: date | None = None

    def active_on(self, day: date) -> bool:
        """True if the post is held on that day."""
        return _active(self.since, self.until, day)


@dataclass(frozen=True)
class DisciplinaryRecord:
    """A penalty decided for one violation; `ended_at` ends the period it is in effect."""

    official: str
    penalty: Penalty
    decided_at: date
    violation_id: str
    ended_at: date | None = None

    def in_effect_on(self, day: date) -> bool:
        """True while the penalty is being served."""
        return _active(self.decided_at, self.ended_at, day)


@dataclass(frozen=True)
class DisciplinaryReview:
    """A disciplinary review of an official, open until closed."""

    official: str
    opened_at: date
    closed_at: date | None = None

    def open_on(self, day: date) -> bool:
        """True if the review is open on that day."""
        return _active(self.opened_at, self.closed_at, day)


@dataclass(frozen=True)
class Postponement:
    """A case in which discipline of an official is postponed."""

    official: str
    reason: PostponementReason
    since: date
    until: date | None = None

    def active_on(self, day: date) -> bool:
        """True if the case applies on that day."""
        return _active(self.since, self.until, day)


@dataclass(frozen=True)
class Probation:
    """Probation in a key post; `confirmed` is None while open, else how it ended and when."""

    official: str
    post: str
    started: date
    deadline: date
    ended_on: date | None = None
    confirmed: bool | None = None


@dataclass(frozen=True)
class Evaluation:
    """A recorded evaluation; periods are labels that sort in time ("2025", "2026-Q1")."""

    official: str
    period: str
    band: Band


@dataclass(frozen=True)
class AppointmentTerm:
    """The term of an appointment to a post."""

    official: str
    post: str
    term_end: date


@dataclass(frozen=True)
class PlanEntry:
    """An official in the succession plan, for a post or (post None) in general."""

    official: str
    post: str | None = None


@dataclass(frozen=True)
class Protection:
    """Protection of a reporter, known only by a keyed blind index of the official."""

    index: str
    since: date
    until: date | None = None

    def active_on(self, day: date) -> bool:
        """True if the protection applies on that day."""
        return _active(self.since, self.until, day)


@dataclass(frozen=True)
class ReporterProtection:
    """Protected reporters as opaque index values, and the keyed index function of an official.

    The key stays with whoever builds `index_of`; the rules only compare index values, so no
    reporter's official id is ever needed or seen here.
    """

    entries: tuple[Protection, ...]
    index_of: Callable[[str], str]

    def protected_on(self, official: str, day: date) -> Protection | None:
        """The protection covering that official on that day, if any."""
        index = self.index_of(official)
        return next((p for p in self.entries if p.index == index and p.active_on(day)), None)


@dataclass(frozen=True)
class Framework:
    """A published version of the criteria framework (khung năng lực) with rule parameters."""

    version: str
    effective_on: date
    parameters: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    required: Mapping[TitleGroup, Mapping[str, int]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    published_at: datetime | None = None


@dataclass(frozen=True)
class State:
    """Everything the rules may read about personnel, as known when the decision is checked.

    Frameworks are the versions applicable to the decision's province; the domain selects them.
    """

    units: tuple[Unit, ...] = ()
    posts: tuple[Post, ...] = ()
    officials: tuple[Official, ...] = ()
    holdings: tuple[Holding, ...] = ()
    records: tuple[DisciplinaryRecord, ...] = ()
    reviews: tuple[DisciplinaryReview, ...] = ()
    postponements: tuple[Postponement, ...] = ()
    probations: tuple[Probation, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    terms: tuple[AppointmentTerm, ...] = ()
    succession: tuple[PlanEntry, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    reporters: ReporterProtection | None = None

    # Rules look records up by id many times per check: index each table once, on first use.
    @cached_property
    def _units_by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in reversed(self.units)}

    @cached_property
    def _posts_by_id(self) -> dict[str, Post]:
        return {p.id: p for p in reversed(self.posts)}

    @cached_property
    def _officials_by_id(self) -> dict[str, Official]:
        return {o.id: o for o in reversed(self.officials)}

    def unit(self, unit_id: str) -> Unit | None:
        """The unit with that id (the first listed, if listed twice)."""
        return self._units_by_id.get(unit_id)

    def post(self, post_id: str) -> Post | None:
        """The post with that id (the first listed, if listed twice)."""
        return self._posts_by_id.get(post_id)

    def official(self, official_id: str) -> Official | None:
        """The official with that id (the first listed, if listed twice)."""
        return self._officials_by_id.get(official_id)

    def relatives_of(self, official_id: str) -> frozenset[str]:
        """Declared relatives either way: declared by the official or naming the official."""
        found: set[str] = set()
        for other in self.officials:
            if other.id == official_id:
                found.update(r.official for r in other.relatives)
            elif any(r.official == official_id for r in other.relatives):
                found.add(other.id)
        found.discard(official_id)
        return frozenset(found)

    def holdings_on(self, day: date, *, official: str | None = None) -> list[Holding]:
        """Holdings active on a day, of one official if given."""
        return [
            h
            for h in self.holdings
            if h.active_on(day) and (official is None or h.official == official)
        ]

    def holders_on(self, post_id: str, day: date) -> list[str]:
        """Officials holding a post on a day."""
        return [h.official for h in self.holdings if h.post == post_id and h.active_on(day)]

    def framework_at(self, day: date, *, known_at: datetime | None = None) -> Framework | None:
        """The framework in force on a day: the latest effective, among those published by then."""
        candidates = [
            f
            for f in self.frameworks
            if f.effective_on <= day
            and (known_at is None or f.published_at is None or f.published_at <= known_at)
        ]
        # Two versions effective the same day: the one published later (later in the tuple,
        # which lists versions in publication order) replaces the other.
        order = {id(f): n for n, f in enumerate(self.frameworks)}
        return max(
            candidates,
            key=lambda f: (f.effective_on, f.published_at or _EARLIEST, order[id(f)]),
            default=None,
        )
