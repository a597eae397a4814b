"""Protection of reporters against retaliation (R15).

An adverse decision against a protected reporter is held for independent review by inspection.
The rule sees reporters only as keyed blind index values; the public verdict of a hold names
neither the rule nor the reason, and the reason goes to inspection alone.
"""

from __future__ import annotations

from ledger.rules import sources
from ledger.rules.decision import Decision, Kind
from ledger.rules.model import State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import HOLD_MESSAGE_EN, HOLD_MESSAGE_VI, Finding


@rule(
    id="R15",
    severity="hold",
    title_vi="Quyết định bất lợi đối với người tố cáo được bảo vệ: tạm giữ để thanh tra xem xét",
    title_en="Adverse decision against a protected reporter: held for inspection's review",
    message_vi=(
        "Quyết định bất lợi (kỷ luật, giáng chức, điều động, luân chuyển, hạ xếp loại, cho thôi "
        "việc) đối với người được bảo vệ trong thời gian bảo vệ được tạm giữ để thanh tra xem "
        "xét độc lập; lý do chỉ thanh tra được xem."
    ),
    message_en=(
        "An adverse decision (discipline, demotion, transfer, rotation, lower evaluation, "
        "dismissal) against a protected person within the protection period is held for "
        "independent review by inspection; only inspection sees the reason."
    ),
    source=sources.LAW_DENUNCIATION + "; mô hình Chỉ thị EU 2019/1937",
)
def protected_reporter(decision: Decision, state: State, params: Params) -> Finding | None:
    """Hold an adverse decision whose subject is protected on the recorded or effective date."""
    if state.reporters is None or not _adverse(decision, state):
        return None
    for day in (decision.recorded_on, decision.effective_on):
        found = state.reporters.protected_on(decision.subject, day)
        if found is None:
            continue
        until = found.until.isoformat() if found.until else "-"
        return Finding(
            HOLD_MESSAGE_VI,
            HOLD_MESSAGE_EN,
            inspection_note={
                "vi": (
                    f"Đối tượng đang được bảo vệ với tư cách người tố cáo (từ {found.since} đến "
                    f"{until}). Quyết định bất lợi ({decision.kind.value}) cần thanh tra xem xét "
                    "độc lập; bên ra quyết định phải chứng minh không phải là trù dập."
                ),
                "en": (
                    f"The subject is protected as a reporter (from {found.since} to {until}). "
                    f"The adverse decision ({decision.kind.value}) needs independent review by "
                    "inspection; the issuer must show it is not retaliation."
                ),
            },
        )
    return None


def _adverse(decision: Decision, state: State) -> bool:
    """Adverse by kind, demotion, or an evaluation worse than the subject's previous one."""
    if decision.adverse:
        return True
    this = decision.evaluation
    if decision.kind is not Kind.EVALUATION or this is None:
        return False
    earlier = [
        e
        for e in state.evaluations
        if e.official == decision.subject
        and len(e.period) == len(this.period)
        and e.period < this.period
    ]
    if not earlier:
        return False
    previous = max(earlier, key=lambda e: e.period)
    return this.band.weight > previous.band.weight
