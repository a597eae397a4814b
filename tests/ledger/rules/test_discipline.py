"""R17, R18, R19, R22: postponement, one violation one penalty, limitation, repeat violations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from ledger.rules import Decision, Kind
from ledger.rules.model import DisciplinaryRecord, Penalty, Postponement, PostponementReason
from ledger.rules.verdict import Outcome

from .world import DAY, at, days, decision, outcome, state, verdict, with_


def discipline(penalty: Penalty | None = Penalty.WARNING, **kw: Any) -> Decision:
    base = decision(
        kind=Kind.DISCIPLINE,
        target_post=None,
        leaves_posts=(),
        penalty=penalty,
        violation_id="v-2",
        violation_on=date(2025, 11, 3),
    )
    return replace(base, **kw)


# R17


def test_r17_discipline_during_pregnancy_is_flagged() -> None:
    case = Postponement("cand", PostponementReason.PREGNANCY, date(2026, 1, 1))
    found = verdict("R17", discipline(), with_(state(), postponements=(case,)))
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details["reason"] == "pregnancy"


def test_r17_a_case_ended_the_day_before_no_longer_applies() -> None:
    ended = Postponement("cand", PostponementReason.SERIOUS_ILLNESS, date(2026, 1, 1), until=DAY)
    assert outcome("R17", discipline(), with_(state(), postponements=(ended,))) is Outcome.OK


# R18


def test_r18_a_violation_already_punished_is_blocked() -> None:
    old = DisciplinaryRecord("cand", Penalty.REPRIMAND, date(2025, 12, 1), violation_id="v-2")
    found = verdict("R18", discipline(), with_(state(), records=(old,)))
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["violation_id"] == "v-2"


def test_r18_another_violation_or_another_person_is_ok() -> None:
    other = DisciplinaryRecord("off1", Penalty.REPRIMAND, date(2025, 12, 1), violation_id="v-2")
    assert outcome("R18", discipline(), with_(state(), records=(other,))) is Outcome.OK


def test_r18_a_discipline_names_its_violation_and_penalty() -> None:
    assert outcome("R18", discipline(violation_id=None)) is Outcome.BLOCK
    assert outcome("R18", discipline(penalty=None)) is Outcome.BLOCK


# R19


def test_r19_a_reprimand_is_time_barred_the_day_after_five_years() -> None:
    on_the_day = discipline(Penalty.REPRIMAND, violation_on=date(2021, 3, 2))
    assert outcome("R19", on_the_day) is Outcome.OK
    found = verdict("R19", discipline(Penalty.REPRIMAND, violation_on=date(2021, 3, 1)))
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details == {
        "violation_on": "2021-03-01",
        "limitation_years": 5,
        "deadline": "2026-03-01",
    }


def test_r19_a_warning_or_heavier_has_ten_years() -> None:
    assert outcome("R19", discipline(violation_on=date(2016, 3, 2))) is Outcome.OK
    assert outcome("R19", discipline(violation_on=date(2016, 3, 1))) is Outcome.BLOCK


def test_r19_counts_the_recorded_date_not_a_backdated_effective_date() -> None:
    backdated = discipline(
        Penalty.REPRIMAND, violation_on=date(2021, 3, 1), effective_on=date(2026, 2, 1)
    )
    assert outcome("R19", backdated) is Outcome.BLOCK
    assert outcome("R19", replace(backdated, recorded_at=at(date(2026, 3, 1)))) is Outcome.OK


def test_r19_some_violations_have_no_limitation_and_a_date_is_required() -> None:
    forged = discipline(violation_on=date(2001, 1, 1), violation_category="forged_credentials")
    assert outcome("R19", forged) is Outcome.OK
    assert outcome("R19", discipline(violation_on=None)) is Outcome.BLOCK


# R22


def serving(penalty: Penalty, ended_at: date | None = None) -> DisciplinaryRecord:
    return DisciplinaryRecord("cand", penalty, date(2025, 6, 1), "v-1", ended_at=ended_at)


def test_r22_a_new_violation_while_serving_is_one_level_heavier() -> None:
    world = with_(state(), records=(serving(Penalty.REPRIMAND),))
    found = verdict("R22", discipline(Penalty.REPRIMAND), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details == {"serving": "reprimand", "least": "warning", "given": "reprimand"}
    assert outcome("R22", discipline(Penalty.WARNING), world) is Outcome.OK


def test_r22_a_violation_after_the_penalty_ended_is_not_a_repeat() -> None:
    ended = with_(state(), records=(serving(Penalty.WARNING, ended_at=date(2025, 11, 3)),))
    assert outcome("R22", discipline(Penalty.REPRIMAND), ended) is Outcome.OK
    still = with_(state(), records=(serving(Penalty.WARNING, ended_at=date(2025, 11, 4)),))
    assert outcome("R22", discipline(Penalty.WARNING), still) is Outcome.BLOCK


def test_discipline_dates_are_the_decisions_own() -> None:
    assert discipline().recorded_on == DAY and discipline().effective_on == DAY
    assert discipline(effective_on=DAY + days(1)).decided_on == DAY
