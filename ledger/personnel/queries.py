"""Reading personnel records: the state of any record as of a date, and its full history.

Two views of time: the *recorded* view is the state as the log stood at a log index (what was
known then), the *effective* view is what held on a date according to what is recorded (a
decision recorded later but effective earlier counts). Both combine: `at_index` picks the log,
`on` picks the date. Only public information is returned: the public profile of an official
(name while not erased, title, unit), never birth date, national id, address or relatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.errors import InvalidPayload, NotFound
from ledger.personnel.derive import Derived
from ledger.personnel.record import KINDS
from ledger.personnel.state import HistoryItem, PersonnelState, PostState
from ledger.statement import format_time

LeafIndexOf = Callable[[int], int | None]  # notification id -> leaf index (None: not yet)
NameOf = Callable[[str, str], str | None]  # (official, commitment) -> name, None if erased

PUBLIC_KINDS = (
    "unit",
    "post",
    "framework",
    "official",
    "decision",
    "task",
    "initiative",
    "consultation",
    "reorganisation",
)


@dataclass(frozen=True)
class Snapshot:
    """A personnel state and what follows from it, with the log position it stands at."""

    state: PersonnelState
    derived: Derived
    leaf_index_of: LeafIndexOf
    name_of: NameOf


def _missing(kind: str, record_id: str) -> NotFound:
    return NotFound(
        f"no {kind} {record_id!r} is recorded",
        f"không có {kind} {record_id!r} trong sổ",
        kind=kind,
        id=record_id,
    )


def history(snap: Snapshot, kind: str, record_id: str) -> list[dict[str, Any]]:
    """Every recorded change of a record, oldest first, each with its log index."""
    if kind not in PUBLIC_KINDS:
        raise InvalidPayload(
            f"records of kind {kind!r} are not public; kinds: {list(PUBLIC_KINDS)}",
            f"loại hồ sơ {kind!r} không công khai",
            kind=kind,
        )
    items = snap.state.history.get((kind, record_id))
    if not items:
        raise _missing(kind, record_id)
    return [_item(snap, kind, i) for i in items]


def _item(snap: Snapshot, kind: str, item: HistoryItem) -> dict[str, Any]:
    leaf = snap.leaf_index_of(item.notification_id) if item.notification_id else None
    payload = item.payload
    if kind == "official" and "private_sha256" in payload:
        payload = {**payload}  # the commitment is public; the data it commits to is not
    return {
        "version": item.version,
        "type": item.type,
        "time": format_time(item.time),
        "signer": item.signer,
        "payload": payload,
        "outcome": item.outcome,
        "log_index": leaf,
    }


def _log_index(snap: Snapshot, kind: str, record_id: str) -> list[int | None]:
    return [
        snap.leaf_index_of(i.notification_id) if i.notification_id else None
        for i in snap.state.history.get((kind, record_id), [])
    ]


def official(snap: Snapshot, official_id: str, on: date) -> dict[str, Any]:
    """An official's public service record as of a date."""
    o = snap.state.officials.get(official_id)
    if o is None:
        raise _missing("official", official_id)
    d = snap.derived
    name = None if o.erased or not o.private_sha256 else snap.name_of(o.id, o.private_sha256)
    decisions = [x for x in snap.state.decisions.values() if x.subject == official_id]
    return {
        "official_id": o.id,
        "as_of": on.isoformat(),
        "name": name,
        "erased": o.erased,
        "title": o.title,
        "unit": o.unit,
        "posts": [
            {"post": h.post, "since": h.since.isoformat(), "until": _iso(h.until)}
            for h in d.holdings
            if h.official == o.id and h.since <= on
        ],
        "holds_on_date": [h.post for h in d.holdings if h.official == o.id and h.active_on(on)],
        "probations": [
            {
                "post": p.post,
                "started": p.started.isoformat(),
                "deadline": p.deadline.isoformat(),
                "ended_on": _iso(p.ended_on) if p.ended_on and p.ended_on <= on else None,
                "confirmed": p.confirmed if p.ended_on and p.ended_on <= on else None,
            }
            for p in d.probations
            if p.official == o.id and p.started <= on
        ],
        "evaluations": [
            {"period": e.period, "band": e.band.value} for e in d.evaluations if e.official == o.id
        ],
        "discipline": [
            {"penalty": r.penalty.value, "decided_at": r.decided_at.isoformat()}
            for r in d.records
            if r.official == o.id and r.decided_at <= on
        ],
        "commendations": [
            {"decision_id": c[1], "on": c[2].isoformat()}
            for c in d.commendations
            if c[0] == o.id and c[2] <= on
        ],
        "training": [
            {"course": t.course, "kind": t.kind, "completed_on": t.completed_on.isoformat()}
            for t in o.trainings
            if t.completed_on <= on
        ],
        "decisions": [
            {
                "decision_id": x.id,
                "kind": x.kind,
                "status": x.status,
                "effective_on": x.effective_on.isoformat(),
            }
            for x in decisions
        ],
        "log_indexes": _log_index(snap, "official", o.id),
    }


def post(snap: Snapshot, post_id: str, on: date) -> dict[str, Any]:
    """A job position as of a date: its unit then, and who held it."""
    held = snap.state.posts.get(post_id)
    if held is None:
        raise _missing("post", post_id)
    p = held.post
    unit = _unit_on(held, on)
    return {
        "post_id": p.id,
        "as_of": on.isoformat(),
        "exists": held.created_on <= on and (held.abolished_on is None or on < held.abolished_on),
        "unit": unit,
        "title": p.title,
        "title_group": p.group.value,
        "rank": p.rank.value,
        "headcount": p.headcount,
        "sensitive_area": p.area,
        "key_position": p.key_position,
        "holders": [
            h.official for h in snap.derived.holdings if h.post == p.id and h.active_on(on)
        ],
        "holdings": [
            {"official": h.official, "since": h.since.isoformat(), "until": _iso(h.until)}
            for h in snap.derived.holdings
            if h.post == p.id and h.since <= on
        ],
        "log_indexes": _log_index(snap, "post", p.id),
    }


def _unit_on(held: PostState, on: date) -> str:
    """The unit a post belonged to on a day (posts move with reorganisations)."""
    unit = held.moves[0][1] if held.moves else held.post.unit
    for day, _from, to in held.moves:
        if day <= on:
            unit = to
    return unit


def unit(snap: Snapshot, unit_id: str, on: date) -> dict[str, Any]:
    """A unit as of a date: whether it existed, its posts then."""
    u = snap.state.units.get(unit_id)
    if u is None:
        raise _missing("unit", unit_id)
    # Only each post's unit that day, not its whole record (which scans every holding).
    posts = [p for p, held in snap.state.posts.items() if _unit_on(held, on) == unit_id]
    return {
        "unit_id": u.id,
        "as_of": on.isoformat(),
        "name": u.name,
        "level": u.level.value,
        "parent": u.parent,
        "special_areas": sorted(u.special_areas),
        "exists": u.exists_from <= on and (u.exists_until is None or on < u.exists_until),
        "exists_from": u.exists_from.isoformat(),
        "exists_until": _iso(u.exists_until),
        "successors": list(u.successors),
        "predecessors": list(u.predecessors),
        "posts": sorted(posts),
        "log_indexes": _log_index(snap, "unit", u.id),
    }


def framework(snap: Snapshot, framework_id: str, on: date) -> dict[str, Any]:
    """A criteria framework: every proposal, and the version in force on the date."""
    f = snap.state.frameworks.get(framework_id)
    if f is None:
        raise _missing("framework", framework_id)
    in_force = [p for p in f.published() if p.effective_on <= on]
    current = max(in_force, key=lambda p: (p.effective_on, p.published_order), default=None)
    return {
        "framework_id": f.id,
        "as_of": on.isoformat(),
        "province": f.province,
        "title_group": f.group.value,
        "in_force": current.version if current else None,
        "versions": [
            {
                "proposal": p.number,
                "status": p.status,
                "version": p.version,
                "effective_on": p.effective_on.isoformat(),
                "competencies": p.competencies,
                "priority_competencies": p.priority_competencies,
                "parameters": p.parameters,
                "summary": p.summary,
                "approvals": len(p.approvals),
                "published_at": format_time(p.published_at) if p.published_at else None,
            }
            for p in f.proposals.values()
        ],
        "log_indexes": _log_index(snap, "framework", f.id),
    }


def decision(snap: Snapshot, decision_id: str, on: date) -> dict[str, Any]:
    """A decision: its fields as signed, lifecycle and public rule verdicts."""
    d = snap.state.decisions.get(decision_id)
    if d is None:
        raise _missing("decision", decision_id)
    return {
        "decision_id": d.id,
        "as_of": on.isoformat(),
        **{k: v for k, v in d.payload.items() if k != "justification"},
        "justification_given": bool(d.payload.get("justification")),
        "status": d.status,
        "in_effect_on_date": d.in_effect and d.effective_on <= on,
        "proposer": d.proposer,
        "approvals": d.approvals,
        "verdicts": d.verdicts,
        "ended_reason": d.ended_reason,
        "log_indexes": _log_index(snap, "decision", d.id),
    }


def generic(snap: Snapshot, kind: str, record_id: str) -> dict[str, Any]:
    """Tasks, initiatives, consultations and reorganisations: their recorded fields."""
    tables: dict[str, dict[str, Any]] = {
        "task": snap.state.tasks,
        "initiative": snap.state.initiatives,
        "consultation": snap.state.consultations,
    }
    table = tables.get(kind, {})
    found = table.get(record_id)
    if found is None and (kind, record_id) not in snap.state.history:
        raise _missing(kind, record_id)
    fields = {k: _plain(v) for k, v in vars(found).items()} if found is not None else {}
    return {f"{kind}_id": record_id, **fields, "log_indexes": _log_index(snap, kind, record_id)}


READERS: dict[str, Callable[[Snapshot, str, date], dict[str, Any]]] = {
    "official": official,
    "post": post,
    "unit": unit,
    "framework": framework,
    "decision": decision,
}


def read(snap: Snapshot, kind: str, record_id: str, on: date) -> dict[str, Any]:
    """A public record of any kind as of a date."""
    if kind not in PUBLIC_KINDS or kind not in KINDS:
        raise InvalidPayload(
            f"records of kind {kind!r} are not public; kinds: {list(PUBLIC_KINDS)}",
            f"loại hồ sơ {kind!r} không công khai",
            kind=kind,
        )
    reader = READERS.get(kind)
    return reader(snap, record_id, on) if reader else generic(snap, kind, record_id)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()  # datetimes too: both are public moments
    return value
