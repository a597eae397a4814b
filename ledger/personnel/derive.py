"""What approved decisions make true: holdings, probations, penalties, evaluations and terms.

Derived afresh from the decisions in the order they took effect, never stored, so withdrawing or
annulling a decision needs no undo: it simply drops out of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from ledger.personnel.state import DecisionState, PersonnelState
from ledger.rules.decision import PLACING, Kind
from ledger.rules.model import (
    AppointmentTerm,
    Band,
    DisciplinaryRecord,
    Evaluation,
    Holding,
    Penalty,
    Probation,
)

# Kinds that end every post the subject holds, unless the decision names the posts it ends.
ENDS_ALL_POSTS = frozenset({Kind.DISMISSAL, Kind.RESIGNATION})
# A rotation or transfer moves the subject: the posts held before end unless named otherwise.
MOVES = frozenset({Kind.ROTATION, Kind.TRANSFER})


@dataclass(frozen=True)
class Derived:
    """Facts that hold because decisions took effect."""

    holdings: tuple[Holding, ...] = ()
    probations: tuple[Probation, ...] = ()
    records: tuple[DisciplinaryRecord, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    terms: tuple[AppointmentTerm, ...] = ()
    commendations: tuple[tuple[str, str, date], ...] = ()  # (official, decision id, day)


class _Folding:
    """The derivation's accumulators: one decision at a time, in the order they took effect."""

    def __init__(self) -> None:
        self.holdings: list[Holding] = []
        self.probations: list[Probation] = []
        self.records: list[DisciplinaryRecord] = []
        self.evaluations: list[Evaluation] = []
        self.terms: list[AppointmentTerm] = []
        self.commendations: list[tuple[str, str, date]] = []

    def step(self, d: DecisionState) -> None:
        """Fold one decision (ignored unless in effect)."""
        if not d.in_effect:
            return
        holdings = self.holdings
        kind, day, p = Kind(d.kind), d.effective_on, d.payload
        until = date.fromisoformat(p["until"]) if p.get("until") else None
        target = p.get("target_post")
        leaves = set(p.get("leaves_posts") or ())
        removed = kind is Kind.DISCIPLINE and p.get("penalty") in ("removal", "dismissal")
        if kind in ENDS_ALL_POSTS or (removed and not p.get("leaves_posts")):
            leaves |= {h.post for h in holdings if h.official == d.subject and h.active_on(day)}
        if kind in MOVES and not p.get("leaves_posts"):
            leaves |= {
                h.post
                for h in holdings
                if h.official == d.subject and h.active_on(day) and h.post != target
            }
        if kind is Kind.PROBATION_FAILURE and target:
            leaves.add(target)
        if leaves:
            self.holdings = holdings = [
                replace(h, until=day)
                if h.official == d.subject and h.post in leaves and h.active_on(day)
                else h
                for h in holdings
            ]
        if kind in PLACING and target:
            already = any(
                h.official == d.subject and h.post == target and h.active_on(day) for h in holdings
            )
            if not already:
                ends = until if kind in (Kind.SECONDMENT,) else None
                holdings.append(Holding(d.subject, target, day, ends))
        if kind is Kind.PROBATION_START and target and until:
            self.probations.append(Probation(d.subject, target, day, until))
        if kind in (Kind.PROBATION_CONFIRMATION, Kind.PROBATION_FAILURE):
            self.probations = [
                replace(pr, ended_on=day, confirmed=kind is Kind.PROBATION_CONFIRMATION)
                if pr.official == d.subject and pr.post == target and pr.confirmed is None
                else pr
                for pr in self.probations
            ]
        if kind in (Kind.APPOINTMENT, Kind.REAPPOINTMENT) and target and until:
            self.terms = [
                t for t in self.terms if not (t.official == d.subject and t.post == target)
            ]
            self.terms.append(AppointmentTerm(d.subject, target, until))
        if kind is Kind.DISCIPLINE and p.get("penalty"):
            self.records.append(
                DisciplinaryRecord(
                    d.subject, Penalty(p["penalty"]), day, p.get("violation_id") or d.id
                )
            )
        if kind is Kind.EVALUATION and isinstance(p.get("evaluation"), dict):
            evaluation = p["evaluation"]
            self.evaluations.append(
                Evaluation(d.subject, evaluation["period"], Band(evaluation["band"]))
            )
        if kind is Kind.COMMENDATION:
            self.commendations.append((d.subject, d.id, day))

    def result(self) -> Derived:
        """What the decisions folded so far make true."""
        return Derived(
            tuple(self.holdings),
            tuple(self.probations),
            tuple(self.records),
            tuple(self.evaluations),
            tuple(self.terms),
            tuple(self.commendations),
        )


def derive(decisions: Iterable[DecisionState]) -> Derived:
    """Fold decisions that are in effect, in the order they took effect."""
    folding = _Folding()
    for d in decisions:
        folding.step(d)
    return folding.result()


class Deriver:
    """`derive` kept current as decisions take effect: each decision is folded once.

    Decisions only ever join the end of the effect order, except when one is withdrawn or
    annulled and drops out: then (and only then) everything is folded again. Checking each
    decision against a fresh derivation made recording cost grow with the square of the log.
    """

    def __init__(self) -> None:
        self._state: PersonnelState | None = None
        self._folded: list[str] = []
        self._folding = _Folding()

    def derived(self, state: PersonnelState) -> Derived:
        """The derivation of the state's decisions in effect."""
        order = state.effect_order
        count = len(self._folded)
        # Another state object (the view was refolded) may hold other decisions under the same
        # ids (a batch that failed to save): start again.
        if state is not self._state or len(order) < count or order[:count] != self._folded:
            self._state, self._folded, self._folding = state, [], _Folding()
        for decision_id in order[len(self._folded) :]:
            self._folding.step(state.decisions[decision_id])
            self._folded.append(decision_id)
        return self._folding.result()
