"""Stories of the commune, each told step by step, with what the rules say at each step."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from fractions import Fraction

from ledger.rules import EvaluationInput, Kind, Product, evaluate, overall
from ledger.rules.model import (
    Band,
    Framework,
    Holding,
    Level,
    PlanEntry,
    Probation,
    Protection,
    Relative,
    ReporterProtection,
    TitleGroup,
)
from ledger.rules.verdict import Outcome

from .world import DAY, V1, at, blind_index, decision, post, state, with_


def test_a_relatives_appointment_is_refused() -> None:
    # The commune chair has declared the candidate as his nephew.
    world = state()
    officials = tuple(
        replace(o, relatives=(Relative("cand", "nephew"),)) if o.id == "chair1" else o
        for o in world.officials
    )
    world = replace(world, officials=officials)
    # The chair himself approves his nephew's appointment as his deputy.
    proposal = decision(approvers=("chair1",))
    verdicts = evaluate(proposal, world)
    # Refused twice over: he should have recused, and the two may not be head and deputy.
    assert [v.rule_id for v in verdicts] == ["R02", "R03"]
    assert overall(verdicts) is Outcome.BLOCK
    assert all(v.message_vi and v.message_en and v.source for v in verdicts)
    # Another approver signs instead: recusal is satisfied, the pairing still is not.
    second_try = decision(approvers=("appr",))
    assert [v.rule_id for v in evaluate(second_try, world)] == ["R03"]
    # The province may still recruit the nephew as an officer of the neighbouring ward.
    ward_officer = post("ward-officer", unit="W")
    elsewhere = replace(
        second_try,
        kind=Kind.RECRUITMENT,
        target_post="ward-officer",
        issuer_unit="P",
        issuer_level=Level.PROVINCE,
        collective=None,
    )
    assert evaluate(elsewhere, with_(world, posts=(ward_officer,))) == []


def test_an_adverse_decision_against_a_protected_reporter_is_held() -> None:
    # On 5 January off1 denounced a misuse of funds; the denunciation was accepted and the
    # reporter is protected. The ledger keeps only a keyed index of the reporter.
    protection = ReporterProtection(
        (Protection(blind_index("off1"), date(2026, 1, 5)),), blind_index
    )
    world = with_(
        replace(state(), reporters=protection),
        holdings=(Holding("off1", "officer2", date(2025, 7, 1)),),
    )
    world = with_(world, posts=(post("far-officer", grade=1),))
    # Two months later a transfer of off1 to a far post is proposed.
    transfer = decision(
        kind=Kind.TRANSFER, subject="off1", target_post="far-officer", leaves_posts=("officer2",)
    )
    verdicts = evaluate(transfer, world)
    # It is held for independent review by inspection, and nothing else is wrong with it.
    assert [v.outcome for v in verdicts] == [Outcome.HOLD]
    [held] = verdicts
    # What the proposer and the public see says neither why nor who.
    public = json.dumps(held.to_json(), ensure_ascii=False)
    assert held.to_json()["rule_id"] is None
    assert "off1" not in public and blind_index("off1") not in public
    assert "tố cáo" not in public and "report" not in public
    # Inspection sees the reason, still without the reporter's identity.
    note = held.to_inspection_json()["inspection_note"]
    assert "protected as a reporter" in note["en"] and "tố cáo" in note["vi"]
    assert "off1" not in json.dumps(note) and blind_index("off1") not in json.dumps(note)
    # A commendation of the same official is not held.
    assert (
        evaluate(
            replace(transfer, kind=Kind.COMMENDATION, target_post=None, leaves_posts=()), world
        )
        == []
    )


def test_a_rotation_overdue_is_flagged_then_cleared_by_rotating() -> None:
    # The framework sets three years for land administration posts.
    framework = replace(V1, parameters={"rotation_years_by_area": {"land": 3}})
    world = with_(
        replace(state(), frameworks=(framework,)),
        posts=(post("land", area="land"),),
        holdings=(Holding("off1", "land", date(2023, 1, 4)),),
        succession=(PlanEntry("off1"),),
    )
    # The 2025 evaluation of off1, taking effect on 2 March 2026, is correct in itself...
    inputs = EvaluationInput("2025", Fraction(25), (Product(True),) * 3, Band.EXCELLENT)
    evaluation = decision(
        kind=Kind.EVALUATION,
        subject="off1",
        target_post=None,
        leaves_posts=(),
        collective=None,
        evaluation=inputs,
    )
    verdicts = evaluate(evaluation, world)
    # ...but off1 has held the land post for over three years: the rotation is overdue.
    assert [(v.rule_id, v.outcome) for v in verdicts] == [("R09", Outcome.FLAG)]
    assert verdicts[0].details["overdue"][0]["due"] == "2026-01-04"
    # Rotating off1 out of the land post raises no flag.
    rotation = decision(
        kind=Kind.ROTATION, subject="off1", target_post="officer2", leaves_posts=("land",)
    )
    assert evaluate(rotation, world) == []


def test_a_decision_citing_the_old_framework_after_the_new_one_took_effect_is_refused() -> None:
    # The province publishes framework v2 on 1 February, in force from 1 March: leaders now
    # need digital skills at level 2.
    v2 = Framework(
        version="v2",
        effective_on=date(2026, 3, 1),
        required={TitleGroup.LEADERSHIP: {"management": 3, "digital": 2}},
        published_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    world = with_(state(), frameworks=(v2,))
    # An appointment taking effect on 27 February still cites v1: fine.
    before = decision(effective_on=date(2026, 2, 27), recorded_at=at(date(2026, 2, 27)))
    assert evaluate(before, world) == []
    # The same appointment taking effect on 2 March and citing v1 is refused.
    stale = decision()
    [refused] = evaluate(stale, world)
    assert (refused.rule_id, refused.outcome) == ("R05", Outcome.BLOCK)
    assert refused.details["in_force"] == "v2"
    # Citing v2, the candidate lacks the new digital skill: refused without a justification...
    cites_v2 = decision(framework_version="v2")
    [gap] = evaluate(cites_v2, world)
    assert gap.outcome is Outcome.BLOCK and "digital" in gap.details["gaps"]
    # ...accepted with a flag when the committee signs its reasons.
    justified = replace(cites_v2, justification="Digital training booked for April.")
    assert [(v.rule_id, v.outcome) for v in evaluate(justified, world)] == [("R05", Outcome.FLAG)]


def test_an_appointment_with_probation_confirmed_on_time() -> None:
    # The deputy post is a key position: it needs probation first.
    world = state()
    key = tuple(replace(p, key_position=True) if p.id == "vice2" else p for p in world.posts)
    world = replace(world, posts=key)
    # On 2 September 2025 the committee starts six months of probation, ending 2 March 2026.
    start_day = date(2025, 9, 2)
    start = decision(
        kind=Kind.PROBATION_START,
        effective_on=start_day,
        recorded_at=at(start_day),
        until=DAY,
        collective=None,
    )
    assert evaluate(start, world) == []
    # A direct appointment without a confirmed probation is refused.
    assert [v.rule_id for v in evaluate(decision(), world)] == ["R08"]
    # The probation is confirmed on its deadline...
    world = with_(world, probations=(Probation("cand", "vice2", start_day, DAY),))
    confirm = decision(kind=Kind.PROBATION_CONFIRMATION, collective=None, leaves_posts=())
    assert evaluate(confirm, world) == []
    # ...after which the appointment goes through.
    world = replace(world, probations=(Probation("cand", "vice2", start_day, DAY, DAY, True),))
    assert evaluate(decision(), world) == []
