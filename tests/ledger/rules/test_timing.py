"""R06, R07, R08, R11, R13: open reviews, bars, probation deadlines, backdating, term notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from ledger.rules import Decision, Kind
from ledger.rules.model import (
    AppointmentTerm,
    DisciplinaryRecord,
    DisciplinaryReview,
    Framework,
    Penalty,
    Probation,
    State,
)
from ledger.rules.verdict import Outcome

from .world import DAY, V1, at, days, decision, outcome, post, state, verdict, with_

# R06


def test_r06_blocks_an_appointment_during_an_open_review() -> None:
    world = with_(state(), reviews=(DisciplinaryReview("cand", date(2026, 2, 1)),))
    found = verdict("R06", decision(), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details == {"review_opened_at": "2026-02-01"}


def test_r06_a_review_closed_the_day_before_no_longer_bars() -> None:
    closed = DisciplinaryReview("cand", date(2026, 2, 1), closed_at=DAY)
    assert outcome("R06", decision(), with_(state(), reviews=(closed,))) is Outcome.OK


def test_r06_a_review_open_on_the_effective_date_bars_a_decision_recorded_earlier() -> None:
    world = with_(state(), reviews=(DisciplinaryReview("cand", DAY + days(10)),))
    later = decision(effective_on=DAY + days(10))
    assert outcome("R06", later, world) is Outcome.BLOCK


def test_r06_does_not_concern_other_kinds() -> None:
    world = with_(state(), reviews=(DisciplinaryReview("cand", date(2026, 2, 1)),))
    d = decision(kind=Kind.COMMENDATION, target_post=None)
    assert outcome("R06", d, world) is Outcome.OK


# R07


def disciplined(penalty: Penalty, on: date) -> DisciplinaryRecord:
    return DisciplinaryRecord("cand", penalty, decided_at=on, violation_id="v-old")


@pytest.mark.parametrize(
    ("penalty", "decided_at"),
    [
        (Penalty.REPRIMAND, date(2025, 3, 2)),  # 12 months before DAY
        (Penalty.WARNING, date(2023, 9, 2)),  # 30 months
        (Penalty.REMOVAL, date(2021, 3, 2)),  # 60 months
    ],
)
def test_r07_the_bar_ends_on_its_last_month_boundary(penalty: Penalty, decided_at: date) -> None:
    world = with_(state(), records=(disciplined(penalty, decided_at),))
    assert outcome("R07", decision(), world) is Outcome.OK
    a_day_short = replace(world, records=(disciplined(penalty, decided_at + days(1)),))
    found = verdict("R07", decision(), a_day_short)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["bar_until"] == (DAY + days(1)).isoformat()


def test_r07_eleven_months_and_29_days_after_a_reprimand_is_blocked() -> None:
    world = with_(state(), records=(disciplined(Penalty.REPRIMAND, date(2025, 3, 3)),))
    assert outcome("R07", decision(), world) is Outcome.BLOCK  # 2025-03-03 + 12 months > DAY


def test_r07_counts_the_recorded_date_when_the_effective_date_is_later() -> None:
    world = with_(state(), records=(disciplined(Penalty.REPRIMAND, date(2025, 3, 2)),))
    signed_early = decision(recorded_at=at(DAY - days(1)), effective_on=DAY + days(30))
    assert outcome("R07", signed_early, world) is Outcome.BLOCK


def test_r07_bars_moves_to_a_higher_post_but_not_level_moves_or_recruitment() -> None:
    world = with_(
        state(),
        records=(disciplined(Penalty.WARNING, date(2025, 6, 1)),),
        posts=(post("officer3", grade=1),),
    )
    assert outcome("R07", decision(kind=Kind.ROTATION), world) is Outcome.BLOCK
    level = decision(kind=Kind.ROTATION, target_post="officer3")
    assert outcome("R07", level, world) is Outcome.OK
    assert outcome("R07", decision(kind=Kind.RECRUITMENT), world) is Outcome.OK


# R08


def test_r08_a_key_position_needs_a_confirmed_probation() -> None:
    world = state()
    world = replace(
        world,
        posts=tuple(replace(p, key_position=True) if p.id == "vice2" else p for p in world.posts),
    )
    found = verdict("R08", decision(), world)
    assert found is not None and found.outcome is Outcome.BLOCK
    confirmed = Probation("cand", "vice2", date(2025, 1, 1), date(2026, 1, 1), DAY, True)
    assert outcome("R08", decision(), with_(world, probations=(confirmed,))) is Outcome.OK


def test_r08_a_probation_starts_with_a_deadline_within_the_parameter() -> None:
    start = decision(kind=Kind.PROBATION_START, collective=None)
    assert outcome("R08", replace(start, until=date(2027, 3, 2))) is Outcome.OK
    assert outcome("R08", replace(start, until=date(2027, 3, 3))) is Outcome.BLOCK
    assert outcome("R08", start) is Outcome.BLOCK  # no deadline at all


def test_r08_confirming_on_the_deadline_is_ok_a_day_late_is_flagged() -> None:
    world = with_(state(), probations=(Probation("cand", "vice2", date(2025, 3, 2), DAY),))
    confirm = decision(kind=Kind.PROBATION_CONFIRMATION, collective=None)
    assert outcome("R08", confirm, world) is Outcome.OK
    late = replace(confirm, effective_on=DAY + days(1), recorded_at=at(DAY + days(1)))
    found = verdict("R08", late, world)
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details["deadline"] == DAY.isoformat()
    recorded_late = replace(confirm, recorded_at=at(DAY + days(1)))
    assert outcome("R08", recorded_late, world) is Outcome.FLAG


def test_r08_ending_a_probation_that_is_not_open_is_blocked() -> None:
    failure = decision(kind=Kind.PROBATION_FAILURE, collective=None)
    assert outcome("R08", failure) is Outcome.BLOCK


def test_r08_an_open_probation_past_its_deadline_is_flagged_on_any_decision() -> None:
    world = with_(state(), probations=(Probation("cand", "vice2", date(2025, 3, 1), DAY),))
    commendation = decision(kind=Kind.COMMENDATION, target_post=None)
    assert outcome("R08", commendation, world) is Outcome.OK
    next_day = replace(commendation, effective_on=DAY + days(1), recorded_at=at(DAY + days(1)))
    assert outcome("R08", next_day, world) is Outcome.FLAG


# R11


def test_r11_thirty_days_late_is_ok_thirty_one_is_flagged() -> None:
    assert outcome("R11", decision(effective_on=DAY - days(30))) is Outcome.OK
    found = verdict("R11", decision(effective_on=DAY - days(31)))
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details == {"lag_days": 31, "max_backdate_days": 30}


def test_r11_uses_the_date_in_vietnam_not_in_utc() -> None:
    effective = DAY - days(30)
    # 16:59 UTC on 2 March is 23:59 in Hanoi; 17:00 UTC is already 3 March there.
    on_time = decision(effective_on=effective, recorded_at=datetime(2026, 3, 2, 16, 59, tzinfo=UTC))
    late = decision(effective_on=effective, recorded_at=datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    assert outcome("R11", on_time) is Outcome.OK
    assert outcome("R11", late) is Outcome.FLAG


def test_r11_the_threshold_comes_from_the_framework_in_force() -> None:
    lenient = replace(V1, parameters={"max_backdate_days": 60})
    world = replace(state(), frameworks=(lenient,))
    assert outcome("R11", decision(effective_on=DAY - days(45)), world) is Outcome.OK


def test_a_naive_recorded_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decision(recorded_at=datetime(2026, 3, 2, 9, 0))


# R13

TERM_END = date(2026, 7, 1)


def notice_date(working: int, holidays: frozenset[date] = frozenset()) -> date:
    """The day from which `working` working days run up to the term end, counted by hand."""
    day, count = TERM_END, 0
    while count < working:
        day -= timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            count += 1
    return day


def reappointment(notice: date | None) -> Decision:
    return decision(
        kind=Kind.REAPPOINTMENT,
        subject="vice1",
        target_post="vice",
        leaves_posts=(),
        notice_given_on=notice,
        effective_on=TERM_END,
        recorded_at=at(TERM_END),
    )


def term_world() -> State:
    return with_(state(), terms=(AppointmentTerm("vice1", "vice", TERM_END),))


def test_r13_ninety_working_days_notice_is_ok_eighty_nine_is_flagged() -> None:
    world = term_world()
    assert outcome("R13", reappointment(notice_date(90)), world) is Outcome.OK
    found = verdict("R13", reappointment(notice_date(89)), world)
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details["working_days"] == 89


def test_r13_missing_notice_is_flagged() -> None:
    found = verdict("R13", reappointment(None), term_world())
    assert found is not None and found.details["notice_given_on"] is None


def test_r13_public_holidays_from_the_framework_do_not_count() -> None:
    holiday = date(2026, 4, 30)  # Reunification Day, a Thursday
    framework = Framework("v1", V1.effective_on, {"holidays": ["2026-04-30", "2026-05-01"]})
    world = replace(term_world(), frameworks=(framework,))
    assert outcome("R13", reappointment(notice_date(90)), world) is Outcome.FLAG
    both = frozenset({holiday, date(2026, 5, 1)})
    assert outcome("R13", reappointment(notice_date(90, both)), world) is Outcome.OK
