"""Checks of personnel decisions: lifecycle, authority, and the power-control rules.

The rules run when a decision is proposed and at every approval, against the state as of that
moment: a block refuses the statement (422, naming the rules), a flag is recorded with the event
and returned with the receipt, a hold keeps the decision from taking effect until inspection
releases it (its reason is not recorded; inspection re-derives it from the log).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from ledger.errors import InvalidPayload, LedgerError, NotAuthorised
from ledger.personnel.catalogue import _DECISION_FIELDS
from ledger.personnel.organisation import PROCESS_PARAMETERS, Check, Outcome
from ledger.personnel.rulestate import (
    evaluation_input,
    frameworks_for,
    rules_decision,
    title_group_of,
)
from ledger.personnel.state import DecisionState
from ledger.personnel.work import PersonnelWork, day_of, exists, unknown, wrong_status
from ledger.registry import KeyRecord
from ledger.rules import Outcome as RuleOutcome
from ledger.rules import Verdict, evaluate, overall
from ledger.rules.decision import Kind
from ledger.rules.model import State
from ledger.statement import Statement


class RuleBlocked(LedgerError):
    """A power-control rule blocks the decision."""

    code = "rule_blocked"


def _new_decision(w: PersonnelWork, signer: KeyRecord, st: Statement, status: str) -> DecisionState:
    p = st.payload
    missing = sorted(k for k, f in _DECISION_FIELDS.items() if not f.optional and k not in p)
    if missing:
        raise InvalidPayload(
            f"{st.type}: a new decision needs {missing}",
            f"{st.type}: quyết định mới thiếu {missing}",
            missing=missing,
        )
    w.unit(p["unit"])
    w.require_scope(signer, p["unit"], f"{st.type.split('.')[1]} decisions")
    if p["subject"] not in w.state.officials:
        raise unknown("subject", "official", p["subject"])
    if "evaluation" in p:
        evaluation_input(p["evaluation"])  # shape errors are 422 before any rule runs
    if Kind(p["kind"]) is Kind.EVALUATION and "evaluation" not in p:
        raise InvalidPayload(
            "an evaluation decision carries its inputs in payload.evaluation",
            "quyết định đánh giá phải có payload.evaluation",
            field="evaluation",
        )
    target = p.get("target_post")
    if target is not None and target in w.state.posts:
        abolished = w.state.posts[target].abolished_on
        if abolished is not None and abolished <= day_of(p, "effective_on"):
            raise InvalidPayload(
                f"post {target} was abolished on {abolished}",
                f"vị trí {target} đã bị bãi bỏ",
                field="target_post",
            )
    _check_marks(w, p)
    return DecisionState(
        id=p["decision_id"],
        kind=p["kind"],
        subject=p["subject"],
        unit=p["unit"],
        payload={k: v for k, v in p.items() if k != "decision_id"},
        proposer=signer.official_id if status != "draft" else "",
        proposed_at=st.time,
        effective_on=day_of(p, "effective_on"),
        status=status,
    )


def _check_marks(w: PersonnelWork, p: dict[str, Any]) -> None:
    initiative = p.get("under_initiative")
    if initiative is not None and initiative not in w.state.initiatives:
        raise unknown("under_initiative", "initiative", initiative)
    consultation = p.get("under_consultation")
    if consultation is not None:
        asked = w.state.consultations.get(consultation)
        if asked is None:
            raise unknown("under_consultation", "consultation", consultation)
        if asked.answer is None:
            raise InvalidPayload(
                f"consultation {consultation} has no answer yet",
                f"yêu cầu xin ý kiến {consultation} chưa được trả lời",
                field="under_consultation",
            )


def _run_rules(
    w: PersonnelWork, d: DecisionState, approvers: list[str], at: datetime
) -> list[Verdict]:
    derived = w.derived()
    state = w.rules_state(d.unit, title_group_of(w.state, derived, d))
    verdicts = evaluate(rules_decision(w.state, d, approvers, at), state)
    if overall(verdicts) is RuleOutcome.BLOCK:
        blocks = [v.to_json() for v in verdicts if v.outcome is RuleOutcome.BLOCK]
        ids = ", ".join(v["rule_id"] for v in blocks)
        raise RuleBlocked(
            f"decision {d.id} is blocked by rule(s) {ids}: "
            + "; ".join(v["message_en"] for v in blocks),
            f"quyết định {d.id} bị chặn bởi quy tắc {ids}: "
            + "; ".join(v["message_vi"] for v in blocks),
            decision_id=d.id,
            verdicts=blocks,
            flags=[v.to_json() for v in verdicts if v.outcome is not RuleOutcome.BLOCK],
        )
    return verdicts


def _approvals_required(w: PersonnelWork, d: DecisionState, at: datetime) -> int:
    # Only the framework in force is needed, not the whole state the rules read.
    versions = frameworks_for(w.state, d.unit, title_group_of(w.state, w.derived(), d))
    framework = State(frameworks=versions).framework_at(d.effective_on, known_at=at)
    parameters = framework.parameters if framework is not None else {}
    needed: int = parameters.get(
        "decision_approvals_required", PROCESS_PARAMETERS["decision_approvals_required"]
    )
    return needed


def _public(verdicts: list[Verdict]) -> list[dict[str, Any]]:
    return [v.to_json() for v in verdicts]


def decision_draft(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    if st.payload["decision_id"] in w.state.decisions:
        raise exists("decision", st.payload["decision_id"])
    _new_decision(w, signer, st, "draft")
    return {"status": "draft"}


def decision_propose(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    existing = w.state.decisions.get(p["decision_id"])
    if existing is None:
        decision = _new_decision(w, signer, st, "proposed")
    else:
        if set(p) != {"decision_id"}:
            raise InvalidPayload(
                "a draft is proposed by its decision_id alone (its fields were signed when "
                "drafted); to change them, withdraw it and draft anew",
                "đề xuất bản dự thảo chỉ cần decision_id",
                unexpected=sorted(set(p) - {"decision_id"}),
            )
        if existing.status != "draft":
            raise wrong_status("decision", existing.id, existing.status, "a draft")
        w.require_scope(signer, existing.unit, "propose decisions")
        decision = replace(existing, proposer=signer.official_id)  # the fold records it
    verdicts = _run_rules(w, decision, [], st.time)
    held = overall(verdicts) is RuleOutcome.HOLD
    return {"status": "held" if held else "proposed", "verdicts": _public(verdicts)}


def decision_approve(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    d = _decision(w, st)
    w.require_scope(signer, d.unit, "approve decisions")
    if d.status not in ("proposed", "held"):
        raise wrong_status("decision", d.id, d.status, "proposed")
    if st.payload["revision"] != d.revision:
        raise wrong_status("decision", d.id, f"at revision {d.revision}", "at the signed revision")
    if signer.official_id in d.approvals:
        raise wrong_status("decision", d.id, "already approved by this signer", "open")
    verdicts = _run_rules(w, d, [*d.approvals, signer.official_id], st.time)
    approvals = len(d.approvals) + 1
    # Once inspection released a hold, the same finding does not hold the decision again.
    held = not d.released and (d.held or overall(verdicts) is RuleOutcome.HOLD)
    if held:
        status = "held"
    elif approvals >= _approvals_required(w, d, st.time):
        status = "approved"
    else:
        status = "proposed"
    return {"status": status, "verdicts": _public(verdicts), "approvals": approvals}


def decision_withdraw(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    d = _decision(w, st)
    if d.status not in ("draft", "proposed", "held"):
        raise wrong_status("decision", d.id, d.status, "not yet approved")
    w.require_scope(signer, d.unit, "withdraw decisions")
    author = d.proposer or d.drafted_by
    if signer.official_id != author:
        raise NotAuthorised(
            f"only its author ({author}) withdraws decision {d.id}",
            "chỉ người đề xuất (hoặc soạn thảo) được rút quyết định",
        )
    return {"status": "withdrawn"}


def decision_release(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    d = _decision(w, st)
    w.require_scope(signer, d.unit, "release held decisions")
    if d.status != "held":
        raise wrong_status("decision", d.id, d.status, "held")
    done = len(d.approvals) >= _approvals_required(w, d, st.time)
    return {"status": "approved" if done else "proposed"}


def decision_annul(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    d = _decision(w, st)
    w.require_scope(signer, d.unit, "annul decisions")
    if d.status in ("withdrawn", "annulled", "draft"):
        raise wrong_status("decision", d.id, d.status, "proposed, held or approved")
    return {"status": "annulled"}


def _decision(w: PersonnelWork, st: Statement) -> DecisionState:
    d = w.state.decisions.get(st.payload["decision_id"])
    if d is None:
        raise unknown("decision_id", "decision", st.payload["decision_id"])
    return d


CHECKS: dict[str, Check] = {
    "decision.draft": decision_draft,
    "decision.propose": decision_propose,
    "decision.approve": decision_approve,
    "decision.withdraw": decision_withdraw,
    "decision.release": decision_release,
    "decision.annul": decision_annul,
}
