"""R05: the framework version in force on the effective date, and the required competencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from ledger.rules import Kind
from ledger.rules.model import Framework, State, TitleGroup
from ledger.rules.verdict import Outcome

from .world import DAY, at, days, decision, outcome, state, verdict, with_

V2 = Framework(
    version="v2",
    effective_on=DAY,
    required={TitleGroup.LEADERSHIP: {"management": 3, "digital": 2}},
    published_at=datetime(2026, 2, 1, tzinfo=UTC),
)


def skilled(world: State, official: str, **levels: int) -> State:
    officials = tuple(
        replace(o, competencies=levels) if o.id == official else o for o in world.officials
    )
    return replace(world, officials=officials)


def test_r05_the_day_a_new_version_takes_effect_the_old_one_is_refused() -> None:
    world = skilled(with_(state(), frameworks=(V2,)), "cand", management=3, digital=2)
    on_the_day = decision(effective_on=DAY)
    found = verdict("R05", on_the_day, world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details == {"cited": "v1", "in_force": "v2", "effective_on": "2026-03-02"}
    assert outcome("R05", replace(on_the_day, framework_version="v2"), world) is Outcome.OK
    the_day_before = decision(effective_on=DAY - days(1), recorded_at=at(DAY - days(1)))
    assert outcome("R05", the_day_before, world) is Outcome.OK


def test_r05_a_version_not_yet_published_when_recorded_is_not_in_force() -> None:
    late = replace(V2, published_at=datetime(2026, 3, 3, tzinfo=UTC))
    world = with_(state(), frameworks=(late,))
    assert outcome("R05", decision(), world) is Outcome.OK
    assert outcome("R05", decision(framework_version="v2"), world) is Outcome.BLOCK


def test_r05_blocks_a_placing_decision_with_no_framework_in_force() -> None:
    world = replace(state(), frameworks=())
    found = verdict("R05", decision(framework_version=None), world)
    assert found is not None and found.details["in_force"] is None


def test_r05_checks_a_cited_version_on_any_decision_but_requires_one_only_to_place() -> None:
    commendation = decision(kind=Kind.COMMENDATION, target_post=None, framework_version=None)
    assert outcome("R05", commendation) is Outcome.OK
    old = replace(commendation, framework_version="v0")
    assert outcome("R05", old) is Outcome.BLOCK


def test_r05_a_competency_gap_blocks_unless_justified_then_it_is_flagged() -> None:
    world = skilled(state(), "cand", management=2)
    found = verdict("R05", decision(), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["gaps"] == {"management": {"required": 3, "held": 2}}
    justified = decision(justification="Only candidate for the island commune; training planned.")
    flagged = verdict("R05", justified, world)
    assert flagged is not None and flagged.outcome is Outcome.FLAG
    assert outcome("R05", decision(justification="   "), world) is Outcome.BLOCK


def test_r05_meeting_the_required_level_exactly_is_enough() -> None:
    assert outcome("R05", decision(), skilled(state(), "cand", management=3)) is Outcome.OK


def test_framework_at_picks_the_latest_effective_version() -> None:
    world = with_(state(), frameworks=(V2,))
    assert world.framework_at(date(2026, 3, 1)) is world.frameworks[0]
    assert world.framework_at(DAY) is V2
    assert world.framework_at(date(2025, 6, 30)) is None
