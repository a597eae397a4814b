"""Discipline (Decree 172/2025): postponement, one penalty per violation, limitation, repeats.

R17, R18, R19, R22.
"""

from __future__ import annotations

from ledger.rules import sources
from ledger.rules.dates import add_years
from ledger.rules.decision import Decision, Kind
from ledger.rules.model import Penalty, State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import Finding


@rule(
    id="R17",
    severity="flag",
    title_vi="Kỷ luật trong thời gian chưa xem xét xử lý kỷ luật",
    title_en="Discipline during a postponement case",
    message_vi=(
        "Chưa xem xét kỷ luật khi đang mang thai, nuôi con dưới 12 tháng, ốm nặng hoặc bị "
        "truy cứu trách nhiệm hình sự."
    ),
    message_en=(
        "Discipline is postponed during pregnancy, a child under 12 months, serious illness "
        "or prosecution."
    ),
    source=sources.DECREE_172,
    kinds=[Kind.DISCIPLINE],
)
def postponement(decision: Decision, state: State, params: Params) -> Finding | None:
    """Flag discipline recorded or taking effect while a postponement case applies."""
    days = (decision.recorded_on, decision.effective_on)
    for case in state.postponements:
        if case.official == decision.subject and any(case.active_on(d) for d in days):
            return Finding(
                f"Đối tượng đang trong trường hợp chưa xem xét kỷ luật ({case.reason.value}).",
                f"The subject is in a postponement case ({case.reason.value}).",
                {"reason": case.reason.value, "since": case.since.isoformat()},
            )
    return None


@rule(
    id="R18",
    severity="block",
    title_vi="Một hành vi vi phạm chỉ bị xử lý một hình thức kỷ luật",
    title_en="One violation, one penalty",
    message_vi="Mỗi hành vi vi phạm chỉ bị xử lý một lần bằng một hình thức kỷ luật.",
    message_en="Each violation is punished once, with one penalty.",
    source=sources.DECREE_172,
    kinds=[Kind.DISCIPLINE],
)
def one_penalty(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block discipline without a penalty and violation, or for a violation already punished."""
    if decision.penalty is None or not decision.violation_id:
        return Finding(
            "Quyết định kỷ luật phải nêu hành vi vi phạm và một hình thức kỷ luật.",
            "A discipline decision names its violation and one penalty.",
            {"violation_id": decision.violation_id, "penalty": decision.penalty},
        )
    for record in state.records:
        if record.official == decision.subject and record.violation_id == decision.violation_id:
            return Finding(
                f"Hành vi {decision.violation_id} đã bị xử lý ({record.penalty.value}, "
                f"{record.decided_at}).",
                f"Violation {decision.violation_id} was already punished "
                f"({record.penalty.value}, {record.decided_at}).",
                {
                    "violation_id": decision.violation_id,
                    "decided_at": record.decided_at.isoformat(),
                },
            )
    return None


# Law 52/2019 art. 80 exempted these from limitation; unconfirmed that Law 80/2025 keeps them.
NO_LIMITATION = [
    "party_expulsion",
    "internal_political_protection",
    "defence_security_foreign_affairs",
    "forged_credentials",
]


@rule(
    id="R19",
    severity="block",
    title_vi="Thời hiệu xử lý kỷ luật",
    title_en="Limitation period for discipline",
    message_vi="Thời hiệu xử lý kỷ luật: 5 năm với khiển trách, 10 năm với cảnh cáo trở lên.",
    message_en="Discipline is time-barred after 5 years (reprimand), 10 (warning or heavier).",
    source=sources.LAW_CADRES_2025 + "; " + sources.DECREE_172,
    parameters={
        "limitation_years_reprimand": 5,
        "limitation_years_heavier": 10,
        "no_limitation_categories": NO_LIMITATION,
    },
    confirmed=False,  # NOTES [u]
    kinds=[Kind.DISCIPLINE],
)
def limitation(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block discipline recorded after the limitation period from the violation date."""
    if decision.penalty is None:
        return None  # R18 blocks it
    if decision.violation_on is None:
        return Finding(
            "Quyết định kỷ luật phải nêu ngày vi phạm để tính thời hiệu.",
            "A discipline decision gives the violation date, for the limitation period.",
        )
    if decision.violation_category in params["no_limitation_categories"]:
        return None
    light = decision.penalty is Penalty.REPRIMAND
    years = int(params["limitation_years_reprimand" if light else "limitation_years_heavier"])
    deadline = add_years(decision.violation_on, years)
    # The ledger's recording date, not the effective date, which the issuer could set back.
    if decision.recorded_on <= deadline:
        return None
    return Finding(
        f"Vi phạm ngày {decision.violation_on} đã hết thời hiệu {years} năm ngày {deadline}.",
        f"The violation of {decision.violation_on} was time-barred after {years} years "
        f"on {deadline}.",
        {
            "violation_on": decision.violation_on.isoformat(),
            "limitation_years": years,
            "deadline": deadline.isoformat(),
        },
    )


@rule(
    id="R22",
    severity="block",
    title_vi="Vi phạm mới khi đang thi hành kỷ luật thì nặng hơn một mức",
    title_en="A new violation during a penalty is one level heavier",
    message_vi="Vi phạm mới trong thời gian thi hành kỷ luật bị xử lý nặng hơn một mức.",
    message_en="A new violation while a penalty is served is punished at least one level heavier.",
    source=sources.DECREE_172,
    kinds=[Kind.DISCIPLINE],
)
def heavier_on_repeat(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a penalty no heavier than the one being served when the new violation happened."""
    if decision.penalty is None or decision.violation_on is None:
        return None
    day = decision.violation_on
    serving = [
        r
        for r in state.records
        if r.official == decision.subject
        and r.violation_id != decision.violation_id
        and r.in_effect_on(day)
    ]
    if not serving:
        return None
    current = max(serving, key=lambda r: r.penalty.weight).penalty
    scale = list(Penalty)
    least = scale[min(current.weight + 1, len(scale) - 1)]
    if decision.penalty.weight >= least.weight:
        return None
    return Finding(
        f"Vi phạm mới khi đang chịu {current.value}; hình thức phải từ {least.value} trở lên.",
        f"New violation while serving {current.value}; "
        f"the penalty must be {least.value} or heavier.",
        {"serving": current.value, "least": least.value, "given": decision.penalty.value},
    )
