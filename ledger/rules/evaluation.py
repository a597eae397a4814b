"""Evaluation by output (Decree 335/2025): the band formula and its rules R14, R20, R21."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ledger.rules import sources
from ledger.rules.decision import Decision, Kind, Product
from ledger.rules.model import Band, Rank, State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import Finding

FORMULA_PARAMETERS = {
    "eval_general_max": 30,
    "eval_results_max": 70,
    "eval_fault_penalty": "1/4",
    "eval_excellent_from": 90,
    "eval_good_from": 70,
    "eval_completed_from": 50,
    "eval_deputy_factor": "1/2",
}


@dataclass(frozen=True)
class Formula:
    """The figures of the formula; exact fractions, so no band turns on a rounding error."""

    general_max: Fraction = Fraction(30)
    results_max: Fraction = Fraction(70)
    fault_penalty: Fraction = Fraction(1, 4)
    excellent_from: Fraction = Fraction(90)
    good_from: Fraction = Fraction(70)
    completed_from: Fraction = Fraction(50)
    deputy_factor: Fraction = Fraction(1, 2)

    @classmethod
    def from_params(cls, params: Params) -> Formula:
        """The formula as a framework's parameters set it."""
        return cls(
            general_max=Fraction(params["eval_general_max"]),
            results_max=Fraction(params["eval_results_max"]),
            fault_penalty=Fraction(params["eval_fault_penalty"]),
            excellent_from=Fraction(params["eval_excellent_from"]),
            good_from=Fraction(params["eval_good_from"]),
            completed_from=Fraction(params["eval_completed_from"]),
            deputy_factor=Fraction(params["eval_deputy_factor"]),
        )


def compute_score(
    general_points: Fraction | int,
    products: Sequence[Product],
    *,
    subordinate_failed: bool = False,
    formula: Formula = Formula(),
) -> Fraction:
    """Score out of 100: general points plus results from products completed vs assigned.

    Each completed product counts 1, less the penalty per major fault (never below 0); the
    results part is its share of the assigned products, halved for a deputy whose subordinate
    failed. ValueError if there is no product or the general points are out of range.
    """
    general = Fraction(general_points)
    if not 0 <= general <= formula.general_max:
        raise ValueError(f"general points must be within 0..{formula.general_max}, got {general}")
    if not products:
        raise ValueError("an evaluation needs at least one assigned product")
    if any(p.major_faults < 0 for p in products):
        raise ValueError("major faults cannot be negative")
    done = sum(
        (
            max(Fraction(0), 1 - formula.fault_penalty * p.major_faults)
            for p in products
            if p.completed
        ),
        Fraction(0),
    )
    results = formula.results_max * done / len(products)
    if subordinate_failed:
        results *= formula.deputy_factor
    return general + results


def band_of(score: Fraction | int, formula: Formula = Formula()) -> Band:
    """The band of a score: >=90 excellent, 70-89 good, 50-69 completed, below not completed."""
    if score >= formula.excellent_from:
        return Band.EXCELLENT
    if score >= formula.good_from:
        return Band.GOOD
    if score >= formula.completed_from:
        return Band.COMPLETED
    return Band.NOT_COMPLETED


def compute_band(
    general_points: Fraction | int,
    products: Sequence[Product],
    *,
    subordinate_failed: bool = False,
    formula: Formula = Formula(),
) -> Band:
    """The band the formula gives for these inputs."""
    score = compute_score(
        general_points, products, subordinate_failed=subordinate_failed, formula=formula
    )
    return band_of(score, formula)


@rule(
    id="R14",
    severity="flag",
    title_vi="Hai kỳ liên tiếp không hoàn thành nhiệm vụ",
    title_en="Two consecutive 'not completed' evaluations",
    message_vi=(
        "Hai kỳ liên tiếp không hoàn thành nhiệm vụ: xem xét bố trí vị trí thấp hơn hoặc "
        "cho thôi việc."
    ),
    message_en="Two consecutive 'not completed' evaluations: review for a lower post or dismissal.",
    source=sources.LAW_CADRES_2025_ART27,
    parameters={"consecutive_not_completed": 2},
    confirmed=False,  # Art. 27 is confirmed; the count of two is not (NOTES)
    kinds=[Kind.EVALUATION],
)
def consecutive_not_completed(decision: Decision, state: State, params: Params) -> Finding | None:
    """Flag the evaluation that makes a run of 'not completed' reach the parameter."""
    this = decision.evaluation
    if this is None or this.band is not Band.NOT_COMPLETED:
        return None
    earlier = sorted(
        (
            e
            for e in state.evaluations
            if e.official == decision.subject
            and len(e.period) == len(this.period)  # same kind of period: "2025" vs "2025-Q1"
            and e.period < this.period
        ),
        key=lambda e: e.period,
        reverse=True,
    )
    run = 1
    for e in earlier:
        if e.band is not Band.NOT_COMPLETED:
            break
        run += 1
    needed = int(params["consecutive_not_completed"])
    if run < needed:
        return None
    return Finding(
        f"{run} kỳ liên tiếp không hoàn thành nhiệm vụ: cần xem xét theo Điều 27.",
        f"{run} consecutive periods not completed: review under Art. 27.",
        {"consecutive": run, "period": this.period},
    )


@rule(
    id="R20",
    severity="block",
    title_vi="Đánh giá cấp phó theo kết quả của đơn vị phụ trách",
    title_en="A deputy's evaluation follows the unit's results",
    message_vi="Cấp phó có cấp dưới không hoàn thành nhiệm vụ thì hệ số đơn vị còn 50%.",
    message_en="A deputy whose subordinate did not complete has the unit factor cut to 50%.",
    source=sources.DECREE_335,
    kinds=[Kind.EVALUATION],
)
def deputy_factor(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block an evaluation whose deputy factor disagrees with the subordinates' recorded bands."""
    this = decision.evaluation
    if this is None:
        return None
    day = decision.effective_on
    posts = [state.post(h.post) for h in state.holdings_on(day, official=decision.subject)]
    deputy_posts = {p.id for p in posts if p is not None and p.rank is Rank.DEPUTY}
    reporting = {p.id for p in state.posts if p.reports_to in deputy_posts}
    under = {h.official for h in state.holdings_on(day) if h.post in reporting}
    failed = sorted(
        e.official
        for e in state.evaluations
        if e.official in under and e.period == this.period and e.band is Band.NOT_COMPLETED
    )
    if bool(failed) == this.subordinate_failed:
        return None
    return Finding(
        "Hệ số đơn vị của cấp phó không khớp với kết quả của cấp dưới.",
        "The deputy's unit factor does not match the subordinates' results.",
        {
            "deputy": bool(deputy_posts),
            "failed_subordinates": failed,
            "claimed": this.subordinate_failed,
        },
    )


@rule(
    id="R21",
    severity="block",
    title_vi="Xếp loại theo công thức, không nhập tay",
    title_en="The band is computed by the formula, never typed in",
    message_vi="Xếp loại phải bằng kết quả công thức 30 điểm chung + 70 điểm kết quả.",
    message_en="The band must equal the formula's: 30 general points + 70 for results.",
    source=sources.DECREE_335,
    parameters=FORMULA_PARAMETERS,
    kinds=[Kind.EVALUATION],
)
def band_by_formula(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block an evaluation whose submitted band differs from the computed one."""
    this = decision.evaluation
    if this is None:
        return Finding("Thiếu dữ liệu đánh giá.", "The evaluation's inputs are missing.")
    formula = Formula.from_params(params)
    try:
        score = compute_score(
            this.general_points,
            this.products,
            subordinate_failed=this.subordinate_failed,
            formula=formula,
        )
    except ValueError as exc:
        return Finding(f"Dữ liệu đánh giá không hợp lệ: {exc}", f"Invalid evaluation inputs: {exc}")
    computed = band_of(score, formula)
    if computed is this.band:
        return None
    return Finding(
        f"Điểm {float(score):g} cho xếp loại {computed.value}, không phải {this.band.value}.",
        f"Score {float(score):g} gives band {computed.value}, not {this.band.value}.",
        {"score": str(score), "computed": computed.value, "submitted": this.band.value},
    )
