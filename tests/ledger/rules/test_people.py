"""R01-R04: separation of roles, recusal, relatives together, quorum."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.rules import Collective, Kind
from ledger.rules.model import Holding, Rank, Relative, State
from ledger.rules.verdict import Outcome

from .world import MEMBERS, check_with, decision, outcome, post, state, verdict, with_


def related(world: State, a: str, b: str, relation: str = "sibling") -> State:
    """The state where official a declares b as a relative."""
    officials = tuple(
        replace(o, relatives=(*o.relatives, Relative(b, relation))) if o.id == a else o
        for o in world.officials
    )
    return replace(world, officials=officials)


# R01


@pytest.mark.parametrize(
    ("change", "clash"),
    [
        ({"proposer": "cand"}, "proposer_is_subject"),
        ({"approvers": ("appr", "cand")}, "approver_is_subject"),
        ({"approvers": ("prop",)}, "proposer_approves"),
        ({"approvers": ("appr", "appr")}, "approver_signs_twice"),
    ],
)
def test_r01_blocks_one_person_in_two_roles(change: dict[str, object], clash: str) -> None:
    found = verdict("R01", decision(**change))
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["clashes"] == [clash]


def test_r01_accepts_three_different_people() -> None:
    assert outcome("R01", decision(approvers=("appr", "m1"))) is Outcome.OK


# R02


def test_r02_blocks_an_approver_whose_declared_relative_is_the_subject() -> None:
    world = related(state(), "cand", "appr", relation="brother-in-law")
    found = verdict("R02", decision(), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["must_recuse"] == {"approver": ["appr"]}
    assert "brother-in-law" not in repr(found)  # the relation is personal data


def test_r02_reads_a_declaration_made_by_either_side() -> None:
    world = related(state(), "prop", "cand")
    found = verdict("R02", decision(), world)
    assert found is not None and found.details["must_recuse"] == {"proposer": ["prop"]}


def test_r02_covers_members_present_in_the_collective() -> None:
    world = related(state(), "m4", "cand")
    found = verdict("R02", decision(), world)
    assert found is not None and found.details["must_recuse"] == {"collective_member": ["m4"]}
    absent = Collective(MEMBERS, tuple(m for m in MEMBERS if m != "m4"), votes_for=8)
    assert outcome("R02", decision(collective=absent), world) is Outcome.OK


def test_r02_accepts_signers_unrelated_to_the_subject() -> None:
    world = related(state(), "appr", "off1")
    assert outcome("R02", decision(), world) is Outcome.OK


# R03


def test_r03_blocks_head_and_deputy_of_one_unit() -> None:
    world = related(state(), "cand", "chair1")
    found = verdict("R03", decision(), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["clashes"] == [{"relative_post": "chair", "reason": "head_and_deputy"}]


def test_r03_accepts_a_relative_heading_another_unit() -> None:
    world = with_(
        related(state(), "cand", "off2"),
        posts=(post("ward-chair", unit="W", rank=Rank.HEAD, top=True),),
        holdings=(Holding("off2", "ward-chair", state().holdings[0].since),),
    )
    assert outcome("R03", decision(), world) is Outcome.OK


def test_r03_blocks_relatives_in_one_leadership_collective() -> None:
    world = state()
    posts = tuple(
        replace(p, collective="standing") if p.id in ("officer2", "vice2") else p
        for p in world.posts
    )
    world = with_(
        related(replace(world, posts=posts), "cand", "off2"),
        holdings=(Holding("off2", "officer2", world.holdings[0].since),),
    )
    found = verdict("R03", decision(), world)
    assert found is not None
    assert found.details["clashes"][0]["reason"] == "same_leadership_collective"


def test_r03_blocks_the_top_post_with_a_relative_heading_one_of_the_13_sectors() -> None:
    world = with_(
        related(state(), "cand", "chair1"),
        posts=(post("police-chief", rank=Rank.HEAD, sector="police", grade=2),),
    )
    found = verdict("R03", decision(target_post="police-chief"), world)
    assert found is not None
    assert found.details["clashes"][0]["reason"] == "top_and_sector_head"


def test_r03_accepts_the_top_post_with_a_relative_heading_another_sector() -> None:
    world = with_(
        related(state(), "cand", "chair1"),
        posts=(post("culture-chief", rank=Rank.HEAD, sector="culture", grade=2),),
    )
    assert outcome("R03", decision(target_post="culture-chief"), world) is Outcome.OK


def test_r03_blocks_an_accounting_post_under_a_relative_and_the_list_is_a_parameter() -> None:
    world = with_(
        related(state(), "cand", "chair1"), posts=(post("accountant", area="accounting"),)
    )
    d = decision(kind=Kind.RECRUITMENT, target_post="accountant")
    found = verdict("R03", d, world)
    assert found is not None
    assert found.details["clashes"][0]["reason"] == "sensitive_post_under_relative"
    narrower = {"areas_barred_under_relative": ["personnel", "inspection"]}
    assert check_with("R03", d, world, **narrower) is Outcome.OK


# R04


def collective(present: int, votes: int) -> Collective:
    return Collective(MEMBERS, MEMBERS[:present], votes_for=votes)


def test_r04_quorum_exactly_met_is_ok_and_one_short_is_blocked() -> None:
    # 2/3 of 9 members is 6.
    assert outcome("R04", decision(collective=collective(6, 6))) is Outcome.OK
    found = verdict("R04", decision(collective=collective(5, 5)))
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["quorum"] == 6 and found.details["present"] == 5


def test_r04_needs_more_than_half_of_all_members_in_favour() -> None:
    assert outcome("R04", decision(collective=collective(9, 5))) is Outcome.OK
    assert outcome("R04", decision(collective=collective(9, 4))) is Outcome.BLOCK


def test_r04_refuses_votes_or_attendance_that_do_not_match() -> None:
    outsider = Collective(MEMBERS, (*MEMBERS[:6], "stranger"), votes_for=6)
    assert outcome("R04", decision(collective=outsider)) is Outcome.BLOCK
    assert outcome("R04", decision(collective=collective(6, 7))) is Outcome.BLOCK


def test_r04_requires_a_collective_only_for_collective_kinds() -> None:
    assert outcome("R04", decision(collective=None)) is Outcome.BLOCK
    commendation = decision(kind=Kind.COMMENDATION, target_post=None, collective=None)
    assert outcome("R04", commendation) is Outcome.OK


def test_r04_reads_its_fractions_from_the_framework() -> None:
    d = decision(collective=collective(6, 6))
    # 3/4 of 9 is 7 present; more than 2/3 of 9 is 7 votes.
    assert check_with("R04", d, state(), quorum_fraction="3/4") is Outcome.BLOCK
    assert check_with("R04", d, state(), approval_fraction="2/3") is Outcome.BLOCK
    more = decision(collective=collective(9, 7))
    assert check_with("R04", more, state(), approval_fraction="2/3") is Outcome.OK
