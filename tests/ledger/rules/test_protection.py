"""R15: adverse decisions against a protected reporter are held; the reason is for inspection."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from ledger.rules import Decision, EvaluationInput, Kind, Product, evaluate
from ledger.rules.model import Band, Evaluation, Penalty, Protection, ReporterProtection, State
from ledger.rules.verdict import HOLD_MESSAGE_EN, Outcome

from .world import DAY, blind_index, days, decision, outcome, state, verdict, with_


def protected(since: date = date(2026, 1, 5), until: date | None = None) -> State:
    """off1 reported a violation and is protected; the state holds only the index."""
    entry = Protection(blind_index("off1"), since, until)
    return replace(state(), reporters=ReporterProtection((entry,), blind_index))


def about_off1(kind: Kind, **kw: Any) -> Decision:
    base = decision(kind=kind, subject="off1", target_post=None, leaves_posts=())
    return replace(base, **kw)


def discipline() -> Decision:
    return about_off1(
        Kind.DISCIPLINE,
        penalty=Penalty.WARNING,
        violation_id="v-9",
        violation_on=date(2025, 12, 1),
    )


def test_r15_discipline_of_a_protected_reporter_is_held() -> None:
    found = verdict("R15", discipline(), protected())
    assert found is not None and found.outcome is Outcome.HOLD
    assert found.message_en == HOLD_MESSAGE_EN
    assert found.details == {}
    assert found.inspection_note is not None and "protected" in found.inspection_note["en"]


def test_r15_each_adverse_kind_is_held_and_a_commendation_is_not() -> None:
    world = protected()
    for kind in (Kind.DISMISSAL, Kind.TRANSFER, Kind.ROTATION, Kind.PROBATION_FAILURE):
        assert outcome("R15", about_off1(kind), world) is Outcome.HOLD, kind
    assert outcome("R15", about_off1(Kind.COMMENDATION), world) is Outcome.OK
    assert outcome("R15", about_off1(Kind.SECONDMENT, demotion=True), world) is Outcome.HOLD


def test_r15_a_lower_evaluation_is_held_the_same_band_is_not() -> None:
    world = with_(protected(), evaluations=(Evaluation("off1", "2025", Band.GOOD),))

    def evaluated(band: Band) -> Decision:
        inputs = EvaluationInput("2026", Fraction(30), (Product(True),), band)
        return about_off1(Kind.EVALUATION, evaluation=inputs)

    assert outcome("R15", evaluated(Band.COMPLETED), world) is Outcome.HOLD
    assert outcome("R15", evaluated(Band.GOOD), world) is Outcome.OK


def test_r15_protection_ended_the_day_before_no_longer_holds() -> None:
    assert outcome("R15", discipline(), protected(until=DAY)) is Outcome.OK
    assert outcome("R15", discipline(), protected(until=DAY + days(1))) is Outcome.HOLD


def test_r15_protection_starting_by_the_effective_date_holds() -> None:
    later = replace(discipline(), effective_on=DAY + days(5))
    assert outcome("R15", later, protected(since=DAY + days(5))) is Outcome.HOLD
    assert outcome("R15", discipline(), protected(since=DAY + days(1))) is Outcome.OK


def test_r15_no_one_else_is_held() -> None:
    other = replace(discipline(), subject="off2")
    assert outcome("R15", other, protected()) is Outcome.OK


def test_r15_the_verdict_never_carries_the_reporter_identity_or_index() -> None:
    [held] = [v for v in evaluate(discipline(), protected()) if v.outcome is Outcome.HOLD]
    public = json.dumps(held.to_json(), ensure_ascii=False)
    inspection = json.dumps(held.to_inspection_json(), ensure_ascii=False)
    for text in (public, inspection):
        assert blind_index("off1") not in text
        assert "off1" not in text
    # The public view names neither rule nor reason: either would say why it is held.
    assert held.to_json()["rule_id"] is None and held.to_json()["source"] is None
    assert "tố cáo" not in public and "reporter" not in public
    assert held.to_inspection_json()["rule_id"] == "R15"


def test_r15_the_rule_sees_only_index_values() -> None:
    calls: list[str] = []

    def index_of(official: str) -> str:
        calls.append(official)
        return blind_index(official)

    entries = (Protection(blind_index("off1"), date(2026, 1, 5)),)
    world = replace(state(), reporters=ReporterProtection(entries, index_of))
    assert outcome("R15", discipline(), world) is Outcome.HOLD
    assert set(calls) == {"off1"}  # asked only about the decision's subject
