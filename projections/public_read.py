"""Reading the public records: service records as Popolo JSON, decision search, the change feed.

Reads query the read-model tables only; they never replay the event store. Every item carries
the leaf indexes of the statements it comes from, so anyone can prove it against a checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, or_, select

from ledger.errors import InvalidPayload, NotFound
from projections.schema import (
    public_changes,
    public_decisions,
    public_framework_versions,
    public_memberships,
    public_officials,
    public_posts,
    public_probations,
    public_trainings,
    public_units,
)

# Drafts are working papers of a clerk until proposed: not part of the public record.
PUBLIC_STATUSES = ("proposed", "held", "approved", "withdrawn", "annulled")
MAX_PAGE = 1000


def like_escape(text: str) -> str:
    """Text for a LIKE pattern, its wildcards escaped (with '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def within(column: Any, unit: str) -> Any:
    """Rows whose unit path passes through `unit` (the unit itself or any unit below it)."""
    return column.like(f"%|{like_escape(unit)}|%", escape="\\")


def person(row: Any) -> dict[str, Any]:
    """A Popolo Person: the public profile only."""
    return {
        "id": row.official_id,
        "name": row.name,
        "erased": row.erased,
        "title": row.title,
        "organization_id": row.unit,
        "registered_on": row.registered_on,
        "log_indexes": row.log_indexes,
    }


def organization(row: Any) -> dict[str, Any]:
    """A Popolo Organization: a province, commune or ward."""
    return {
        "id": row.unit_id,
        "name": row.name,
        "classification": row.level,
        "parent_id": row.parent,
        "founding_date": row.exists_from,
        "dissolution_date": row.exists_until,
        "special_areas": row.special_areas,
        "successors": row.successors,
        "predecessors": row.predecessors,
        "log_indexes": row.log_indexes,
    }


def post(row: Any) -> dict[str, Any]:
    """A Popolo Post: a job position of a unit."""
    return {
        "id": row.post_id,
        "label": row.title,
        "organization_id": row.unit,
        "role": row.title_group,
        "rank": row.rank,
        "headcount": row.headcount,
        "sensitive_area": row.sensitive_area,
        "key_position": row.key_position,
        "start_date": row.created_on,
        "end_date": row.abolished_on,
        "log_indexes": row.log_indexes,
    }


def membership(row: Any) -> dict[str, Any]:
    """A Popolo Membership: an official holding a post, from the decision that placed them."""
    return {
        "id": row.membership_id,
        "person_id": row.official_id,
        "post_id": row.post_id,
        "organization_id": row.unit,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "decision_id": row.decision_id,
        "log_index": row.log_index,
    }


def decision(row: Any) -> dict[str, Any]:
    """A decision with its public summary and the rules' public verdicts."""
    return {
        "id": row.decision_id,
        "kind": row.kind,
        "person_id": row.subject,
        "organization_id": row.unit,
        "status": row.status,
        "effective_on": row.effective_on,
        "summary": row.summary,
        "legal_basis": row.legal_basis,
        "framework_version": row.framework_version,
        "post_id": row.target_post,
        "until": row.until,
        "rotation": row.rotation,
        "penalty": row.penalty,
        "evaluation": (
            {"period": row.evaluation_period, "band": row.evaluation_band}
            if row.evaluation_period
            else None
        ),
        "verdicts": row.verdicts,
        "flags": [r for r in row.flag_rules.split(",") if r],
        "ended_reason": row.ended_reason,
        "log_indexes": row.log_indexes,
        "effect_log_index": row.effect_log_index,
    }


def decision_event(row: Any) -> dict[str, Any]:
    """A decision as a Popolo Event."""
    return {
        "id": f"decision/{row.decision_id}",
        "name": row.summary,
        "classification": f"decision:{row.kind}",
        "start_date": row.effective_on,
        "end_date": row.until,
        "organization_id": row.unit,
        "participants": [row.subject],
        "status": row.status,
        "log_indexes": row.log_indexes,
    }


@dataclass(frozen=True)
class DecisionQuery:
    """Filters of a decision search; every one optional."""

    text: str | None = None
    kind: str | None = None
    status: str | None = None
    unit: str | None = None
    flag: str | None = None
    since: str | None = None  # effective on or after (YYYY-MM-DD)
    until: str | None = None  # effective on or before
    subject: str | None = None

    def where(self) -> Any:
        """The SQL condition."""
        d = public_decisions.c
        conditions: list[Any] = [d.status.in_(PUBLIC_STATUSES)]
        if self.text:
            pattern = f"%{like_escape(self.text.lower())}%"
            conditions.append(
                or_(
                    func.lower(d.summary).like(pattern, escape="\\"),
                    func.lower(d.decision_id).like(pattern, escape="\\"),
                    func.lower(d.subject).like(pattern, escape="\\"),
                    func.lower(d.legal_basis).like(pattern, escape="\\"),
                )
            )
        for column, value in ((d.kind, self.kind), (d.status, self.status)):
            if value:
                conditions.append(column == value)
        if self.subject:
            conditions.append(d.subject == self.subject)
        if self.unit:
            conditions.append(within(d.unit_path, self.unit))
        if self.flag:
            conditions.append(d.flag_rules.like(f"%,{like_escape(self.flag)},%", escape="\\"))
        if self.since:
            conditions.append(d.effective_on >= self.since)
        if self.until:
            conditions.append(d.effective_on <= self.until)
        return and_(*conditions)


@dataclass(frozen=True)
class DecisionPage:
    """One page of a decision search, newest effective date first."""

    decisions: list[dict[str, Any]]
    total: int
    page: int
    pages: int


class PublicReader:
    """Public reads over the read-model tables."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def service_record(self, official_id: str) -> dict[str, Any]:
        """An official's public service record (hồ sơ công vụ), Popolo-style."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(public_officials).where(public_officials.c.official_id == official_id)
            ).first()
            if row is None:
                raise NotFound(
                    f"no official {official_id!r} is recorded",
                    f"không có cán bộ {official_id!r} trong sổ",
                    official_id=official_id,
                )
            return service_record_of(conn, row)

    def officials(
        self, *, unit: str | None = None, after: str | None = None, limit: int = 100
    ) -> dict[str, Any]:
        """Officials as Popolo Persons, by id; `next_after` pages on."""
        _check_limit(limit)
        query = select(public_officials).order_by(public_officials.c.official_id).limit(limit + 1)
        if unit:
            query = query.where(within(public_officials.c.unit_path, unit))
        if after:
            query = query.where(public_officials.c.official_id > after)
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "persons": [person(r) for r in rows],
            "next_after": rows[-1].official_id if more else None,
        }

    def decisions(self, query: DecisionQuery, *, page: int = 1, per_page: int = 50) -> DecisionPage:
        """Decisions matching the query, newest effective date first."""
        _check_limit(per_page)
        if page < 1:
            raise InvalidPayload("page must be 1 or more", "số trang phải từ 1 trở lên", page=page)
        condition = query.where()
        d = public_decisions.c
        with self.engine.connect() as conn:
            total = int(
                conn.execute(
                    select(func.count()).select_from(public_decisions).where(condition)
                ).scalar_one()
            )
            rows = conn.execute(
                select(public_decisions)
                .where(condition)
                .order_by(d.effective_on.desc(), d.decision_id)
                .offset((page - 1) * per_page)
                .limit(per_page)
            ).fetchall()
        pages = max(1, -(-total // per_page))
        return DecisionPage([decision(r) for r in rows], total, page, pages)

    def decision(self, decision_id: str) -> dict[str, Any]:
        """One public decision."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(public_decisions).where(
                    public_decisions.c.decision_id == decision_id,
                    public_decisions.c.status.in_(PUBLIC_STATUSES),
                )
            ).first()
        if row is None:
            raise NotFound(
                f"no public decision {decision_id!r}",
                f"không có quyết định công khai {decision_id!r}",
                decision_id=decision_id,
            )
        return decision(row)

    def changes(self, *, after: int = -1, limit: int = 100) -> dict[str, Any]:
        """The change feed: public personnel statements after a log index, in log order."""
        _check_limit(limit)
        c = public_changes.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(public_changes)
                .where(c.log_index > after)
                .order_by(c.log_index)
                .limit(limit + 1)
            ).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "changes": [dict(r._mapping) for r in rows],
            "next_after": rows[-1].log_index if more else None,
        }

    def units(self) -> list[dict[str, Any]]:
        """Every unit as a Popolo Organization, provinces first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(public_units).order_by(public_units.c.unit_path)).fetchall()
        return [organization(r) for r in rows]

    def frameworks(self) -> list[dict[str, Any]]:
        """Every framework version, by province, title group and proposal."""
        f = public_framework_versions.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(public_framework_versions).order_by(
                    f.province, f.title_group, f.framework_id, f.proposal
                )
            ).fetchall()
        return [dict(r._mapping) for r in rows]

    def popolo(self) -> dict[str, Any]:
        """The whole public record as one Popolo document."""
        with self.engine.connect() as conn:
            return {
                "persons": [
                    person(r)
                    for r in conn.execute(
                        select(public_officials).order_by(public_officials.c.official_id)
                    )
                ],
                "organizations": self.units(),
                "posts": [
                    post(r)
                    for r in conn.execute(select(public_posts).order_by(public_posts.c.post_id))
                ],
                "memberships": [
                    membership(r)
                    for r in conn.execute(
                        select(public_memberships).order_by(public_memberships.c.membership_id)
                    )
                ],
                "events": [
                    decision_event(r)
                    for r in conn.execute(
                        select(public_decisions)
                        .where(public_decisions.c.status.in_(PUBLIC_STATUSES))
                        .order_by(public_decisions.c.first_log_index)
                    )
                ],
            }

    def each_service_record(self) -> Iterator[dict[str, Any]]:
        """Every official's service record, by id (the NDJSON export)."""
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(public_officials).order_by(public_officials.c.official_id)
            ).fetchall():
                yield service_record_of(conn, row)

    def each_decision(self) -> Iterator[dict[str, Any]]:
        """Every public decision in log order (the NDJSON and CSV exports)."""
        with self.engine.connect() as conn:
            for row in conn.execute(
                select(public_decisions)
                .where(public_decisions.c.status.in_(PUBLIC_STATUSES))
                .order_by(public_decisions.c.first_log_index)
            ):
                yield decision(row)


def service_record_of(conn: Connection, row: Any) -> dict[str, Any]:
    """The service record of one official row."""
    official_id = row.official_id
    memberships = conn.execute(
        select(public_memberships)
        .where(public_memberships.c.official_id == official_id)
        .order_by(public_memberships.c.start_date, public_memberships.c.membership_id)
    ).fetchall()
    decisions = conn.execute(
        select(public_decisions)
        .where(
            public_decisions.c.subject == official_id,
            public_decisions.c.status.in_(PUBLIC_STATUSES),
        )
        .order_by(public_decisions.c.effective_on, public_decisions.c.first_log_index)
    ).fetchall()
    probations = conn.execute(
        select(public_probations)
        .where(public_probations.c.official_id == official_id)
        .order_by(public_probations.c.started)
    ).fetchall()
    trainings = conn.execute(
        select(public_trainings)
        .where(public_trainings.c.official_id == official_id)
        .order_by(public_trainings.c.completed_on, public_trainings.c.training_id)
    ).fetchall()
    in_effect = [d for d in decisions if d.status == "approved"]

    def effect(d: Any, **extra: Any) -> dict[str, Any]:
        return {
            "decision_id": d.decision_id,
            "effective_on": d.effective_on,
            "log_index": d.effect_log_index,
            **extra,
        }

    return {
        "person": person(row),
        "memberships": [membership(m) for m in memberships],
        "decisions": [decision(d) for d in decisions],
        "probations": [
            {
                "post_id": p.post_id,
                "started": p.started,
                "deadline": p.deadline,
                "ended_on": p.ended_on,
                "confirmed": p.confirmed,
                "decision_id": p.decision_id,
                "log_index": p.log_index,
            }
            for p in probations
        ],
        "rotations": [
            effect(d, post_id=d.target_post, rotation=d.rotation)
            for d in in_effect
            if d.kind in ("rotation", "transfer")
        ],
        "evaluations": [
            effect(d, period=d.evaluation_period, band=d.evaluation_band)
            for d in in_effect
            if d.kind == "evaluation"
        ],
        "training": [
            {
                "training_id": t.training_id,
                "course": t.course,
                "kind": t.kind,
                "completed_on": t.completed_on,
                "log_index": t.log_index,
            }
            for t in trainings
        ],
        "commendations": [
            effect(d, summary=d.summary) for d in in_effect if d.kind == "commendation"
        ],
        "discipline": [effect(d, penalty=d.penalty) for d in in_effect if d.kind == "discipline"],
    }


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidPayload(
            f"limit must be between 1 and {MAX_PAGE}",
            f"giới hạn phải từ 1 đến {MAX_PAGE}",
            limit=limit,
        )
