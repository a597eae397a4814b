"""The Decree 335/2025 formula, and R14, R20, R21."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.rules import (
    Decision,
    EvaluationInput,
    Kind,
    Product,
    band_of,
    compute_band,
    compute_score,
)
from ledger.rules.model import Band, Evaluation, Holding, State
from ledger.rules.verdict import Outcome

from .world import check_with, decision, outcome, state, verdict, with_

DONE = Product(completed=True)
MISSED = Product(completed=False)

# The formula


def test_all_products_done_without_faults_gives_full_results() -> None:
    assert compute_score(30, [DONE] * 4) == 100
    assert compute_score(20, [DONE] * 4) == 90
    assert compute_band(20, [DONE] * 4) is Band.EXCELLENT


def test_each_major_fault_costs_a_quarter_of_its_product() -> None:
    # One fault on one of four products: 70 * 3.75 / 4 = 65.625.
    assert compute_score(0, [DONE, DONE, DONE, Product(True, major_faults=1)]) == Fraction(525, 8)
    assert compute_score(0, [Product(True, major_faults=5)]) == 0  # never below nothing


def test_a_deputy_whose_subordinate_failed_gets_half_the_results() -> None:
    assert compute_score(30, [DONE], subordinate_failed=True) == 65
    assert compute_band(30, [DONE], subordinate_failed=True) is Band.COMPLETED


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, Band.EXCELLENT),
        (90, Band.EXCELLENT),
        (Fraction(8999, 100), Band.GOOD),
        (70, Band.GOOD),
        (Fraction(6999, 100), Band.COMPLETED),
        (50, Band.COMPLETED),
        (Fraction(4999, 100), Band.NOT_COMPLETED),
        (0, Band.NOT_COMPLETED),
    ],
)
def test_band_boundaries(score: Fraction | int, band: Band) -> None:
    assert band_of(score) is band


def test_the_formula_refuses_inputs_out_of_range() -> None:
    with pytest.raises(ValueError, match="general points"):
        compute_score(31, [DONE])
    with pytest.raises(ValueError, match="at least one"):
        compute_score(30, [])
    with pytest.raises(ValueError, match="negative"):
        compute_score(30, [Product(True, major_faults=-1)])


products = st.lists(
    st.builds(Product, completed=st.booleans(), major_faults=st.integers(0, 5)),
    min_size=1,
    max_size=12,
)
general = st.fractions(min_value=0, max_value=30, max_denominator=100)


@given(general, products, st.booleans())
def test_the_band_is_the_threshold_band_of_the_score(
    points: Fraction, items: list[Product], failed: bool
) -> None:
    score = compute_score(points, items, subordinate_failed=failed)
    assert 0 <= score <= 100
    band = compute_band(points, items, subordinate_failed=failed)
    expected = (
        Band.EXCELLENT
        if score >= 90
        else Band.GOOD
        if score >= 70
        else Band.COMPLETED
        if score >= 50
        else Band.NOT_COMPLETED
    )
    assert band is expected


scores = st.fractions(min_value=0, max_value=100, max_denominator=1000)


@given(scores, scores)
def test_a_higher_score_never_gets_a_worse_band(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    assert band_of(high).weight <= band_of(low).weight


@given(general, products, st.integers(0, 11))
def test_a_fault_or_a_failed_subordinate_never_improves_the_score(
    points: Fraction, items: list[Product], which: int
) -> None:
    i = which % len(items)
    worse = [*items[:i], Product(items[i].completed, items[i].major_faults + 1), *items[i + 1 :]]
    assert compute_score(points, worse) <= compute_score(points, items)
    assert compute_score(points, items, subordinate_failed=True) <= compute_score(points, items)


# R21


def evaluation(
    band: Band,
    *,
    points: int = 20,
    items: tuple[Product, ...] = (DONE,) * 4,
    failed: bool = False,
    period: str = "2026",
    subject: str = "cand",
) -> Decision:
    return decision(
        kind=Kind.EVALUATION,
        subject=subject,
        target_post=None,
        leaves_posts=(),
        collective=None,
        evaluation=EvaluationInput(period, Fraction(points), items, band, failed),
    )


def test_r21_the_submitted_band_must_be_the_computed_one() -> None:
    assert outcome("R21", evaluation(Band.EXCELLENT)) is Outcome.OK  # exactly 90
    found = verdict("R21", evaluation(Band.EXCELLENT, points=19))  # 89
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details == {"score": "89", "computed": "good", "submitted": "excellent"}


def test_r21_blocks_an_evaluation_without_inputs_or_with_bad_ones() -> None:
    no_inputs = decision(kind=Kind.EVALUATION, target_post=None, collective=None)
    assert outcome("R21", no_inputs) is Outcome.BLOCK
    assert outcome("R21", evaluation(Band.GOOD, items=())) is Outcome.BLOCK


def test_r21_thresholds_come_from_the_framework() -> None:
    d = evaluation(Band.EXCELLENT, points=19)
    assert check_with("R21", d, state(), eval_excellent_from=85) is Outcome.OK


# R14


def history(*bands: Band) -> State:
    years = [str(2026 - len(bands) + i) for i in range(len(bands))]
    return with_(
        state(),
        evaluations=tuple(Evaluation("cand", y, b) for y, b in zip(years, bands, strict=True)),
    )


def failing() -> Decision:
    return evaluation(Band.NOT_COMPLETED, points=0, items=(MISSED,), period="2026")


def test_r14_two_consecutive_not_completed_are_flagged() -> None:
    found = verdict("R14", failing(), history(Band.NOT_COMPLETED))
    assert found is not None and found.outcome is Outcome.FLAG
    assert found.details == {"consecutive": 2, "period": "2026"}


def test_r14_one_not_completed_after_a_completed_year_is_not() -> None:
    assert outcome("R14", failing(), history(Band.NOT_COMPLETED, Band.COMPLETED)) is Outcome.OK


def test_r14_ignores_periods_of_another_length_and_takes_the_count_as_a_parameter() -> None:
    quarterly = with_(state(), evaluations=(Evaluation("cand", "2025-Q4", Band.NOT_COMPLETED),))
    assert outcome("R14", failing(), quarterly) is Outcome.OK
    assert (
        check_with("R14", failing(), history(Band.NOT_COMPLETED), consecutive_not_completed=3)
        is Outcome.OK
    )


# R20


def deputy_world(subordinate: Band) -> State:
    return with_(
        state(),
        holdings=(
            Holding("vice1", "vice2", state().holdings[0].since),
            Holding("off1", "officer2", state().holdings[0].since),
        ),
        evaluations=(Evaluation("off1", "2026", subordinate),),
    )


def test_r20_a_deputy_whose_subordinate_failed_must_take_the_factor() -> None:
    world = deputy_world(Band.NOT_COMPLETED)
    claimed = evaluation(Band.COMPLETED, points=30, items=(DONE,), failed=True, subject="vice1")
    assert outcome("R20", claimed, world) is Outcome.OK
    assert outcome("R21", claimed, world) is Outcome.OK
    dodged = evaluation(Band.EXCELLENT, points=30, items=(DONE,), subject="vice1")
    found = verdict("R20", dodged, world)
    assert found is not None and found.outcome is Outcome.BLOCK
    assert found.details["failed_subordinates"] == ["off1"]


def test_r20_the_factor_may_not_be_taken_without_a_failed_subordinate() -> None:
    claimed = evaluation(Band.COMPLETED, points=30, items=(DONE,), failed=True, subject="vice1")
    assert outcome("R20", claimed, deputy_world(Band.COMPLETED)) is Outcome.BLOCK
    assert outcome("R20", evaluation(Band.COMPLETED, failed=True)) is Outcome.BLOCK  # not a deputy
