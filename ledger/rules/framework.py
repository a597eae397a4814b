"""The framework in force and the candidate's competencies (R05)."""

from __future__ import annotations

from ledger.rules import sources
from ledger.rules.decision import PLACING, Decision
from ledger.rules.model import State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import Finding, Outcome


@rule(
    id="R05",
    severity="block",
    title_vi="Căn cứ khung năng lực đang có hiệu lực và đáp ứng năng lực yêu cầu",
    title_en="Cites the framework in force and meets its required competencies",
    message_vi=(
        "Quyết định phải dẫn phiên bản khung năng lực có hiệu lực tại ngày hiệu lực; người được "
        "bổ nhiệm phải đạt năng lực yêu cầu, nếu không phải có giải trình được ký và bị gắn cờ."
    ),
    message_en=(
        "A decision cites the framework version in force on its effective date; the candidate "
        "meets its required competencies, or the decision carries a signed justification and "
        "is flagged."
    ),
    source=sources.REG_377 + "; " + sources.LAW_CADRES_2025,
)
def framework_in_force(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a stale or missing framework citation; flag or block competency gaps."""
    cited = decision.framework_version
    if cited is None and decision.kind not in PLACING:
        return None
    in_force = state.framework_at(decision.effective_on, known_at=decision.recorded_at)
    current = in_force.version if in_force else None
    if in_force is None:
        return Finding(
            f"Không có khung năng lực nào có hiệu lực vào ngày {decision.effective_on}.",
            f"No framework is in force on {decision.effective_on}.",
            {"cited": cited, "in_force": None, "effective_on": decision.effective_on.isoformat()},
        )
    if cited != current:
        return Finding(
            f"Quyết định dẫn khung năng lực {cited!r}, nhưng ngày {decision.effective_on} "
            f"khung có hiệu lực là {current!r}.",
            f"The decision cites framework {cited!r}, but the one in force on "
            f"{decision.effective_on} is {current!r}.",
            {
                "cited": cited,
                "in_force": current,
                "effective_on": decision.effective_on.isoformat(),
            },
        )
    target = state.post(decision.target_post) if decision.target_post else None
    official = state.official(decision.subject)
    if decision.kind not in PLACING or target is None or official is None:
        return None
    gaps = {
        name: {"required": level, "held": official.competencies.get(name, 0)}
        for name, level in sorted(in_force.required.get(target.group, {}).items())
        if official.competencies.get(name, 0) < level
    }
    if not gaps:
        return None
    justified = bool(decision.justification.strip())
    return Finding(
        "Người được bố trí chưa đạt năng lực yêu cầu: "
        + ", ".join(gaps)
        + "."
        + (" Có giải trình." if justified else " Không có giải trình."),
        "The candidate falls short of required competencies: "
        + ", ".join(gaps)
        + "."
        + (" A justification is given." if justified else " No justification is given."),
        {"gaps": gaps, "justified": justified},
        outcome=Outcome.FLAG if justified else None,
    )
