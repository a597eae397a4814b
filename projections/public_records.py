"""The public records projection: units, posts, officials' service records, decisions, frameworks
and the change feed, as the public may read them.

Rows are a function of the folded state alone (and of the vault, for names), so folding the log
page by page or all at once gives the same tables. Only public facts are written: an official's
public profile (name while not erased, title, unit), never birth dates, national ids, addresses,
relatives or anything from reports; a held decision shows only that it is held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, delete, insert

from ledger.personnel.derive import Derived
from ledger.personnel.queries import PUBLIC_KINDS
from ledger.personnel.state import DecisionState, PersonnelState
from ledger.rules.decision import PLACING, Kind
from ledger.statement import format_time
from projections.follower import Folded, Located, Projection
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

NameOf = Callable[[str, str], str | None]  # (official, commitment) -> name, None once erased


def unit_path(state: PersonnelState, unit_id: str) -> str:
    """'|root|...|unit|': the unit and every unit above it."""
    chain: list[str] = []
    current: str | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        known = state.units.get(current)
        current = known.parent if known else None
    return "|" + "|".join(reversed(chain)) + "|"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class PublicRecords(Projection):
    """Writes the public_* tables."""

    name: ClassVar[str] = "public_records"
    tables: ClassVar[tuple[Table, ...]] = (
        public_units,
        public_posts,
        public_officials,
        public_memberships,
        public_probations,
        public_trainings,
        public_decisions,
        public_framework_versions,
        public_changes,
    )

    def __init__(self, name_of: NameOf) -> None:
        self.name_of = name_of

    def write(self, conn: Connection, folded: Folded, page: Sequence[Located]) -> None:
        """Rewrite every row the page's statements touched."""
        state = folded.state
        units: set[str] = set()
        posts: set[str] = set()
        frameworks: set[str] = set()
        officials: set[str] = set()
        subjects: set[str] = set()  # officials whose derived facts may have changed
        decisions: set[str] = set()
        for located in page:
            e = located.entry
            kind, record = e.record_kind, e.record_id
            if kind == "unit":
                units.add(record)
            elif kind == "reorganisation":
                units.update([*e.payload["from"], *e.payload["into"]])
                moved = e.outcome.get("post_moves", {})
                posts.update(moved)
                subjects.update(h.official for h in folded.derived().holdings if h.post in moved)
            elif kind == "post":
                posts.add(record)
            elif kind == "framework":
                frameworks.add(record)
            elif kind == "official":
                officials.add(record)
            elif kind == "decision":
                decisions.add(record)
                subjects.add(state.decisions[record].subject)
        self._units(conn, state, folded, units)
        self._posts(conn, state, folded, posts)
        self._frameworks(conn, state, folded, frameworks)
        self._officials(conn, state, folded, officials)
        self._decisions(conn, state, folded, decisions)
        if subjects:
            self._derived_rows(conn, state, folded, subjects)
        self._changes(conn, state, page)

    def _units(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = []
        for unit_id in sorted(ids):
            u = s.units[unit_id]
            rows.append(
                {
                    "unit_id": u.id,
                    "name": u.name,
                    "level": u.level.value,
                    "parent": u.parent,
                    "province": s.province_of(u.id),
                    "unit_path": unit_path(s, u.id),
                    "special_areas": sorted(u.special_areas),
                    "exists_from": u.exists_from.isoformat(),
                    "exists_until": _iso(u.exists_until),
                    "successors": list(u.successors),
                    "predecessors": list(u.predecessors),
                    "log_indexes": f.indexes.get(("unit", u.id), []),
                }
            )
        _replace(conn, public_units, "unit_id", ids, rows)

    def _posts(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = []
        for post_id in sorted(ids):
            held = s.posts[post_id]
            p = held.post
            rows.append(
                {
                    "post_id": p.id,
                    "unit": p.unit,
                    "unit_path": unit_path(s, p.unit),
                    "province": s.province_of(p.unit),
                    "title": p.title,
                    "title_group": p.group.value,
                    "rank": p.rank.value,
                    "grade": p.grade,
                    "headcount": p.headcount,
                    "sensitive_area": p.area,
                    "key_position": p.key_position,
                    "created_on": held.created_on.isoformat(),
                    "abolished_on": _iso(held.abolished_on),
                    "log_indexes": f.indexes.get(("post", p.id), []),
                }
            )
        _replace(conn, public_posts, "post_id", ids, rows)

    def _frameworks(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        for framework_id in sorted(ids):
            fw = s.frameworks[framework_id]
            conn.execute(
                delete(public_framework_versions).where(
                    public_framework_versions.c.framework_id == framework_id
                )
            )
            rows = [
                {
                    "framework_id": fw.id,
                    "proposal": p.number,
                    "province": fw.province,
                    "title_group": fw.group.value,
                    "status": p.status,
                    "version": p.version,
                    "effective_on": p.effective_on.isoformat(),
                    "competencies": p.competencies,
                    "priority_competencies": p.priority_competencies,
                    "parameters": p.parameters,
                    "summary": p.summary,
                    "approvals": len(p.approvals),
                    "published_at": format_time(p.published_at) if p.published_at else None,
                    "log_indexes": f.indexes.get(("framework", fw.id), []),
                }
                for p in fw.proposals.values()
            ]
            if rows:
                conn.execute(insert(public_framework_versions), rows)

    def _officials(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = []
        trainings: list[dict[str, Any]] = []
        for official_id in sorted(ids):
            o = s.officials[official_id]
            name = None
            if not o.erased and o.private_sha256:
                name = self.name_of(o.id, o.private_sha256)
            indexes = f.indexes.get(("official", o.id), [])
            rows.append(
                {
                    "official_id": o.id,
                    "name": name,
                    "erased": o.erased,
                    "title": o.title,
                    "unit": o.unit,
                    "unit_path": unit_path(s, o.unit),
                    "registered_on": o.registered_on.isoformat(),
                    "last_log_index": indexes[-1],
                    "log_indexes": indexes,
                }
            )
            # A training's statement is the official's change that recorded it, in order.
            training_indexes = _training_indexes(s, f, o.id)
            trainings.extend(
                {
                    "official_id": o.id,
                    "training_id": t.training_id,
                    "course": t.course,
                    "kind": t.kind,
                    "completed_on": t.completed_on.isoformat(),
                    "competencies": t.competencies,
                    "log_index": training_indexes.get(t.training_id),
                }
                for t in o.trainings
            )
        _replace(conn, public_officials, "official_id", ids, rows)
        _replace(conn, public_trainings, "official_id", ids, trainings)

    def _decisions(self, conn: Connection, s: PersonnelState, f: Folded, ids: set[str]) -> None:
        rows = [decision_row(s, f, s.decisions[d]) for d in sorted(ids)]
        _replace(conn, public_decisions, "decision_id", ids, rows)

    def _derived_rows(
        self, conn: Connection, s: PersonnelState, f: Folded, subjects: set[str]
    ) -> None:
        derived = f.derived()
        placed_by = _placing_decisions(s, derived, subjects)
        memberships: list[dict[str, Any]] = []
        seen: set[str] = set()
        for h in derived.holdings:
            if h.official not in subjects:
                continue
            membership_id = f"{h.official}|{h.post}|{h.since.isoformat()}"
            while membership_id in seen:  # held again from the same day: keep both
                membership_id += "+"
            seen.add(membership_id)
            decision_id = placed_by.get(("place", h.official, h.post, h.since.isoformat()))
            unit = s.posts[h.post].post.unit if h.post in s.posts else ""
            memberships.append(
                {
                    "membership_id": membership_id,
                    "official_id": h.official,
                    "post_id": h.post,
                    "unit": unit,
                    "unit_path": unit_path(s, unit),
                    "start_date": h.since.isoformat(),
                    "end_date": _iso(h.until),
                    "decision_id": decision_id,
                    "log_index": f.effect_index.get(decision_id) if decision_id else None,
                }
            )
        probations = []
        for p in derived.probations:
            if p.official not in subjects:
                continue
            decision_id = placed_by.get(("probation", p.official, p.post, p.started.isoformat()))
            unit = s.posts[p.post].post.unit if p.post in s.posts else ""
            probations.append(
                {
                    "probation_id": f"{p.official}|{p.post}|{p.started.isoformat()}",
                    "official_id": p.official,
                    "post_id": p.post,
                    "unit_path": unit_path(s, unit),
                    "started": p.started.isoformat(),
                    "deadline": p.deadline.isoformat(),
                    "ended_on": _iso(p.ended_on),
                    "confirmed": p.confirmed,
                    "decision_id": decision_id,
                    "log_index": f.effect_index.get(decision_id) if decision_id else None,
                }
            )
        _replace(conn, public_memberships, "official_id", subjects, memberships)
        _replace(conn, public_probations, "official_id", subjects, probations)

    def _changes(self, conn: Connection, s: PersonnelState, page: Sequence[Located]) -> None:
        rows = []
        for located in page:
            e = located.entry
            if e.record_kind not in PUBLIC_KINDS:
                continue  # reviews, postponements and protections are not public records
            official = None
            status = None
            if e.record_kind == "official":
                official = e.record_id
            elif e.record_kind == "decision":
                status = e.outcome.get("status")
                if status == "draft":
                    continue  # public only once proposed, like the decision's own page
                official = s.decisions[e.record_id].subject
            rows.append(
                {
                    "log_index": located.log_index,
                    "type": e.type,
                    "record_kind": e.record_kind,
                    "record_id": e.record_id,
                    "official_id": official,
                    "time": format_time(e.time),
                    "signer": e.signer,
                    "status": status,
                }
            )
        if rows:
            conn.execute(insert(public_changes), rows)


def decision_row(s: PersonnelState, f: Folded, d: DecisionState) -> dict[str, Any]:
    """A decision's public row."""
    p = d.payload
    raw_evaluation = p.get("evaluation")
    evaluation: dict[str, Any] = raw_evaluation if isinstance(raw_evaluation, dict) else {}
    flags = sorted(
        {v["rule_id"] for v in d.verdicts if v.get("outcome") == "flag" and v.get("rule_id")}
    )
    indexes = f.indexes.get(("decision", d.id), [])
    return {
        "decision_id": d.id,
        "kind": d.kind,
        "subject": d.subject,
        "unit": d.unit,
        "unit_path": unit_path(s, d.unit),
        "status": d.status,
        "effective_on": d.effective_on.isoformat(),
        "summary": p.get("summary", ""),
        "legal_basis": p.get("legal_basis", ""),
        "framework_version": p.get("framework_version"),
        "target_post": p.get("target_post"),
        "until": p.get("until"),
        "rotation": p.get("rotation"),
        "penalty": p.get("penalty"),
        "evaluation_period": evaluation.get("period"),
        "evaluation_band": evaluation.get("band"),
        "proposed_at": format_time(d.proposed_at),
        "approved_at": format_time(d.approved_at) if d.approved_at else None,
        "verdicts": d.verdicts,
        "flag_rules": "," + ",".join(flags) + "," if flags else "",
        "was_held": d.held or d.status == "held" or d.released,
        "ended_reason": d.ended_reason,
        "first_log_index": indexes[0],
        "last_log_index": indexes[-1],
        "effect_log_index": f.effect_index.get(d.id),
        "log_indexes": indexes,
    }


def _placing_decisions(
    s: PersonnelState, derived: Derived, subjects: set[str]
) -> dict[tuple[str, str, str, str], str]:
    """(what, official, post, day) -> the decision in effect that placed or put on probation."""
    found: dict[tuple[str, str, str, str], str] = {}
    for decision_id in s.effect_order:
        d = s.decisions[decision_id]
        target = d.payload.get("target_post")
        if d.subject not in subjects or not target:
            continue
        kind = Kind(d.kind)
        day = d.effective_on.isoformat()
        if kind in PLACING:
            found.setdefault(("place", d.subject, target, day), d.id)
        if kind is Kind.PROBATION_START:
            found.setdefault(("probation", d.subject, target, day), d.id)
    return found


def _training_indexes(s: PersonnelState, f: Folded, official_id: str) -> dict[str, int]:
    history = s.history.get(("official", official_id), [])
    indexes = f.indexes.get(("official", official_id), [])
    return {
        item.payload["training_id"]: index
        for item, index in zip(history, indexes, strict=False)
        if item.type == "official.training"
    }


def _replace(
    conn: Connection, table: Table, key: str, ids: Iterable[str], rows: list[dict[str, Any]]
) -> None:
    ids = sorted(set(ids))
    if not ids:
        return
    column = table.c[key]
    for start in range(0, len(ids), 500):  # keep IN lists short on every backend
        conn.execute(delete(table).where(column.in_(ids[start : start + 500])))
    if rows:
        conn.execute(insert(table), rows)
