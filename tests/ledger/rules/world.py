"""A small commune to test the rules on: one baseline decision that every rule accepts.

Each test changes one thing (with `dataclasses.replace` or the helpers) and looks at one rule.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ledger.rules import Collective, Decision, Kind, Verdict, evaluate, get_rule
from ledger.rules.dates import VIETNAM
from ledger.rules.model import (
    Framework,
    Holding,
    Level,
    Official,
    Post,
    Rank,
    State,
    TitleGroup,
    Unit,
)
from ledger.rules.verdict import Outcome

PROVINCE, COMMUNE, WARD, DISTRICT = "P", "X", "W", "D"
MEMBERS = tuple(f"m{i}" for i in range(1, 10))  # the commune's standing committee, 9 people
DAY = date(2026, 3, 2)  # a Monday
V1 = Framework(
    version="v1",
    effective_on=date(2025, 7, 1),
    required={TitleGroup.LEADERSHIP: {"management": 3}},
    published_at=datetime(2025, 6, 1, tzinfo=UTC),
)


def at(day: date, hour: int = 9) -> datetime:
    """A moment on that day in Vietnam."""
    return datetime.combine(day, time(hour), VIETNAM).astimezone(UTC)


def post(post_id: str, **kw: Any) -> Post:
    """A post of the commune (professional staff unless told otherwise)."""
    kw.setdefault("unit", COMMUNE)
    kw.setdefault("group", TitleGroup.PROFESSIONAL)
    return Post(id=post_id, **kw)


def blind_index(official: str) -> str:
    """The keyed index the ledger would compute; the rules never see the key."""
    return hmac.new(b"test-index-key", official.encode(), hashlib.sha256).hexdigest()


def state() -> State:
    """The commune: its units, posts, holders and the framework v1 in force since 1 July 2025."""
    leaders = {"management": 4}
    return State(
        units=(
            Unit(PROVINCE, Level.PROVINCE),
            Unit(COMMUNE, Level.COMMUNE, parent=PROVINCE, exists_from=date(2025, 7, 1)),
            Unit(WARD, Level.WARD, parent=PROVINCE, exists_from=date(2025, 7, 1)),
            Unit(DISTRICT, Level.DISTRICT, parent=PROVINCE, exists_until=date(2025, 7, 1)),
        ),
        posts=(
            post("chair", group=TitleGroup.LEADERSHIP, rank=Rank.HEAD, grade=3, top=True),
            post("vice", group=TitleGroup.LEADERSHIP, rank=Rank.DEPUTY, grade=2),
            post("vice2", group=TitleGroup.LEADERSHIP, rank=Rank.DEPUTY, grade=2),
            post("officer", grade=1, reports_to="vice2"),
            post("officer2", grade=1, reports_to="vice2"),
            post("clerks", group=TitleGroup.SUPPORT, single_holder=False, headcount=2),
        ),
        officials=(
            Official("chair1", competencies=leaders),
            Official("vice1", competencies=leaders),
            Official("cand", competencies={"management": 3}),
            Official("off1"),
            Official("off2"),
            Official("prop"),
            Official("appr"),
            *(Official(m) for m in MEMBERS),
        ),
        holdings=(
            Holding("chair1", "chair", date(2025, 7, 1)),
            Holding("vice1", "vice", date(2025, 7, 1)),
            Holding("cand", "officer", date(2025, 7, 1)),
        ),
        frameworks=(V1,),
    )


def decision(**kw: Any) -> Decision:
    """The baseline: the commune's committee appoints `cand` deputy (vice2) on 2 March 2026."""
    base = Decision(
        id="d1",
        kind=Kind.APPOINTMENT,
        subject="cand",
        proposer="prop",
        approvers=("appr",),
        issuer_unit=COMMUNE,
        issuer_level=Level.COMMUNE,
        effective_on=DAY,
        recorded_at=at(DAY),
        target_post="vice2",
        leaves_posts=("officer",),
        collective=Collective(members=MEMBERS, present=MEMBERS, votes_for=9),
        legal_basis="Quy định 377-QĐ/TW",
        framework_version="v1",
    )
    return replace(base, **kw)


def with_(world: State, **extra: tuple[Any, ...]) -> State:
    """The state with more items appended to some of its tuples."""
    return replace(world, **{name: getattr(world, name) + items for name, items in extra.items()})


def verdict(rule_id: str, d: Decision, world: State | None = None) -> Verdict | None:
    """The verdict of one rule on the decision, None when it is ok."""
    found = [v for v in evaluate(d, world or state()) if v.rule_id == rule_id]
    return found[0] if found else None


def outcome(rule_id: str, d: Decision, world: State | None = None) -> Outcome:
    """The outcome of one rule on the decision (OK when it has nothing to say)."""
    found = verdict(rule_id, d, world)
    return found.outcome if found else Outcome.OK


def check_with(rule_id: str, d: Decision, world: State, **params: Any) -> Outcome:
    """The outcome of one rule run with the given parameters over its defaults."""
    r = get_rule(rule_id)
    finding = r.check(d, world, r.resolve(params))
    if finding is None:
        return Outcome.OK
    return finding.outcome or r.severity.outcome


def days(n: int) -> timedelta:
    """n days."""
    return timedelta(days=n)
