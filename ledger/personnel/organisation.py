"""Checks of statements about units, posts, criteria frameworks and officials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ledger.errors import InvalidPayload, LedgerError, NotAuthorised
from ledger.personnel.catalogue import SPECIAL_AREAS
from ledger.personnel.private import check_private
from ledger.personnel.work import (
    PersonnelWork,
    day_of,
    exists,
    local_today,
    unknown,
    wrong_status,
)
from ledger.registry import KeyRecord
from ledger.reports.deadlines import DEFAULTS as REPORT_DEFAULTS
from ledger.rules import check_parameters
from ledger.rules.model import Level
from ledger.statement import Statement

Outcome = dict[str, Any]
Check = Callable[[PersonnelWork, KeyRecord, Statement, dict[str, Any] | None], Outcome]

# Framework parameters of the approval process itself (not of a rule), with their defaults.
# NOTES [u]: no source fixes these counts; the framework in force sets them.
PROCESS_PARAMETERS = {"framework_approvals_required": 3, "decision_approvals_required": 1}


class QuorumNotReached(LedgerError):
    """Publishing a framework version before the competent body's quorum approved it."""

    code = "quorum_not_reached"


def unit_establish(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    if p["unit_id"] in w.state.units:
        raise exists("unit", p["unit_id"])
    level, parent = Level(p["level"]), p.get("parent")
    if level is Level.PROVINCE and parent is not None:
        raise InvalidPayload(
            "a province has no parent unit", "tỉnh không có đơn vị cấp trên", field="parent"
        )
    # A unit's id names its place: a province's has no "/", a commune's is its province's id
    # and "/...". Unit scopes (keys, sessions, inspection views) compare ids by that prefix,
    # so it must agree with the parent links.
    if level is Level.PROVINCE and "/" in p["unit_id"]:
        raise InvalidPayload(
            f"a province's id has no '/': {p['unit_id']!r}",
            "mã tỉnh không được chứa '/'",
            field="unit_id",
        )
    if parent is not None and not p["unit_id"].startswith(parent + "/"):
        raise InvalidPayload(
            f"a commune or ward's id starts with its province's id and '/': "
            f"{parent}/..., not {p['unit_id']!r}",
            "mã xã, phường phải bắt đầu bằng mã tỉnh và dấu '/'",
            field="unit_id",
        )
    if level is not Level.PROVINCE:
        if parent is None:
            raise InvalidPayload(
                "a commune or ward needs its province as parent (two-level government)",
                "xã, phường phải có tỉnh là đơn vị cấp trên",
                field="parent",
            )
        w.unit(parent, "parent")
        if w.state.units[parent].level is not Level.PROVINCE:
            raise InvalidPayload(
                "the parent of a commune or ward is a province (no district level since "
                "1 July 2025)",
                "đơn vị cấp trên của xã, phường phải là tỉnh",
                field="parent",
            )
    w.require_scope(signer, parent or p["unit_id"], "establish units")
    return {}


def unit_reorganise(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    sources, targets = p["from"], p["into"]
    for n, unit_id in enumerate([*sources, *targets]):
        w.unit(unit_id, "from" if n < len(sources) else "into")
        w.require_scope(signer, unit_id, "reorganise units")
    if p["kind"] == "merger" and (len(sources) < 2 or len(targets) != 1):
        raise InvalidPayload(
            "a merger takes two or more units into one",
            "sáp nhập: từ hai đơn vị trở lên vào một",
            field="from",
        )
    if p["kind"] == "split" and (len(sources) != 1 or len(targets) < 2):
        raise InvalidPayload(
            "a split takes one unit into two or more",
            "chia tách: một đơn vị thành hai trở lên",
            field="into",
        )
    mapping = p.get("posts", {})
    moves: dict[str, str] = {}
    day = day_of(p, "effective_on")
    for post_id, held in sorted(w.state.posts.items()):
        if held.post.unit not in sources or held.abolished_on is not None:
            continue
        successor = mapping.get(post_id)
        if successor is None and len(targets) == 1:
            successor = targets[0]
        if successor not in targets:
            raise InvalidPayload(
                f"post {post_id} of {held.post.unit} needs a successor unit among {targets} "
                "in payload.posts",
                f"vị trí {post_id} cần đơn vị kế thừa trong payload.posts",
                field="posts",
                post=post_id,
            )
        if successor != held.post.unit:
            moves[post_id] = successor
    for unit_id in sources:
        if w.state.units[unit_id].exists_until is not None:
            raise wrong_status("unit", unit_id, "dissolved", "existing")
    del day
    return {"post_moves": moves}


def post_create(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    if p["post_id"] in w.state.posts:
        raise exists("post", p["post_id"])
    w.unit(p["unit"])
    w.require_scope(signer, p["unit"], "create posts")
    for name in ("reports_to",):
        if name in p and p[name] not in w.state.posts:
            raise unknown(name, "post", p[name])
    return {}


def post_abolish(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    held = w.state.posts.get(p["post_id"])
    if held is None:
        raise unknown("post_id", "post", p["post_id"])
    w.require_scope(signer, held.post.unit, "abolish posts")
    if held.abolished_on is not None:
        raise wrong_status("post", p["post_id"], "abolished", "in existence")
    day = day_of(p, "abolished_on")
    holders = [
        h.official for h in w.derived().holdings if h.post == held.post.id and h.active_on(day)
    ]
    if holders:
        raise InvalidPayload(
            f"post {held.post.id} is held by {holders} on {day}: end their holdings first",
            f"vị trí {held.post.id} vẫn còn người giữ",
            field="post_id",
            holders=holders,
        )
    return {}


def _framework(w: PersonnelWork, st: Statement) -> Any:
    framework = w.state.frameworks.get(st.payload["framework_id"])
    if framework is None:
        raise unknown("framework_id", "framework", st.payload["framework_id"])
    return framework


def _proposal(w: PersonnelWork, st: Statement) -> Any:
    framework = _framework(w, st)
    proposal = framework.proposals.get(st.payload["proposal"])
    if proposal is None:
        raise unknown("proposal", "proposal", str(st.payload["proposal"]))
    return framework, proposal


def framework_propose(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    p = st.payload
    w.unit(p["province"], "province")
    if w.state.units[p["province"]].level is not Level.PROVINCE:
        raise InvalidPayload(
            "a criteria framework belongs to a province",
            "khung năng lực thuộc cấp tỉnh",
            field="province",
        )
    w.require_scope(signer, p["province"], "propose criteria frameworks")
    existing = w.state.frameworks.get(p["framework_id"])
    if existing is not None and (
        existing.province != p["province"] or existing.group.value != p["title_group"]
    ):
        raise InvalidPayload(
            f"framework {existing.id} is {existing.province}'s for {existing.group.value}; "
            "its province and title group never change",
            "tỉnh và nhóm chức danh của khung năng lực không thay đổi",
            field="framework_id",
        )
    for other in w.state.frameworks.values():
        if (
            other.id != p["framework_id"]
            and other.province == p["province"]
            and (other.group.value == p["title_group"])
        ):
            raise InvalidPayload(
                f"{p['province']} already has framework {other.id} for {p['title_group']}: "
                "propose a new version of it",
                "tỉnh đã có khung năng lực cho nhóm chức danh này",
                field="framework_id",
                existing=other.id,
            )
    priority = p.get("priority_competencies", {})
    for area, levels in priority.items():
        if (
            area not in SPECIAL_AREAS
            or not isinstance(levels, dict)
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5
                for v in levels.values()
            )
        ):
            raise InvalidPayload(
                f"priority_competencies maps a special area ({sorted(SPECIAL_AREAS)}) to "
                "{competency: level 1..5}",
                "phụ lục năng lực ưu tiên không hợp lệ",
                field="priority_competencies",
            )
    parameters = p.get("parameters", {})
    check_parameters(parameters)
    for name, default in PROCESS_PARAMETERS.items():
        value = parameters.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 50:
            raise InvalidPayload(
                f"parameters.{name} must be a whole number 1..50",
                f"parameters.{name} phải là số nguyên 1..50",
                field=f"parameters.{name}",
            )
    for name in REPORT_DEFAULTS:
        value = parameters.get(name, REPORT_DEFAULTS[name])
        if name == "holidays":
            _check_holidays(value)
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            raise InvalidPayload(
                f"parameters.{name} must be a whole number 0..100",
                f"parameters.{name} phải là số nguyên 0..100",
                field=f"parameters.{name}",
            )
    number = len(existing.proposals) + 1 if existing else 1
    return {"proposal": number}


def _check_holidays(value: Any) -> None:
    try:
        ok = isinstance(value, list) and all(
            isinstance(d, str) and date.fromisoformat(d) for d in value
        )
    except ValueError:
        ok = False
    if not ok:
        raise InvalidPayload(
            "parameters.holidays must be a list of dates like 2026-09-02",
            "parameters.holidays phải là danh sách ngày",
            field="parameters.holidays",
        )


def framework_approve(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    framework, proposal = _proposal(w, st)
    w.require_scope(signer, framework.province, "approve criteria frameworks")
    if proposal.status != "proposed":
        raise wrong_status("proposal", str(proposal.number), proposal.status, "proposed")
    if signer.official_id == proposal.proposer:
        raise NotAuthorised(
            "the proposer of a framework version may not approve it",
            "người đề xuất không được tự phê duyệt",
        )
    if signer.official_id in proposal.approvals:
        raise wrong_status("proposal", str(proposal.number), "already approved by you", "open")
    return {}


def framework_publish(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    framework, proposal = _proposal(w, st)
    w.require_scope(signer, framework.province, "publish criteria frameworks")
    if proposal.status != "proposed":
        raise wrong_status("proposal", str(proposal.number), proposal.status, "proposed")
    in_force = [v for v in framework.published() if v.effective_on <= local_today(st.time)]
    latest = max(in_force, key=lambda p: (p.effective_on, p.published_order), default=None)
    current = latest.parameters if latest is not None else {}
    needed = current.get(
        "framework_approvals_required", PROCESS_PARAMETERS["framework_approvals_required"]
    )
    if len(proposal.approvals) < needed:
        raise QuorumNotReached(
            f"proposal {proposal.number} has {len(proposal.approvals)} approval(s) of the "
            f"competent body; {needed} are required to publish",
            f"đề xuất mới có {len(proposal.approvals)} phê duyệt, cần {needed}",
            approvals=len(proposal.approvals),
            required=needed,
        )
    # An effective date before publication is allowed (recording the frameworks that applied
    # before the ledger existed); the rules read a version only for decisions recorded after it
    # was published, so history is never rewritten.
    return {"version": f"{framework.id}@{proposal.number}"}


def framework_withdraw(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    framework, proposal = _proposal(w, st)
    w.require_scope(signer, framework.province, "withdraw framework proposals")
    if proposal.status != "proposed":
        raise wrong_status("proposal", str(proposal.number), proposal.status, "proposed")
    return {}


def framework_annul(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    framework, proposal = _proposal(w, st)
    w.require_scope(signer, framework.province, "annul criteria frameworks")
    if proposal.status != "published":
        raise wrong_status("proposal", str(proposal.number), proposal.status, "published")
    return {}


def official_register(
    w: PersonnelWork, signer: KeyRecord, st: Statement, private: dict[str, Any] | None
) -> Outcome:
    p = st.payload
    if p["official_id"] in w.state.officials:
        raise exists("official", p["official_id"])
    w.unit(p["unit"])
    w.require_scope(signer, p["unit"], "register officials")
    data = check_private(st.type, p, private, required=True)
    assert data is not None
    _check_relatives(w, data, p["official_id"])
    w.seal_later(p["official_id"], p["private_sha256"], data)
    return {}


def official_update(
    w: PersonnelWork, signer: KeyRecord, st: Statement, private: dict[str, Any] | None
) -> Outcome:
    p = st.payload
    official = _official(w, p["official_id"])
    w.require_scope(signer, official.unit, "update officials")
    if "unit" in p:
        w.unit(p["unit"])
        w.require_scope(signer, p["unit"], "move officials")
    if not {"unit", "title", "private_sha256"} & set(p):
        raise InvalidPayload(
            "an update changes unit, title or personal data",
            "cập nhật phải thay đổi thông tin",
        )
    data = check_private(st.type, p, private, required=False)
    if data is not None:
        _check_relatives(w, data, official.id)
        w.seal_later(official.id, p["private_sha256"], data)
    return {}


def official_training(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    official = _official(w, st.payload["official_id"])
    w.require_scope(signer, official.unit, "record training")
    if any(t.training_id == st.payload["training_id"] for t in official.trainings):
        raise exists("training", st.payload["training_id"])
    return {}


def official_plan(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    official = _official(w, st.payload["official_id"])
    w.require_scope(signer, official.unit, "plan succession")
    post = st.payload.get("post_id")
    if post is not None and post not in w.state.posts:
        raise unknown("post_id", "post", post)
    if post in official.plans:
        raise exists("plan entry", f"{official.id} -> {post or 'general'}")
    return {}


def official_erase(w: PersonnelWork, signer: KeyRecord, st: Statement, _: Any) -> Outcome:
    official = _official(w, st.payload["official_id"])
    w.require_scope(signer, official.unit, "erase personal data")
    if official.erased:
        raise wrong_status("official", official.id, "erased", "holding personal data")
    w.erasures.append(official.id)
    return {}


def _official(w: PersonnelWork, official_id: str) -> Any:
    official = w.state.officials.get(official_id)
    if official is None:
        raise unknown("official_id", "official", official_id)
    return official


def _check_relatives(w: PersonnelWork, data: dict[str, Any], official_id: str) -> None:
    for relative in data.get("relatives", []):
        if relative["official"] == official_id:
            raise InvalidPayload(
                "an official is not their own relative",
                "không thể tự khai là người thân",
                field="private.relatives",
            )


CHECKS: dict[str, Check] = {
    "unit.establish": unit_establish,
    "unit.reorganise": unit_reorganise,
    "post.create": post_create,
    "post.abolish": post_abolish,
    "framework.propose": framework_propose,
    "framework.approve": framework_approve,
    "framework.publish": framework_publish,
    "framework.withdraw": framework_withdraw,
    "framework.annul": framework_annul,
    "official.register": official_register,
    "official.update": official_update,
    "official.training": official_training,
    "official.plan": official_plan,
    "official.erase": official_erase,
}
