"""R09, R10, R12, R16, R23, R24: tenure, new posts, holders, the issuer, the plan, references."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from ledger.rules import Decision, Kind, RotationKind, get_rule
from ledger.rules.model import Holding, Level, PlanEntry, State
from ledger.rules.posts import overdue_rotations
from ledger.rules.verdict import Outcome

from .world import DAY, at, check_with, days, decision, outcome, post, state, verdict, with_

# R09

SINCE = date(2021, 3, 2)


def finance_world() -> State:
    return with_(
        state(),
        posts=(post("finance", area="finance"),),
        holdings=(Holding("off1", "finance", SINCE),),
    )


def about_off1(day: date, **kw: Any) -> Decision:
    base = decision(
        kind=Kind.COMMENDATION,
        subject="off1",
        target_post=None,
        leaves_posts=(),
        effective_on=day,
        recorded_at=at(day),
    )
    return replace(base, **kw)


def test_r09_four_years_364_days_is_ok_five_years_is_flagged() -> None:
    world = finance_world()
    assert outcome("R09", about_off1(DAY - days(1)), world) is Outcome.OK
    found = verdict("R09", about_off1(DAY), world)
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details["overdue"] == [
        {"post": "finance", "since": "2021-03-02", "due": "2026-03-02"}
    ]


def test_r09_a_shorter_period_per_area_comes_from_the_framework() -> None:
    early = about_off1(date(2023, 3, 2))
    assert check_with("R09", early, finance_world()) is Outcome.OK
    by_area = {"rotation_years_by_area": {"finance": 2}}
    assert check_with("R09", early, finance_world(), **by_area) is Outcome.FLAG


def test_r09_the_rotation_out_of_the_post_is_not_flagged() -> None:
    moving = about_off1(DAY, kind=Kind.ROTATION, target_post="officer2")
    assert outcome("R09", replace(moving, leaves_posts=("finance",)), finance_world()) is Outcome.OK


def test_overdue_rotations_lists_holdings_past_their_date() -> None:
    params = get_rule("R09").resolve({})
    assert overdue_rotations(finance_world(), DAY - days(1), params) == []
    [(holding, due)] = overdue_rotations(finance_world(), DAY, params)
    assert holding.official == "off1" and due == DAY


# R10


def rotation(**kw: Any) -> Decision:
    base = decision(kind=Kind.ROTATION, target_post="officer2", rotation=RotationKind.HORIZONTAL)
    return replace(base, **kw)


def planned() -> State:
    return with_(state(), succession=(PlanEntry("cand"),))


def test_r10_a_rotation_creating_its_post_is_blocked() -> None:
    assert outcome("R10", rotation(), planned()) is Outcome.OK
    found = verdict("R10", rotation(creates_new_post=True), planned())
    assert found is not None and found.outcome is Outcome.BLOCK
    assert outcome("R10", rotation(target_post="invented"), planned()) is Outcome.BLOCK


# R12


def test_r12_a_single_holder_post_already_held_is_blocked() -> None:
    found = verdict("R12", decision(target_post="vice"))
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["holders"] == ["vice1"]


def test_r12_reappointing_the_holder_is_not_a_second_holder() -> None:
    d = decision(kind=Kind.REAPPOINTMENT, subject="vice1", target_post="vice", leaves_posts=())
    assert outcome("R12", d) is Outcome.OK


def test_r12_a_shared_post_fills_up_to_its_headcount() -> None:
    clerks = decision(kind=Kind.RECRUITMENT, subject="off2", target_post="clerks", leaves_posts=())
    one = with_(state(), holdings=(Holding("off1", "clerks", SINCE),))
    assert outcome("R12", clerks, one) is Outcome.OK
    two = with_(one, holdings=(Holding("chair1", "clerks", SINCE),))
    assert outcome("R12", clerks, two) is Outcome.BLOCK


def test_r12_a_holding_ended_before_the_effective_date_does_not_count() -> None:
    ended = replace(state(), holdings=(Holding("vice1", "vice", SINCE, until=DAY),))
    assert outcome("R12", decision(target_post="vice"), ended) is Outcome.OK


def test_r12_incompatible_posts_are_blocked_unless_the_subject_leaves_one() -> None:
    world = state()
    posts = tuple(
        replace(p, incompatible_with=frozenset({"vice2"})) if p.id == "officer" else p
        for p in world.posts
    )
    world = replace(world, posts=posts)
    assert outcome("R12", decision(), world) is Outcome.OK  # leaves "officer"
    found = verdict("R12", decision(leaves_posts=()), world)
    assert found is not None and found.details["incompatible_with"] == ["officer"]


# R16


def test_r16_a_district_issuer_is_refused_from_1_july_2025() -> None:
    before = date(2025, 6, 30)
    district = decision(
        issuer_unit="D", issuer_level=Level.DISTRICT, effective_on=before, recorded_at=at(before)
    )
    moved = with_(state(), posts=(post("d-officer", unit="D"),))
    assert outcome("R16", replace(district, target_post="d-officer"), moved) is Outcome.OK
    on_the_day = replace(district, target_post="d-officer", effective_on=date(2025, 7, 1))
    found = verdict("R16", on_the_day, moved)
    assert found is not None and found.outcome is Outcome.BLOCK


def test_r16_the_issuer_must_exist_with_its_level() -> None:
    assert outcome("R16", decision(issuer_unit="nowhere")) is Outcome.BLOCK
    assert outcome("R16", decision(issuer_level=Level.WARD)) is Outcome.BLOCK
    ghost = decision(effective_on=date(2025, 6, 30), recorded_at=at(date(2025, 6, 30)))
    assert outcome("R16", ghost) is Outcome.BLOCK  # the commune exists from 1 July 2025


def test_r16_the_issuer_must_be_competent_for_the_unit() -> None:
    province = decision(issuer_unit="P", issuer_level=Level.PROVINCE)
    assert outcome("R16", province) is Outcome.OK  # the commune is under the province
    ward = decision(issuer_unit="W", issuer_level=Level.WARD)
    found = verdict("R16", ward)
    assert found is not None and found.details["outside"] == ["X"]


def test_r16_without_a_target_the_units_of_the_subjects_posts_count() -> None:
    discipline = decision(
        kind=Kind.DISCIPLINE, target_post=None, issuer_unit="W", issuer_level=Level.WARD
    )
    assert outcome("R16", discipline) is Outcome.BLOCK


# R23


def test_r23_only_officials_in_the_succession_plan_are_rotated() -> None:
    assert outcome("R23", rotation()) is Outcome.BLOCK
    assert outcome("R23", rotation(), planned()) is Outcome.OK


def test_r23_a_targeted_rotation_needs_a_plan_for_that_post() -> None:
    targeted = rotation(rotation=RotationKind.TARGETED)
    assert outcome("R23", targeted, planned()) is Outcome.BLOCK
    for_it = with_(state(), succession=(PlanEntry("cand", "officer2"),))
    assert outcome("R23", targeted, for_it) is Outcome.OK


# R24


def test_r24_blocks_unknown_subjects_and_posts() -> None:
    assert outcome("R24", decision(subject="ghost")) is Outcome.BLOCK
    assert outcome("R24", decision(target_post="ghost-post")) is Outcome.BLOCK
    found = verdict("R24", decision(target_post=None))
    assert found is not None and found.details["missing"] == ["target_post"]


def test_r24_a_post_created_by_the_decision_need_not_exist_yet() -> None:
    assert outcome("R24", decision(target_post="new-post", creates_new_post=True)) is Outcome.OK
