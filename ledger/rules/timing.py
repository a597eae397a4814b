"""Rules about when: open reviews, bars after discipline, probation deadlines, backdating, notice.

R06, R07, R08, R11, R13. Time comes only from the decision: its effective date and the date
(in Vietnam) on which the ledger recorded it.
"""

from __future__ import annotations

from datetime import date

from ledger.rules import sources
from ledger.rules.dates import add_months, working_days
from ledger.rules.decision import PLACING, Decision, Kind
from ledger.rules.model import Probation, State
from ledger.rules.registry import Params, RuleParameterError, rule
from ledger.rules.verdict import Finding, Outcome


@rule(
    id="R06",
    severity="block",
    title_vi="Không bổ nhiệm, điều động, luân chuyển khi đang xem xét kỷ luật",
    title_en="No appointment, transfer or rotation during an open disciplinary review",
    message_vi="Không bổ nhiệm, điều động, luân chuyển người đang bị xem xét kỷ luật.",
    message_en="No appointment, transfer or rotation of a person under disciplinary review.",
    source=sources.REG_377,
    kinds=[Kind.APPOINTMENT, Kind.REAPPOINTMENT, Kind.TRANSFER, Kind.ROTATION],
)
def open_review(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block if a review of the subject is open on the recorded or the effective date."""
    days = (decision.recorded_on, decision.effective_on)
    for review in state.reviews:
        if review.official == decision.subject and any(review.open_on(d) for d in days):
            return Finding(
                f"Đối tượng đang bị xem xét kỷ luật từ ngày {review.opened_at}.",
                f"The subject is under disciplinary review since {review.opened_at}.",
                {"review_opened_at": review.opened_at.isoformat()},
            )
    return None


@rule(
    id="R07",
    severity="block",
    title_vi="Thời hạn không bổ nhiệm lên vị trí cao hơn sau kỷ luật",
    title_en="Bar period after discipline before appointment to a higher post",
    message_vi="Chưa hết thời hạn sau kỷ luật (khiển trách 12, cảnh cáo 30, cách chức 60 tháng).",
    message_en="The bar after discipline (reprimand 12, warning 30, removal 60 months) runs.",
    source=sources.REG_377_BARS,
    parameters={"bar_months_reprimand": 12, "bar_months_warning": 30, "bar_months_removal": 60},
    # NOTES [c/u]: figures of Regulation 80; not checked that Regulation 377 keeps them.
    confirmed=False,
    kinds=PLACING,
)
def bar_after_discipline(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a move to a higher post decided or effective before a bar ends."""
    if not _is_promotion(decision, state):
        return None
    for record in state.records:
        months = params.get(f"bar_months_{record.penalty.value}")
        if record.official != decision.subject or months is None:
            continue
        bar_end = add_months(record.decided_at, int(months))
        if decision.decided_on < bar_end:
            return Finding(
                f"Bị kỷ luật {record.penalty.value} ngày {record.decided_at}; chưa được bổ nhiệm "
                f"lên vị trí cao hơn trước ngày {bar_end}.",
                f"Disciplined ({record.penalty.value}) on {record.decided_at}; no appointment to "
                f"a higher post before {bar_end}.",
                {
                    "penalty": record.penalty.value,
                    "decided_at": record.decided_at.isoformat(),
                    "bar_until": bar_end.isoformat(),
                },
            )
    return None


def _is_promotion(decision: Decision, state: State) -> bool:
    """An appointment, or another move to a post graded above every post the subject holds."""
    if decision.kind is Kind.APPOINTMENT:
        return True
    if decision.kind in (Kind.RECRUITMENT, Kind.REAPPOINTMENT) or not decision.target_post:
        return False
    target = state.post(decision.target_post)
    held = [
        state.post(h.post)
        for h in state.holdings_on(decision.effective_on, official=decision.subject)
    ]
    grades = [p.grade for p in held if p is not None]
    return target is not None and target.grade > max(grades, default=target.grade)


@rule(
    id="R08",
    severity="block",
    title_vi="Vị trí then chốt phải qua thử thách, kết thúc đúng hạn",
    title_en="Key positions need probation, ended on time",
    message_vi=(
        "Bổ nhiệm vào vị trí then chốt phải có thời gian thử thách đã được xác nhận; thử thách "
        "phải kết thúc bằng quyết định xác nhận hoặc không đạt trước hạn (quá hạn bị gắn cờ)."
    ),
    message_en=(
        "Appointment to a key position needs a confirmed probation; a probation ends in "
        "confirmation or failure by its deadline (overdue is flagged)."
    ),
    source=sources.LAW_CADRES_2025 + "; " + sources.REG_377,
    parameters={"probation_months": 12},
    confirmed=False,
)
def probation(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block unprobed key appointments and dangling ends; flag overdue probations."""
    mine = [p for p in state.probations if p.official == decision.subject]
    target = state.post(decision.target_post) if decision.target_post else None
    probed = target is not None and any(p.post == target.id and p.confirmed for p in mine)
    if decision.kind is Kind.APPOINTMENT and target and target.key_position and not probed:
        return Finding(
            f"Vị trí {target.id} là vị trí then chốt; chưa có thử thách được xác nhận.",
            f"Post {target.id} is a key position; no confirmed probation in it.",
            {"post": target.id},
        )
    if decision.kind is Kind.PROBATION_START:
        limit = add_months(decision.effective_on, int(params["probation_months"]))
        if decision.until is None or decision.until > limit:
            return Finding(
                f"Thời gian thử thách phải có hạn, không quá ngày {limit}.",
                f"A probation needs a deadline no later than {limit}.",
                {
                    "deadline": decision.until and decision.until.isoformat(),
                    "limit": limit.isoformat(),
                },
            )
    if decision.kind in (Kind.PROBATION_CONFIRMATION, Kind.PROBATION_FAILURE):
        return _ending(decision, [p for p in mine if p.post == decision.target_post])
    overdue = [p for p in mine if p.confirmed is None and p.deadline < decision.effective_on]
    if overdue:
        p = overdue[0]
        return Finding(
            f"Thử thách tại {p.post} đã quá hạn {p.deadline} mà chưa có quyết định kết thúc.",
            f"Probation in {p.post} passed its deadline {p.deadline} with no ending decision.",
            {"post": p.post, "deadline": p.deadline.isoformat()},
            outcome=Outcome.FLAG,
        )
    return None


def _ending(decision: Decision, probations: list[Probation]) -> Finding | None:
    """An ending needs an open probation; flagged if recorded or effective past the deadline."""
    open_ones = [p for p in probations if p.confirmed is None]
    if not open_ones:
        return Finding(
            f"Không có thời gian thử thách nào đang mở tại {decision.target_post} để kết thúc.",
            f"No open probation in {decision.target_post} to end.",
            {"post": decision.target_post},
        )
    p = open_ones[0]
    # Late either way: recorded after the deadline, or taking effect after it.
    ended = max(decision.recorded_on, decision.effective_on)
    if ended <= p.deadline:
        return None
    return Finding(
        f"Quyết định kết thúc thử thách ngày {ended}, quá hạn {p.deadline}.",
        f"The probation is ended on {ended}, after its deadline {p.deadline}.",
        {"post": p.post, "deadline": p.deadline.isoformat(), "ended_on": ended.isoformat()},
        outcome=Outcome.FLAG,
    )


@rule(
    id="R11",
    severity="flag",
    title_vi="Quyết định ghi sổ muộn so với ngày hiệu lực (ký lùi ngày)",
    title_en="Backdating: recorded long after the effective date",
    message_vi="Quyết định được ghi sổ quá lâu sau ngày hiệu lực.",
    message_en="The decision was recorded too long after its effective date.",
    source=sources.REG_114,
    parameters={"max_backdate_days": 30},
    confirmed=False,  # no source gives a figure; the framework sets it
)
def backdating(decision: Decision, state: State, params: Params) -> Finding | None:
    """Flag a decision recorded more than the allowed days after it took effect."""
    lag = (decision.recorded_on - decision.effective_on).days
    limit = int(params["max_backdate_days"])
    if lag <= limit:
        return None
    return Finding(
        f"Ghi sổ ngày {decision.recorded_on}, {lag} ngày sau ngày hiệu lực (tối đa {limit}).",
        f"Recorded on {decision.recorded_on}, {lag} days after taking effect (at most {limit}).",
        {"lag_days": lag, "max_backdate_days": limit},
    )


@rule(
    id="R13",
    severity="flag",
    title_vi="Thông báo trước khi hết thời hạn bổ nhiệm",
    title_en="Notice before an appointment term ends",
    message_vi="Phải thông báo ít nhất 90 ngày làm việc trước khi hết thời hạn bổ nhiệm.",
    message_en="Notice is due at least 90 working days before an appointment term ends.",
    source=sources.REG_377,
    parameters={"notice_working_days": 90, "holidays": []},
    kinds=[Kind.REAPPOINTMENT],
)
def term_notice(decision: Decision, state: State, params: Params) -> Finding | None:
    """Flag a re-appointment whose term-end notice was missing or late."""
    terms = [
        t for t in state.terms if t.official == decision.subject and t.post == decision.target_post
    ]
    if not terms:
        return None
    term_end = max(t.term_end for t in terms)
    needed = int(params["notice_working_days"])
    holidays = _holidays(params)
    notice = decision.notice_given_on
    given = working_days(notice, term_end, holidays) if notice else 0
    if notice is not None and given >= needed:
        return None
    return Finding(
        f"Nhiệm kỳ hết ngày {term_end}; thông báo "
        + (f"ngày {notice} chỉ trước {given} ngày làm việc" if notice else "chưa có")
        + f" (cần {needed}).",
        f"The term ends on {term_end}; notice "
        + (f"on {notice} came {given} working days before" if notice else "was not given")
        + f" ({needed} needed).",
        {
            "term_end": term_end.isoformat(),
            "notice_given_on": notice and notice.isoformat(),
            "working_days": given,
            "needed": needed,
        },
    )


def _holidays(params: Params) -> list[date]:
    try:
        return [date.fromisoformat(text) for text in params["holidays"]]
    except (TypeError, ValueError):
        raise RuleParameterError(
            "rule parameter holidays must list ISO dates (YYYY-MM-DD)",
            "tham số holidays phải là danh sách ngày dạng YYYY-MM-DD",
            parameter="holidays",
        ) from None
