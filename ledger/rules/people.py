"""Who takes part: separation of roles, recusal, relatives together, quorum (R01-R04)."""

from __future__ import annotations

import math
from fractions import Fraction

from ledger.rules import sources
from ledger.rules.decision import PLACING, Decision
from ledger.rules.model import Post, Rank, State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import Finding


@rule(
    id="R01",
    severity="block",
    title_vi="Người đề xuất, người phê duyệt và người được quyết định phải khác nhau",
    title_en="Proposer, approvers and subject are different people",
    message_vi="Một người không được vừa đề xuất, vừa phê duyệt hoặc là đối tượng của quyết định.",
    message_en="No one may propose, approve, or be the subject of the same decision twice over.",
    source=sources.REG_114,
)
def separate_roles(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a decision where one person holds two of the roles."""
    clashes = []
    if decision.proposer == decision.subject:
        clashes.append("proposer_is_subject")
    if decision.subject in decision.approvers:
        clashes.append("approver_is_subject")
    if decision.proposer in decision.approvers:
        clashes.append("proposer_approves")
    if len(set(decision.approvers)) != len(decision.approvers):
        clashes.append("approver_signs_twice")
    if not clashes:
        return None
    return Finding(
        "Vai trò bị trùng: " + ", ".join(clashes) + ".",
        "Roles overlap: " + ", ".join(clashes) + ".",
        {"clashes": clashes},
    )


@rule(
    id="R02",
    severity="block",
    title_vi="Người có quan hệ gia đình với đối tượng phải tránh tham gia",
    title_en="Recusal of a signer whose declared relative is the subject",
    message_vi="Người ký hoặc thành viên tập thể có người thân là đối tượng phải tránh tham gia.",
    message_en="A signer or collective member whose declared relative is the subject must recuse.",
    source=sources.REG_114,
)
def recusal(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block when a proposer, approver or present collective member is the subject's relative."""
    relatives = state.relatives_of(decision.subject)
    roles = {"proposer": [decision.proposer], "approver": list(decision.approvers)}
    if decision.collective is not None:
        roles["collective_member"] = list(decision.collective.present)
    # Only who must step aside and in which role: the relation itself is personal data.
    must_recuse = {role: sorted(set(who) & relatives) for role, who in roles.items()}
    must_recuse = {role: who for role, who in must_recuse.items() if who}
    if not must_recuse:
        return None
    return Finding(
        "Người có quan hệ gia đình với đối tượng phải tránh tham gia quyết định.",
        "Officials related to the subject must recuse themselves from the decision.",
        {"must_recuse": must_recuse},
    )


SECTORS_114 = [
    "home_affairs",
    "inspection",
    "finance",
    "banking",
    "tax",
    "customs",
    "industry_trade",
    "planning_investment",
    "natural_resources_environment",
    "army",
    "police",
    "court",
    "procuracy",
]


@rule(
    id="R03",
    severity="block",
    title_vi="Người thân không cùng giữ các vị trí cấm",
    title_en="No relatives together in barred combinations of posts",
    message_vi=(
        "Người thân không được cùng trong một tập thể lãnh đạo, là cấp trưởng và cấp phó một "
        "đơn vị, người đứng đầu cùng người đứng đầu 13 ngành, hoặc giữ vị trí nhân sự, tài "
        "chính, thanh tra của đơn vị do người kia đứng đầu."
    ),
    message_en=(
        "Relatives may not sit in one leadership collective, be head and deputy of one unit, "
        "be the top post and the head of one of the 13 sectors, or hold personnel, finance or "
        "inspection posts of a unit the other heads."
    ),
    source=sources.REG_114 + "; " + sources.LAW_ANTI_CORRUPTION_ART20,
    parameters={
        "sectors_barred_with_top": SECTORS_114,
        "areas_barred_under_relative": [
            "personnel",
            "finance",
            "accounting",
            "treasury",
            "inspection",
        ],
    },
    # Regulation 114's combinations are confirmed; the areas of Art. 20 are not (NOTES [u]).
    confirmed=False,
    kinds=PLACING,
)
def relatives_together(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block placing the subject in a post that a relative's post makes a barred pair with."""
    target = state.post(decision.target_post) if decision.target_post else None
    if target is None:
        return None
    clashes = []
    for relative in sorted(state.relatives_of(decision.subject)):
        for holding in state.holdings_on(decision.effective_on, official=relative):
            other = state.post(holding.post)
            reason = _barred_pair(target, other, params) if other else None
            if reason:
                clashes.append({"relative_post": holding.post, "reason": reason})
    if not clashes:
        return None
    return Finding(
        f"Người thân của đối tượng giữ vị trí không được cùng với {target.id}.",
        f"A relative of the subject holds a post barred together with {target.id}.",
        {"clashes": clashes},
    )


def _barred_pair(a: Post, b: Post, params: Params) -> str | None:
    if a.collective is not None and a.collective == b.collective:
        return "same_leadership_collective"
    if a.unit != b.unit:
        return None
    if {a.rank, b.rank} == {Rank.HEAD, Rank.DEPUTY}:
        return "head_and_deputy"
    sectors = set(params["sectors_barred_with_top"])
    for top, other in ((a, b), (b, a)):
        if top.top and other.rank is Rank.HEAD and other.sector in sectors:
            return "top_and_sector_head"
    areas = set(params["areas_barred_under_relative"])
    for head, other in ((a, b), (b, a)):
        if head.rank in (Rank.HEAD, Rank.DEPUTY) and other.area in areas:
            return "sensitive_post_under_relative"
    return None


@rule(
    id="R04",
    severity="block",
    title_vi="Đủ số thành viên tập thể có thẩm quyền",
    title_en="Quorum of the competent collective",
    message_vi="Quyết định tập thể cần đủ số thành viên dự họp và quá nửa tổng số tán thành.",
    message_en="A collective decision needs its quorum present and a majority of all members.",
    source=sources.REG_377,
    parameters={
        "collective_kinds": ["appointment", "reappointment", "rotation", "discipline", "dismissal"],
        "quorum_fraction": "2/3",
        "approval_fraction": "1/2",
    },
    confirmed=False,
)
def quorum(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a collective decision short of quorum or majority, or missing its collective."""
    group = decision.collective
    if group is None:
        if decision.kind.value not in params["collective_kinds"]:
            return None
        return Finding(
            "Quyết định loại này phải do tập thể có thẩm quyền quyết định.",
            "A decision of this kind must be taken by the competent collective.",
            {"kind": decision.kind.value},
        )
    members = set(group.members)
    needed = math.ceil(Fraction(params["quorum_fraction"]) * len(members))
    present = set(group.present) & members
    majority = Fraction(params["approval_fraction"]) * len(members)
    details = {
        "members": len(members),
        "present": len(present),
        "quorum": needed,
        "votes_for": group.votes_for,
        "votes_needed_above": _number(majority),
    }
    if set(group.present) - members or group.votes_for > len(present):
        return Finding(
            "Danh sách dự họp hoặc số phiếu không khớp với tập thể.",
            "Those present or the votes do not match the collective.",
            details,
        )
    if len(present) < needed:
        return Finding(
            f"Chỉ {len(present)}/{len(members)} thành viên dự họp, cần ít nhất {needed}.",
            f"Only {len(present)} of {len(members)} members present; at least {needed} needed.",
            details,
        )
    if group.votes_for <= majority:
        return Finding(
            f"{group.votes_for}/{len(members)} phiếu tán thành, chưa quá {_number(majority)}.",
            f"{group.votes_for} of {len(members)} members in favour; "
            f"more than {_number(majority)} needed.",
            details,
        )
    return None


def _number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"
