"""Rules about posts: tenure and rotation, new posts, holders, the issuer, references.

R09, R10, R12, R16, R23, R24.
"""

from __future__ import annotations

from datetime import date

from ledger.rules import sources
from ledger.rules.dates import add_years
from ledger.rules.decision import PLACING, Decision, Kind, RotationKind
from ledger.rules.model import Holding, Level, State
from ledger.rules.registry import Params, rule
from ledger.rules.verdict import Finding


@rule(
    id="R09",
    severity="flag",
    title_vi="Giữ vị trí nhạy cảm quá thời hạn định kỳ chuyển đổi",
    title_en="Tenure in a sensitive post beyond the rotation period",
    message_vi="Người giữ vị trí nhạy cảm quá thời hạn (2 đến 5 năm) phải được chuyển đổi vị trí.",
    message_en="A holder of a sensitive post beyond the period (2 to 5 years) is due for rotation.",
    source=sources.LAW_ANTI_CORRUPTION_ART25,
    parameters={"rotation_years": 5, "rotation_years_by_area": {}},
    confirmed=False,  # NOTES [u]: the 2-5 year range; the framework sets each area's figure
)
def tenure(decision: Decision, state: State, params: Params) -> Finding | None:
    """Flag any decision about a subject who keeps a sensitive post past its rotation date."""
    overdue = [
        {"post": h.post, "since": h.since.isoformat(), "due": due.isoformat()}
        for h, due in overdue_rotations(state, decision.effective_on, params)
        if h.official == decision.subject and h.post not in decision.leaves_posts
    ]
    if not overdue:
        return None
    posts = ", ".join(o["post"] for o in overdue)
    return Finding(
        f"Đối tượng giữ vị trí nhạy cảm {posts} quá thời hạn chuyển đổi.",
        f"The subject has held sensitive post {posts} beyond the rotation period.",
        {"overdue": overdue},
    )


def overdue_rotations(state: State, day: date, params: Params) -> list[tuple[Holding, date]]:
    """Holdings of sensitive posts on a day whose rotation date has come, with that date."""
    by_area = params["rotation_years_by_area"]
    found = []
    for holding in state.holdings_on(day):
        post = state.post(holding.post)
        if post is None or post.area is None:
            continue
        due = add_years(holding.since, int(by_area.get(post.area, params["rotation_years"])))
        if day >= due:
            found.append((holding, due))
    return found


@rule(
    id="R10",
    severity="block",
    title_vi="Không tạo thêm vị trí để luân chuyển",
    title_en="A rotation may not create a new post",
    message_vi="Không được tạo thêm chức danh, vị trí để bố trí người luân chuyển.",
    message_en="No post may be created to place a rotated official.",
    source=sources.REG_65,
    kinds=[Kind.ROTATION],
)
def no_new_post(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a rotation that creates its post or names a post that does not exist."""
    if not decision.creates_new_post and decision.target_post and state.post(decision.target_post):
        return None
    return Finding(
        "Luân chuyển phải vào vị trí đã có, không tạo vị trí mới.",
        "A rotation must fill an existing post, not create a new one.",
        {"target_post": decision.target_post, "creates_new_post": decision.creates_new_post},
    )


@rule(
    id="R12",
    severity="block",
    title_vi="Một vị trí hai người giữ, hoặc một người giữ các vị trí không kiêm nhiệm được",
    title_en="A post held by two people, or one official in incompatible posts",
    message_vi="Vị trí đã có người giữ hoặc đủ biên chế, hoặc hai vị trí không kiêm được.",
    message_en="The post is taken or at headcount, or the official would hold incompatible posts.",
    source=sources.LAW_CADRES_2025,
    kinds=PLACING,
)
def holders(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block over-filling a post, or a subject left in incompatible posts."""
    target = state.post(decision.target_post) if decision.target_post else None
    if target is None:
        return None
    day = decision.effective_on
    others = sorted(set(state.holders_on(target.id, day)) - {decision.subject})
    capacity = 1 if target.single_holder else target.headcount
    if len(others) + 1 > capacity:
        return Finding(
            f"Vị trí {target.id} đã đủ người giữ ({len(others)}/{capacity}).",
            f"Post {target.id} is already filled ({len(others)} of {capacity}).",
            {"post": target.id, "holders": others, "capacity": capacity},
        )
    kept = {h.post for h in state.holdings_on(day, official=decision.subject)}
    kept -= set(decision.leaves_posts) | {target.id}
    declared = {p.id for p in state.posts if target.id in p.incompatible_with}
    clashes = sorted(kept & (target.incompatible_with | declared))
    if not clashes:
        return None
    return Finding(
        f"Vị trí {target.id} không kiêm nhiệm được với {', '.join(clashes)}.",
        f"Post {target.id} is incompatible with {', '.join(clashes)} held by the subject.",
        {"post": target.id, "incompatible_with": clashes},
    )


@rule(
    id="R16",
    severity="block",
    title_vi="Cơ quan ban hành có thẩm quyền, thuộc cấp đang tồn tại",
    title_en="The issuer is a competent body of an existing level",
    message_vi=(
        "Cơ quan ban hành phải tồn tại và có thẩm quyền với đơn vị; không còn cấp huyện "
        "từ 01/7/2025."
    ),
    message_en=(
        "The issuer must exist and be competent for the unit; no district issuer from 1 July 2025."
    ),
    source=sources.TWO_LEVEL_GOVERNMENT,
    parameters={"district_abolished_on": "2025-07-01"},
)
def issuer(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block a district issuer after abolition, an unknown or absent issuer, or one out of scope."""
    day = decision.effective_on
    abolished = date.fromisoformat(params["district_abolished_on"])
    unit = state.unit(decision.issuer_unit)
    problem = None
    if decision.issuer_level is Level.DISTRICT and day >= abolished:
        problem = ("cấp huyện không còn từ", "the district level is abolished from", abolished)
    elif unit is None or unit.level is not decision.issuer_level or not unit.exists_on(day):
        problem = ("cơ quan ban hành không tồn tại vào", "the issuer does not exist on", day)
    if problem:
        vi, en, when = problem
        return Finding(
            f"Không hợp lệ: {vi} ngày {when}.",
            f"Not valid: {en} {when}.",
            {"issuer_unit": decision.issuer_unit, "issuer_level": decision.issuer_level.value},
        )
    concerned = _units_concerned(decision, state)
    outside = sorted(u for u in concerned if not _within(state, u, decision.issuer_unit))
    if not outside:
        return None
    return Finding(
        f"Cơ quan {decision.issuer_unit} không có thẩm quyền với đơn vị {', '.join(outside)}.",
        f"Issuer {decision.issuer_unit} has no authority over unit {', '.join(outside)}.",
        {"issuer_unit": decision.issuer_unit, "outside": outside},
    )


def _units_concerned(decision: Decision, state: State) -> set[str]:
    """The target post's unit, else the units of the posts the subject holds."""
    ids = (
        [decision.target_post]
        if decision.target_post
        else [h.post for h in state.holdings_on(decision.effective_on, official=decision.subject)]
    )
    posts = [state.post(i) for i in ids if i]
    return {p.unit for p in posts if p is not None}


def _within(state: State, unit_id: str, ancestor: str) -> bool:
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None and current not in seen:  # guard a cycle in bad data
        if current == ancestor:
            return True
        seen.add(current)
        unit = state.unit(current)
        current = unit.parent if unit else None
    return False


@rule(
    id="R23",
    severity="block",
    title_vi="Người được luân chuyển phải trong quy hoạch",
    title_en="A rotated official is in the succession plan",
    message_vi=(
        "Chỉ luân chuyển người trong quy hoạch; luân chuyển có địa chỉ phải đúng chức danh "
        "quy hoạch."
    ),
    message_en="Only planned officials are rotated; a targeted rotation goes to the planned post.",
    source=sources.REG_65,
    kinds=[Kind.ROTATION],
)
def succession_plan(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block rotating someone not in the plan (targeted: not planned for the target post)."""
    entries = [e for e in state.succession if e.official == decision.subject]
    if decision.rotation is RotationKind.TARGETED:
        entries = [e for e in entries if e.post == decision.target_post]
    if entries:
        return None
    return Finding(
        "Đối tượng không có trong quy hoạch cho luân chuyển này.",
        "The subject is not in the succession plan for this rotation.",
        {"rotation": decision.rotation and decision.rotation.value},
    )


@rule(
    id="R24",
    severity="block",
    title_vi="Quyết định chỉ dẫn tới người, vị trí đã có",
    title_en="A decision refers to known officials and posts",
    message_vi="Đối tượng và vị trí của quyết định phải có trong sổ.",
    message_en="The subject and post of a decision must be known to the ledger.",
    source=sources.LEDGER_INTEGRITY,
)
def known_references(decision: Decision, state: State, params: Params) -> Finding | None:
    """Block unknown subjects, placing decisions without a post, and unknown posts."""
    missing = []
    if state.official(decision.subject) is None:
        missing.append("subject")
    if decision.target_post:
        unknown = state.post(decision.target_post) is None and not decision.creates_new_post
    else:
        unknown = decision.kind in PLACING
    if unknown:
        missing.append("target_post")
    if not missing:
        return None
    return Finding(
        "Thiếu hoặc không rõ: " + ", ".join(missing) + ".",
        "Missing or unknown: " + ", ".join(missing) + ".",
        {"missing": missing},
    )
