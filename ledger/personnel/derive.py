"""What approved decisions make true: holdings, probations, penalties, evaluations and terms.

Derived afresh from the decisions in the order they took effect, never stored, so withdrawing or
annulling a decision needs no undo: it simply drops out of the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from ledger.personnel.state import DecisionState
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


def derive(decisions: Iterable[DecisionState]) -> Derived:
    """Fold decisions that are in effect, in the order they took effect."""
    holdings: list[Holding] = []
    probations: list[Probation] = []
    records: list[DisciplinaryRecord] = []
    evaluations: list[Evaluation] = []
    terms: list[AppointmentTerm] = []
    commendations: list[tuple[str, str, date]] = []
    for d in decisions:
        if not d.in_effect:
            continue
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
        holdings = [
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
            probations.append(Probation(d.subject, target, day, until))
        if kind in (Kind.PROBATION_CONFIRMATION, Kind.PROBATION_FAILURE):
            probations = [
                replace(pr, ended_on=day, confirmed=kind is Kind.PROBATION_CONFIRMATION)
                if pr.official == d.subject and pr.post == target and pr.confirmed is None
                else pr
                for pr in probations
            ]
        if kind in (Kind.APPOINTMENT, Kind.REAPPOINTMENT) and target and until:
            terms = [t for t in terms if not (t.official == d.subject and t.post == target)]
            terms.append(AppointmentTerm(d.subject, target, until))
        if kind is Kind.DISCIPLINE and p.get("penalty"):
            records.append(
                DisciplinaryRecord(
                    d.subject, Penalty(p["penalty"]), day, p.get("violation_id") or d.id
                )
            )
        if kind is Kind.EVALUATION and isinstance(p.get("evaluation"), dict):
            evaluation = p["evaluation"]
            evaluations.append(
                Evaluation(d.subject, evaluation["period"], Band(evaluation["band"]))
            )
        if kind is Kind.COMMENDATION:
            commendations.append((d.subject, d.id, day))
    return Derived(
        tuple(holdings),
        tuple(probations),
        tuple(records),
        tuple(evaluations),
        tuple(terms),
        tuple(commendations),
    )
